import Foundation
import SNNKit
import Testing

/// Golden values of SPEC §3.1–3.2 (Rossbroich et al. 2022 and stork's initializers).
@Suite("Fluctuation-driven initialization: PSP integrals and weight statistics")
struct InitializationTests {
    struct KernelRow: Sendable, CustomStringConvertible {
        var tauMem, tauSyn, dt, epsBar, epsHat, anaBar, anaHat: Double
        var description: String { "τ \(tauMem)/\(tauSyn) Δt \(dt)" }
    }

    // SPEC §3.1 table (seconds).
    static let kernelRows: [KernelRow] = [
        .init(tauMem: 20e-3, tauSyn: 10e-3, dt: 2e-3, epsBar: 0.0110323, epsHat: 0.00203561, anaBar: 0.01, anaHat: 0.00166667),
        .init(tauMem: 10e-3, tauSyn: 5e-3, dt: 1e-3, epsBar: 0.00551613, epsHat: 0.00101781, anaBar: 0.005, anaHat: 0.000833333),
        .init(tauMem: 10e-3, tauSyn: 5e-3, dt: 2e-3, epsBar: 0.00606588, epsHat: 0.00124261, anaBar: 0.005, anaHat: 0.000833333),
        .init(tauMem: 20e-3, tauSyn: 20e-3, dt: 2e-3, epsBar: 0.0210057, epsHat: 0.00553042, anaBar: 0.02, anaHat: 0.005),
        .init(tauMem: 200e-3, tauSyn: 10e-3, dt: 2e-3, epsBar: 0.0110328, epsHat: 0.000289939, anaBar: 0.01, anaHat: 0.000238095),
        .init(tauMem: 700e-3, tauSyn: 10e-3, dt: 2e-3, epsBar: 0.0110328, epsHat: 8.57363e-05, anaBar: 0.01, anaHat: 7.04225e-05),
    ]

    @Test("ε̄, ε̂ numerical at τ 20/10 ms, Δt 1 ms match the full-precision reference to 1e-9")
    func fullPrecisionRow() {
        let k = PSPKernelIntegrals.numerical(tauMembrane: 20e-3, tauSynapse: 10e-3, timeStep: 1e-3)
        #expect(relativeError(k.mean, 0.010507353352192265) < 1e-9)
        #expect(relativeError(k.meanSquare, 0.001841948059032449) < 1e-9)
        let a = PSPKernelIntegrals.analytic(tauMembrane: 20e-3, tauSynapse: 10e-3)
        #expect(a.mean == 0.01)
        #expect(significant(a.meanSquare, 6) == 0.00166667)
    }

    @Test("ε table of SPEC §3.1: numerical and analytic, every printed digit", arguments: kernelRows)
    func kernelTable(row: KernelRow) {
        let k = PSPKernelIntegrals.numerical(tauMembrane: row.tauMem, tauSynapse: row.tauSyn, timeStep: row.dt)
        #expect(significant(k.mean, 6) == row.epsBar)
        #expect(significant(k.meanSquare, 6) == row.epsHat)
        let a = PSPKernelIntegrals.analytic(tauMembrane: row.tauMem, tauSynapse: row.tauSyn)
        #expect(significant(a.mean, 6) == row.anaBar)
        #expect(significant(a.meanSquare, 6) == row.anaHat)
    }

    struct SigmaRow: Sendable, CustomStringConvertible {
        var name: String
        var fanIn: Double, nu: Double, sigmaU: Double, scale: Double, sigmaW: Double
        var dt = 2e-3, tauMem = 20e-3
        var description: String { name }
    }

