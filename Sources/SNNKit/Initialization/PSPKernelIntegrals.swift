import Foundation

/// How the PSP-kernel integrals ε̄ and ε̂ are computed (SPEC §3.1).
public enum KernelIntegration: String, Sendable, Hashable, Codable {
    /// Summing the discrete-time kernel of the simulated neuron (the reference default; better for Δt ≥ 1 ms).
    case numerical
    /// The continuous-time closed forms ε̄ = τ_syn, ε̂ = τ_syn²/(2(τ_syn + τ_mem)).
    case analytic
}

/// The integrals of the postsynaptic-potential kernel ε of a current-based LIF: ε̄ = ∫ε and ε̂ = ∫ε² (seconds).
///
/// With Campbell's theorem a Poisson train of rate ν through weight w gives `μ_U = n ν μ_W ε̄` and
/// `σ_U² = n ν (μ_W² + σ_W²) ε̂` (Rossbroich et al. 2022).
public struct PSPKernelIntegrals: Sendable, Hashable, Codable {
    /// ε̄ = ∫ε (s).
    public var mean: Double
    /// ε̂ = ∫ε² (s).
    public var meanSquare: Double

    /// Creates the integrals from known values.
    public init(mean: Double, meanSquare: Double) {
        self.mean = mean
        self.meanSquare = meanSquare
    }

    /// Integrals for the given time constants (seconds) and method.
    ///
    /// With τ_syn = 0 (no synaptic filter: a weighted input drives the membrane for one step) the closed forms are
    /// those of an impulse of area Δt, ε̄ = Δt and ε̂ = Δt²/(2τ_mem), the continuous limit of the discrete kernel.
    public init(tauMembrane: Double, tauSynapse: Double, timeStep: Double, integration: KernelIntegration) {
        switch integration {
        case .analytic where tauSynapse == 0:
            self = PSPKernelIntegrals(mean: timeStep, meanSquare: timeStep * timeStep / (2 * tauMembrane))
        case .analytic:
            self = .analytic(tauMembrane: tauMembrane, tauSynapse: tauSynapse)
        case .numerical:
            self = .numerical(tauMembrane: tauMembrane, tauSynapse: tauSynapse, timeStep: timeStep)
        }
    }

    /// Closed forms: ε̄ = τ_syn, ε̂ = τ_syn² / (2(τ_syn + τ_mem)).
    public static func analytic(tauMembrane: Double, tauSynapse: Double) -> PSPKernelIntegrals {
        PSPKernelIntegrals(mean: tauSynapse, meanSquare: tauSynapse * tauSynapse / (2 * (tauSynapse + tauMembrane)))
    }

    /// The discrete kernel of the simulated neuron: length `L = ⌊10·max(τ_mem, τ_syn)/Δt⌋`, starting at `U = 0, I = 1`,
    /// `k[i] = U; U ← λ_m U + (1 − λ_m) I; I ← λ_s I`; then ε̄ = Δt Σk, ε̂ = Δt Σk².
    public static func numerical(tauMembrane: Double, tauSynapse: Double, timeStep dt: Double) -> PSPKernelIntegrals {
        let length = Int(10 * max(tauMembrane, tauSynapse) / dt)
        let lm = exp(-dt / tauMembrane), ls = tauSynapse == 0 ? 0 : exp(-dt / tauSynapse)
        var u = 0.0, i = 1.0, sum = 0.0, sumSquares = 0.0
        for _ in 0..<length {
            sum += u
            sumSquares += u * u
            u = lm * u + (1 - lm) * i
            i = ls * i
        }
        return PSPKernelIntegrals(mean: dt * sum, meanSquare: dt * sumSquares)
    }
}
