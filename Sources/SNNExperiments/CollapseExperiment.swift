import Foundation
import SNNKit

/// Firing-rate collapse (Perez-Nieves & Goodman 2023, SPEC §5): the rate of an integrate-and-fire neuron driven by
/// zero-mean noise falls as the simulation gets longer (≈ 1/√T), while a leak, a drift or a lower bound on the
/// membrane give a T-independent rate.
///
/// The model, exactly, for each of `neurons` independent neurons (Δt = 1 step):
/// ```
/// x_t ~ N(0, σ²) i.i.d. (σ = 0.5);   v_0 = 0
/// v_t = β·v_{t−1} + x_t + μ          (IF: β = 1, μ = 0;  drift: μ = 0.05;  LIF: β = 0.9)
/// v_t = max(v_t, b)                  (lower bound only: b = −1, a reflecting floor)
/// if v_t ≥ θ: spike, v_t = v_t − θ   (θ = 1, subtractive reset)
/// ```
/// The rate for T steps is the number of spikes in steps 1 … T over `neurons`·T. The three T of a model are read off
/// one run of max(T) steps per neuron (the first T steps of a longer run are distributed exactly as a run of T steps
/// from v = 0); every model sees the same noise x_t (common random numbers).
///
/// The `theory` column, per step:
/// - IF: σ·√(2/(πT))/θ, the leading-order expected maximum of the random walk over θ·T (rate ∝ 1/√T);
/// - drift: μ/θ (renewal: with a subtractive reset the overshoot is carried over, so the long-run rate is exact);
/// - lower bound: 1/E[passage], E = ((θ' − b')² − (v_r − b')²)/σ² for a reflecting Brownian motion, with the
///   discrete-time boundary corrections of Siegmund: θ' = θ + o, b' = b − o, and the reset value v_r = o, where
///   o = −ζ(1/2)/√(2π)·σ ≈ 0.5826σ is the mean overshoot of a Gaussian random walk;
/// - LIF: the Siegert rate (``SiegertRate``) of the Ornstein–Uhlenbeck approximation: τ_m = −1/ln β steps, free-
///   membrane standard deviation σ/√(1 − β²) (so σ_Siegert = √2·σ/√(1 − β²)), μ = 0, threshold θ + o and reset o,
///   no refractory period.
public struct CollapseExperiment: Sendable {
    /// A neuron model of the experiment.
    public enum Model: Sendable, Hashable, Codable {
        /// Non-leaky integrate-and-fire (collapses).
        case integrateAndFire
        /// IF with a reflecting lower bound b on the membrane.
        case lowerBound(Double)
        /// IF with a constant positive input μ per step.
        case drift(Double)
        /// Leaky integrate-and-fire with decay factor β per step.
        case leaky(beta: Double)

        /// The model's key in the JSON output: `if`, `if_lower_bound`, `if_drift`, `lif`.
        public var key: String {
            switch self {
            case .integrateAndFire: return "if"
            case .lowerBound: return "if_lower_bound"
            case .drift: return "if_drift"
            case .leaky: return "lif"
            }
        }

        /// A readable name with the parameter.
        public var name: String {
            switch self {
            case .integrateAndFire: return "IF"
            case let .lowerBound(b): return "IF + lower bound \(Self.format(b))"
            case let .drift(mu): return "IF + drift \(Self.format(mu))"
            case let .leaky(beta): return "LIF β = \(Self.format(beta))"
            }
        }

        private static func format(_ x: Double) -> String { String(format: "%g", x) }
    }

    /// One (model, T) rate.
    public struct Row: Sendable, Codable, Hashable {
        /// The model.
        public var model: Model
        /// T, the number of steps simulated.
        public var steps: Int
        /// Measured mean rate (spikes per neuron per step).
        public var rate: Double
        /// Standard error of `rate` over neurons.
        public var standardError: Double
        /// The theoretical rate (see the type's documentation).
        public var theory: Double
    }

    /// The models compared (SPEC §5: IF, IF + lower bound −1, IF + drift 0.05, LIF β = 0.9).
    public var models: [Model] = [.integrateAndFire, .lowerBound(-1), .drift(0.05), .leaky(beta: 0.9)]
    /// The simulation lengths T.
    public var steps = [100, 1000, 10_000]
    /// Independent neurons per model.
    public var neurons = 10_000
    /// σ, the standard deviation of the input per step.
    public var inputStandardDeviation = 0.5
    /// θ.
    public var threshold = 1.0
    /// Seed of the input noise.
    public var seed: UInt64 = 1

    /// Creates the experiment with the defaults above (SPEC §5).
    public init() {}

    /// −ζ(1/2)/√(2π): the mean overshoot of a Gaussian random walk over a far boundary, in units of the step's σ.
    public static let overshootFactor = 1.4603545088095868 / (2 * Double.pi).squareRoot()

