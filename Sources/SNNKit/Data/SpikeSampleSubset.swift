/// Some samples of a ``SpikeSampleSource``, in a given order: a view that reads through to its base source.
///
/// Made by ``SpikeSampleSource/subset(_:)``, ``SpikeSampleSource/split(fractions:)`` and
/// ``SpikeSampleSource/splitValidation(fraction:seed:stratification:)``; it holds the indices and their labels only, so
/// a split of a streamed file keeps streaming. Sample `i` of the subset is sample `indices[i]` of the base.
public struct SpikeSampleSubset<Base: SpikeSampleSource>: SpikeSampleSource {
    /// Reading fails as the base's reading does.
    public typealias Failure = Base.Failure

    /// The source the samples come from.
    public let base: Base
    /// The base's index of each sample of the subset.
    public let indices: [Int]
    /// The class label of each sample of the subset.
    public let labels: [Int]

    /// The samples `indices` of `base`, in that order (repeats allowed).
    ///
    /// - Precondition: every index lies in `0..<base.count`.
    public init(_ base: Base, indices: [Int]) {
        let baseLabels = base.labels
        self.labels = indices.map { i in
            precondition(i >= 0 && i < baseLabels.count, "sample index \(i) out of range 0..<\(baseLabels.count)")
            return baseLabels[i]
        }
        self.base = base
        self.indices = indices
    }

    /// Number of samples in the subset.
    public var count: Int { indices.count }
    /// The base's number of input channels.
    public var channels: Int { base.channels }
    /// The base's number of time steps.
    public var steps: Int { base.steps }
    /// The base's time step.
    public var timeStep: Duration { base.timeStep }
    /// The base's number of classes.
    public var classes: Int { base.classes }

    /// The events of the subset's samples `indices` (read from the base).
    public func batch(_ indices: [Int]) throws(Failure) -> SpikeBatch {
        try base.batch(indices.map { self.indices[$0] })
    }

    /// The samples `indices` of this subset, as a subset of the base (views do not nest).
    public func subset(_ indices: some Sequence<Int>) -> SpikeSampleSubset<Base> {
        SpikeSampleSubset(base, indices: indices.map { self.indices[$0] })
    }

    /// Consecutive splits of this subset (see ``SpikeSampleSource/split(fractions:)``), as subsets of the base.
    ///
    /// - Throws: ``ConfigurationError/outOfRange(field:value:range:)`` unless the fractions are non-negative and sum to 1.
    public func split(fractions: [Double]) throws(ConfigurationError) -> [SpikeSampleSubset<Base>] {
        try SpikeDataset.splitRanges(count: count, fractions: fractions).map { subset($0) }
    }

    /// The seeded training/validation split of this subset (see
    /// ``SpikeSampleSource/splitValidation(fraction:seed:stratification:)``), as subsets of the base.
    ///
    /// - Throws: ``ConfigurationError/outOfRange(field:value:range:)`` for a fraction outside `[0, 1]`.
    public func splitValidation(fraction: Double = 0.1, seed: UInt64, stratification: SpikeDataset.Stratification = .none)
        throws(ConfigurationError) -> (train: SpikeSampleSubset<Base>, validation: SpikeSampleSubset<Base>) {
        let (train, validation) = try SpikeDataset.validationSplit(labels: labels, classes: classes, fraction: fraction, seed: seed,
                                                                   stratification: stratification)
        return (subset(train), subset(validation))
    }
}

extension SpikeSampleSubset: Sendable where Base: Sendable {}

extension SpikeSampleSource {
    /// The samples at `indices`, in that order, as a view of this source (``SpikeSampleSubset``).
    ///
    /// - Precondition: every index lies in `0..<count`.
    public func subset(_ indices: some Sequence<Int>) -> SpikeSampleSubset<Self> {
        SpikeSampleSubset(self, indices: Array(indices))
    }

    /// Consecutive, non-shuffled splits with the given fractions, as views (the split of
    /// ``SpikeDataset/split(fractions:)``, with the same sizes).
    ///
    /// - Throws: ``ConfigurationError/outOfRange(field:value:range:)`` unless the fractions are non-negative and sum to 1.
    public func split(fractions: [Double]) throws(ConfigurationError) -> [SpikeSampleSubset<Self>] {
        try SpikeDataset.splitRanges(count: count, fractions: fractions).map { subset($0) }
    }

    /// Splits the samples into a training and a validation view, reproducibly from `seed`: the same samples, in the
    /// same order, as ``SpikeDataset/splitValidation(fraction:seed:stratification:)`` of the data set in memory (the
    /// reference 90/10 split of SHD's training file).
    ///
    /// - Throws: ``ConfigurationError/outOfRange(field:value:range:)`` for a fraction outside `[0, 1]`.
    public func splitValidation(fraction: Double = 0.1, seed: UInt64, stratification: SpikeDataset.Stratification = .none)
        throws(ConfigurationError) -> (train: SpikeSampleSubset<Self>, validation: SpikeSampleSubset<Self>) {
        let (train, validation) = try SpikeDataset.validationSplit(labels: labels, classes: classes, fraction: fraction, seed: seed,
                                                                   stratification: stratification)
        return (subset(train), subset(validation))
    }
}
