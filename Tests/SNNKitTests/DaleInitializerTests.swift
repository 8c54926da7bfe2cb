import Foundation
import SNNKit
import Testing

/// SPEC §3.3: balanced exponential (and log-normal) initialization of Dalian E/I populations.
@Suite("Dale's law initialization: balanced exponential and log-normal weights")
struct DaleInitializerTests {
    /// One set of inputs to the solver.
    struct Inputs: Sendable, CustomStringConvertible {
        var nFF, nRec, nI, nu: Double
        var excitatory, inhibitory: PSPKernelIntegrals
        var sigmaU = 1.0, alpha = 0.9, theta = 1.0
        var description: String { "N_ff \(nFF) N_rec \(nRec) N_I \(nI) ν \(nu) σ_U \(sigmaU) α \(alpha) θ \(theta)" }

        var initializer: DaleInitializer { DaleInitializer(sigmaU: sigmaU, feedForwardShare: alpha, threshold: theta) }

        func exponential() throws -> DaleInitializer.ExponentialRates {
            try initializer.exponentialRates(feedForwardFanIn: nFF, recurrentFanIn: nRec, inhibitoryFanIn: nI, hertz: nu,
                                             excitatoryKernel: excitatory, inhibitoryKernel: inhibitory)
        }

        func logNormal(cv: Double) throws -> DaleInitializer.LogNormalWeights {
            try initializer.logNormalWeights(feedForwardFanIn: nFF, recurrentFanIn: nRec, inhibitoryFanIn: nI, hertz: nu,
                                             excitatoryKernel: excitatory, inhibitoryKernel: inhibitory,
                                             coefficientOfVariation: cv)
        }
    }

    /// The SPEC §3.3 reference: ε_E from (τ_mem 20, τ_exc 10) ms, ε_I from (τ_mem 20, τ_inh 20) ms, Δt 2 ms.
    static let reference = Inputs(
        nFF: 700, nRec: 128, nI: 32, nu: 15.8,
        excitatory: .numerical(tauMembrane: 20e-3, tauSynapse: 10e-3, timeStep: 2e-3),
        inhibitory: .numerical(tauMembrane: 20e-3, tauSynapse: 20e-3, timeStep: 2e-3))

    /// Relative residuals of the three constraints for class means `m` and second moments `s`
    /// (ff, rec, inh), computed from Campbell's theorem directly.
    static func residuals(_ x: Inputs, mean m: [Double], secondMoment s: [Double]) -> (balance: Double, variance: Double, share: Double) {
        let excitation = x.excitatory.mean * (x.nFF * m[0] + x.nRec * m[1])
        let inhibition = x.inhibitory.mean * x.nI * m[2]
        let variance = x.nu * (x.excitatory.meanSquare * (x.nFF * s[0] + x.nRec * s[1]) + x.inhibitory.meanSquare * x.nI * s[2])
        let sigmaUSquared = x.sigmaU * x.sigmaU   // (θ/ξ)² with ξ = θ/σ_U
        var share = 0.0
        if x.nFF > 0 && x.nRec > 0 {
            let ff = x.nFF * s[0], rec = x.nRec * s[1]
            share = relativeError(ff / (ff + rec), x.alpha)
        }
        return (relativeError(excitation, inhibition), relativeError(variance, sigmaUSquared), share)
    }

    static func exponentialResiduals(_ x: Inputs) throws -> (balance: Double, variance: Double, share: Double) {
        let r = try x.exponential()
        let lambdas = [r.feedForward, r.recurrent, r.inhibitory]
        return residuals(x, mean: lambdas.map { 1 / $0 }, secondMoment: lambdas.map { 2 / ($0 * $0) })
    }

