import Foundation
import SNNKit

/// Dense 0/1 spike arrays in NumPy files (SPEC §7).
///
/// The spikes are one array of shape `[samples, T, channels]` (`S × T × C`, sample-major, then time, then
/// channel, C order), of any numeric type, every element 0 or 1. The labels are a 1-D integer array with one
/// entry per sample. Both may sit in one `.npz` archive as the arrays `spikes` and `labels` (what
/// ``SpikeDataset/writeNumPy(to:compression:)`` writes), or in separate `.npy` files.
extension SpikeDataset {
    /// The array names of the dense NumPy format.
    public enum NumPyLayout {
        /// The dense spikes, `[samples, T, channels]`.
        public static let spikes = "spikes"
        /// The class label of each sample.
        public static let labels = "labels"
    }

    /// Loads dense 0/1 spikes `[samples, T, channels]` and their labels from NumPy files.
    ///
    /// Each element equal to 1 becomes an event at (step, channel); events are ordered by step, then channel.
    ///
    /// - Parameters:
    ///   - path: An `.npz` archive holding `spikes` (and `labels`), or an `.npy` file of the spikes (the kind
    ///     is told by the file's first bytes, not its name).
    ///   - labelsPath: An `.npy` file of the labels, or an `.npz` holding `labels`; `nil` takes `labels` from
    ///     the spikes archive, or, for a spikes `.npy`, gives every sample the label 0.
    ///   - timeStep: The time step Δt of the array's steps.
    ///   - classes: The number of classes; `nil` takes the largest label + 1.
    ///   - elementLimit: The largest number of elements an array may declare.
    /// - Throws: ``DataError``, naming the file and the array (and for values the index `spikes[s, t, c]`):
    ///   the errors of ``NPYFile/read(from:name:elementLimit:)`` and ``NPZArchive/array(named:)``;
    ///   ``DataError/missingDataset(path:dataset:)`` for an archive without `spikes` or `labels`;
    ///   ``DataError/wrongType(path:dataset:expected:found:)`` for structured spikes or non-integer labels;
    ///   ``DataError/wrongShape(path:dataset:expected:found:)`` for spikes that are not 3-D with T, C ≥ 1, or
    ///   labels that are not 1-D with one entry per sample; ``DataError/invalidValue(path:field:reason:)`` for
    ///   a spike value other than 0 or 1 (the first one, by index), a negative or out-of-range label.
    public static func loadNumPy(spikes path: String, labels labelsPath: String? = nil, timeStep: Duration, classes: Int? = nil,
                                 elementLimit: Int = NPYFile.defaultElementLimit) throws(DataError) -> SpikeDataset {
        guard timeStep > .zero else { throw .invalidValue(path: path, field: "timeStep", reason: "must be positive, found \(timeStep)") }
        let source = try NumPySource.open(path, name: NumPyLayout.spikes, elementLimit: elementLimit)
        let spikes: NPYArray
        switch source {
        case let .array(array): spikes = array
        case let .archive(archive): spikes = try archive.array(named: NumPyLayout.spikes)
        }
        guard spikes.shape.count == 3, spikes.shape[1] >= 1, spikes.shape[2] >= 1,
              spikes.shape[1] <= Int(Int32.max), spikes.shape[2] <= Int(Int32.max) else {
            throw .wrongShape(path: path, dataset: NumPyLayout.spikes, expected: "[samples, T ≥ 1, channels ≥ 1]", found: "shape \(spikes.shape)")
        }
        guard let type = spikes.dataType.scalarType, let column = spikes.column() else {
            throw .wrongType(path: path, dataset: NumPyLayout.spikes, expected: "a numeric type (0/1 values)", found: spikes.dataType.description)
        }
        let (samples, steps, channels) = (spikes.shape[0], spikes.shape[1], spikes.shape[2])

        // Labels first: a count mismatch is reported before the (possibly long) scan of the spikes.
        var rawLabels: [Int64]
        var labelsFile = path
        if let labelsPath {
            labelsFile = labelsPath
            switch try NumPySource.open(labelsPath, name: NumPyLayout.labels, elementLimit: elementLimit) {
            case let .array(array): rawLabels = try LoaderSupport.integers(array, path: labelsPath, name: NumPyLayout.labels)
            case let .archive(archive):
                rawLabels = try LoaderSupport.integers(archive.array(named: NumPyLayout.labels), path: labelsPath, name: NumPyLayout.labels)
            }
        } else if case let .archive(archive) = source {
            rawLabels = try LoaderSupport.integers(archive.array(named: NumPyLayout.labels), path: path, name: NumPyLayout.labels)
        } else {
            rawLabels = [Int64](repeating: 0, count: samples)
        }
        guard rawLabels.count == samples else {
            throw .wrongShape(path: labelsFile, dataset: NumPyLayout.labels, expected: "\(samples) labels, one per sample of \(NumPyLayout.spikes)",
                              found: "\(rawLabels.count) labels")
        }
        let (labels, classCount) = try LoaderSupport.labels(rawLabels, path: labelsFile, field: NumPyLayout.labels, classes: classes)

        var offsets = [0], eventSteps = [Int32](), eventChannels = [Int32]()
        offsets.reserveCapacity(samples + 1)
        let perSample = steps * channels
        try spikes.bytes.withRawBytes { (raw) throws(DataError) in
            func bad(_ index: Int, _ value: String) -> DataError {
                let (s, rest) = index.quotientAndRemainder(dividingBy: perSample)
                let (t, c) = rest.quotientAndRemainder(dividingBy: channels)
                return .invalidValue(path: path, field: "\(NumPyLayout.spikes)[\(s), \(t), \(c)]", reason: "value \(value) is not 0 or 1")
            }
            for s in 0..<samples {
                let base = s * perSample
                if type.size == 1 {
                    // One-byte types (uint8, int8, bool): the bytes are the values.
                    for k in 0..<perSample where raw[base + k] != 0 {
                        let b = raw[base + k]
                        guard b == 1 || type == .bool else { throw bad(base + k, type == .int8 ? String(Int8(bitPattern: b)) : String(b)) }
                        eventSteps.append(Int32(k / channels))
                        eventChannels.append(Int32(k % channels))
                    }
                } else {
                    for k in 0..<perSample {
                        let v = column.double(raw, base + k)
                        if v == 0 { continue }
                        guard v == 1 else { throw bad(base + k, LoaderSupport.format(v)) }
                        eventSteps.append(Int32(k / channels))
                        eventChannels.append(Int32(k % channels))
                    }
                }
                offsets.append(eventSteps.count)
            }
        }
        return try LoaderSupport.dataset(path: path, channels: channels, steps: steps, timeStep: timeStep, classes: classCount,
                                         offsets: offsets, steps: eventSteps, channels: eventChannels, labels: labels)
    }

