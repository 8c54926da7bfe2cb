import Foundation
import SNNData
import SNNKit
import Testing

/// The Randman generator (Zenke & Vogels 2021; SPEC §7) on small sets.
@Suite("Randman")
struct RandmanTests {
    static func small(seed: UInt64 = 1) throws -> SpikeDataset {
        try Randman.classification(classes: 4, units: 10, steps: 100, samplesPerClass: 50, seed: seed)
    }

    @Test("F = min(⌈1000^(1/α)⌉, 1000) and spect[i] = 1/((i+1)^α + 1)")
    func spectrum() {
        #expect(RandomManifold.frequencyCount(alpha: 1) == 1000)
        #expect(RandomManifold.frequencyCount(alpha: 2) == 32)
        #expect(RandomManifold.frequencyCount(alpha: 0.5) == 1000)
        let s = RandomManifold.spectrum(alpha: 2, count: 3)
        let expected: [Double] = [0.5, 0.2, 0.1]
        #expect(s == expected)
    }

    @Test("Same seed → identical data set; other seed → different")
    func seeds() throws {
        let a = try Self.small(seed: 1), b = try Self.small(seed: 1), c = try Self.small(seed: 2)
        #expect(a.eventSteps == b.eventSteps)
        #expect(a.labels == b.labels)
        #expect(a.eventChannels == b.eventChannels)
        #expect(a.eventSteps != c.eventSteps)
    }

    @Test("Every unit fires exactly spikesPerUnit times per sample, within the first stepFraction of the window")
    func structure() throws {
        let d = try Randman.classification(classes: 3, units: 7, steps: 100, stepFraction: 0.5, spikesPerUnit: 2, samplesPerClass: 40, seed: 3)
        #expect(d.count == 120)
        #expect(d.channels == 7)
        #expect(d.classes == 3)
        for i in 0..<d.count {
            let r = d.eventOffsets[i]..<d.eventOffsets[i + 1]
            #expect(r.count == 14)
            var perUnit = [Int](repeating: 0, count: 7)
            for e in r { perUnit[Int(d.eventChannels[e])] += 1 }
            #expect(perUnit.allSatisfy { $0 == 2 })
        }
        // steps = ⌊100·0.5·v⌋ with v ∈ [0, 1): at most 49
        #expect(d.eventSteps.allSatisfy { $0 >= 0 && $0 <= 49 })
        #expect(d.eventSteps.contains(0))
        #expect(d.eventSteps.max()! >= 48)
        // two spikes of a unit may share a bin, which counts once (SPEC §7 dense binning)
        #expect(d.meanRate() <= 2 / d.durationSeconds + 1e-9)
        #expect(d.meanRate() > 1.8 / d.durationSeconds)
        // one spike per unit: exactly 1/duration (5 Hz for the reference 0.2 s)
        #expect(abs(try Self.small().meanRate() - 5) < 1e-9)
    }

    @Test("Labels are balanced and shuffled")
    func labels() throws {
        let d = try Self.small()
        for k in 0..<4 { #expect(d.labels.filter { $0 == k }.count == 50) }
        #expect(d.labels != d.labels.sorted())
    }

    @Test("Manifolds are smooth: small steps in x give small steps in y (α = 2)")
    func smooth() throws {
        let m = try RandomManifold(embeddingDimension: 5, manifoldDimension: 1, alpha: 2, seed: 9)
        let ys = stride(from: 0.0, to: 1.0, by: 0.001).map { m.evaluate([$0]) }
        for e in 0..<5 {
            let values = ys.map { $0[e] }
            let range = values.max()! - values.min()!
            let largestStep = zip(values, values.dropFirst()).map { abs($1 - $0) }.max()!
            #expect(range > 0)
            #expect(largestStep < 0.05 * range)
        }
    }

    @Test("Classes differ: class-mean spike-time vectors are far apart compared to the grid")
    func separable() throws {
        let d = try Self.small()
        var means = [[Double]](repeating: [Double](repeating: 0, count: 10), count: 4)
        for i in 0..<d.count {
            for e in d.eventOffsets[i]..<d.eventOffsets[i + 1] { means[d.labels[i]][Int(d.eventChannels[e])] += Double(d.eventSteps[e]) / 50 }
        }
        for a in 0..<4 {
            for b in (a + 1)..<4 {
                let distance = zip(means[a], means[b]).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) }.squareRoot()
                #expect(distance > 5, "classes \(a), \(b): \(distance) steps")
            }
        }
    }

    @Test("Invalid arguments are rejected", arguments: [
        { try Randman.classification(classes: 0) },
        { try Randman.classification(units: -1) },
        { try Randman.classification(alpha: 0) },
        { try Randman.classification(stepFraction: 1.5) },
        { try Randman.classification(samplesPerClass: 0) },
    ] as [@Sendable () throws -> SpikeDataset])
    func invalid(make: @Sendable () throws -> SpikeDataset) {
        #expect(throws: ConfigurationError.self) { try make() }
    }

    @Test("The reference split 0.8/0.1/0.1 partitions the set in order")
    func split() throws {
        let d = try Self.small()
        let (train, valid, test) = try d.split(0.8, 0.1, 0.1)
        let counts: [Int] = [train.count, valid.count, test.count]
        #expect(counts == [160, 20, 20])
        let joined: [Int] = train.labels + valid.labels + test.labels
        #expect(joined == d.labels)
        #expect(throws: ConfigurationError.self) { try d.split(fractions: [0.5, 0.6]) }
    }
}