    /// Random but valid inputs (with recurrent excitation unless `recurrent` is false).
    static func randomInputs(count: Int, recurrent: Bool, seed: UInt64) -> [Inputs] {
        var rng = Xoshiro256StarStar(seed: seed)
        func uniform(_ a: Double, _ b: Double) -> Double { a + (b - a) * rng.nextUniform() }
        return (0..<count).map { _ in
            let dt = uniform(0.5e-3, 2e-3)
            let tauMem = uniform(5e-3, 100e-3), tauExc = uniform(2e-3, 30e-3), tauInh = uniform(2e-3, 50e-3)
            return Inputs(nFF: uniform(1, 2000).rounded(), nRec: recurrent ? uniform(1, 500).rounded() : 0,
                          nI: uniform(1, 200).rounded(), nu: uniform(0.5, 80),
                          excitatory: .numerical(tauMembrane: tauMem, tauSynapse: tauExc, timeStep: dt),
                          inhibitory: .numerical(tauMembrane: tauMem, tauSynapse: tauInh, timeStep: dt),
                          sigmaU: uniform(0.1, 3), alpha: uniform(0.05, 0.95), theta: uniform(0.5, 2))
        }
    }

    // MARK: - Exponential

    @Test("SPEC §3.3 reference: λ_ff 31.84, λ_rec 40.84, λ_inh 2.425 (N 700/128/32, ν 15.8 Hz, τ_exc 10, τ_inh 20 ms)")
    func referenceRates() throws {
        let kernels = try DaleInitializer.kernels(tauMembrane: .milliseconds(20), tauExcitatory: .milliseconds(10),
                                                  tauInhibitory: .milliseconds(20), timeStep: .milliseconds(2))
        #expect(kernels.excitatory == Self.reference.excitatory)
        #expect(kernels.inhibitory == Self.reference.inhibitory)
        let r = try Self.reference.exponential()
        // every printed digit (4 significant), i.e. within 2e-4 relative
        #expect(significant(r.feedForward, 4) == 31.84, "\(r.feedForward)")
        #expect(significant(r.recurrent, 4) == 40.84, "\(r.recurrent)")
        #expect(significant(r.inhibitory, 4) == 2.425, "\(r.inhibitory)")
        // mean excitation = mean inhibition, σ_U² = 1, 90 % of the excitatory variance feed-forward
        let res = try Self.exponentialResiduals(Self.reference)
        #expect(res.balance < 1e-12 && res.variance < 1e-12 && res.share < 1e-12, "\(res)")
    }

    @Test("Exponential rates meet mean balance, σ_U² and the α share to 1e-9 (random inputs, both branches)",
          arguments: [true, false])
    func exponentialConstraints(recurrent: Bool) throws {
        for x in Self.randomInputs(count: 200, recurrent: recurrent, seed: recurrent ? 31 : 32) {
            let res = try Self.exponentialResiduals(x)
            #expect(res.balance < 1e-9, "\(x)")
            #expect(res.variance < 1e-9, "\(x)")
            #expect(res.share < 1e-9, "\(x)")
        }
    }

    @Test("No recurrent excitation: λ_ff = λ_rec = λ_E from δ_EI = N_I ε̄_I/(N_E ε̄_E), λ_inh = λ_E δ_EI")
    func noRecurrentBranch() throws {
        var x = Self.reference
        x.nRec = 0
        let r = try x.exponential()
        // independent closed form: λ_inh = δ_EI λ_E and ν(N_E ε̂_E + N_I ε̂_I/δ_EI²)·2/λ_E² = σ_U²
        let deltaEI = x.nI * x.inhibitory.mean / (x.nFF * x.excitatory.mean)
        let variancePerLambdaSquared = 2 * x.nu * (x.nFF * x.excitatory.meanSquare + x.nI * x.inhibitory.meanSquare / (deltaEI * deltaEI))
        let lambdaE = (variancePerLambdaSquared / (x.sigmaU * x.sigmaU)).squareRoot()
        #expect(r.feedForward == r.recurrent)
        #expect(relativeError(r.feedForward, lambdaE) < 1e-12)
        #expect(relativeError(r.inhibitory, lambdaE * deltaEI) < 1e-12)
        let res = try Self.exponentialResiduals(x)
        #expect(res.balance < 1e-12 && res.variance < 1e-12)

        // only recurrent excitation is the same single-class problem (α has nothing to split)
        var y = x
        (y.nFF, y.nRec) = (0, x.nFF)
        let s = try y.exponential()
        #expect(relativeError(s.recurrent, r.feedForward) < 1e-12)
        #expect(relativeError(s.inhibitory, r.inhibitory) < 1e-12)

        // the recurrent branch at α = N_ff/N_E (equal rates for ff and rec) reduces to the single class
        var z = Self.reference
        z.alpha = z.nFF / (z.nFF + z.nRec)
        let q = try z.exponential()
        var single = z
        (single.nFF, single.nRec) = (z.nFF + z.nRec, 0)
        let p = try single.exponential()
        #expect(relativeError(q.feedForward, q.recurrent) < 1e-12)
        #expect(relativeError(q.feedForward, p.feedForward) < 1e-12)
        #expect(relativeError(q.inhibitory, p.inhibitory) < 1e-12)
    }

