import Foundation
import SNNKit

/// The two checks of paper 4 (Gygax & Zenke 2024) in `snn experiment surrogate-theory`.
///
/// (a) **Surrogate gradient = derivative of the expected output** for one stochastic neuron with escape noise
/// `f = σ(β_e x)`: `S = Bernoulli(f(w·x − θ))`, so `d E[S]/dw = f′(w·x − θ)·x` — exactly the surrogate gradient with
/// surrogate f′. Checked against a Monte-Carlo finite difference with common random numbers, over a range of w.
///
/// (b) **The surrogate-gradient field is not a gradient.** A two-unit chain of deterministic threshold units
/// `h = H(w₁x − θ)`, `y = H(w₂h + c − θ)`, loss `L = (y − target)²`: the surrogate gradient replaces each H′ by σ′.
/// Its line integral around a closed loop in (w₁, w₂) — a circle — is not zero, while the line integral of a true
/// gradient around a closed loop is zero: shown for the smooth network (H replaced by σ, its exact gradient).
public struct SurrogateTheoryExperiment: Sendable {
    /// One row of check (a).
    public struct DerivativeRow: Sendable, Codable {
        /// The weight w.
        public var weight: Double
        /// `f′(w·x − θ)·x`.
        public var surrogateGradient: Double
        /// Monte-Carlo `(E[S](w + h) − E[S](w − h))/2h`.
        public var monteCarloDerivative: Double
        /// Its standard error.
        public var standardError: Double
    }

    /// Result of check (b).
    public struct LoopResult: Sendable, Codable {
        /// ∮ g_SG · dw around the circle.
        public var surrogateCirculation: Double
        /// ∮ ∇L_smooth · dw around the same circle (zero up to quadrature error).
        public var trueGradientCirculation: Double
        /// Centre and radius of the circle in (w₁, w₂).
        public var centre: [Double]
        /// The radius.
        public var radius: Double
    }

    /// β_e of the escape noise (a) and of the surrogate σ′ (b).
    public var beta: Float = 4
    /// Monte-Carlo samples per weight in (a).
    public var samples = 200_000
    /// Quadrature points on the loop in (b).
    public var loopPoints = 20_000
    /// Seed.
    public var seed: UInt64 = 1

    /// Creates the experiment with the defaults above.
    public init() {}

    /// Runs check (a) at x = 0.8, θ = 1, h = 0.02 for w in 0.6 … 1.8.
    public func derivativeRows() -> [DerivativeRow] {
        let noise = EscapeNoise.sigmoid(beta: beta)
        let x: Float = 0.8, h: Float = 0.02
        var rng = Xoshiro256StarStar(seed: seed)
        return stride(from: Float(0.6), through: 1.8, by: 0.2).map { w in
            var sum = 0.0, sumSquares = 0.0
            for _ in 0..<samples {
                let eta = noise.thresholdOffset(uniform: rng.nextUniform())
                let d = Double(((w + h) * x - 1 > eta ? 1 : 0) - ((w - h) * x - 1 > eta ? 1 : 0) as Float)
                sum += d; sumSquares += d * d
            }
            let n = Double(samples), mean = sum / n
            let standardError = ((sumSquares / n - mean * mean) / n).squareRoot() / Double(2 * h)
            return DerivativeRow(weight: Double(w), surrogateGradient: Double(noise.surrogate.derivative(w * x - 1) * x),
                                 monteCarloDerivative: mean / Double(2 * h), standardError: standardError)
        }
    }

    /// Runs check (b) on the circle of radius 0.6 around (w₁, w₂) = (1.25, 1) with x = 1, c = 0.3, θ = 1, target 0.
    public func loop() -> LoopResult {
        let b = Double(beta), x = 1.0, c = 0.3, theta = 1.0, target = 0.0
        func sigma(_ z: Double) -> Double { 1 / (1 + Foundation.exp(-b * z)) }
        func sigmaPrime(_ z: Double) -> Double { let s = sigma(z); return b * s * (1 - s) }
        // Surrogate gradient of the step network: forward with H, backward with σ′.
        func surrogateGradient(_ w1: Double, _ w2: Double) -> (Double, Double) {
            let a1 = w1 * x - theta, h = a1 > 0 ? 1.0 : 0
            let a2 = w2 * h + c - theta, y = a2 > 0 ? 1.0 : 0
            let dy = 2 * (y - target) * sigmaPrime(a2)
            return (dy * w2 * sigmaPrime(a1) * x, dy * h)
        }
        // Exact gradient of the smooth network (H replaced by σ everywhere).
        func smoothGradient(_ w1: Double, _ w2: Double) -> (Double, Double) {
            let a1 = w1 * x - theta, h = sigma(a1)
            let a2 = w2 * h + c - theta, y = sigma(a2)
            let dy = 2 * (y - target) * sigmaPrime(a2)
            return (dy * w2 * sigmaPrime(a1) * x, dy * h)
        }
        let centre = (1.25, 1.0), radius = 0.6
        var surrogate = 0.0, exact = 0.0
        let n = loopPoints
        for k in 0..<n {
            // Midpoint rule on the parametrized circle: ∮ g·dw = Σ g(w(φ))·w′(φ) Δφ.
            let phi = (Double(k) + 0.5) / Double(n) * 2 * Double.pi, dphi = 2 * Double.pi / Double(n)
            let w1 = centre.0 + radius * Foundation.cos(phi), w2 = centre.1 + radius * Foundation.sin(phi)
            let (d1, d2) = (-radius * Foundation.sin(phi) * dphi, radius * Foundation.cos(phi) * dphi)
            let g = surrogateGradient(w1, w2), t = smoothGradient(w1, w2)
            surrogate += g.0 * d1 + g.1 * d2
            exact += t.0 * d1 + t.1 * d2
        }
        return LoopResult(surrogateCirculation: surrogate, trueGradientCirculation: exact, centre: [centre.0, centre.1], radius: radius)
    }

    /// A text report of both checks.
    public static func table(_ rows: [DerivativeRow], _ loop: LoopResult) -> String {
        var lines = ["(a) one stochastic neuron, x = 0.8, θ = 1: surrogate gradient f′(wx − θ)·x vs Monte-Carlo dE[S]/dw",
                     "     w   surrogate   Monte-Carlo ± s.e."]
        for r in rows {
            lines.append(String(format: "%6.2f   %9.5f   %9.5f ± %.5f", r.weight, r.surrogateGradient, r.monteCarloDerivative, r.standardError))
        }
        lines.append(String(format: "(b) loop integral around the circle r = %.2f at (%.2f, %.2f): surrogate field %.6f, true gradient (smooth net) %.2e",
                            loop.radius, loop.centre[0], loop.centre[1], loop.surrogateCirculation, loop.trueGradientCirculation))
        return lines.joined(separator: "\n")
    }

    /// `{"derivative": [{"w", "surrogate", "monte_carlo", "standard_error"}], "loop": {"surrogate_circulation", "true_gradient_circulation"}}`.
    public static func jsonObject(_ rows: [DerivativeRow], _ loop: LoopResult) -> [String: Any] {
        ["derivative": rows.map { ["w": $0.weight, "surrogate": $0.surrogateGradient, "monte_carlo": $0.monteCarloDerivative,
                                    "standard_error": $0.standardError] },
         "loop": ["surrogate_circulation": loop.surrogateCirculation, "true_gradient_circulation": loop.trueGradientCirculation,
                  "centre": loop.centre, "radius": loop.radius] as [String: Any]]
    }
}
