import SNNKernels

/// The surrogate derivative used for `dS/dU` in the backward pass (SPEC §2), with `x = U − θ`.
public enum Surrogate: Sendable, Hashable, Codable {
    /// SuperSpike `1/(β·|x|+1)²`, peak 1. β = 20 in Rossbroich et al. 2022, 10 in Gygax & Zenke 2024.
    case superSpike(beta: Float)
    /// Sigmoid derivative `β σ(βx)(1−σ(βx))`, default β = 10.
    case sigmoid(beta: Float)
    /// Exponential escape-rate derivative `(p0/Δu) e^{x/Δu}` (p0 = 0.01, Δu = 0.133).
    case exponential(p0: Float, deltaU: Float)
    /// snnTorch's fast sigmoid `1/(slope·|x|+1)²`, default slope 25.
    case fastSigmoid(slope: Float)
    /// snnTorch's ATan `(α/2)/(1+(π α x/2)²)`, default α = 2.
    case arcTangent(alpha: Float)
    /// Esser et al.'s triangle `max(0, 1 − |βx|)`, default β = 1.
    case triangle(beta: Float)

    /// SuperSpike with β = 20, the reference surrogate of stork.
    public static let `default` = Surrogate.superSpike(beta: 20)

    /// Checks the parameters are positive and finite.
    public func validate(field: String) throws(ConfigurationError) {
        switch self {
        case let .superSpike(v), let .sigmoid(v), let .fastSigmoid(v), let .arcTangent(v), let .triangle(v):
            try ConfigurationError.requirePositive(Double(v), "\(field) parameter")
        case let .exponential(p0, du):
            try ConfigurationError.requirePositive(Double(p0), "\(field).p0")
            try ConfigurationError.requirePositive(Double(du), "\(field).deltaU")
        }
    }

    /// Calls `visitor` with the kernel struct of this surrogate, so that scans specialise on it.
    public func visit<V: SurrogateVisitor>(_ visitor: V) -> V.Result {
        switch self {
        case let .superSpike(beta): return visitor.visit(SuperSpikeKernel(beta: beta))
        case let .fastSigmoid(slope): return visitor.visit(SuperSpikeKernel(beta: slope))
        case let .sigmoid(beta): return visitor.visit(SigmoidKernel(beta: beta))
        case let .exponential(p0, du): return visitor.visit(ExponentialKernel(p0: p0, deltaU: du))
        case let .arcTangent(alpha): return visitor.visit(ArcTangentKernel(alpha: alpha))
        case let .triangle(beta): return visitor.visit(TriangleKernel(beta: beta))
        }
    }

    /// The surrogate derivative at `x` (scalar convenience; scans use ``visit(_:)``).
    public func derivative(_ x: Float) -> Float { visit(Evaluate(x: x, antiderivative: false)) }

    /// The antiderivative at `x`: the smooth spike of gradient checks.
    public func antiderivative(_ x: Float) -> Float { visit(Evaluate(x: x, antiderivative: true)) }

    private struct Evaluate: SurrogateVisitor {
        let x: Float
        let antiderivative: Bool
        func visit<K: SurrogateKernel>(_ kernel: K) -> Float { antiderivative ? kernel.antiderivative(x) : kernel.derivative(x) }
    }
}

/// Receives the concrete kernel of a ``Surrogate`` (see ``Surrogate/visit(_:)``).
public protocol SurrogateVisitor {
    /// What the visit produces.
    associatedtype Result
    /// Called with the surrogate's kernel.
    func visit<K: SurrogateKernel>(_ kernel: K) -> Result
}
