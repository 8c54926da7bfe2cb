import Foundation

/// How the deep-propagation initializer accounts for a finite layer width (Micheli et al. 2024).
public enum FiniteWidthCorrection: Sendable, Hashable, Codable {
    /// The infinite-width rule: the presynaptic tail fraction is p = 1 − Φ(θ).
    case none
    /// Replace p by the lower end p_L of the one-sided Wilson score interval at `confidence` for a fraction p̂ = 1 − Φ(θ)
    /// observed on n = fan-in units:
    /// ```
    /// z = Φ⁻¹(confidence),  p_L = (p̂ + z²/(2n) − z·√(p̂(1 − p̂)/n + z²/(4n²))) / (1 + z²/n).
    /// ```
    /// With n units the number above θ is Binomial(n, p̂); p_L is the fraction that a layer of this width reaches or
    /// exceeds with probability ≈ `confidence`, so sizing the weights for it keeps narrow layers from drifting into
    /// silence (at θ = 1, 95 %: n·Var[W] = 9.29 for n = 100, 7.11 for n = 1000, → 6.3030 as n → ∞).
    case wilsonLowerBound(confidence: Double)

    /// The Wilson lower bound at 95 % confidence.
    public static let wilson95 = FiniteWidthCorrection.wilsonLowerBound(confidence: 0.95)

    /// The tail fraction used for expected fraction `p` on `width` units.
    public func tailFraction(_ p: Double, width: Double) -> Double {
        switch self {
        case .none:
            return p
        case let .wilsonLowerBound(confidence):
            let z = StandardNormal.quantile(confidence), n = width
            let centre = p + z * z / (2 * n)
            let spread = z * (p * (1 - p) / n + z * z / (4 * n * n)).squareRoot()
            return max(0, (centre - spread) / (1 + z * z / n))
        }
    }
}

/// Deep activity propagation (Micheli, Booij, van Gemert & Tömen 2024, SPEC §4): zero-mean Gaussian weights with
///
/// ```
/// n·Var[W] = 1/(1 − Φ(θ))      (6.3030 at θ = 1; 2 at θ = 0, which is Kaiming's rule)
/// ```
///
/// where n is the fan-in (``Projection/fanIn``: source units of a dense projection, C_in·k_h·k_w of a convolution) and
/// Φ the standard normal distribution function. Rationale: if a layer's pre-activations are standardized, u ~ N(0, 1),
/// a unit with threshold θ fires with probability p = 1 − Φ(θ), so its binary outputs have E[s²] = p; the next
/// pre-activation W·s then has variance n·Var[W]·p, which is 1 again exactly under this rule — the firing fraction
/// p propagates through any depth instead of dying out (Kaiming, n·Var[W] = 2, gives variance 2p = 0.32 at θ = 1 and
/// the network falls silent within three layers).
///
/// With a ``FiniteWidthCorrection`` the fraction p is replaced by a lower confidence bound p_L computed for the
/// projection's fan-in. Every projection is sized on its own (as Kaiming's rule is), so recurrent afferents add to
/// the variance of the feed-forward ones.
public struct DeepPropagationInitializer: Sendable, Hashable, Codable {
    /// θ, the threshold in units of the standardized pre-activation (1 in the paper and SPEC §4).
    public var threshold: Double
    /// The finite-width variant, if any.
    public var finiteWidth: FiniteWidthCorrection

    /// Creates the initializer.
    public init(threshold: Double = 1, finiteWidth: FiniteWidthCorrection = .none) {
        self.threshold = threshold
        self.finiteWidth = finiteWidth
    }

    /// Checks that θ is finite and that a confidence lies in (0, 1).
    public func validate() throws(ConfigurationError) {
        guard threshold.isFinite else { throw .outOfRange(field: "deepPropagation.threshold", value: threshold, range: "finite values") }
        if case let .wilsonLowerBound(confidence) = finiteWidth, !(confidence > 0 && confidence < 1) {
            throw .outOfRange(field: "deepPropagation.finiteWidth.confidence", value: confidence, range: "(0, 1)")
        }
    }

    /// 1 − Φ(θ), the fraction of units above threshold for standardized pre-activations (0.158655 at θ = 1).
    public var tailFraction: Double { StandardNormal.complementaryCDF(threshold) }

    /// n·Var[W] = 1/(1 − Φ(θ)) of the infinite-width rule (6.3030 at θ = 1, 2 at θ = 0).
    public static func fanInVariance(threshold: Double) -> Double {
        1 / StandardNormal.complementaryCDF(threshold)
    }

    /// n·Var[W] for a projection with fan-in `fanIn`: 1/p, with p the tail fraction after the finite-width
    /// correction (+∞ if the correction leaves no units above threshold).
    public func fanInVariance(fanIn: Double) -> Double {
        1 / finiteWidth.tailFraction(tailFraction, width: fanIn)
    }

    /// σ_W = √(n·Var[W] / n) for fan-in n.
    public func weightStandardDeviation(fanIn: Double) -> Double {
        (fanInVariance(fanIn: fanIn) / fanIn).squareRoot()
    }
}
