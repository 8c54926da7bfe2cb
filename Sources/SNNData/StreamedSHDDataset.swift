import Foundation
import SNNKit

/// An SHD/SSC HDF5 file (SPEC §7) read batch by batch instead of loaded whole: a ``SpikeSampleSource`` for
/// ``Trainer`` that keeps the file open and, for each batch, reads only the requested samples' rows of
/// `spikes/times` and `spikes/units` (one HDF5 selection each) and bins them.
///
/// Binning, truncation (0.7 s at 2 ms is 349 steps), channel downsampling and validation are those of
/// ``SpikeDataset/loadSHD(path:timeStep:steps:channels:downsample:classes:maxSamples:)`` — the same code — so a batch
/// holds exactly the events of the same samples of the loaded data set, and training on either gives the same weights
/// bit for bit. Opening reads and checks the shapes and the labels only; a sample's events are validated when a batch
/// first reads it, so a bad sample (a unit out of range, a negative time) or a file damaged after opening surfaces as a
/// ``DataError`` naming the file, the dataset and the sample from ``batch(_:)`` — and from `Trainer.fit` — rather than
/// at opening. ``validate()`` checks every sample up front with one streaming pass.
///
/// ```swift
/// let shd = try StreamedSHDDataset(path: "data/shd_train.h5", timeStep: .milliseconds(2), duration: .milliseconds(700),
///                                  classes: 20)
/// let (train, validation) = try shd.splitValidation(fraction: 0.1, seed: 7)       // views: nothing is loaded
/// let rates = try PresynapticRates.makeMeasured(on: train, samples: 256)           // ν: one streaming pass
/// try trainer.fit(train, validation: validation, epochs: 100, batchSize: 400)     // one batch in memory at a time
/// ```
///
/// Memory: the labels, plus one batch's events while it is used (the trainer's input buffer aside). Values share the
/// open file, which closes when the last copy goes away. Reads are serialized by a lock per file (and libhdf5 calls by
/// SNNData's process-wide library lock, since Debian's libhdf5 is not thread-safe), so the source may be used from any
/// thread.
public struct StreamedSHDDataset: SpikeSampleSource, Sendable {
    /// Reading fails with a ``DataError`` naming the file, the dataset and the sample.
    public typealias Failure = DataError

    /// The file.
    public let path: String
    /// Number of input channels after downsampling, `⌈fileChannels / downsample⌉`.
    public let channels: Int
    /// Number of time steps `T` per sample.
    public let steps: Int
    /// The time step Δt.
    public let timeStep: Duration
    /// Number of classes (given, or the largest label + 1).
    public let classes: Int
    /// The class label of each sample (read when opening).
    public let labels: [Int]
    /// Number of channels in the file; every unit must lie in `0..<fileChannels`.
    public let fileChannels: Int
    /// The channel downsampling factor.
    public let downsample: Int
    private let storage: Storage

    /// Opens an SHD/SSC file for streaming, binning spike times into
    /// ``SpikeDataset/referenceStepCount(duration:timeStep:)`` steps of `timeStep` (349 for 0.7 s at 2 ms).
    ///
    /// The parameters and the errors at opening are those of
    /// ``SpikeDataset/loadSHD(path:timeStep:duration:channels:downsample:classes:maxSamples:)``.
    public init(path: String, timeStep: Duration, duration: Duration, channels: Int = 700, downsample: Int = 1, classes: Int? = nil,
                maxSamples: Int? = nil) throws(DataError) {
        let steps = try SHDReader.steps(duration: duration, timeStep: timeStep, path: path)
        try self.init(path: path, timeStep: timeStep, steps: steps, channels: channels, downsample: downsample, classes: classes,
                      maxSamples: maxSamples)
    }

    /// Opens an SHD/SSC file for streaming, binning spike times into `steps` steps of `timeStep`.
    ///
    /// - Parameters: as ``SpikeDataset/loadSHD(path:timeStep:steps:channels:downsample:classes:maxSamples:)``
    ///   (`maxSamples`: stream only the first samples).
    /// - Throws: the errors of that loader that concern the arguments, the file, the datasets' types and shapes and the
    ///   labels; per-sample faults come from ``batch(_:)``.
    public init(path: String, timeStep: Duration, steps: Int, channels: Int = 700, downsample: Int = 1, classes: Int? = nil,
                maxSamples: Int? = nil) throws(DataError) {
        let reader = try SHDReader(path: path, timeStep: timeStep, steps: steps, channels: channels, downsample: downsample,
                                   classes: classes, maxSamples: maxSamples)
        // Check the element types now, so that a file with, e.g., float units fails at opening as loadSHD does.
        do throws(DataError) {
            _ = try reader.file.readVariableLength(SpikeDataset.SHDLayout.times, rows: 0..<0, as: Float.self)
            _ = try reader.file.readVariableLength(SpikeDataset.SHDLayout.units, rows: 0..<0, as: Int32.self)
        } catch {
            reader.close()
            throw error
        }
        self.path = path
        self.channels = reader.channels
        self.steps = reader.steps
        self.timeStep = timeStep
        self.classes = reader.classes
        self.labels = reader.labels
        self.fileChannels = channels
        self.downsample = downsample
        self.storage = Storage(reader)
    }

    /// Number of samples.
    public var count: Int { labels.count }

    /// Reads and bins the samples at `indices` (in that order, repeats allowed): one HDF5 read of the selected rows of
    /// `spikes/times` and one of `spikes/units`.
    ///
    /// - Precondition: every index lies in `0..<count`.
    /// - Throws: ``DataError`` naming the file and dataset: ``DataError/unreadable(path:dataset:reason:)`` when HDF5
    ///   cannot read the rows (a file truncated or overwritten after opening), ``DataError/invalidValue(path:field:reason:)``
    ///   or ``DataError/wrongShape(path:dataset:expected:found:)`` for a bad sample (the field names its index in the
    ///   file, e.g. `spikes/units[17]`), ``DataError/tooLarge(path:dataset:declared:limit:)``.
    public func batch(_ indices: [Int]) throws(DataError) -> SpikeBatch {
        for i in indices { precondition(i >= 0 && i < count, "sample index \(i) out of range 0..<\(count)") }
        let dataset = try storage.read { (reader) throws(DataError) -> SpikeDataset in
            var binning = reader.makeBinning()
            var events = SHDBinning.Events()
            events.offsets.reserveCapacity(indices.count + 1)
            try reader.appendSamples(indices, to: &events, binning: &binning)
            return try reader.makeDataset(events, labels: indices.map { labels[$0] })
        }
        return SpikeBatch(dataset)
    }

    /// Reads every sample once, in blocks of `blockSize`, and throws the first fault ``batch(_:)`` would meet; memory
    /// stays at one block.
    ///
    /// - Throws: as ``batch(_:)``.
    public func validate(blockSize: Int = 256) throws(DataError) {
        precondition(blockSize > 0, "block size must be positive")
        for start in stride(from: 0, to: count, by: blockSize) {
            _ = try batch(Array(start..<min(start + blockSize, count)))
        }
    }

    /// The open file and the lock that serializes its reads.
    private final class Storage: @unchecked Sendable {
        // @unchecked: `reader` (and its HDF5File, which allows one call at a time) is only used while `lock` is held.
        private let reader: SHDReader
        private let lock = NSLock()

        init(_ reader: SHDReader) { self.reader = reader }

        func read<R>(_ body: (SHDReader) throws(DataError) -> R) throws(DataError) -> R {
            lock.lock()
            defer { lock.unlock() }
            return try body(reader)
        }

        deinit { reader.close() }
    }
}
