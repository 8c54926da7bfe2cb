import Foundation
import SNNData
import SNNKit
import Testing

/// Seeded augmentations: reproducibility and statistical checks with a fixed seed, each with a tolerance of five
/// standard errors of the estimate for its sample size.
@Suite("Spike augmentation")
struct SpikeAugmentationTests {
    /// `samples` samples on 100 channels × 200 steps of 1 ms, each with the events `events(i)`.
    static func dataset(samples: Int, events: (Int) -> [(step: Int, channel: Int)]) throws -> SpikeDataset {
        var offsets = [0], steps = [Int32](), channels = [Int32]()
        for i in 0..<samples {
            for e in events(i) {
                steps.append(Int32(e.step))
                channels.append(Int32(e.channel))
            }
            offsets.append(steps.count)
        }
        return try SpikeDataset(channels: 100, steps: 200, timeStep: .milliseconds(1), classes: 3, eventOffsets: offsets,
                                eventSteps: steps, eventChannels: channels, labels: (0..<samples).map { $0 % 3 })
    }

    /// 200 samples of 50 distinct events each.
    static func dense() throws -> SpikeDataset {
        try dataset(samples: 200) { i in (0..<50).map { k in (step: (i + 3 * k) % 200, channel: (7 * k + i) % 100) } }
    }

    /// The events of sample `i` as (step, channel) pairs.
    static func events(_ data: SpikeDataset, _ i: Int) -> [(step: Int, channel: Int)] {
        (data.eventOffsets[i]..<data.eventOffsets[i + 1]).map { (Int(data.eventSteps[$0]), Int(data.eventChannels[$0])) }
    }

    static func meanAndVariance(_ x: [Double]) -> (mean: Double, variance: Double) {
        let mean = x.reduce(0, +) / Double(x.count)
        return (mean, x.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(x.count - 1))
    }

    @Test("Same seed, same result; another seed, another; labels, channels and grid are kept")
    func reproducible() throws {
        let data = try Self.dense()
        let all: [SpikeAugmentation] = [.drop(probability: 0.2), .insert(hertz: 2), .timeJitter(sigma: .milliseconds(3)), .unitJitter(sigma: 1.5)]
        let a = try data.augmented(all, seed: 5), b = try data.augmented(all, seed: 5), c = try data.augmented(all, seed: 6)
        #expect(a.eventSteps == b.eventSteps && a.eventChannels == b.eventChannels && a.eventOffsets == b.eventOffsets)
        #expect(a.eventSteps != c.eventSteps || a.eventChannels != c.eventChannels)
        #expect(a.labels == data.labels && a.count == data.count && a.channels == 100 && a.steps == 200 && a.timeStep == data.timeStep)
        let none = try data.augmented([], seed: 1)
        #expect(none.denseBatch(Array(0..<10)) == data.denseBatch(Array(0..<10)))
    }

    @Test("Drop keeps a fraction 1 − p of the events (5 standard errors), and only original events")
    func drop() throws {
        let data = try Self.dense()
        let p = 0.25
        let out = try data.augmented([.drop(probability: p)], seed: 11)
        let n = Double(data.eventSteps.count)
        let kept = Double(out.eventSteps.count) / n
        #expect(abs(kept - (1 - p)) <= 5 * (p * (1 - p) / n).squareRoot(), "kept \(kept)")
        for i in 0..<data.count {
            let original = Set(Self.events(data, i).map { $0.step * 1000 + $0.channel })
            #expect(Self.events(out, i).allSatisfy { original.contains($0.step * 1000 + $0.channel) })
        }
        #expect(try data.augmented([.drop(probability: 0)], seed: 1).eventSteps.count == data.eventSteps.count)
        #expect(try data.augmented([.drop(probability: 1)], seed: 1).eventSteps.isEmpty)
    }

    @Test("Insert adds Poisson events at the given rate, uniform over channels and time (5 standard errors)")
    func insert() throws {
        let empty = try Self.dataset(samples: 400) { _ in [] }
        let hertz = 5.0
        let out = try empty.augmented([.insert(hertz: hertz)], seed: 3)
        let lambda = hertz * 100 * 0.2   // events per sample: rate × channels × window
        let counts = (0..<out.count).map { Double(out.eventOffsets[$0 + 1] - out.eventOffsets[$0]) }
        let (mean, variance) = Self.meanAndVariance(counts)
        let samples = Double(out.count)
        #expect(abs(mean - lambda) <= 5 * (lambda / samples).squareRoot() + 0.5, "mean \(mean)")   // + collisions merged
        #expect(abs(variance - lambda) <= 5 * lambda * (2 / samples).squareRoot(), "variance \(variance) (Poisson: = mean)")
        let total = Double(out.eventSteps.count)
        let early = Double(out.eventSteps.filter { $0 < 100 }.count) / total
        let low = Double(out.eventChannels.filter { $0 < 50 }.count) / total
        #expect(abs(early - 0.5) <= 5 * (0.25 / total).squareRoot(), "first half of the window: \(early)")
        #expect(abs(low - 0.5) <= 5 * (0.25 / total).squareRoot(), "lower half of the channels: \(low)")
        let rate = out.meanRate()
        #expect(abs(rate - hertz) <= 5 * (hertz / (samples * 100 * 0.2)).squareRoot() + 0.05, "measured \(rate) Hz")
    }