    @Test("λ scales as 1/σ_U; θ enters only through ξ = θ/σ_U, so it does not change the rates")
    func scaling() throws {
        var x = Self.reference
        let base = try x.exponential()
        x.sigmaU = 2.5
        let wider = try x.exponential()
        #expect(relativeError(wider.feedForward * 2.5, base.feedForward) < 1e-12)
        #expect(relativeError(wider.inhibitory * 2.5, base.inhibitory) < 1e-12)
        x.theta = 3
        #expect(x.initializer.xi == 3 / 2.5)
        let higher = try x.exponential()
        #expect(relativeError(higher.feedForward, wider.feedForward) < 1e-12)
    }

    @Test("Sampled exponential weights: non-negative, mean 1/λ and E[W²] = 2/λ² within 5 standard errors (n 100 000, seed 3)")
    func exponentialSampling() {
        var rng = Xoshiro256StarStar(seed: 3)
        let n = 100_000, lambda = 2.425
        let w = DaleInitializer.sampleExponential(count: n, rate: lambda, using: &rng).map(Double.init)
        #expect(w.count == n && w.allSatisfy { $0 >= 0 })
        let mean = w.reduce(0, +) / Double(n)
        let second = w.reduce(0) { $0 + $1 * $1 } / Double(n)
        // std(W)/E[W] = 1 ⇒ relative standard error 1/√n; Var[W²]/E[W²]² = (24 − 4)/4 = 5 ⇒ √(5/n)
        #expect(relativeError(mean, 1 / lambda) < 5 / Double(n).squareRoot(), "\(mean)")
        #expect(relativeError(second, 2 / (lambda * lambda)) < 5 * (5 / Double(n)).squareRoot(), "\(second)")
    }

    // MARK: - Log-normal

    @Test("Log-normal from mean m and second moment s: μ = ln(m²/√s), σ² = ln(s/m²) round-trips")
    func logNormalMoments() {
        for (m, s) in [(0.3, 0.18), (2.0, 4.5), (1e-3, 3e-6)] {
            let d = DaleInitializer.LogNormal(mean: m, secondMoment: s)
            #expect(relativeError(d.mu, Foundation.log(m * m / s.squareRoot())) < 1e-12)
            #expect(relativeError(d.sigma * d.sigma, Foundation.log(s / (m * m))) < 1e-12)
            #expect(relativeError(d.mean, m) < 1e-12)
            #expect(relativeError(d.secondMoment, s) < 1e-12)
            #expect(relativeError(d.coefficientOfVariation, (s / (m * m) - 1).squareRoot()) < 1e-12)
        }
    }

