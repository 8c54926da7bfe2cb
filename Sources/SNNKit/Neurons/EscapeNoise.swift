import Foundation

/// Stochastic (escape-noise) spiking of paper 4 (Gygax & Zenke 2024, SPEC §1.5): `S = Bernoulli(f(U − θ))`.
///
/// The backward pass uses the escape function's derivative `f′` as the surrogate (the paper's central result:
/// surrogate gradients are smoothed stochastic derivatives); the deterministic neuron is the limit β → ∞.
/// Sampling is exact and seeded: `Bernoulli(f(x)) = H(x − η)` with a threshold offset η drawn per neuron and step
/// from the distribution whose CDF is f (logistic for the sigmoid, log-uniform for the exponential).
public enum EscapeNoise: Sendable, Hashable, Codable {
    /// `f(x) = σ(β x)` (reference β_e = 10).
    case sigmoid(beta: Float)
    /// `f(x) = min(1, p0 · e^{x/Δu})` (reference p0 = 0.01, Δu = 0.133).
    case exponential(p0: Float, deltaU: Float)

    /// The surrogate `f′` used by the backward pass; its antiderivative `f` is the smooth (mean-field) spike.
    public var surrogate: Surrogate {
        switch self {
        case let .sigmoid(beta): return .sigmoid(beta: beta)
        case let .exponential(p0, deltaU): return .exponential(p0: p0, deltaU: deltaU)
        }
    }

    /// The firing probability `f(x)` at `x = U − θ`.
    public func probability(_ x: Float) -> Float {
        switch self {
        case let .sigmoid(beta): return 1 / (1 + Foundation.exp(-beta * x))
        case let .exponential(p0, deltaU): return min(1, p0 * Foundation.exp(x / deltaU))
        }
    }

    /// The threshold offset η for a uniform `u ∈ (0, 1)`: `u < f(x) ⟺ x > η` (η = logit(u)/β, or Δu·ln(u/p0)).
    public func thresholdOffset(uniform u: Double) -> Float {
        let v = min(max(u, 1e-12), 1 - 1e-12)
        switch self {
        case let .sigmoid(beta): return Float(Foundation.log(v / (1 - v))) / beta
        case let .exponential(p0, deltaU): return deltaU * Float(Foundation.log(v / Double(p0)))
        }
    }

    /// Fills `count` threshold offsets from `rng`, choosing the distribution once rather than per element.
    func fillThresholdOffsets(_ out: UnsafeMutablePointer<Float>, count: Int, using rng: inout Xoshiro256StarStar) {
        func uniform() -> Double { min(max(rng.nextUniform(), 1e-12), 1 - 1e-12) }
        switch self {
        case let .sigmoid(beta):
            for e in 0..<count { let v = uniform(); out[e] = Float(Foundation.log(v / (1 - v))) / beta }
        case let .exponential(p0, deltaU):
            let logP0 = Foundation.log(Double(p0))
            for e in 0..<count { out[e] = deltaU * Float(Foundation.log(uniform()) - logP0) }
        }
    }

    func validate(field: String) throws(ConfigurationError) { try surrogate.validate(field: field) }
}
