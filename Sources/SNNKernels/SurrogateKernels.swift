// Surrogate derivatives as small value types, so that the scans specialise on them (no dispatch per element).
import Foundation

/// A surrogate spike derivative `dS/dx` at `x = U − θ`, with its antiderivative (the smooth spike used by gradient checks).
///
/// Conforming types are tiny structs holding their parameters; kernels are generic over them so that the
/// compiler inlines the formula into the scan.
public protocol SurrogateKernel: Sendable {
    /// The surrogate derivative `dS/dx`.
    func derivative(_ x: Float) -> Float
    /// A function whose derivative is ``derivative(_:)``; a smooth stand-in for the step `H(x)`.
    func antiderivative(_ x: Float) -> Float
    /// The surrogate derivative of 16 values at once (lane-wise ``derivative(_:)`` unless a kernel vectorizes it).
    func derivative(_ x: SIMD16<Float>) -> SIMD16<Float>
}

extension SurrogateKernel {
    /// Lane-wise fallback.
    @inlinable @inline(__always) public func derivative(_ x: SIMD16<Float>) -> SIMD16<Float> {
        var out = SIMD16<Float>()
        for k in 0..<16 { out[k] = derivative(x[k]) }
        return out
    }
}

/// `|x|` lane-wise.
@inlinable @inline(__always) func simdAbs(_ x: SIMD16<Float>) -> SIMD16<Float> { x.replacing(with: -x, where: x .< 0) }

/// SuperSpike (Zenke & Ganguli 2018): `1/(β·|x|+1)²`, peak 1 (not multiplied by β). Also snnTorch's fast sigmoid with slope β.
public struct SuperSpikeKernel: SurrogateKernel {
    /// Steepness β.
    public var beta: Float
    /// Creates the kernel with steepness β.
    @inlinable public init(beta: Float) { self.beta = beta }
    @inlinable public func derivative(_ x: Float) -> Float {
        let d = beta * abs(x) + 1
        return 1 / (d * d)
    }
    @inlinable public func antiderivative(_ x: Float) -> Float { x / (1 + beta * abs(x)) }
    @inlinable @inline(__always) public func derivative(_ x: SIMD16<Float>) -> SIMD16<Float> {
        let d = beta * simdAbs(x) + 1
        return 1 / (d * d)
    }
}

/// Derivative of the logistic sigmoid: `β σ(βx)(1 − σ(βx))`.
public struct SigmoidKernel: SurrogateKernel {
    /// Steepness β.
    public var beta: Float
    /// Creates the kernel with steepness β.
    @inlinable public init(beta: Float) { self.beta = beta }
    @inlinable public func derivative(_ x: Float) -> Float {
        let s = antiderivative(x)
        return beta * s * (1 - s)
    }
    @inlinable public func antiderivative(_ x: Float) -> Float { 1 / (1 + Foundation.exp(-beta * x)) }
}

/// Exponential escape-rate derivative `(p0/Δu) e^{x/Δu}`.
public struct ExponentialKernel: SurrogateKernel {
    /// Escape probability p0 at threshold.
    public var p0: Float
    /// Softness Δu.
    public var deltaU: Float
    /// Creates the kernel.
    @inlinable public init(p0: Float, deltaU: Float) { self.p0 = p0; self.deltaU = deltaU }
    @inlinable public func derivative(_ x: Float) -> Float { p0 / deltaU * Foundation.exp(x / deltaU) }
    @inlinable public func antiderivative(_ x: Float) -> Float { p0 * Foundation.exp(x / deltaU) }
}

/// snnTorch's ATan: `(α/2)/(1 + (π α x/2)²)`.
public struct ArcTangentKernel: SurrogateKernel {
    /// Scale α.
    public var alpha: Float
    /// Creates the kernel.
    @inlinable public init(alpha: Float) { self.alpha = alpha }
    @inlinable public func derivative(_ x: Float) -> Float {
        let z = Float.pi * alpha * x / 2
        return (alpha / 2) / (1 + z * z)
    }
    @inlinable public func antiderivative(_ x: Float) -> Float { Foundation.atan(Float.pi * alpha * x / 2) / Float.pi }
    @inlinable @inline(__always) public func derivative(_ x: SIMD16<Float>) -> SIMD16<Float> {
        let z = (Float.pi * alpha / 2) * x
        return (alpha / 2) / (1 + z * z)
    }
}

/// Esser et al.'s triangle: `max(0, 1 − |βx|)`.
public struct TriangleKernel: SurrogateKernel {
    /// Inverse half-width β.
    public var beta: Float
    /// Creates the kernel.
    @inlinable public init(beta: Float) { self.beta = beta }
    @inlinable public func derivative(_ x: Float) -> Float { max(0, 1 - abs(beta * x)) }
    @inlinable @inline(__always) public func derivative(_ x: SIMD16<Float>) -> SIMD16<Float> {
        (1 - simdAbs(beta * x)).replacing(with: 0, where: simdAbs(beta * x) .> 1)
    }
    @inlinable public func antiderivative(_ x: Float) -> Float {
        let edge = 1 / beta
        if x >= edge { return edge / 2 }
        if x <= -edge { return -edge / 2 }
        return x - beta * x * abs(x) / 2
    }
}

/// The forward spike non-linearity of a scan: the Heaviside step (production) or a smooth surrogate antiderivative (gradient checks).
public protocol SpikeNonlinearity: Sendable {
    /// The emitted spike for `x = U − θ`.
    func callAsFunction(_ x: Float) -> Float
}

/// Strict Heaviside step: 1 if `x > 0`, else 0.
public struct HeavisideSpike: SpikeNonlinearity {
    /// Creates the step.
    @inlinable public init() {}
    @inlinable public func callAsFunction(_ x: Float) -> Float { x > 0 ? 1 : 0 }
}

/// The antiderivative of a surrogate used in place of the step, so finite differences see the surrogate gradient.
public struct SmoothSpike<K: SurrogateKernel>: SpikeNonlinearity {
    /// The surrogate whose antiderivative is emitted.
    public var kernel: K
    /// Wraps a surrogate kernel.
    @inlinable public init(_ kernel: K) { self.kernel = kernel }
    @inlinable public func callAsFunction(_ x: Float) -> Float { kernel.antiderivative(x) }
}
