import Foundation
import SNNKit

/// RAS event lists (SPEC §7): every sample is a list of (time in seconds, unit) events, stored in a NumPy
/// `.npz` archive.
///
/// The archive holds four 1-D arrays: per event, `times` (floating point, seconds, ≥ 0), `units` (integers,
/// `0..<channels`) and `sample_index` (integers, the sample the event belongs to, `0..<samples`); and per
/// sample, `labels` (integers). Events need not be grouped or sorted by sample; within a sample the file's
/// order is kept. A sample without events is simply a label no `sample_index` refers to. Other arrays in the
/// archive are ignored. The flat layout keeps the file readable with plain `numpy.load` (no object arrays or
/// pickles) and as compact as SHD's ragged rows.
extension SpikeDataset {
    /// The array names of the RAS format.
    public enum RASLayout {
        /// Spike times in seconds, one per event.
        public static let times = "times"
        /// Spike channels, one per event.
        public static let units = "units"
        /// The sample of each event.
        public static let sampleIndex = "sample_index"
        /// The class label of each sample.
        public static let labels = "labels"
    }

    /// Loads a RAS archive, binning spike times into `referenceStepCount(duration:timeStep:)` steps of `timeStep`.
    ///
    /// See ``loadRAS(path:timeStep:steps:channels:classes:elementLimit:)`` for the binning rule and the errors.
    public static func loadRAS(path: String, timeStep: Duration, duration: Duration, channels: Int? = nil, classes: Int? = nil,
                               elementLimit: Int = NPYFile.defaultElementLimit) throws(DataError) -> SpikeDataset {
        let steps = try LoaderSupport.steps(path: path, timeStep: timeStep, duration: duration)
        return try loadRAS(path: path, timeStep: timeStep, steps: steps, channels: channels, classes: classes, elementLimit: elementLimit)
    }

