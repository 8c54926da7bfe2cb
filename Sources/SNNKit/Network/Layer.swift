/// One layer of a ``SpikingNetwork``: a population of neurons and the projections that drive it.
public struct Layer: Sendable, Hashable, Codable {
    /// A name for reports (`"hidden1"`, `"readout"`).
    public var name: String
    /// Number of neurons `N`.
    public var size: Int
    /// The neuron model and its fixed dynamics.
    public var neuron: NeuronModel
    /// Afferent projections (feed-forward from the input or earlier layers, recurrent from this layer).
    public var afferents: [Projection]
    /// The layout of the units (channels × positions, channels-last); flat by default.
    public var shape: ActivityShape
    /// The units later layers read (the excitatory units of a Dalian layer); all units when nil.
    public var outputUnits: Range<Int>?
    /// Per-neuron (heterogeneous and/or learned) τ_mem and τ_syn of a spiking layer; nil = the dynamics' τ for all.
    public var timeConstants: NeuronTimeConstants?
    /// Dropout probability p on the spikes a spiking layer transmits while training (inverted dropout: kept spikes are
    /// scaled by 1/(1 − p); the neuron's own reset is unaffected). 0 = none.
    public var dropout: Double = 0

    /// Creates a layer; `shape` defaults to a flat population of `size` units.
    public init(name: String, size: Int, neuron: NeuronModel, afferents: [Projection], shape: ActivityShape? = nil,
                outputUnits: Range<Int>? = nil) {
        self.name = name
        self.size = size
        self.neuron = neuron
        self.afferents = afferents
        self.shape = shape ?? .flat(size)
        self.outputUnits = outputUnits
    }

    /// Whether the projection at `index` is recurrent for the layer at `layerIndex`.
    public func isRecurrent(afferent index: Int, layerIndex: Int) -> Bool {
        afferents[index].source == .layer(layerIndex)
    }

    /// Whether the layer runs the two-current scan (adaptive or E/I neurons, or per-neuron time constants).
    var usesDualScan: Bool { neuron.hasSecondCurrent || timeConstants != nil }

    /// Indices of the recurrent afferents (source = this layer at `layerIndex`).
    public func recurrentAfferents(layerIndex: Int) -> [Int] {
        afferents.indices.filter { afferents[$0].source == .layer(layerIndex) }
    }
}

/// What a declaration in the ``SpikingNetwork`` builder knows when it becomes a ``Layer``: its index, the layers
/// built before it and the network input.
public struct LayerContext: Sendable {
    /// Index of the layer being built.
    public var index: Int
    /// The layers built so far.
    public var earlierLayers: [Layer]
    /// The network input's shape.
    public var inputShape: ActivityShape

    /// The activity a layer reads from `source`: its shape and the unit range (E units of a Dalian layer).
    public func activity(of source: LayerSource) -> (shape: ActivityShape, units: Range<Int>?) {
        switch source {
        case .input: return (inputShape, nil)
        case let .layer(k):
            let l = earlierLayers[k]
            if let u = l.outputUnits { return (.flat(u.count), u) }
            return (l.shape, nil)
        }
    }

    /// The previous layer, or the input for the first one.
    public var previous: LayerSource { index == 0 ? .input : .layer(index - 1) }

    /// A dense projection from `source` into `size` units.
    public func denseProjection(from source: LayerSource, into size: Int, synapse: Synapse = .excitatory, hasBias: Bool = false,
                                constraint: WeightConstraint = .none) -> Projection {
        let a = activity(of: source)
        return Projection(source: source, targetSize: size, sourceSize: a.shape.count, sourceUnits: a.units, synapse: synapse,
                          hasBias: hasBias, constraint: constraint)
    }

    /// Validates skip sources: earlier layers only.
    func requireEarlier(_ sources: [LayerSource], field: String) throws(ConfigurationError) {
        for case let .layer(k) in sources where !(0..<index).contains(k) {
            throw .invalidNetwork(reason: "\(field): skip source layer \(k) is not an earlier layer (layer \(index) is being built)")
        }
    }
}

/// A declaration of a layer inside the ``SpikingNetwork`` builder; it becomes a ``Layer`` once its inputs are known.
public protocol LayerDeclaration: Sendable {
    /// Builds the layer from the context (index, earlier layers, input shape).
    func makeLayer(in context: LayerContext) throws(ConfigurationError) -> Layer
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
    /// Extra feed-forward sources besides the previous layer (skip connections from the input or earlier layers).
    public var skipSources: [LayerSource]
    /// Optional name for reports.
    public var name: String?
    /// The adaptation current (τ_ada, a) of an adaptive LIF (SPEC §1.3), if any.
    public var adaptation: (tau: Duration, strength: Float)?
    /// Whether τ_mem and τ_syn are learned per neuron (τ_eff = 2τ·sigmoid(p)).
    public var learnsTimeConstants: Bool
    /// σ_τ: the log-normal spread of per-neuron time constants (0 = homogeneous).
    public var timeConstantSpread: Double
    /// Dropout probability on the layer's transmitted spikes while training.
    public var dropout: Double

