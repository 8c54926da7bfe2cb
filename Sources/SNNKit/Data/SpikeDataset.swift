/// A labelled set of spike-train samples on a fixed time grid, stored compactly as events.
///
/// Each sample is a list of `(step, channel)` events (CSR layout: `eventOffsets[i]..<eventOffsets[i+1]`).
/// Several events in one bin count once when a batch is made dense. Batches are time-major `[T, B, N]`.
public struct SpikeDataset: Sendable {
    /// Number of input channels `N`.
    public let channels: Int
    /// Number of time steps `T` per sample.
    public let steps: Int
    /// The time step Δt.
    public let timeStep: Duration
    /// Number of classes; labels lie in `0..<classes`.
    public let classes: Int
    /// Start of each sample's events; `count + 1` entries.
    public let eventOffsets: [Int]
    /// Time step of each event, in `0..<steps`.
    public let eventSteps: [Int32]
    /// Channel of each event, in `0..<channels`.
    public let eventChannels: [Int32]
    /// The class label of each sample.
    public let labels: [Int]

    /// Builds a data set from per-sample event lists, validating every field.
    ///
    /// - Throws: ``ConfigurationError`` naming the sample and field when an event lies outside the grid,
    ///   a label is out of range, or the arrays disagree in length.
    public init(channels: Int, steps: Int, timeStep: Duration, classes: Int,
                eventOffsets: [Int], eventSteps: [Int32], eventChannels: [Int32], labels: [Int]) throws(ConfigurationError) {
        try ConfigurationError.requirePositive(channels, "dataset.channels")
        try ConfigurationError.requirePositive(steps, "dataset.steps")
        try ConfigurationError.requirePositive(classes, "dataset.classes")
        try ConfigurationError.requirePositive(timeStep.seconds, "dataset.timeStep")
        guard eventOffsets.count == labels.count + 1, eventOffsets.first == 0, eventOffsets.last == eventSteps.count else {
            throw .shapeMismatch(what: "dataset.eventOffsets", expected: "\(labels.count + 1) offsets from 0 to \(eventSteps.count)",
                                 found: "\(eventOffsets.count) offsets ending at \(eventOffsets.last ?? -1)")
        }
        guard eventSteps.count == eventChannels.count else {
            throw .shapeMismatch(what: "dataset.eventChannels", expected: "\(eventSteps.count) events", found: "\(eventChannels.count)")
        }
        for i in 0..<labels.count {
            guard eventOffsets[i] <= eventOffsets[i + 1] else {
                throw .shapeMismatch(what: "dataset.eventOffsets[\(i + 1)]", expected: "non-decreasing", found: "\(eventOffsets[i + 1]) < \(eventOffsets[i])")
            }
            guard labels[i] >= 0 && labels[i] < classes else {
                throw .outOfRange(field: "dataset.labels[\(i)]", value: Double(labels[i]), range: "0..<\(classes)")
            }
        }
        if let bad = eventSteps.firstIndex(where: { $0 < 0 || Int($0) >= steps }) {
            throw .outOfRange(field: "dataset.eventSteps[\(bad)]", value: Double(eventSteps[bad]), range: "0..<\(steps)")
        }
        if let bad = eventChannels.firstIndex(where: { $0 < 0 || Int($0) >= channels }) {
            throw .outOfRange(field: "dataset.eventChannels[\(bad)]", value: Double(eventChannels[bad]), range: "0..<\(channels)")
        }
        self.channels = channels
        self.steps = steps
        self.timeStep = timeStep
        self.classes = classes
        self.eventOffsets = eventOffsets
        self.eventSteps = eventSteps
        self.eventChannels = eventChannels
        self.labels = labels
    }

    /// Number of samples.
    public var count: Int { labels.count }

    /// Duration of one sample, `T · Δt`, in seconds.
    public var durationSeconds: Double { Double(steps) * timeStep.seconds }

