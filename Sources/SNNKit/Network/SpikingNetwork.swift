/// A spiking network: input channels feeding layers in order, simulated on a fixed time grid.
///
/// ```swift
/// var net = try SpikingNetwork(inputs: 20, timeStep: .milliseconds(2)) {
///     LIFLayer(128)
///     LeakyReadout(10, tauMembrane: .milliseconds(200), initialState: -1e-2)
/// }
/// ```
/// Layers run in index order; each projection adds one step of delay (reference semantics, SPEC §1.1).
/// Weights start from PyTorch's default `U(±1/√n)` with seed 0; call ``initialize(_:rates:using:)``.
public struct SpikingNetwork: Sendable, Hashable, Codable {
    /// Number of input channels.
    public let inputs: Int
    /// The layout of the input units (flat unless declared, e.g. 2 polarities × 32 × 32 for DVS frames).
    public let inputShape: ActivityShape
    /// The simulation time step Δt.
    public let timeStep: Duration
    /// The layers, in execution order; the last one is the output.
    public internal(set) var layers: [Layer]

    /// Builds and validates a network from declarations.
    /// - Parameter inputShape: the input's layout (channels-last); defaults to `inputs` flat channels.
    /// - Throws: ``ConfigurationError`` for zero or negative sizes, τ ≤ 0, Δt ≥ τ, bad surrogate parameters,
    ///   geometry that does not fit.
    public init(inputs: Int, inputShape: ActivityShape? = nil, timeStep: Duration,
                @LayerBuilder layers: () -> [any LayerDeclaration]) throws(ConfigurationError) {
        try ConfigurationError.requirePositive(inputs, "network.inputs")
        let shape = inputShape ?? .flat(inputs)
        guard shape.count == inputs else {
            throw .shapeMismatch(what: "network.inputShape", expected: "\(inputs) units", found: "\(shape) = \(shape.count)")
        }
        var built: [Layer] = []
        for (k, declaration) in layers().enumerated() {
            built.append(try declaration.makeLayer(in: LayerContext(index: k, earlierLayers: built, inputShape: shape)))
        }
        try self.init(inputs: inputs, inputShape: shape, timeStep: timeStep, layers: built)
        var rng = Xoshiro256StarStar(seed: 0)
        for id in parameterIDs where id.kind == .weights {
            let n = max(self.layers[id.layer].afferents[id.afferent].fanIn, 1)
            self[id].scalars = WeightDistribution.uniform.sample(count: self[id].count, mean: 0, scale: 1 / Double(n).squareRoot(), using: &rng)
        }
        applyConstraints()
    }

    /// Creates a network from fully specified layers (explicit graph form), validating every field.
    public init(inputs: Int, inputShape: ActivityShape? = nil, timeStep: Duration, layers: [Layer]) throws(ConfigurationError) {
        try ConfigurationError.requirePositive(inputs, "network.inputs")
        try ConfigurationError.requirePositive(timeStep.seconds, "network.timeStep (seconds)")
        let shape = inputShape ?? .flat(inputs)
        guard shape.count == inputs else {
            throw .shapeMismatch(what: "network.inputShape", expected: "\(inputs) units", found: "\(shape) = \(shape.count)")
        }
        guard !layers.isEmpty else { throw .invalidNetwork(reason: "a network needs at least one layer") }
        for (k, layer) in layers.enumerated() {
            try Self.validate(layer, at: k, layers: layers, inputs: inputs, timeStep: timeStep)
        }
        self.inputs = inputs
        self.inputShape = shape
        self.timeStep = timeStep
        self.layers = layers
    }