    /// Simulates every model; rows ordered by model, then T.
    public func run() -> [Row] {
        let horizon = steps.max() ?? 0
        let checkpoints = steps.sorted()
        // counts[m][c][neuron-independent sums]: Σ spikes and Σ spikes² over neurons up to checkpoint c.
        var sums = [[Double]](repeating: [Double](repeating: 0, count: checkpoints.count), count: models.count)
        var squares = sums
        var rng = Xoshiro256StarStar(seed: seed)
        var noise = [Double](repeating: 0, count: horizon)
        let sigma = inputStandardDeviation, theta = threshold
        for _ in 0..<neurons {
            for t in stride(from: 0, to: horizon, by: 2) {
                let bits = rng.next()
                let u1 = (Double(bits >> 32) + 1) * 0x1.0p-32, u2 = Double(bits & 0xFFFF_FFFF) * 0x1.0p-32
                let radius = (-2 * Foundation.log(u1)).squareRoot() * sigma
                noise[t] = radius * Foundation.cos(2 * Double.pi * u2)
                if t + 1 < horizon { noise[t + 1] = radius * Foundation.sin(2 * Double.pi * u2) }
            }
            for (m, model) in models.enumerated() {
                var beta = 1.0, mu = 0.0, floor = -Double.infinity
                switch model {
                case .integrateAndFire: break
                case let .lowerBound(b): floor = b
                case let .drift(d): mu = d
                case let .leaky(b): beta = b
                }
                var v = 0.0, count = 0, c = 0
                noise.withUnsafeBufferPointer { x in
                    for t in 0..<horizon {
                        v = max(beta * v + x[t] + mu, floor)
                        if v >= theta {
                            count += 1
                            v -= theta
                        }
                        while c < checkpoints.count && checkpoints[c] == t + 1 {
                            sums[m][c] += Double(count)
                            squares[m][c] += Double(count * count)
                            c += 1
                        }
                    }
                }
            }
        }
        var rows: [Row] = []
        for (m, model) in models.enumerated() {
            for T in steps {
                let c = checkpoints.firstIndex(of: T)!
                let n = Double(neurons)
                let mean = sums[m][c] / n
                let variance = max(0, squares[m][c] / n - mean * mean) * n / max(n - 1, 1)
                rows.append(Row(model: model, steps: T, rate: mean / Double(T),
                                standardError: (variance / n).squareRoot() / Double(T), theory: theory(model, steps: T)))
            }
        }
        return rows
    }

    /// The theoretical rate per step of a model over T steps (see the type's documentation).
    public func theory(_ model: Model, steps T: Int) -> Double {
        let sigma = inputStandardDeviation, theta = threshold
        let o = Self.overshootFactor * sigma
        switch model {
        case .integrateAndFire:
            return sigma * (2 / (Double.pi * Double(T))).squareRoot() / theta
        case let .drift(mu):
            return mu / theta
        case let .lowerBound(b):
            let top = theta + o, bottom = b - o, start = o
            return sigma * sigma / ((top - bottom) * (top - bottom) - (start - bottom) * (start - bottom))
        case let .leaky(beta):
            let tau = -1 / Foundation.log(beta)
            let free = sigma / (1 - beta * beta).squareRoot()
            let siegert = SiegertRate(tauMembrane: .seconds(tau), threshold: theta + o, reset: o)
            return siegert.hertz(mean: 0, sigma: 2.0.squareRoot() * free)   // per step: one "second" is one step
        }
    }

    /// A text table: one line per model with the rate at each T, and the theory.
    public static func table(_ rows: [Row]) -> String {
        var models: [Model] = []
        for r in rows where !models.contains(r.model) { models.append(r.model) }
        let steps = rows.filter { $0.model == models.first }.map(\.steps)
        var lines = ["model                  " + steps.map { "T=\($0)".leftPadded(10) }.joined() + "    theory (per T)"]
        for m in models {
            let mine = rows.filter { $0.model == m }
            let theory: String
            if case .integrateAndFire = m {
                theory = mine.map { String(format: "%.4f", $0.theory) }.joined(separator: " / ")
            } else {
                theory = String(format: "%.4f", mine.first?.theory ?? 0)
            }
            lines.append(m.name.padding(toLength: 22, withPad: " ", startingAt: 0) + " "
                         + mine.map { String(format: "%10.4f", $0.rate) }.joined() + "    " + theory)
        }
        return lines.joined(separator: "\n")
    }

    /// `{"rows": [{"model", "name", "steps", "rate", "standard_error", "theory"}, …]}`.
    public static func jsonObject(_ rows: [Row]) -> [String: Any] {
        ["rows": rows.map { r in
            ["model": r.model.key, "name": r.model.name, "steps": r.steps, "rate": r.rate, "standard_error": r.standardError,
             "theory": r.theory] as [String: Any]
        }]
    }
}
