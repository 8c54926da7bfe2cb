/// A seeded training/validation split of a data set (the reference 90/10 split of SHD's training file).
extension SpikeDataset {
    /// How ``splitValidation(fraction:seed:stratification:)`` chooses the validation samples.
    public enum Stratification: Sendable, Hashable {
        /// A seeded shuffle of all samples; the last `round(fraction · count)` go to validation (the reference split).
        case none
        /// Each class separately: a seeded shuffle of its samples, the last `round(fraction · classCount)` to
        /// validation; both sets are then shuffled, so the classes are mixed.
        case byLabel
    }

    /// Splits the samples into a training and a validation set, reproducibly from `seed`.
    ///
    /// Without stratification the samples are shuffled with `Xoshiro256StarStar(seed: seed)` and split in order with
    /// ``split(fractions:)`` (`[1 − fraction, fraction]`, sizes rounded): the split the SHD configurations use when a
    /// separate test file is given. Every sample lands in exactly one of the two sets.
    ///
    /// ```swift
    /// let (train, validation) = try shd.splitValidation(fraction: 0.1, seed: 7)   // 90 % / 10 %
    /// ```
    /// - Parameters:
    ///   - fraction: the share of samples for validation, in `[0, 1]` (reference 0.1).
    ///   - seed: seeds the shuffle.
    ///   - stratification: ``Stratification/none`` (default) or ``Stratification/byLabel``.
    /// - Throws: ``ConfigurationError/outOfRange(field:value:range:)`` for a fraction outside `[0, 1]`.
    public func splitValidation(fraction: Double = 0.1, seed: UInt64,
                                stratification: Stratification = .none) throws(ConfigurationError) -> (train: SpikeDataset, validation: SpikeDataset) {
        let (train, validation) = try Self.validationSplit(labels: labels, classes: classes, fraction: fraction, seed: seed,
                                                           stratification: stratification)
        return (subset(train), subset(validation))
    }

    /// The sample indices of ``splitValidation(fraction:seed:stratification:)`` for samples with `labels`: training
    /// and validation, each in the order the split gives them.
    static func validationSplit(labels: [Int], classes: Int, fraction: Double, seed: UInt64,
                                stratification: Stratification) throws(ConfigurationError) -> (train: [Int], validation: [Int]) {
        guard fraction >= 0, fraction <= 1 else {
            throw .outOfRange(field: "validation fraction", value: fraction, range: "[0, 1]")
        }
        var rng = Xoshiro256StarStar(seed: seed)
        switch stratification {
        case .none:
            var order = Array(0..<labels.count)
            order.shuffle(using: &rng)
            let parts = try splitRanges(count: order.count, fractions: [1 - fraction, fraction])
            return (Array(order[parts[0]]), Array(order[parts[1]]))
        case .byLabel:
            var byClass = [[Int]](repeating: [], count: classes)
            for (i, label) in labels.enumerated() { byClass[label].append(i) }
            var train: [Int] = [], validation: [Int] = []
            for var members in byClass {
                members.shuffle(using: &rng)
                let held = min(members.count, Int((Double(members.count) * fraction).rounded()))
                train += members[..<(members.count - held)]
                validation += members[(members.count - held)...]
            }
            train.shuffle(using: &rng)
            validation.shuffle(using: &rng)
            return (train, validation)
        }
    }
}