    // SPEC §3.2 table: centered, numerical ε, τ_syn 10 ms.
    static let sigmaRows: [SigmaRow] = [
        .init(name: "Δt 1 ms, σ_U 0.5", fanIn: 5000, nu: 3, sigmaU: 0.5, scale: 1, sigmaW: 0.095123, dt: 1e-3),
        .init(name: "Δt 1 ms, σ_U 1", fanIn: 5000, nu: 3, sigmaU: 1, scale: 1, sigmaW: 0.190246, dt: 1e-3),
        .init(name: "SHD input→hidden", fanIn: 700, nu: 15.8, sigmaU: 1, scale: 1, sigmaW: 0.210754),
        .init(name: "SHD hidden→hidden", fanIn: 128, nu: 15.8, sigmaU: 1, scale: 1, sigmaW: 0.492855),
        .init(name: "SHD hidden→readout", fanIn: 128, nu: 15.8, sigmaU: 1, scale: 1, sigmaW: 2.401509, tauMem: 0.7),
        .init(name: "Randman input→hidden", fanIn: 20, nu: 5, sigmaU: 1, scale: 1, sigmaW: 2.216423),
        .init(name: "Randman hidden→readout", fanIn: 128, nu: 5, sigmaU: 1, scale: 1, sigmaW: 2.321436, tauMem: 0.2),
        .init(name: "conv L1 ff", fanIn: 21, nu: 15.8, sigmaU: 1, scale: 0.9, sigmaW: 1.154345),
        .init(name: "conv L1 rec", fanIn: 80, nu: 15.8, sigmaU: 1, scale: 0.1, sigmaW: 0.197142),
        .init(name: "conv L2 ff", fanIn: 112, nu: 15.8, sigmaU: 1, scale: 0.9, sigmaW: 0.499846),
        .init(name: "conv L2 rec", fanIn: 160, nu: 15.8, sigmaU: 1, scale: 0.1, sigmaW: 0.139400),
        .init(name: "conv L3 ff", fanIn: 224, nu: 15.8, sigmaU: 1, scale: 0.9, sigmaW: 0.353445),
        .init(name: "conv L3 rec", fanIn: 320, nu: 15.8, sigmaU: 1, scale: 0.1, sigmaW: 0.098571),
        .init(name: "2-D conv first layer", fanIn: 18, nu: 9.2, sigmaU: 1, scale: 1, sigmaW: 1.722354),
    ]

    @Test("σ_W table of SPEC §3.2 (to the printed 6 decimals)", arguments: sigmaRows)
    func sigmaTable(row: SigmaRow) throws {
        let kernel = PSPKernelIntegrals.numerical(tauMembrane: row.tauMem, tauSynapse: 10e-3, timeStep: row.dt)
        let f = FluctuationDrivenInitializer(target: .centered(sigmaU: row.sigmaU))
        // scale 0.9/0.1 is the α split with one feed-forward and one recurrent afferent
        let afferents: [FluctuationDrivenInitializer.Afferent]
        if row.scale == 1 {
            afferents = [.init(fanIn: row.fanIn, rate: row.nu, isRecurrent: false)]
        } else {
            let other = FluctuationDrivenInitializer.Afferent(fanIn: 100, rate: row.nu, isRecurrent: row.scale > 0.5)
            afferents = [.init(fanIn: row.fanIn, rate: row.nu, isRecurrent: row.scale < 0.5), other]
        }
        let stats = try f.weightStatistics(afferents: afferents, kernel: kernel, threshold: 1)
        #expect(stats[0].mean == 0)
        #expect(abs(stats[0].sigma - row.sigmaW) < 5e-7, "\(stats[0].sigma)")
    }