    /// The samples at `indices`, in that order.
    public func subset(_ indices: some Sequence<Int>) -> SpikeDataset {
        var offsets = [0], st = [Int32](), ch = [Int32](), lab = [Int]()
        for i in indices {
            precondition(i >= 0 && i < count, "sample index \(i) out of range 0..<\(count)")
            let r = eventOffsets[i]..<eventOffsets[i + 1]
            st.append(contentsOf: eventSteps[r]); ch.append(contentsOf: eventChannels[r])
            offsets.append(st.count); lab.append(labels[i])
        }
        return SpikeDataset(unchecked: self, eventOffsets: offsets, eventSteps: st, eventChannels: ch, labels: lab)
    }

    private init(unchecked template: SpikeDataset, eventOffsets: [Int], eventSteps: [Int32], eventChannels: [Int32], labels: [Int]) {
        channels = template.channels; steps = template.steps; timeStep = template.timeStep; classes = template.classes
        self.eventOffsets = eventOffsets; self.eventSteps = eventSteps; self.eventChannels = eventChannels; self.labels = labels
    }

    /// Consecutive, non-shuffled splits with the given fractions (the reference split: data already shuffled).
    ///
    /// The last split takes the remainder, so every sample lands in exactly one split.
    public func split(fractions: [Double]) throws(ConfigurationError) -> [SpikeDataset] {
        try Self.splitRanges(count: count, fractions: fractions).map { subset($0) }
    }

    /// The index ranges of ``split(fractions:)`` for `count` samples: consecutive, sizes `round(count · fraction)`,
    /// the last taking the remainder.
    static func splitRanges(count: Int, fractions: [Double]) throws(ConfigurationError) -> [Range<Int>] {
        guard !fractions.isEmpty, fractions.allSatisfy({ $0 >= 0 }), abs(fractions.reduce(0, +) - 1) < 1e-6 else {
            throw .outOfRange(field: "split fractions \(fractions)", value: fractions.reduce(0, +), range: "non-negative, summing to 1")
        }
        var result: [Range<Int>] = []
        var start = 0
        for (k, f) in fractions.enumerated() {
            let end = k == fractions.count - 1 ? count : min(count, start + Int((Double(count) * f).rounded()))
            result.append(start..<end)
            start = end
        }
        return result
    }

    /// The reference three-way split (train, validation, test).
    public func split(_ train: Double, _ validation: Double, _ test: Double) throws(ConfigurationError) -> (train: SpikeDataset, validation: SpikeDataset, test: SpikeDataset) {
        let s = try split(fractions: [train, validation, test])
        return (s[0], s[1], s[2])
    }

    /// `order` cut into consecutive batches of at most `size` (the last may be smaller).
    static func chunk(_ order: [Int], _ size: Int) -> [[Int]] {
        precondition(size > 0, "batch size must be positive")
        return stride(from: 0, to: order.count, by: size).map { Array(order[$0..<min($0 + size, order.count)]) }
    }

    /// Writes the samples `indices` as dense 0/1 spikes into a time-major `[T, B, N]` buffer (`B = indices.count`).
    public func fillDense(_ indices: [Int], into buffer: UnsafeMutableBufferPointer<Float>) {
        let b = indices.count, n = channels
        precondition(buffer.count >= steps * b * n, "dense buffer too small")
        buffer.update(repeating: 0)
        for (slot, i) in indices.enumerated() {
            for e in eventOffsets[i]..<eventOffsets[i + 1] {
                buffer[(Int(eventSteps[e]) * b + slot) * n + Int(eventChannels[e])] = 1
            }
        }
    }

    /// The samples `indices` as a dense time-major `[T, B, N]` tensor.
    public func denseBatch(_ indices: [Int]) -> Tensor {
        var t = Tensor(shape: [steps, indices.count, channels])
        t.withUnsafeMutableBufferPointer { fillDense(indices, into: $0) }
        return t
    }

    /// Mean firing rate of each input channel over all samples, in Hz (distinct events per bin).
    public func channelRates() -> [Double] {
        var counts = [Double](repeating: 0, count: channels)
        countDistinctEvents(of: Array(0..<count), into: &counts)
        let norm = Double(max(count, 1)) * durationSeconds
        return counts.map { $0 / norm }
    }

    /// Mean firing rate per channel averaged over channels, in Hz (the ν of fluctuation-driven initialization).
    public func meanRate() -> Double {
        let r = channelRates()
        return r.reduce(0, +) / Double(max(r.count, 1))
    }
}
