import Foundation
import SNNKit
import Testing

/// Φ, Φ⁻¹ and erfcx against golden values (SciPy 1.17: `norm.cdf`, `norm.sf`, `norm.ppf`, `special.erfcx`).
@Suite("Theory: standard normal distribution and erfcx")
struct StandardNormalTests {
    @Test("Φ and 1 − Φ at known points, full relative precision in both tails")
    func distributionFunction() {
        let cases: [(x: Double, cdf: Double, sf: Double)] = [
            (1, 0.8413447460685429, 0.15865525393145707),
            (0, 0.5, 0.5),
            (-1.96, 0.024997895148220435, 0.9750021048517795),
            (-5, 2.866515718791933e-07, 0.9999997133484281),
            (-10, 7.61985302416047e-24, 1),
            (3, 0.9986501019683699, 0.0013498980316300933),
            (8.5, 1, 9.47953482220325e-18),
        ]
        for c in cases {
            #expect(relativeError(StandardNormal.cdf(c.x), c.cdf) < 1e-13, "Φ(\(c.x))")   // x/√2 rounds: ~x²·ulp
            #expect(relativeError(StandardNormal.complementaryCDF(c.x), c.sf) < 1e-13, "1 − Φ(\(c.x))")
        }
        #expect(abs(StandardNormal.density(0) - 0.3989422804014327) < 1e-16)
    }

