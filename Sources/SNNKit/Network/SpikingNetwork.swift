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
    /// The simulation time step Δt.
    public let timeStep: Duration
    /// The layers, in execution order; the last one is the output.
    public internal(set) var layers: [Layer]

    /// Builds and validates a network from declarations.
    /// - Throws: ``ConfigurationError`` for zero or negative sizes, τ ≤ 0, Δt ≥ τ, bad surrogate parameters.
    public init(inputs: Int, timeStep: Duration, @LayerBuilder layers: () -> [any LayerDeclaration]) throws(ConfigurationError) {
        try ConfigurationError.requirePositive(inputs, "network.inputs")
        try ConfigurationError.requirePositive(timeStep.seconds, "network.timeStep (seconds)")
        var built: [Layer] = []
        var size = inputs
        for (k, declaration) in layers().enumerated() {
            let layer = try declaration.makeLayer(index: k, inputSize: size)
            built.append(layer)
            size = layer.size
        }
        try self.init(inputs: inputs, timeStep: timeStep, layers: built)
        var rng = Xoshiro256StarStar(seed: 0)
        for id in parameterIDs where id.kind == .weights {
            let n = self[id].shape[1]
            self[id].scalars = WeightDistribution.uniform.sample(count: self[id].count, mean: 0, scale: 1 / Double(n).squareRoot(), using: &rng)
        }
    }

    /// Creates a network from fully specified layers (explicit graph form), validating every field.
    public init(inputs: Int, timeStep: Duration, layers: [Layer]) throws(ConfigurationError) {
        try ConfigurationError.requirePositive(inputs, "network.inputs")
        try ConfigurationError.requirePositive(timeStep.seconds, "network.timeStep (seconds)")
        guard !layers.isEmpty else { throw .invalidNetwork(reason: "a network needs at least one layer") }
        for (k, layer) in layers.enumerated() {
            let field = "layer \(k) (\(layer.name))"
            try ConfigurationError.requirePositive(layer.size, "\(field).size")
            switch layer.neuron {
            case let .lif(d): try d.validate(timeStep: timeStep, field: field)
            case let .readout(d): try d.validate(timeStep: timeStep, field: field)
            }
            guard !layer.afferents.isEmpty else { throw .invalidNetwork(reason: "\(field) has no afferent projection") }
            var recurrentCount = 0
            for (j, p) in layer.afferents.enumerated() {
                let sourceSize: Int
                switch p.source {
                case .input: sourceSize = inputs
                case let .layer(s):
                    guard s >= 0 && s <= k else {
                        throw .invalidNetwork(reason: "\(field).afferents[\(j)] comes from layer \(s); sources must be earlier layers or the layer itself")
                    }
                    if s == k {
                        recurrentCount += 1
                        guard layer.neuron.isSpiking else { throw .invalidNetwork(reason: "\(field): a readout cannot be recurrent") }
                    }
                    sourceSize = s == k ? layer.size : layers[s].size
                }
                guard p.weights.shape == [layer.size, sourceSize] else {
                    throw .shapeMismatch(what: "\(field).afferents[\(j)].weights", expected: "[\(layer.size), \(sourceSize)]", found: "\(p.weights.shape)")
                }
                if let b = p.bias, b.shape != [layer.size] {
                    throw .shapeMismatch(what: "\(field).afferents[\(j)].bias", expected: "[\(layer.size)]", found: "\(b.shape)")
                }
                if let m = p.mask, m.shape != p.weights.shape {
                    throw .shapeMismatch(what: "\(field).afferents[\(j)].mask", expected: "\(p.weights.shape)", found: "\(m.shape)")
                }
                if let lo = p.constraint.minimum, let hi = p.constraint.maximum, lo > hi {
                    throw .outOfRange(field: "\(field).afferents[\(j)].constraint.minimum", value: Double(lo), range: "≤ maximum \(hi)")
                }
            }
            guard recurrentCount <= 1 else { throw .invalidNetwork(reason: "\(field) has \(recurrentCount) recurrent projections; at most one") }
        }
        self.inputs = inputs
        self.timeStep = timeStep
        self.layers = layers
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
    public mutating func setProjection(_ projection: DenseProjection, layer: Int, afferent: Int) throws(ConfigurationError) {
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

    /// `"layer1.afferent0.weights"`.
    public var description: String { "layer\(layer).afferent\(afferent).\(kind.rawValue)" }
}

extension SpikingNetwork {
    /// Every trainable tensor, in a fixed order (layer, afferent, weights before bias).
    public var parameterIDs: [ParameterID] {
        var ids: [ParameterID] = []
        for (k, layer) in layers.enumerated() {
            for (j, p) in layer.afferents.enumerated() {
                ids.append(ParameterID(layer: k, afferent: j, kind: .weights))
                if p.bias != nil { ids.append(ParameterID(layer: k, afferent: j, kind: .bias)) }
            }
        }
        return ids
    }

    /// The tensor identified by `id`.
    public subscript(id: ParameterID) -> Tensor {
        get {
            let p = layers[id.layer].afferents[id.afferent]
            return id.kind == .weights ? p.weights : p.bias!
        }
        set {
            switch id.kind {
            case .weights: layers[id.layer].afferents[id.afferent].weights = newValue
            case .bias: layers[id.layer].afferents[id.afferent].bias = newValue
            }
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
