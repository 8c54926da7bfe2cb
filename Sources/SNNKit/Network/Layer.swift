/// One layer of a ``SpikingNetwork``: a population of neurons and the projections that drive it.
public struct Layer: Sendable, Hashable, Codable {
    /// A name for reports (`"hidden1"`, `"readout"`).
    public var name: String
    /// Number of neurons `N`.
    public var size: Int
    /// The neuron model and its fixed dynamics.
    public var neuron: NeuronModel
    /// Afferent projections; at most one is recurrent (source = this layer).
    public var afferents: [DenseProjection]

    /// Creates a layer.
    public init(name: String, size: Int, neuron: NeuronModel, afferents: [DenseProjection]) {
        self.name = name
        self.size = size
        self.neuron = neuron
        self.afferents = afferents
    }

    /// Whether the projection at `index` is recurrent for the layer at `layerIndex`.
    public func isRecurrent(afferent index: Int, layerIndex: Int) -> Bool {
        afferents[index].source == .layer(layerIndex)
    }
}

/// A declaration of a layer inside the ``SpikingNetwork`` builder; it becomes a ``Layer`` once the input size is known.
public protocol LayerDeclaration: Sendable {
    /// Builds the layer at `index` fed by `inputSize` units of the previous layer (or the input).
    func makeLayer(index: Int, inputSize: Int) throws(ConfigurationError) -> Layer
}

/// A layer of current-based LIF neurons fed by the previous layer, optionally all-to-all recurrent.
public struct LIFLayer: LayerDeclaration {
    /// Number of neurons.
    public var size: Int
    /// The neuron dynamics.
    public var dynamics: LIFDynamics
    /// Whether the layer has an all-to-all recurrent projection onto itself.
    public var isRecurrent: Bool
    /// Whether projections into the layer carry a bias.
    public var hasBias: Bool
    /// Optional name for reports.
    public var name: String?

    /// Declares an LIF layer (reference defaults: τ 20/10 ms, θ 1, SuperSpike β 20, detached reset, no bias).
    public init(_ size: Int, tauMembrane: Duration = .milliseconds(20), tauSynapse: Duration = .milliseconds(10),
                threshold: Float = 1, isRecurrent: Bool = false, surrogate: Surrogate = .default,
                resetGradient: ResetGradient = .detached, hasBias: Bool = false, name: String? = nil) {
        self.size = size
        self.dynamics = LIFDynamics(tauMembrane: tauMembrane, tauSynapse: tauSynapse, threshold: threshold,
                                    surrogate: surrogate, resetGradient: resetGradient)
        self.isRecurrent = isRecurrent
        self.hasBias = hasBias
        self.name = name
    }

    /// Builds the layer.
    public func makeLayer(index: Int, inputSize: Int) throws(ConfigurationError) -> Layer {
        try ConfigurationError.requirePositive(size, "layer \(index) (LIF) size")
        let source: LayerSource = index == 0 ? .input : .layer(index - 1)
        var afferents = [DenseProjection(source: source, targetSize: size, sourceSize: inputSize, hasBias: hasBias)]
        if isRecurrent {
            afferents.append(DenseProjection(source: .layer(index), targetSize: size, sourceSize: size, hasBias: false))
        }
        return Layer(name: name ?? "hidden\(index + 1)", size: size, neuron: .lif(dynamics), afferents: afferents)
    }
}

/// A non-spiking leaky readout fed by the previous layer (SPEC §1.2).
public struct LeakyReadout: LayerDeclaration {
    /// Number of output units (classes).
    public var size: Int
    /// The readout dynamics.
    public var dynamics: ReadoutDynamics
    /// Whether the projection carries a bias.
    public var hasBias: Bool
    /// Optional name for reports.
    public var name: String?

    /// Declares a readout; τ_mem is usually the sample duration, τ_syn 10 ms.
    public init(_ size: Int, tauMembrane: Duration, tauSynapse: Duration = .milliseconds(10), initialState: Float = -1e-3,
                hasBias: Bool = false, name: String? = nil) {
        self.size = size
        self.dynamics = ReadoutDynamics(tauMembrane: tauMembrane, tauSynapse: tauSynapse, initialState: initialState)
        self.hasBias = hasBias
        self.name = name
    }

    /// Builds the layer.
    public func makeLayer(index: Int, inputSize: Int) throws(ConfigurationError) -> Layer {
        try ConfigurationError.requirePositive(size, "layer \(index) (readout) size")
        let source: LayerSource = index == 0 ? .input : .layer(index - 1)
        return Layer(name: name ?? "readout", size: size, neuron: .readout(dynamics),
                     afferents: [DenseProjection(source: source, targetSize: size, sourceSize: inputSize, hasBias: hasBias)])
    }
}

/// Collects layer declarations for ``SpikingNetwork/init(inputs:timeStep:layers:)``; supports `if` and `for`.
@resultBuilder
public enum LayerBuilder {
    /// One declaration.
    public static func buildExpression(_ layer: any LayerDeclaration) -> [any LayerDeclaration] { [layer] }
    /// Concatenates the declarations of a block.
    public static func buildBlock(_ parts: [any LayerDeclaration]...) -> [any LayerDeclaration] { parts.flatMap { $0 } }
    /// An `if` without `else`.
    public static func buildOptional(_ part: [any LayerDeclaration]?) -> [any LayerDeclaration] { part ?? [] }
    /// The first branch of an `if`/`else`.
    public static func buildEither(first part: [any LayerDeclaration]) -> [any LayerDeclaration] { part }
    /// The second branch of an `if`/`else`.
    public static func buildEither(second part: [any LayerDeclaration]) -> [any LayerDeclaration] { part }
    /// A `for` loop.
    public static func buildArray(_ parts: [[any LayerDeclaration]]) -> [any LayerDeclaration] { parts.flatMap { $0 } }
}
