import SNNKit
import Testing

/// `SpikeDataset.splitValidation(fraction:seed:stratification:)`: the reference 90/10 split.
@Suite("Validation split")
struct ValidationSplitTests {
    /// `counts[c]` samples of class `c`; sample `i` has one event at step `i`, which identifies it.
    static func dataset(counts: [Int]) throws -> SpikeDataset {
        let labels = counts.enumerated().flatMap { c, n in Array(repeating: c, count: n) }
        return try SpikeDataset(channels: 1, steps: labels.count, timeStep: .milliseconds(1), classes: counts.count,
                                eventOffsets: Array(0...labels.count), eventSteps: (0..<labels.count).map(Int32.init),
                                eventChannels: Array(repeating: 0, count: labels.count), labels: labels)
    }

    @Test("90/10: sizes, disjoint sets covering every sample, seeded", arguments: [SpikeDataset.Stratification.none, .byLabel])
    func split(stratification: SpikeDataset.Stratification) throws {
        let data = try Self.dataset(counts: [300, 500, 200])
        let (train, validation) = try data.splitValidation(fraction: 0.1, seed: 7, stratification: stratification)
        #expect(train.count == 900 && validation.count == 100)
        let ids = (train.eventSteps + validation.eventSteps).map(Int.init)
        #expect(Set(ids).count == 1000)
        for (set, part) in [(train, "train"), (validation, "validation")] {
            #expect((0..<set.count).allSatisfy { set.labels[$0] == data.labels[Int(set.eventSteps[$0])] }, "\(part) labels follow their samples")
        }
        let again = try data.splitValidation(fraction: 0.1, seed: 7, stratification: stratification)
        #expect(again.validation.eventSteps == validation.eventSteps && again.train.eventSteps == train.eventSteps)
        let other = try data.splitValidation(fraction: 0.1, seed: 8, stratification: stratification)
        #expect(Set(other.validation.eventSteps) != Set(validation.eventSteps))
        #expect(Set(validation.labels).count == 3)
    }

    @Test("Stratified: every class keeps its share in validation, and the classes are mixed")
    func stratified() throws {
        let data = try Self.dataset(counts: [300, 500, 200, 7])
        let (train, validation) = try data.splitValidation(fraction: 0.1, seed: 3, stratification: .byLabel)
        #expect((0..<4).map { c in validation.labels.filter { $0 == c }.count } == [30, 50, 20, 1])
        #expect((0..<4).map { c in train.labels.filter { $0 == c }.count } == [270, 450, 180, 6])
        #expect(validation.labels != validation.labels.sorted())
    }

    @Test("Unstratified: a seeded shuffle, then the last 10 % (the split of the SHD configurations)")
    func reference() throws {
        let data = try Self.dataset(counts: [40, 60])
        var rng = Xoshiro256StarStar(seed: 5)
        var order = Array(0..<100)
        order.shuffle(using: &rng)
        let (train, validation) = try data.splitValidation(fraction: 0.1, seed: 5)
        #expect(train.eventSteps.map(Int.init) == Array(order[..<90]))
        #expect(validation.eventSteps.map(Int.init) == Array(order[90...]))
    }

    @Test("Edge fractions: 0 and 1 are allowed, others outside [0, 1] are errors")
    func fractions() throws {
        let data = try Self.dataset(counts: [10])
        #expect(try data.splitValidation(fraction: 0, seed: 1).validation.count == 0)
        #expect(try data.splitValidation(fraction: 1, seed: 1).train.count == 0)
        #expect(throws: ConfigurationError.outOfRange(field: "validation fraction", value: 1.5, range: "[0, 1]")) {
            try data.splitValidation(fraction: 1.5, seed: 1)
        }
        #expect(throws: ConfigurationError.self) { try data.splitValidation(fraction: -0.1, seed: 1, stratification: .byLabel) }
        #expect(throws: ConfigurationError.self) { try data.splitValidation(fraction: .nan, seed: 1) }
    }
}