    @Test("Log-normal weights meet mean balance, σ_U² and the α share to 1e-9 (CV 0.5, 1, 2; both branches)",
          arguments: [0.5, 1.0, 2.0])
    func logNormalConstraints(cv: Double) throws {
        let inputs = [Self.reference] + Self.randomInputs(count: 100, recurrent: true, seed: 41)
            + Self.randomInputs(count: 100, recurrent: false, seed: 42)
        for x in inputs {
            let w = try x.logNormal(cv: cv)
            let classes = [w.feedForward, w.recurrent, w.inhibitory]
            let res = Self.residuals(x, mean: classes.map(\.mean), secondMoment: classes.map(\.secondMoment))
            #expect(res.balance < 1e-9 && res.variance < 1e-9 && res.share < 1e-9, "\(x): \(res)")
            for c in classes { #expect(relativeError(c.coefficientOfVariation, cv) < 1e-9) }
            // second moments equal the exponential's 2/λ²; means are 1/λ · √(2/(1 + CV²))
            let r = try x.exponential()
            for (c, lambda) in zip(classes, [r.feedForward, r.recurrent, r.inhibitory]) {
                #expect(relativeError(c.secondMoment, 2 / (lambda * lambda)) < 1e-9)
                #expect(relativeError(c.mean, (2 / (1 + cv * cv)).squareRoot() / lambda) < 1e-9)
            }
        }
    }

    @Test("Log-normal samples: mean and E[W²] of each class within 5 standard errors (n 200 000, seed 11)")
    func logNormalSampling() throws {
        let w = try Self.reference.logNormal(cv: 1)
        var rng = Xoshiro256StarStar(seed: 11)
        let n = 200_000
        for d in [w.feedForward, w.recurrent, w.inhibitory] {
            let x = d.sample(count: n, using: &rng).map(Double.init)
            #expect(x.allSatisfy { $0 > 0 })
            let mean = x.reduce(0, +) / Double(n)
            let second = x.reduce(0) { $0 + $1 * $1 } / Double(n)
            // standard errors: std(W)/√n = CV·m/√n; √(E[W⁴] − s²)/√n with E[W⁴]/s² = exp(4σ²)
            let s2 = d.sigma * d.sigma
            let meanTolerance = 5 * d.coefficientOfVariation / Double(n).squareRoot()
            let secondTolerance = 5 * (Foundation.exp(4 * s2) - 1).squareRoot() / Double(n).squareRoot()
            #expect(relativeError(mean, d.mean) < meanTolerance, "\(mean) vs \(d.mean)")
            #expect(relativeError(second, d.secondMoment) < secondTolerance, "\(second) vs \(d.secondMoment)")
        }
    }

    // MARK: - Validation

    @Test("Invalid inputs throw ConfigurationError: σ_U ≤ 0, θ ≤ 0, α ∉ (0, 1) with N_rec > 0, ν ≤ 0, negative counts, N_I = 0, no excitation, ε ≤ 0, CV ≤ 0")
    func invalidInputs() throws {
        let good = Self.reference
        var cases: [Inputs] = []
        func variant(_ change: (inout Inputs) -> Void) { var x = good; change(&x); cases.append(x) }
        variant { $0.sigmaU = 0 }
        variant { $0.sigmaU = -1 }
        variant { $0.sigmaU = .nan }
        variant { $0.theta = 0 }
        variant { $0.alpha = 1 }
        variant { $0.alpha = 0 }
        variant { $0.alpha = 1.5 }
        variant { $0.nu = 0 }
        variant { $0.nu = -15.8 }
        variant { $0.nFF = -1 }
        variant { $0.nRec = -1 }
        variant { $0.nI = -1 }
        variant { $0.nI = 0 }
        variant { $0.nFF = .infinity }
        variant { ($0.nFF, $0.nRec) = (0, 0) }
        variant { $0.excitatory = PSPKernelIntegrals(mean: 0, meanSquare: 1e-3) }
        variant { $0.inhibitory = PSPKernelIntegrals(mean: 1e-2, meanSquare: -1) }
        for x in cases {
            #expect(throws: ConfigurationError.self, "\(x)") { try x.exponential() }
            #expect(throws: ConfigurationError.self, "\(x)") { try x.logNormal(cv: 1) }
        }
        #expect(throws: ConfigurationError.outOfRange(field: "dale.inhibitoryFanIn", value: 0,
                                                      range: "(0, ∞) (the Dale balance needs inhibitory afferents)")) {
            var x = good
            x.nI = 0
            _ = try x.exponential()
        }
        #expect(throws: ConfigurationError.nonPositiveParameter(field: "dale.sigmaU", value: 0)) {
            try DaleInitializer(sigmaU: 0).validate()
        }
        #expect(throws: ConfigurationError.self) { try good.logNormal(cv: 0) }
        #expect(throws: ConfigurationError.self) {
            try DaleInitializer.kernels(tauMembrane: .zero, tauExcitatory: .milliseconds(10),
                                        tauInhibitory: .milliseconds(20), timeStep: .milliseconds(2))
        }
        // α is irrelevant without recurrent excitation
        var x = good
        (x.nRec, x.alpha) = (0, 1)
        _ = try x.exponential()
        _ = try x.logNormal(cv: 1)
    }
}
