import SNNKit
import Testing

/// Statistical checks of SPEC §3.4: the initialized network's free membrane really has the targeted σ_U.
@Suite("Free-membrane statistics after initialization")
struct MembraneStatisticsTests {
    /// Poisson-like (Bernoulli per step) input of `channels` units at `hertz`.
    static func poisson(channels: Int, hertz: Double, steps: Int, batch: Int, dt: Double, seed: UInt64) -> Tensor {
        bernoulliInput(steps: steps, batch: batch, channels: channels, probability: hertz * dt, seed: seed)
    }

    @Test("N = 5000, ν = 3 Hz, Δt = 1 ms, ξ = 2 → per-neuron temporal std 0.500 ± 2 %")
    func sigmaU() throws {
        var net = try SpikingNetwork(inputs: 5000, timeStep: .milliseconds(1)) { LIFLayer(50) }
        var rng = Xoshiro256StarStar(seed: 2022)
        try net.initialize(.fluctuationDriven(meanU: 0, xi: 2), rates: .fixed(hertz: 3), using: &rng)
        // 4 s of input for one sample: ≈ 200 correlation times per neuron, 50 neurons.
        let input = Self.poisson(channels: 5000, hertz: 3, steps: 4000, batch: 1, dt: 1e-3, seed: 9)
        let stats = try net.measureActivity(on: input)
        let sigma = stats[0].membraneStandardDeviation
        // Tolerance: 2 % (SPEC). Sampling error of the estimate: per neuron ≈ 1/√(2·200) ≈ 5 %, averaged over 50 ≈ 0.7 %.
        #expect(abs(sigma - 0.5) / 0.5 < 0.02, "measured σ_U = \(sigma)")
        #expect(abs(stats[0].membraneMean) < 0.1, "measured μ_U = \(stats[0].membraneMean)")
    }

    @Test("N = 700, ν = 15.8 Hz, Δt = 2 ms, σ_U = 1 → ≈ 0.98")
    func sigmaUSHD() throws {
        var net = try SpikingNetwork(inputs: 700, timeStep: .milliseconds(2)) { LIFLayer(64) }
        var rng = Xoshiro256StarStar(seed: 7)
        try net.initialize(.fluctuationDriven(sigmaU: 1), rates: .fixed(hertz: 15.8), using: &rng)
        let input = Self.poisson(channels: 700, hertz: 15.8, steps: 2000, batch: 2, dt: 2e-3, seed: 10)
        let sigma = try net.measureActivity(on: input)[0].membraneStandardDeviation
        #expect(abs(sigma - 0.98) < 0.03, "measured σ_U = \(sigma)")
    }

    @Test("Measuring on a data set in batches pools to the one-batch statistics (rates exact, moments to 1e-9)")
    func pooledBatches() throws {
        var net = try SpikingNetwork(inputs: 30, timeStep: .milliseconds(1)) {
            LIFLayer(12, isRecurrent: true)
            LeakyReadout(3, tauMembrane: .milliseconds(20))
        }
        var rng = Xoshiro256StarStar(seed: 5)
        try net.initialize(.fluctuationDriven(sigmaU: 1.5), rates: .fixed(hertz: 40), using: &rng)
        var offsets = [0], steps: [Int32] = [], channels: [Int32] = []
        var draw = Xoshiro256StarStar(seed: 6)
        for _ in 0..<12 {
            for t in 0..<80 { for c in 0..<30 where draw.nextUniform() < 0.05 { steps.append(Int32(t)); channels.append(Int32(c)) } }
            offsets.append(steps.count)
        }
        let data = try SpikeDataset(channels: 30, steps: 80, timeStep: .milliseconds(1), classes: 3, eventOffsets: offsets,
                                    eventSteps: steps, eventChannels: channels, labels: (0..<12).map { $0 % 3 })
        let samples = Array(0..<data.count)
        let whole = try net.measureActivity(on: data, samples: samples)
        let pooled = try net.measureActivity(on: data, samples: samples, batchSize: 5)   // 12 samples: 5 + 5 + 2
        for (w, p) in zip(whole, pooled) {
            #expect(abs(w.rateHz - p.rateHz) <= 1e-9 * max(1, w.rateHz))
            #expect(abs(w.membraneMean - p.membraneMean) <= 1e-9 * max(1, abs(w.membraneMean)))
            #expect(abs(w.membraneStandardDeviation - p.membraneStandardDeviation) <= 1e-9)
            #expect(abs(w.membraneMeanSpread - p.membraneMeanSpread) <= 1e-9 * max(1, w.membraneMeanSpread), "\(w.membraneMeanSpread) vs \(p.membraneMeanSpread)")
        }
        #expect(whole[0].rateHz > 0)
    }

    @Test("A leaky (delta-synapse) layer's free membrane is finite: U[t] = β U[t−1] + X[t] without reset")
    func leakyFreeMembrane() throws {
        var net = try SpikingNetwork(inputs: 100, timeStep: .milliseconds(1)) { LeakyLayer(20, dynamics: LeakyDynamics(beta: 0.9)) }
        var rng = Xoshiro256StarStar(seed: 3)
        try net.initialize(.kaimingNormal(gain: 1), rates: .fixed(hertz: 50), using: &rng)
        let input = Self.poisson(channels: 100, hertz: 50, steps: 2000, batch: 2, dt: 1e-3, seed: 4)
        let stats = try net.measureActivity(on: input)[0]
        #expect(stats.membraneStandardDeviation.isFinite && stats.membraneStandardDeviation > 0, "σ_U = \(stats.membraneStandardDeviation)")
        #expect(stats.membraneMean.isFinite, "μ_U = \(stats.membraneMean)")
    }
}

/// Slow statistical checks (run by `make test-slow`; suite names contain "Slow" so CI can select them).
@Suite("Slow statistical checks", .tags(.slow), .enabled(if: slowTestsEnabled))
struct SlowStatisticalTests {
    @Test("Spiking output rates for ξ = 1, 2, 3 at N = 5000, ν = 3 Hz (SPEC §3.4; wide tolerance: quenched weights)",
          arguments: [(1.0, 11.35, 0.25), (2.0, 1.85, 0.35), (3.0, 0.24, 0.5)])
    func outputRates(xi: Double, expected: Double, tolerance: Double) throws {
        var net = try SpikingNetwork(inputs: 5000, timeStep: .milliseconds(1)) { LIFLayer(50) }
        var rng = Xoshiro256StarStar(seed: 100)
        try net.initialize(.fluctuationDriven(meanU: 0, xi: xi), rates: .fixed(hertz: 3), using: &rng)
        let input = MembraneStatisticsTests.poisson(channels: 5000, hertz: 3, steps: 10000, batch: 2, dt: 1e-3, seed: 11)
        let rate = try net.measureActivity(on: input)[0].rateHz
        #expect(abs(rate - expected) / expected < tolerance, "ξ = \(xi): \(rate) Hz")
    }
}