    /// Loads a RAS archive, binning spike times into `steps` steps of `timeStep` with the SHD rule.
    ///
    /// The bin of a spike at `t` seconds is `Int(Float(t) · Float(1/Δt))` in single precision; spikes in bins
    /// `≥ steps` are dropped and several spikes of a channel in one bin count once (see
    /// ``loadSHD(path:timeStep:steps:channels:downsample:classes:maxSamples:)``).
    ///
    /// - Parameters:
    ///   - path: The `.npz` archive.
    ///   - timeStep: The bin width Δt.
    ///   - steps: The number of bins `T`.
    ///   - channels: The number of channels; every unit must lie in `0..<channels`. `nil` takes the largest unit + 1.
    ///   - classes: The number of classes; `nil` takes the largest label + 1.
    ///   - elementLimit: The largest number of elements an array may declare.
    /// - Throws: ``DataError``, naming the file and the array (and the event or sample index): the errors of
    ///   ``NPZArchive``; ``DataError/cannotOpen(path:reason:)`` for a single `.npy` file;
    ///   ``DataError/missingDataset(path:dataset:)``; ``DataError/wrongType(path:dataset:expected:found:)``
    ///   for times that are not floating point or units, sample indices or labels that are not integers;
    ///   ``DataError/wrongShape(path:dataset:expected:found:)`` for arrays that are not 1-D or per-event arrays
    ///   of different lengths; ``DataError/invalidValue(path:field:reason:)`` for a negative or non-finite time,
    ///   a unit outside `0..<channels`, a sample index outside `0..<samples`, or a bad label or argument.
    public static func loadRAS(path: String, timeStep: Duration, steps: Int, channels: Int? = nil, classes: Int? = nil,
                               elementLimit: Int = NPYFile.defaultElementLimit) throws(DataError) -> SpikeDataset {
        try LoaderSupport.checkGrid(path: path, timeStep: timeStep, steps: steps)
        if let channels, channels <= 0 || channels > Int(Int32.max) {
            throw .invalidValue(path: path, field: "channels", reason: "must lie in 1...\(Int32.max), found \(channels)")
        }
        guard case let .archive(archive) = try NumPySource.open(path, name: RASLayout.times, elementLimit: elementLimit) else {
            throw .cannotOpen(path: path, reason: "a RAS file is an .npz archive of times, units, sample_index and labels, not a single .npy array")
        }
        let rawLabels = try LoaderSupport.integers(archive.array(named: RASLayout.labels), path: path, name: RASLayout.labels)
        let (labels, classCount) = try LoaderSupport.labels(rawLabels, path: path, field: RASLayout.labels, classes: classes)
        let timesArray = try archive.array(named: RASLayout.times)
        guard timesArray.shape.count == 1 else {
            throw .wrongShape(path: path, dataset: RASLayout.times, expected: "1-D (one entry per event)", found: "shape \(timesArray.shape)")
        }
        guard let timeType = timesArray.dataType.scalarType, timeType.isFloatingPoint, let times = timesArray.doubles() else {
            throw .wrongType(path: path, dataset: RASLayout.times, expected: "floating point (seconds)", found: timesArray.dataType.description)
        }
        let units = try LoaderSupport.integers(archive.array(named: RASLayout.units), path: path, name: RASLayout.units)
        let samples = try LoaderSupport.integers(archive.array(named: RASLayout.sampleIndex), path: path, name: RASLayout.sampleIndex)
        for (name, n) in [(RASLayout.units, units.count), (RASLayout.sampleIndex, samples.count)] where n != times.count {
            throw .wrongShape(path: path, dataset: name, expected: "\(times.count) entries, one per event of \(RASLayout.times)", found: "\(n) entries")
        }

        // Validate every event, count events per sample.
        var perSample = [Int](repeating: 0, count: labels.count)
        var largestUnit: Int64 = -1
        for j in 0..<times.count {
            let s = samples[j], t = times[j], u = units[j]
            guard s >= 0 && s < Int64(labels.count) else {
                throw .invalidValue(path: path, field: "\(RASLayout.sampleIndex)[\(j)]", reason: "sample \(s) outside 0..<\(labels.count) (one per label)")
            }
            guard t.isFinite else { throw .invalidValue(path: path, field: "\(RASLayout.times)[\(j)]", reason: "non-finite time \(t) (sample \(s))") }
            guard t >= 0 else { throw .invalidValue(path: path, field: "\(RASLayout.times)[\(j)]", reason: "negative time \(t) s (sample \(s))") }
            guard u >= 0 && u < Int64(channels ?? Int(Int32.max)) else {
                throw .invalidValue(path: path, field: "\(RASLayout.units)[\(j)]",
                                    reason: "unit \(u) (sample \(s)) outside 0..<\(channels.map(String.init) ?? String(Int32.max))")
            }
            largestUnit = max(largestUnit, u)
            perSample[Int(s)] += 1
        }
        let channelCount = channels ?? Int(max(largestUnit + 1, 1))

        // Group the events by sample (stable), then bin each sample.
        var start = [Int](repeating: 0, count: labels.count + 1)
        for i in 0..<labels.count { start[i + 1] = start[i] + perSample[i] }
        var order = [Int](repeating: 0, count: times.count)
        var next = start
        for j in 0..<times.count {
            let s = Int(samples[j])
            order[next[s]] = j
            next[s] += 1
        }
        let inverse = Float(1 / decimalSeconds(timeStep))
        let stepLimit = Float(steps)
        var seen = BinSet(capacity: steps * channelCount)
        var offsets = [0], eventSteps = [Int32](), eventChannels = [Int32]()
        offsets.reserveCapacity(labels.count + 1)
        for i in 0..<labels.count {
            let sampleStart = eventSteps.count
            for j in order[start[i]..<start[i + 1]] {
                let bin = Float(times[j]) * inverse
                guard bin < stepLimit else { continue }   // past the window
                let step = Int(bin), channel = Int(units[j])
                guard seen.insert(step * channelCount + channel) else { continue }   // one event per bin
                eventSteps.append(Int32(step))
                eventChannels.append(Int32(channel))
            }
            for e in sampleStart..<eventSteps.count { seen.remove(Int(eventSteps[e]) * channelCount + Int(eventChannels[e])) }
            offsets.append(eventSteps.count)
        }
        return try LoaderSupport.dataset(path: path, channels: channelCount, steps: steps, timeStep: timeStep, classes: classCount,
                                         offsets: offsets, steps: eventSteps, channels: eventChannels, labels: labels)
    }

    /// Writes the data set as a RAS `.npz` archive at `path`, atomically: `times` (`float32`, seconds),
    /// `units` (`int32`), `sample_index` (`int64`) and `labels` (`int64`), events in the data set's order.
    ///
    /// Each event at step `s` is stored with the time of its bin's centre, `(s + 0.5)·Δt`, so that
    /// ``loadRAS(path:timeStep:steps:channels:classes:elementLimit:)`` with the same Δt, `steps`, `channels`
    /// and `classes` gives back identical events (order kept) and labels, as long as no sample holds the same
    /// (step, channel) twice.
    ///
    /// - Throws: ``DataError/cannotWrite(path:dataset:reason:)``, or ``DataError/invalidValue(path:field:reason:)``
    ///   when Δt is too fine for `float32` times to bin back exactly.
    public func writeRAS(to path: String) throws(DataError) {
        let times = try binCentreTimes(path: path, field: RASLayout.times)
        var sampleIndex = [Int64](repeating: 0, count: eventSteps.count)
        for i in 0..<count {
            for e in eventOffsets[i]..<eventOffsets[i + 1] { sampleIndex[e] = Int64(i) }
        }
        try NPZArchive.write([
            (RASLayout.times, NPYArray(times)),
            (RASLayout.units, NPYArray(eventChannels)),
            (RASLayout.sampleIndex, NPYArray(sampleIndex)),
            (RASLayout.labels, NPYArray(labels.map { Int64($0) })),
        ], to: path)
    }
}