    @Test("Φ⁻¹ at known points and as the inverse of Φ from 1e-300 to 1 − 1e-16")
    func quantile() {
        let cases: [(p: Double, x: Double)] = [
            (0.975, 1.959963984540054), (1e-10, -6.361340902404056), (0.3, -0.5244005127080409),
            (0.9, 1.2815515655446004), (1e-300, -37.0470962993612),
        ]
        for c in cases { #expect(relativeError(StandardNormal.quantile(c.p), c.x) < 1e-13, "Φ⁻¹(\(c.p))") }
        #expect(StandardNormal.quantile(0.5) == 0)
        #expect(StandardNormal.quantile(0) == -.infinity && StandardNormal.quantile(1) == .infinity)
        #expect(StandardNormal.quantile(1.5).isNaN && StandardNormal.quantile(-0.1).isNaN)
        #expect(relativeError(StandardNormal.upperQuantile(0.15865525393145707), 1) < 1e-13)
        for x in stride(from: -37.0, through: 8.0, by: 0.37) {
            let back = x < 0 ? StandardNormal.quantile(StandardNormal.cdf(x)) : StandardNormal.upperQuantile(StandardNormal.complementaryCDF(x))
            #expect(abs(back - x) < 1e-12 * max(1, abs(x)), "x = \(x)")
        }
    }

    @Test("erfcx at known points, across the switch to the continued fraction at x = 5, and its reflection for x < 0")
    func scaledComplementaryErrorFunction() {
        let cases: [(x: Double, value: Double)] = [
            (-3, 16205.988853999586), (-1, 5.008980080762283), (0, 1), (0.5, 0.6156903441929258), (1, 0.427583576155807),
            (4.9, 0.11287909055975874), (5, 0.11070463773306861), (5.1, 0.10861102631393281), (10, 0.05614099274382259),
            (30, 0.018795888861416754), (1000, 0.0005641893014533876),
        ]
        for c in cases { #expect(relativeError(erfcx(c.x), c.value) < 1e-13, "erfcx(\(c.x))") }
        #expect(erfcx(.infinity) == 0)
        #expect(erfcx(-30) == .infinity)
    }
}

/// The Siegert formula (Perez-Nieves & Goodman 2023, SPEC §5) and the LIF rate prediction built on it.
@Suite("Theory: Siegert rate and LIF rate prediction")
struct SiegertRateTests {
    @Test("∫ e^{x²}(1 + erf x) dx matches adaptive quadrature (SciPy quad, rel 1e-13) on five ranges")
    func integral() {
        let cases: [(a: Double, b: Double, value: Double)] = [
            (-3, 2, 33.118171377511594), (-1.2, 0.7, 1.8891827072272471), (-20, -5, 0.7770019154996235),
            (0.5, 4, 2298799.2260956406), (-50, 3, 2890.6630428356884),
        ]
        for c in cases {
            #expect(relativeError(SiegertRate.integral(from: c.a, to: c.b), c.value) < 1e-11, "[\(c.a), \(c.b)]")
        }
        #expect(relativeError(SiegertRate.integral(from: 2, to: -3), -33.118171377511594) < 1e-11)
        // Far beyond overflow of e^{b²}: the logarithm stays finite and follows log(e^{b²}/b) − log 1 asymptotically.
        let (log, _) = SiegertRate.logIntegral(from: 0, to: 40)
        #expect(abs(log - (1600 - Foundation.log(40.0))) < 1e-3)
    }

    @Test("The integral agrees with a direct trapezoidal sum of exp(x²)(1 + erf x) with 200 001 points")
    func directNumerics() {
        let a = -2.5, b = 1.5, n = 200_000
        let h = (b - a) / Double(n)
        var sum = 0.0
        for k in 0...n {
            let x = a + Double(k) * h
            sum += (k == 0 || k == n ? 0.5 : 1) * Foundation.exp(x * x) * (1 + Foundation.erf(x))
        }
        #expect(relativeError(SiegertRate.integral(from: a, to: b), sum * h) < 1e-8)
    }

    @Test("Limits: σ → 0 gives the deterministic rate above threshold and 0 below; rates decrease with θ; no NaN far below threshold")
    func limits() {
        let neuron = SiegertRate(tauMembrane: .milliseconds(20), refractoryPeriod: .milliseconds(2), threshold: 1, reset: 0)
        let deterministic = 1 / (0.002 + 0.02 * Foundation.log(1.5 / 0.5))
        #expect(relativeError(neuron.hertz(mean: 1.5, sigma: 0), deterministic) < 1e-12)
        #expect(relativeError(neuron.hertz(mean: 1.5, sigma: 1e-3), deterministic) < 1e-3)
        #expect(neuron.hertz(mean: 0.5, sigma: 0) == 0)
        #expect(neuron.hertz(mean: 0.5, sigma: 1e-3) < 1e-100)
        #expect(neuron.hertz(mean: -100, sigma: 1) == 0)
        // Huge noise: the rate saturates at 1/τ_ref.
        #expect(relativeError(neuron.hertz(mean: 0, sigma: 1e6), 500) < 1e-4)
        var previous = Double.infinity
        for theta in stride(from: 0.5, through: 3, by: 0.25) {
            var n = neuron
            n.threshold = theta
            let r = n.hertz(mean: 0.2, sigma: 0.5)
            #expect(r < previous && r > 0)
            previous = r
        }
    }

    @Test("Siegert rate vs Euler–Maruyama simulation of a white-noise LIF (Δt 0.1 ms, 250 neurons × 2 s) within 10 %",
          arguments: [(0.9, 0.5), (0.8, 0.4), (1.2, 0.3)])
    func whiteNoiseSimulation(mu: Double, sigma: Double) {
        let tau = 0.02, refractory = 0.002, dt = 1e-4
        let neuron = SiegertRate(tauMembrane: .milliseconds(20), refractoryPeriod: .milliseconds(2))
        let predicted = neuron.hertz(mean: mu, sigma: sigma)
        var rng = Xoshiro256StarStar(seed: 11)
        let neurons = 250, steps = Int(2.0 / dt), refractorySteps = Int((refractory / dt).rounded())
        let a = dt / tau, b = sigma * (dt / tau).squareRoot()
        var spikes = 0
        for _ in 0..<neurons {
            var v = 0.0, hold = 0
            for _ in 0..<steps {
                let noise = rng.nextStandardNormal()
                if hold > 0 { hold -= 1; continue }
                v += (mu - v) * a + b * noise
                if v >= 1 { spikes += 1; v = 0; hold = refractorySteps }
            }
        }
        let simulated = Double(spikes) / (Double(neurons) * Double(steps) * dt)
        #expect(relativeError(predicted, simulated) < 0.10, "predicted \(predicted) Hz, simulated \(simulated) Hz")
    }

    @Test("LIF predictor (Fourcaud–Brunel) vs the discrete SPEC §1.1 neuron driven by Gaussian input per step, within 20 %",
          arguments: [(0.0, 1.0), (0.5, 0.5), (0.3, 1.0)])
    func discreteLIF(meanU: Double, sigmaU: Double) {
        let dt = 2e-3
        let predictor = LIFRatePredictor(timeStep: .milliseconds(2))
        let kernel = predictor.kernel
        // X[t] i.i.d. N(m, s²) gives the free membrane μ_U = m Σk and σ_U² = s² Σk² (kernel k of PSPKernelIntegrals).
        let sumK = kernel.mean / dt, sumK2 = kernel.meanSquare / dt
        let m = meanU / sumK, s = sigmaU / sumK2.squareRoot()
        let lm = Foundation.exp(-dt / 0.02), ls = Foundation.exp(-dt / 0.01)
        var rng = Xoshiro256StarStar(seed: 5)
        let neurons = 200, steps = 10_000
        var spikes = 0
        for _ in 0..<neurons {
            var u = 0.0, i = 0.0, x = 0.0
            for _ in 0..<steps {   // SPEC §1.1: every right-hand side uses the previous step's state
                let spike = u > 1
                let next = spike ? 0 : lm * u + (1 - lm) * i
                i = ls * i + x
                u = next
                if spike { spikes += 1 }
                x = m + s * rng.nextStandardNormal()
            }
        }
        let simulated = Double(spikes) / (Double(neurons) * Double(steps) * dt)
        let predicted = predictor.hertz(meanU: meanU, sigmaU: sigmaU)
        #expect(relativeError(predicted, simulated) < 0.20, "predicted \(predicted) Hz, simulated \(simulated) Hz")
        // Without the colored-noise correction the white-noise formula overestimates by more than 2×.
        var white = predictor
        white.noiseCorrection = .none
        #expect(white.hertz(meanU: meanU, sigmaU: sigmaU) > 2 * simulated)
    }

    @Test("σ_U for a target rate inverts the prediction; a spread of neuron means raises the population rate below θ")
    func inverse() throws {
        let predictor = LIFRatePredictor(timeStep: .milliseconds(2))
        for target in [0.5, 5.0, 20.0] {
            let sigma = try predictor.sigmaU(forHertz: target)
            #expect(relativeError(predictor.hertz(meanU: 0, sigmaU: sigma), target) < 1e-7)
        }
        #expect(throws: ConfigurationError.self) { try predictor.sigmaU(forHertz: 1e6) }
        let single = predictor.hertz(meanU: 0, sigmaU: 0.7)
        #expect(predictor.hertz(meanU: 0, sigmaU: 0.7, meanSpread: 0) == single)
        #expect(predictor.hertz(meanU: 0, sigmaU: 0.7, meanSpread: 0.5) > 1.3 * single)
        #expect(relativeError(predictor.hertz(meanU: 0, sigmaU: 0.7, meanSpread: 1e-4), single) < 1e-6)
    }
}
