import Foundation

/// The standard normal distribution N(0, 1): density φ, distribution function Φ, its complement and inverses.
///
/// Φ and 1 − Φ are evaluated through `erfc`, which keeps full relative precision in both tails
/// (`Φ(−10) ≈ 7.6e-24`, not 0). The quantiles invert them with safeguarded Halley steps to a relative accuracy of
/// a few ulps, so `quantile(cdf(x)) == x` up to rounding. Φ enters the deep-propagation initializer of
/// Micheli et al. (2024): `n·Var[W] = 1/(1 − Φ(θ))`.
public enum StandardNormal {
    /// φ(x) = e^{−x²/2}/√(2π), the density.
    public static func density(_ x: Double) -> Double {
        Foundation.exp(-0.5 * x * x) / (2 * Double.pi).squareRoot()
    }

    /// Φ(x) = P(u ≤ x) = erfc(−x/√2)/2, the distribution function.
    public static func cdf(_ x: Double) -> Double {
        0.5 * Foundation.erfc(-x / 2.0.squareRoot())
    }

    /// 1 − Φ(x) = P(u > x) = erfc(x/√2)/2, the upper tail, accurate for large x (where `1 − cdf(x)` is 0).
    public static func complementaryCDF(_ x: Double) -> Double {
        0.5 * Foundation.erfc(x / 2.0.squareRoot())
    }

    /// Φ⁻¹(p), the quantile: the x with Φ(x) = p, for p ∈ [0, 1] (−∞ at 0, +∞ at 1, NaN outside).
    ///
    /// For p > 1/2 this is −Φ⁻¹(1 − p); when 1 − p is known more precisely than p, call ``upperQuantile(_:)``.
    public static func quantile(_ p: Double) -> Double {
        guard p >= 0 && p <= 1 else { return .nan }
        if p == 0 { return -.infinity }
        if p == 1 { return .infinity }
        if p > 0.5 { return -lowerTailQuantile(1 - p) }
        return lowerTailQuantile(p)
    }

    /// The x with 1 − Φ(x) = q, i.e. Φ⁻¹(1 − q), accurate for small q (e.g. q = 1e-12 gives x ≈ 7.03).
    public static func upperQuantile(_ q: Double) -> Double {
        guard q >= 0 && q <= 1 else { return .nan }
        return -quantile(q)
    }

    /// Solves Φ(x) = p for p ∈ (0, 1/2] (so x ≤ 0) by Halley's method on f(x) = Φ(x) − p, kept inside a
    /// shrinking bracket (bisection whenever a step leaves it).
    private static func lowerTailQuantile(_ p: Double) -> Double {
        // Starting point: the linear approximation near the center, the Mills-ratio asymptote in the tail.
        var x: Double
        if p > 0.3 {
            x = (p - 0.5) * (2 * Double.pi).squareRoot()
        } else {
            let u = -2 * Foundation.log(p)
            x = -(u - Foundation.log(2 * Double.pi * u)).squareRoot()
            if !(x < 0) { x = -0.5 }
        }
        var lower = -40.0, upper = 0.0   // Φ(−40) < the smallest positive Double
        for _ in 0..<100 {
            let f = cdf(x) - p
            if f == 0 { return x }
            if f > 0 { upper = min(upper, x) } else { lower = max(lower, x) }
            let d = density(x)
            var next: Double
            if d > 0 {
                let newton = f / d
                // Halley: f'' = −x·φ(x), so the correction is newton / (1 + x·newton/2).
                next = x - newton / (1 + 0.5 * x * newton)
            } else {
                next = .nan
            }
            if !(next >= lower && next <= upper) { next = 0.5 * (lower + upper) }
            if abs(next - x) <= 4 * Double.ulpOfOne * max(1, abs(x)) {
                return next
            }
            x = next
        }
        return x
    }
}

/// erfcx(x) = e^{x²}·erfc(x), the scaled complementary error function.
///
/// Finite and smooth for every x ≥ −26 (it overflows to +∞ below about −26.6, like e^{x²}); erfcx(x) ≈ 1/(x√π) for
/// large x, where `exp(x*x) * erfc(x)` would be 0·∞. Evaluated as `exp(x²)·erfc(x)` for 0 ≤ x < 5, by the Laplace
/// continued fraction for x ≥ 5, and by the reflection erfcx(x) = 2e^{x²} − erfcx(−x) for x < 0. Used by the Siegert
/// formula, whose integrand e^{y²}(1 + erf y) equals erfcx(−y).
public func erfcx(_ x: Double) -> Double {
    if x.isNaN { return .nan }
    if x < 0 {
        return 2 * Foundation.exp(x * x) - erfcx(-x)
    }
    if x < 5 {
        return Foundation.exp(x * x) * Foundation.erfc(x)
    }
    if x.isInfinite { return 0 }
    // erfc(x) = e^{−x²}/√π · 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + 2/(x + …))))), evaluated from the tail up.
    // At x ≥ 5 forty levels are far more than double precision needs.
    var tail = x
    for k in stride(from: 40, through: 1, by: -1) {
        tail = x + (Double(k) / 2) / tail
    }
    return 1 / (tail * Double.pi.squareRoot())
}