    private static func validate(_ layer: Layer, at k: Int, layers: [Layer], inputs: Int, timeStep: Duration) throws(ConfigurationError) {
        let field = "layer \(k) (\(layer.name))"
        try ConfigurationError.requirePositive(layer.size, "\(field).size")
        guard layer.shape.count == layer.size else {
            throw .shapeMismatch(what: "\(field).shape", expected: "\(layer.size) units", found: "\(layer.shape) = \(layer.shape.count)")
        }
        if let u = layer.outputUnits, u.isEmpty || u.lowerBound < 0 || u.upperBound > layer.size {
            throw .outOfRange(field: "\(field).outputUnits", value: Double(u.upperBound), range: "a non-empty range within 0..<\(layer.size)")
        }
        try layer.neuron.validate(timeStep: timeStep, field: field)
        guard layer.dropout >= 0 && layer.dropout < 1, layer.dropout == 0 || layer.neuron.isSpiking else {
            throw .outOfRange(field: "\(field).dropout", value: layer.dropout, range: "[0, 1) (spiking layers only)")
        }
        if let tc = layer.timeConstants {
            guard layer.neuron.isSpiking else { throw .invalidNetwork(reason: "\(field): per-neuron time constants need a spiking layer") }
            guard tc.parameters.shape == [2, layer.size], tc.parameters.scalars.allSatisfy(\.isFinite) else {
                throw .shapeMismatch(what: "\(field).timeConstants.parameters", expected: "[2, \(layer.size)] finite values",
                                     found: "\(tc.parameters.shape)")
            }
            let (tm, ts) = layer.neuron.timeConstants
            // τ_syn = 0 (no synaptic filter): every effective τ_syn is 0 and λ_s = 0; the gradient of a learned one is not defined.
            if ts == .zero && tc.isLearned {
                throw .invalidNetwork(reason: "\(field): learned time constants need a synaptic time constant τ_syn > 0")
            }
            for (row, tau) in [(0, tm), (1, ts)] where !(row == 1 && tau == .zero)
                && tc.effective(row: row, base: tau).contains(where: { $0 <= timeStep.seconds }) {
                throw .timeStepNotBelowTimeConstant(field: "\(field).timeConstants row \(row)", timeStep: timeStep.seconds,
                                                    timeConstant: tc.effective(row: row, base: tau).min()!)
            }
        }
        guard !layer.afferents.isEmpty else { throw .invalidNetwork(reason: "\(field) has no afferent projection") }
        if layer.neuron == .passThrough {
            guard layer.afferents.count == 1, case .pooling = layer.afferents[0].operation else {
                throw .invalidNetwork(reason: "\(field): a pass-through layer takes exactly one pooling projection")
            }
        }
        for (j, p) in layer.afferents.enumerated() {
            let pf = "\(field).afferents[\(j)]"
            let sourceSize: Int
            switch p.source {
            case .input: sourceSize = inputs
            case let .layer(s):
                guard s >= 0 && s <= k else {
                    throw .invalidNetwork(reason: "\(pf) comes from layer \(s); sources must be earlier layers or the layer itself")
                }
                if s == k {
                    guard layer.neuron.isSpiking else { throw .invalidNetwork(reason: "\(field): only spiking layers can be recurrent") }
                    if case .leaky = layer.neuron { throw .invalidNetwork(reason: "\(field): leaky (delta-synapse) layers cannot be recurrent") }
                }
                sourceSize = s == k ? layer.size : layers[s].size
            }
            if p.synapse == .inhibitory && !layer.neuron.hasInhibitoryCurrent {
                throw .invalidNetwork(reason: "\(pf) drives the inhibitory current, which only excitatory/inhibitory neurons have")
            }
            if let u = p.sourceUnits {
                guard p.operation == .dense else { throw .invalidNetwork(reason: "\(pf): only dense projections can read a range of source units") }
                guard !u.isEmpty, u.lowerBound >= 0, u.upperBound <= sourceSize else {
                    throw .outOfRange(field: "\(pf).sourceUnits", value: Double(u.upperBound), range: "a non-empty range within 0..<\(sourceSize)")
                }
            }
            let width = p.sourceUnits?.count ?? sourceSize
            switch p.operation {
            case .dense:
                guard p.weights.shape == [layer.size, width] else {
                    throw .shapeMismatch(what: "\(pf).weights", expected: "[\(layer.size), \(width)]", found: "\(p.weights.shape)")
                }
            case let .convolution(c):
                if let reason = c.validate() { throw .invalidNetwork(reason: "\(pf): \(reason)") }
                guard c.inputUnits == sourceSize, c.outputUnits == layer.size else {
                    throw .shapeMismatch(what: "\(pf) convolution units (in → out)", expected: "\(sourceSize) → \(layer.size)",
                                         found: "\(c.inputUnits) → \(c.outputUnits)")
                }
                let expected = [c.outputChannels, c.inputChannels / c.groups] + c.kernelSize
                guard p.weights.shape == expected else {
                    throw .shapeMismatch(what: "\(pf).weights", expected: "\(expected)", found: "\(p.weights.shape)")
                }
            case let .pooling(_, shape):
                if let reason = shape.validate() { throw .invalidNetwork(reason: "\(pf): \(reason)") }
                guard layer.neuron == .passThrough else { throw .invalidNetwork(reason: "\(pf): pooling feeds a pass-through layer only") }
                guard shape.inputUnits == sourceSize, shape.outputUnits == layer.size else {
                    throw .shapeMismatch(what: "\(pf) pooling units (in → out)", expected: "\(sourceSize) → \(layer.size)",
                                         found: "\(shape.inputUnits) → \(shape.outputUnits)")
                }
            }
            if let b = p.bias, b.shape != [layer.size] {
                throw .shapeMismatch(what: "\(pf).bias", expected: "[\(layer.size)]", found: "\(b.shape)")
            }
            if let m = p.mask, m.shape != p.weights.shape {
                throw .shapeMismatch(what: "\(pf).mask", expected: "\(p.weights.shape)", found: "\(m.shape)")
            }
            if let lo = p.constraint.minimum, let hi = p.constraint.maximum, lo > hi {
                throw .outOfRange(field: "\(pf).constraint.minimum", value: Double(lo), range: "≤ maximum \(hi)")
            }
        }
    }

    /// Number of output units (the last layer's size).
    public var outputSize: Int { layers[layers.count - 1].size }

    /// Size of the activity a source provides.
    public func size(of source: LayerSource) -> Int {
        switch source {
        case .input: return inputs
        case let .layer(k): return layers[k].size
        }
    }

