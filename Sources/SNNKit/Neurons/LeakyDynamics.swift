import Foundation

/// The leaky (delta-synapse) neuron with subtractive reset of paper 2 (Micheli et al. 2024, SPEC §1.6; snnTorch's
/// `Leaky`): `U[t] = β U[t−1] + W·S_in[t] − θ S[t−1]`, `S[t] = H(U[t] − θ)`, reset detached.
///
/// Its input acts in the same step (no synaptic current), so a projection into a leaky layer adds no delay; leaky
/// layers cannot be recurrent.
public struct LeakyDynamics: Sendable, Hashable, Codable {
    /// β, the membrane decay per step (reference 0.5).
    public var beta: Float
    /// θ, the firing threshold.
    public var threshold: Float
    /// The surrogate derivative (paper 2 uses ATan or fast sigmoid).
    public var surrogate: Surrogate

    /// Creates leaky dynamics (reference: β 0.5, θ 1, ATan α 2).
    public init(beta: Float = 0.5, threshold: Float = 1, surrogate: Surrogate = .arcTangent(alpha: 2)) {
        self.beta = beta
        self.threshold = threshold
        self.surrogate = surrogate
    }

    func validate(field: String) throws(ConfigurationError) {
        guard beta >= 0 && beta < 1 else { throw .outOfRange(field: "\(field).beta", value: Double(beta), range: "[0, 1)") }
        guard threshold.isFinite else { throw .nonPositiveParameter(field: "\(field).threshold", value: Double(threshold)) }
        try surrogate.validate(field: "\(field).surrogate")
    }
}

/// A feed-forward layer of leaky delta-synapse neurons (paper 2).
public struct LeakyLayer: LayerDeclaration {
    /// Number of neurons.
    public var size: Int
    /// The dynamics.
    public var dynamics: LeakyDynamics
    /// Whether the projection carries a bias.
    public var hasBias: Bool
    /// Optional name for reports.
    public var name: String?

    /// Declares a leaky layer.
    public init(_ size: Int, dynamics: LeakyDynamics = .init(), hasBias: Bool = false, name: String? = nil) {
        self.size = size
        self.dynamics = dynamics
        self.hasBias = hasBias
        self.name = name
    }

    /// Builds the layer.
    public func makeLayer(in context: LayerContext) throws(ConfigurationError) -> Layer {
        try ConfigurationError.requirePositive(size, "layer \(context.index) (leaky) size")
        return Layer(name: name ?? "leaky\(context.index + 1)", size: size, neuron: .leaky(dynamics),
                     afferents: [context.denseProjection(from: context.previous, into: size, hasBias: hasBias)])
    }
}
