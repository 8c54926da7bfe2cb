/// Labelled spike-train samples on a fixed time grid that can be read batch by batch: a data set held in memory
/// (``SpikeDataset``) or one streamed from disk (`StreamedSHDDataset` in `SNNData`).
///
/// What ``Trainer`` needs from its data: the grid (``channels``, ``steps``, ``timeStep``, ``classes``), the labels
/// (held in memory: they are small), and the events of the samples of one batch at a time (``batch(_:)``), which may
/// read a file and so may fail with the source's ``Failure``. A streamed source keeps only the batch being read in
/// memory. ``Trainer/fit(_:validation:epochs:batchSize:seed:progress:checkpoint:onEpoch:)``,
/// ``Trainer/prime(_:epochs:batchSize:seed:)`` and ``Trainer/evaluate(_:batchSize:)`` take any source.
///
/// Index subsets (``subset(_:)``, ``split(fractions:)``, ``splitValidation(fraction:seed:stratification:)``) are views
/// that read through to the source, so the reference 90/10 split of a training file works without loading it.
public protocol SpikeSampleSource {
    /// The error reading samples can throw: `Never` for data in memory, `DataError` for files.
    associatedtype Failure: Error

    /// Number of samples.
    var count: Int { get }
    /// Number of input channels `N`.
    var channels: Int { get }
    /// Number of time steps `T` per sample.
    var steps: Int { get }
    /// The time step Δt.
    var timeStep: Duration { get }
    /// Number of classes; labels lie in `0..<classes`.
    var classes: Int { get }
    /// The class label of each sample (in memory; reading them never fails).
    var labels: [Int] { get }

    /// The events of the samples at `indices` (each in `0..<count`, repeats allowed), in that order.
    ///
    /// - Throws: ``Failure`` when the samples cannot be read (a streamed file that is corrupt or truncated, a sample
    ///   that fails validation).
    func batch(_ indices: [Int]) throws(Failure) -> SpikeBatch

    /// Writes the samples at `indices` as dense 0/1 spikes into a time-major `[T, B, N]` buffer
    /// (`B = indices.count`; several events in one bin count once). The default reads ``batch(_:)``.
    ///
    /// - Throws: ``Failure``, as ``batch(_:)``.
    func fillDense(_ indices: [Int], into buffer: UnsafeMutableBufferPointer<Float>) throws(Failure)

    /// Mean firing rate of each input channel over all samples, in Hz (distinct events per bin): the ν of
    /// fluctuation-driven initialization (SPEC §3.4). The default is one pass over the samples, 256 at a time,
    /// so a streamed source never holds more than that many samples' events.
    ///
    /// - Throws: ``Failure``, as ``batch(_:)``.
    func channelRates() throws(Failure) -> [Double]
}

/// The events of some samples, held in memory: the samples of ``dataset`` at ``indices``, in order.
///
/// A source in memory answers ``SpikeSampleSource/batch(_:)`` with itself and the requested indices (nothing is
/// copied); a streamed source reads the samples into a small data set of their own (``indices`` `0..<B`).
public struct SpikeBatch: Sendable {
    /// The data set holding the samples' events.
    public let dataset: SpikeDataset
    /// The samples of the batch, as indices into ``dataset``.
    public let indices: [Int]

    /// The samples `indices` of `dataset`.
    ///
    /// - Precondition: every index lies in `0..<dataset.count`.
    public init(_ dataset: SpikeDataset, indices: [Int]) {
        precondition(indices.allSatisfy { $0 >= 0 && $0 < dataset.count }, "batch index out of range 0..<\(dataset.count)")
        self.dataset = dataset
        self.indices = indices
    }

    /// All samples of `dataset`, in order.
    public init(_ dataset: SpikeDataset) {
        self.dataset = dataset
        self.indices = Array(0..<dataset.count)
    }

    /// Number of samples `B`.
    public var count: Int { indices.count }

    /// The class label of each sample.
    public var labels: [Int] { indices.map { dataset.labels[$0] } }

    /// The batch as a data set of its own: ``dataset`` itself when the batch is all of it in order, else a copy of the
    /// samples' events.
    public func makeDataset() -> SpikeDataset {
        indices.count == dataset.count && indices.elementsEqual(0..<dataset.count) ? dataset : dataset.subset(indices)
    }
}

extension SpikeSampleSource {
    /// Writes the samples `indices` into `buffer` from ``batch(_:)`` (see ``SpikeSampleSource/fillDense(_:into:)``).
    public func fillDense(_ indices: [Int], into buffer: UnsafeMutableBufferPointer<Float>) throws(Failure) {
        let b = try batch(indices)
        b.dataset.fillDense(b.indices, into: buffer)
    }

    /// Counts each channel's distinct events in batches of 256 samples (see ``SpikeSampleSource/channelRates()``).
    public func channelRates() throws(Failure) -> [Double] {
        var counts = [Double](repeating: 0, count: channels)
        for start in stride(from: 0, to: count, by: 256) {
            let b = try batch(Array(start..<min(start + 256, count)))
            b.dataset.countDistinctEvents(of: b.indices, into: &counts)
        }
        let norm = Double(max(count, 1)) * (Double(steps) * timeStep.seconds)   // as SpikeDataset.channelRates()
        return counts.map { $0 / norm }
    }

    /// Mean firing rate per channel averaged over channels, in Hz (the ν of fluctuation-driven initialization).
    ///
    /// - Throws: ``Failure``, as ``batch(_:)``.
    public func meanRate() throws(Failure) -> Double {
        let r = try channelRates()
        return r.reduce(0, +) / Double(max(r.count, 1))
    }

    /// The samples at `indices`, in that order, as a data set in memory (e.g. a sample of a streamed source for
    /// initialization).
    ///
    /// - Throws: ``Failure``, as ``batch(_:)``.
    public func loadSamples(_ indices: some Sequence<Int>) throws(Failure) -> SpikeDataset {
        try batch(Array(indices)).makeDataset()
    }

    /// Sample indices grouped into batches of at most `size`, in a random order drawn from `rng` (the last batch may be
    /// smaller); the batches depend only on ``count`` and the generator, so every kind of source gets the same ones.
    public func batchIndices(size: Int, shuffledUsing rng: inout some RandomNumberGenerator) -> [[Int]] {
        var order = Array(0..<count)
        order.shuffle(using: &rng)
        return SpikeDataset.chunk(order, size)
    }

    /// Sample indices grouped into batches of at most `size`, in order.
    public func batchIndices(size: Int) -> [[Int]] { SpikeDataset.chunk(Array(0..<count), size) }
}

extension SpikeDataset: SpikeSampleSource {
    /// Reading samples in memory never fails.
    public typealias Failure = Never

    /// The samples at `indices` of this data set (nothing is copied).
    public func batch(_ indices: [Int]) -> SpikeBatch { SpikeBatch(self, indices: indices) }

    /// Adds each channel's distinct events (one per bin) of the samples `indices` to `counts`.
    func countDistinctEvents(of indices: [Int], into counts: inout [Double]) {
        var seen = Set<Int>()
        for i in indices {
            seen.removeAll(keepingCapacity: true)
            for e in eventOffsets[i]..<eventOffsets[i + 1] {
                let key = Int(eventSteps[e]) * channels + Int(eventChannels[e])
                if seen.insert(key).inserted { counts[Int(eventChannels[e])] += 1 }
            }
        }
    }
}