    /// The data set as dense arrays: `spikes`, `uint8` `[samples, T, channels]` with 1 at every event, and
    /// `labels`, `int64` `[samples]`.
    public func numPyArrays() -> (spikes: NPYArray, labels: NPYArray) {
        var dense = [UInt8](repeating: 0, count: count * steps * channels)
        for i in 0..<count {
            let base = i * steps * channels
            for e in eventOffsets[i]..<eventOffsets[i + 1] {
                dense[base + Int(eventSteps[e]) * channels + Int(eventChannels[e])] = 1
            }
        }
        return (NPYArray(dense, shape: [count, steps, channels]), NPYArray(labels.map { Int64($0) }))
    }

    /// Writes the data set as an `.npz` archive with the arrays `spikes` (`uint8`, `[samples, T, channels]`,
    /// 1 at every event) and `labels` (`int64`), atomically; `numpy.load` reads it.
    ///
    /// ``loadNumPy(spikes:labels:timeStep:classes:elementLimit:)`` with the same Δt gives back the events
    /// ordered by step, then channel (several events in one bin become one), and the labels; the number of
    /// classes is the largest label + 1 unless given.
    ///
    /// - Parameters:
    ///   - path: The archive to write.
    ///   - compression: ``NPZArchive/Compression/stored`` (default, as `numpy.savez`) or
    ///     ``NPZArchive/Compression/deflated`` (as `numpy.savez_compressed`).
    /// - Throws: ``DataError/cannotWrite(path:dataset:reason:)``.
    public func writeNumPy(to path: String, compression: NPZArchive.Compression = .stored) throws(DataError) {
        let (spikes, labels) = numPyArrays()
        try NPZArchive.write([(NumPyLayout.spikes, spikes), (NumPyLayout.labels, labels)], to: path, compression: compression)
    }
}