    /// Declares an LIF layer (reference defaults: τ 20/10 ms, θ 1, SuperSpike β 20, detached reset, no bias).
    /// - Parameters:
    ///   - tauSynapse: τ_syn; `.zero` removes the synaptic filter (λ_s = 0: the membrane integrates its input
    ///     directly, NIR's `LIF`; not with `adaptation` or `learnsTimeConstants`).
    ///   - adaptation: makes the layer an adaptive LIF with adaptation time constant τ_ada and strength a
    ///     (reference: 100 ms, 0.1).
    ///   - learnsTimeConstants: train per-neuron τ_mem and τ_syn (τ_eff = 2τ·sigmoid(p), p starting at 0 or at the
    ///     heterogeneous draw).
    ///   - timeConstantSpread: σ_τ of per-neuron heterogeneous time constants (log-normal, mean τ), drawn once.
    ///   - dropout: probability of dropping each transmitted spike while training (inverted dropout).
    ///   - escapeNoise: stochastic spiking, Bernoulli(f(U − θ)), with f′ as the surrogate (paper 4, SPEC §1.5);
    ///     not combined with `adaptation`.
    ///   - skipSources: further feed-forward sources (skip connections), each with its own dense projection.
    public init(_ size: Int, tauMembrane: Duration = .milliseconds(20), tauSynapse: Duration = .milliseconds(10),
                threshold: Float = 1, isRecurrent: Bool = false, surrogate: Surrogate = .default,
                resetGradient: ResetGradient = .detached, adaptation: (tau: Duration, strength: Float)? = nil,
                learnsTimeConstants: Bool = false, timeConstantSpread: Double = 0, dropout: Double = 0,
                escapeNoise: EscapeNoise? = nil, hasBias: Bool = false, skipSources: [LayerSource] = [], name: String? = nil) {
        self.dropout = dropout
        self.learnsTimeConstants = learnsTimeConstants
        self.timeConstantSpread = timeConstantSpread
        self.size = size
        self.dynamics = LIFDynamics(tauMembrane: tauMembrane, tauSynapse: tauSynapse, threshold: threshold,
                                    surrogate: surrogate, resetGradient: resetGradient, escapeNoise: escapeNoise)
        self.isRecurrent = isRecurrent
        self.adaptation = adaptation
        self.hasBias = hasBias
        self.skipSources = skipSources
        self.name = name
    }

    /// The neuron model declared.
    var neuron: NeuronModel {
        guard let adaptation else { return .lif(dynamics) }
        return .adaptiveLIF(AdaptiveLIFDynamics(tauMembrane: dynamics.tauMembrane, tauSynapse: dynamics.tauSynapse,
                                                tauAdaptation: adaptation.tau, adaptationStrength: adaptation.strength,
                                                threshold: dynamics.threshold, surrogate: dynamics.surrogate,
                                                resetGradient: dynamics.resetGradient))
    }

    /// Builds the layer.
    public func makeLayer(in context: LayerContext) throws(ConfigurationError) -> Layer {
        let index = context.index
        try ConfigurationError.requirePositive(size, "layer \(index) (LIF) size")
        try context.requireEarlier(skipSources, field: "layer \(index) (LIF)")
        var afferents = ([context.previous] + skipSources).map { context.denseProjection(from: $0, into: size, hasBias: hasBias) }
        if isRecurrent {
            afferents.append(Projection(source: .layer(index), targetSize: size, sourceSize: size))
        }
        if adaptation != nil && dynamics.escapeNoise != nil {
            throw .invalidNetwork(reason: "layer \(index) (LIF): escape noise is not available for adaptive LIF neurons")
        }
        guard timeConstantSpread >= 0, timeConstantSpread.isFinite else {
            throw .outOfRange(field: "layer \(index) (LIF).timeConstantSpread", value: timeConstantSpread, range: "[0, ∞)")
        }
        var layer = Layer(name: name ?? "hidden\(index + 1)", size: size, neuron: neuron, afferents: afferents)
        layer.dropout = dropout
        if timeConstantSpread > 0 {
            var rng = Xoshiro256StarStar(seed: 0x7A0 &+ UInt64(index))
            layer.timeConstants = NeuronTimeConstants(units: size, spread: timeConstantSpread, isLearned: learnsTimeConstants, using: &rng)
        } else if learnsTimeConstants {
            layer.timeConstants = NeuronTimeConstants(units: size, isLearned: true)
        }
        return layer
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

    /// Declares a readout; τ_mem is usually the sample duration, τ_syn 10 ms (`.zero`: no synaptic filter, NIR's `LI`).
    public init(_ size: Int, tauMembrane: Duration, tauSynapse: Duration = .milliseconds(10), initialState: Float = -1e-3,
                hasBias: Bool = false, name: String? = nil) {
        self.size = size
        self.dynamics = ReadoutDynamics(tauMembrane: tauMembrane, tauSynapse: tauSynapse, initialState: initialState)
        self.hasBias = hasBias
        self.name = name
    }

    /// Builds the layer.
    public func makeLayer(in context: LayerContext) throws(ConfigurationError) -> Layer {
        try ConfigurationError.requirePositive(size, "layer \(context.index) (readout) size")
        return Layer(name: name ?? "readout", size: size, neuron: .readout(dynamics),
                     afferents: [context.denseProjection(from: context.previous, into: size, hasBias: hasBias)])
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