    @Test("Time jitter: Gaussian offsets of σ/Δt steps (mean 0, variance σ² + 1/12 from rounding), clipped to the window")
    func timeJitter() throws {
        let n = 4000
        let middle = try Self.dataset(samples: n) { _ in [(step: 100, channel: 50)] }
        let out = try middle.augmented([.timeJitter(sigma: .milliseconds(5))], seed: 9)
        #expect(out.eventSteps.count == n && out.eventChannels.allSatisfy { $0 == 50 })
        let shifts = out.eventSteps.map { Double($0) - 100 }
        let (mean, variance) = Self.meanAndVariance(shifts)
        let sigma2 = 25.0 + 1.0 / 12
        #expect(abs(mean) <= 5 * (sigma2 / Double(n)).squareRoot(), "mean shift \(mean)")
        #expect(abs(variance - sigma2) <= 5 * sigma2 * (2 / Double(n)).squareRoot(), "variance \(variance)")

        // At the window's start, everything that would move before it stays at step 0: P = Φ(0.5/5) ≈ 0.5398.
        let edge = try Self.dataset(samples: n) { _ in [(step: 0, channel: 50)] }.augmented([.timeJitter(sigma: .milliseconds(5))], seed: 9)
        #expect(edge.eventSteps.allSatisfy { $0 >= 0 && $0 < 200 })
        let atZero = Double(edge.eventSteps.filter { $0 == 0 }.count) / Double(n)
        #expect(abs(atZero - 0.5398) <= 5 * (0.25 / Double(n)).squareRoot(), "at step 0: \(atZero)")
        let far = try Self.dataset(samples: 100) { _ in [(step: 199, channel: 0)] }.augmented([.timeJitter(sigma: .seconds(10))], seed: 2)
        #expect(far.eventSteps.allSatisfy { $0 >= 0 && $0 < 200 })
        #expect(far.eventSteps.filter { $0 == 0 || $0 == 199 }.count >= 90)   // σ = 50 windows: nearly all clipped
    }

    @Test("Unit jitter: Gaussian channel offsets of σ (variance σ² + 1/12), clipped to the channels")
    func unitJitter() throws {
        let n = 4000
        let out = try Self.dataset(samples: n) { _ in [(step: 10, channel: 50)] }.augmented([.unitJitter(sigma: 3)], seed: 4)
        #expect(out.eventSteps.count == n && out.eventSteps.allSatisfy { $0 == 10 })
        let (mean, variance) = Self.meanAndVariance(out.eventChannels.map { Double($0) - 50 })
        let sigma2 = 9.0 + 1.0 / 12
        #expect(abs(mean) <= 5 * (sigma2 / Double(n)).squareRoot(), "mean shift \(mean)")
        #expect(abs(variance - sigma2) <= 5 * sigma2 * (2 / Double(n)).squareRoot(), "variance \(variance)")

        // At the last channel: P(stays) = Φ(0.5/3) ≈ 0.5662.
        let edge = try Self.dataset(samples: n) { _ in [(step: 10, channel: 99)] }.augmented([.unitJitter(sigma: 3)], seed: 4)
        #expect(edge.eventChannels.allSatisfy { $0 >= 0 && $0 < 100 })
        let atLast = Double(edge.eventChannels.filter { $0 == 99 }.count) / Double(n)
        #expect(abs(atLast - 0.5662) <= 5 * (0.25 / Double(n)).squareRoot(), "at channel 99: \(atLast)")
    }

    @Test("Parameters out of range are errors naming the augmentation", arguments: [
        SpikeAugmentation.drop(probability: -0.1), .drop(probability: 1.5), .insert(hertz: -1), .insert(hertz: .infinity),
        .timeJitter(sigma: .milliseconds(-1)), .unitJitter(sigma: -2), .unitJitter(sigma: .nan),
    ])
    func invalid(augmentation: SpikeAugmentation) throws {
        let data = try Self.dataset(samples: 2) { _ in [] }
        let error = #expect(throws: ConfigurationError.self) { try data.augmented([augmentation], seed: 1) }
        #expect(error?.description.contains("augmentation") == true)
    }
}
