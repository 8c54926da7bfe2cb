import SNNKernels

/// Where a projection takes its presynaptic activity from.
public enum LayerSource: Sendable, Hashable, Codable {
    /// The network's input channels.
    case input
    /// The output of the layer with this index (spikes of a spiking layer, the trace of a readout).
    case layer(Int)
}

/// Which synaptic current of the target a projection drives.
public enum Synapse: String, Sendable, Hashable, Codable {
    /// The (excitatory) current `I` — the only one of LIF, adaptive LIF and readout populations.
    case excitatory
    /// The inhibitory current `Inh` of an excitatory/inhibitory population (SPEC §1.4), subtracted from the drive.
    case inhibitory
}

/// Bounds applied to weights after every optimizer step (e.g. non-negative weights under Dale's law).
public struct WeightConstraint: Sendable, Hashable, Codable {
    /// Lower bound, if any.
    public var minimum: Float?
    /// Upper bound, if any.
    public var maximum: Float?

    /// Creates a constraint with optional bounds.
    public init(minimum: Float? = nil, maximum: Float? = nil) {
        self.minimum = minimum
        self.maximum = maximum
    }

    /// No bounds.
    public static let none = WeightConstraint()
    /// Weights clamped at 0 from below.
    public static let nonNegative = WeightConstraint(minimum: 0)

    /// Whether the constraint does nothing.
    public var isUnconstrained: Bool { minimum == nil && maximum == nil }
}

/// What a projection computes from its source's activity at each step.
public enum ProjectionOperation: Sendable, Hashable, Codable {
    /// All-to-all weights `[N_target, N_source]` (PyTorch layout): `X += W · src`.
    case dense
    /// A 1-D or 2-D convolution over channels-last activity; weights `[C_out, C_in/groups, k…]` (PyTorch layout).
    case convolution(ConvolutionShape)
    /// Max, average or sum pooling over channels-last activity; no weights.
    case pooling(PoolingKind, PoolingShape)

    /// Whether the operation has trainable weights.
    public var hasWeights: Bool {
        if case .pooling = self { return false }
        return true
    }
}

/// Weights from a source to a target layer, delivered one step later: `X[t] += op(src[t]) (+ b)`.
///
/// A dense projection's `weights` are `[N_target, N_source]` row-major (PyTorch layout); a convolution's are
/// `[C_out, C_in/groups, k…]`; a pooling projection has none. A projection whose source is its own layer is
/// recurrent. `sourceUnits` restricts the source to a contiguous range of its units (the excitatory units of a
/// Dalian layer); `synapse` says which current of the target it drives.
public struct Projection: Sendable, Hashable, Codable {
    /// The presynaptic layer.
    public var source: LayerSource
    /// The operation (dense, convolution, pooling).
    public var operation: ProjectionOperation
    /// The source units read, if not all of them (`N_source` is then its count).
    public var sourceUnits: Range<Int>?
    /// The target current driven.
    public var synapse: Synapse
    /// The weights (layout per ``operation``).
    public var weights: Tensor
    /// `[N_target]` bias, if the projection has one.
    public var bias: Tensor?
    /// Bounds applied after every optimizer step.
    public var constraint: WeightConstraint
    /// Fixed connectivity: where the mask is 0 the weight is held at 0 (set by sparse initialization).
    public var mask: Tensor?

    /// Creates a dense projection with zero weights.
    public init(source: LayerSource, targetSize: Int, sourceSize: Int, sourceUnits: Range<Int>? = nil, synapse: Synapse = .excitatory,
                hasBias: Bool = false, constraint: WeightConstraint = .none) {
        self.source = source
        self.operation = .dense
        self.sourceUnits = sourceUnits
        self.synapse = synapse
        self.weights = Tensor(shape: [targetSize, sourceUnits?.count ?? sourceSize])
        self.bias = hasBias ? Tensor(shape: [targetSize]) : nil
        self.constraint = constraint
        self.mask = nil
    }

    /// Creates a convolution with zero weights `[C_out, C_in/groups, k…]`.
    public init(source: LayerSource, convolution shape: ConvolutionShape, synapse: Synapse = .excitatory, hasBias: Bool = false,
                constraint: WeightConstraint = .none) {
        self.source = source
        self.operation = .convolution(shape)
        self.sourceUnits = nil
        self.synapse = synapse
        self.weights = Tensor(shape: [shape.outputChannels, shape.inputChannels / max(shape.groups, 1)] + shape.kernelSize)
        self.bias = hasBias ? Tensor(shape: [shape.outputUnits]) : nil
        self.constraint = constraint
        self.mask = nil
    }

    /// Creates a pooling projection (no weights).
    public init(source: LayerSource, pooling kind: PoolingKind, shape: PoolingShape) {
        self.source = source
        self.operation = .pooling(kind, shape)
        self.sourceUnits = nil
        self.synapse = .excitatory
        self.weights = Tensor(shape: [0])
        self.bias = nil
        self.constraint = .none
        self.mask = nil
    }

    /// The fan-in `n` of initialization: source units for a dense projection, `C_in/groups × kernel elements` for a
    /// convolution (SPEC §3.2), 0 for pooling.
    public var fanIn: Int {
        switch operation {
        case .dense: return weights.shape[1]
        case let .convolution(c): return c.inputChannels / max(c.groups, 1) * c.kernelElements
        case .pooling: return 0
        }
    }

    /// Number of target units the projection writes.
    public var targetSize: Int {
        switch operation {
        case .dense: return weights.shape[0]
        case let .convolution(c): return c.outputUnits
        case let .pooling(_, p): return p.outputUnits
        }
    }

    /// Number of source units the projection reads (of the range, if restricted).
    public var sourceSize: Int {
        switch operation {
        case .dense: return weights.shape[1]
        case let .convolution(c): return c.inputUnits
        case let .pooling(_, p): return p.inputUnits
        }
    }

    /// Applies the mask and the bounds in place.
    public mutating func applyConstraints() {
        let lo = constraint.minimum ?? -.infinity, hi = constraint.maximum ?? .infinity
        let m = mask
        weights.withUnsafeMutableBufferPointer { w in
            if let m {
                m.withUnsafeBufferPointer { mp in for k in w.indices where mp[k] == 0 { w[k] = 0 } }
            }
            if !constraint.isUnconstrained {
                for k in w.indices { w[k] = Swift.min(Swift.max(w[k], lo), hi) }
            }
        }
    }
}