    @Test("Non-centered: μ_W = μ_U/(n ν ε̄) and σ_W² = ((θ−μ_U)/ξ)²/(n ν ε̂) − μ_W²")
    func nonCentered() throws {
        let kernel = PSPKernelIntegrals.numerical(tauMembrane: 20e-3, tauSynapse: 10e-3, timeStep: 1e-3)
        let f = FluctuationDrivenInitializer(target: .meanAndThresholdDistance(meanU: 0.2, xi: 2))
        let s = try f.weightStatistics(afferents: [.init(fanIn: 5000, rate: 3, isRecurrent: false)], kernel: kernel, threshold: 1)
        let mu = 0.2 / (5000 * 3 * kernel.mean)
        #expect(relativeError(s[0].mean, mu) < 1e-12)
        #expect(relativeError(s[0].sigma, (0.16 / (5000 * 3 * kernel.meanSquare) - mu * mu).squareRoot()) < 1e-12)
        // an unreachable target is an error, not a NaN
        let g = FluctuationDrivenInitializer(target: .meanAndThresholdDistance(meanU: 0.99, xi: 100))
        #expect(throws: ConfigurationError.self) {
            try g.weightStatistics(afferents: [.init(fanIn: 5, rate: 300, isRecurrent: false)], kernel: kernel, threshold: 1)
        }
    }

    @Test("Network initialization: the α split between feed-forward and recurrent afferents, and sampled σ_W")
    func networkInitialization() throws {
        var net = try SpikingNetwork(inputs: 700, timeStep: .milliseconds(2)) {
            LIFLayer(128, isRecurrent: true)
            LeakyReadout(20, tauMembrane: .milliseconds(700))
        }
        var rng = Xoshiro256StarStar(seed: 1)
        let report = try net.initialize(.fluctuationDriven(sigmaU: 1, feedForwardShare: 0.9), rates: .fixed(hertz: 15.8), using: &rng)
        let kernel = PSPKernelIntegrals.numerical(tauMembrane: 20e-3, tauSynapse: 10e-3, timeStep: 2e-3)
        let ff = report.projections[0], rec = report.projections[1], ro = report.projections[2]
        #expect(abs(ff.sigmaW - (0.9 / (700 * 15.8 * kernel.meanSquare)).squareRoot()) < 1e-12)
        #expect(abs(rec.sigmaW - (0.1 / (128 * 15.8 * kernel.meanSquare)).squareRoot()) < 1e-12)
        #expect(abs(ro.sigmaW - 2.401509) < 5e-7)
        // sampled weights have the requested std (89600 samples: std error ≈ 0.24 %)
        let w = net[ParameterID(layer: 0, afferent: 0, kind: .weights)].scalars.map(Double.init)
        let mean = w.reduce(0, +) / Double(w.count)
        let std = (w.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(w.count - 1)).squareRoot()
        #expect(abs(mean) < 0.01 * ff.sigmaW)
        #expect(relativeError(std, ff.sigmaW) < 0.01)
    }

    @Test("Kaiming normal has n·Var[W] = 2; scaled uniform is U(±gain/√n); sparse masks keep p of the weights")
    func otherInitializers() throws {
        func build() throws -> SpikingNetwork {
            try SpikingNetwork(inputs: 400, timeStep: .milliseconds(1)) { LIFLayer(200); LeakyReadout(5, tauMembrane: .milliseconds(100)) }
        }
        var rng = Xoshiro256StarStar(seed: 5)
        var a = try build()
        try a.initialize(.kaimingNormal, rates: .fixed(hertz: 10), using: &rng)
        let w = a[ParameterID(layer: 0, afferent: 0, kind: .weights)].scalars.map(Double.init)
        let variance = w.reduce(0) { $0 + $1 * $1 } / Double(w.count)
        #expect(abs(400 * variance - 2) < 0.05)
        var b = try build()
        try b.initialize(.scaled(distribution: .uniform, scaling: .inverseSqrtFanIn, gain: 1), rates: .fixed(hertz: 10), using: &rng)
        let u = b[ParameterID(layer: 0, afferent: 0, kind: .weights)].scalars
        #expect(u.allSatisfy { abs($0) <= 1 / 20 })
        #expect(u.max()! > 0.049 && u.min()! < -0.049)
        var c = try build()
        try c.initialize(.fluctuationDriven(sigmaU: 1), rates: .fixed(hertz: 10), connectionProbability: 0.25, using: &rng)
        let s = c[ParameterID(layer: 0, afferent: 0, kind: .weights)].scalars
        let kept = Double(s.filter { $0 != 0 }.count) / Double(s.count)
        #expect(abs(kept - 0.25) < 0.01)
    }
}