    /// Applies every projection's mask and weight bounds (called after each optimizer step).
    public mutating func applyConstraints() {
        for k in layers.indices {
            for j in layers[k].afferents.indices { layers[k].afferents[j].applyConstraints() }
        }
    }

    /// Replaces the projection at `afferent` of layer `layer`, checking its shape.
    public mutating func setProjection(_ projection: Projection, layer: Int, afferent: Int) throws(ConfigurationError) {
        let old = layers[layer].afferents[afferent]
        guard projection.weights.shape == old.weights.shape, projection.source == old.source,
              (projection.bias?.shape ?? old.bias?.shape) == old.bias?.shape else {
            throw .shapeMismatch(what: "layer \(layer).afferents[\(afferent)]", expected: "weights \(old.weights.shape) from \(old.source)",
                                 found: "weights \(projection.weights.shape) from \(projection.source)")
        }
        layers[layer].afferents[afferent] = projection
    }
}

// MARK: - Parameters

/// Identifies one trainable tensor of a network.
public struct ParameterID: Sendable, Hashable, Codable, CustomStringConvertible {
    /// Which tensor of a projection.
    public enum Kind: String, Sendable, Hashable, Codable {
        /// The weight matrix.
        case weights
        /// The bias vector.
        case bias
        /// A spiking layer's per-neuron time-constant parameters (`afferent` is 0; see ``NeuronTimeConstants``).
        case timeConstants
    }
    /// Layer index.
    public var layer: Int
    /// Afferent projection index within the layer.
    public var afferent: Int
    /// Weights or bias.
    public var kind: Kind

    /// Creates an identifier.
    public init(layer: Int, afferent: Int, kind: Kind) {
        self.layer = layer
        self.afferent = afferent
        self.kind = kind
    }

    /// `"layer1.afferent0.weights"`, `"layer1.timeConstants"`.
    public var description: String {
        kind == .timeConstants ? "layer\(layer).timeConstants" : "layer\(layer).afferent\(afferent).\(kind.rawValue)"
    }
}

extension SpikingNetwork {
    /// Every trainable tensor, in a fixed order (layer, afferent, weights before bias).
    public var parameterIDs: [ParameterID] {
        var ids: [ParameterID] = []
        for (k, layer) in layers.enumerated() {
            for (j, p) in layer.afferents.enumerated() {
                if p.operation.hasWeights { ids.append(ParameterID(layer: k, afferent: j, kind: .weights)) }
                if p.bias != nil { ids.append(ParameterID(layer: k, afferent: j, kind: .bias)) }
            }
            if layer.timeConstants?.isLearned == true { ids.append(ParameterID(layer: k, afferent: 0, kind: .timeConstants)) }
        }
        return ids
    }

    /// The tensor identified by `id`.
    public subscript(id: ParameterID) -> Tensor {
        get {
            switch id.kind {
            case .weights: return layers[id.layer].afferents[id.afferent].weights
            case .bias: return layers[id.layer].afferents[id.afferent].bias!
            case .timeConstants: return layers[id.layer].timeConstants!.parameters
            }
        }
        set {
            switch id.kind {
            case .weights: layers[id.layer].afferents[id.afferent].weights = newValue
            case .bias: layers[id.layer].afferents[id.afferent].bias = newValue
            case .timeConstants: layers[id.layer].timeConstants!.parameters = newValue
            }
        }
    }

    /// Calls `body` with the scalars of parameter `id`, mutable in place (no copy of the tensor).
    mutating func withScalars<R>(of id: ParameterID, _ body: (UnsafeMutableBufferPointer<Float>) -> R) -> R {
        switch id.kind {
        case .weights: return layers[id.layer].afferents[id.afferent].weights.scalars.withUnsafeMutableBufferPointer { body($0) }
        case .bias: return layers[id.layer].afferents[id.afferent].bias!.scalars.withUnsafeMutableBufferPointer { body($0) }
        case .timeConstants: return layers[id.layer].timeConstants!.parameters.scalars.withUnsafeMutableBufferPointer { body($0) }
        }
    }

    /// Total number of trainable scalars.
    public var parameterCount: Int { parameterIDs.reduce(0) { $0 + self[$1].count } }
}

/// Gradients of a loss with respect to every parameter of a network, aligned with ``SpikingNetwork/parameterIDs``.
public struct NetworkGradients: Sendable {
    /// The parameters, in order.
    public let ids: [ParameterID]
    /// One tensor per parameter, same shapes.
    public var tensors: [Tensor]

    /// Zero gradients for `network`.
    public init(zerosFor network: SpikingNetwork) {
        ids = network.parameterIDs
        tensors = ids.map { Tensor(shape: network[$0].shape) }
    }

    /// The gradient of `id`.
    public subscript(id: ParameterID) -> Tensor {
        get { tensors[ids.firstIndex(of: id)!] }
        set { tensors[ids.firstIndex(of: id)!] = newValue }
    }

    /// Sets every gradient to zero, keeping storage.
    public mutating func zero() {
        for k in tensors.indices { tensors[k].fill(with: 0) }
    }
}
