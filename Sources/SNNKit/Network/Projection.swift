/// Where a projection takes its presynaptic activity from.
public enum LayerSource: Sendable, Hashable, Codable {
    /// The network's input channels.
    case input
    /// The output of the layer with this index (spikes of a spiking layer, the trace of a readout).
    case layer(Int)
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

/// Dense weights from a source to a target layer: `X[t] += W · src[t] (+ b)`, delivered one step later.
///
/// `weights` is `[N_target, N_source]` row-major (PyTorch layout). A projection whose source is its own
/// layer is recurrent (all-to-all, `[N, N]`).
public struct DenseProjection: Sendable, Hashable, Codable {
    /// The presynaptic layer.
    public var source: LayerSource
    /// `[N_target, N_source]` weights.
    public var weights: Tensor
    /// `[N_target]` bias, if the projection has one.
    public var bias: Tensor?
    /// Bounds applied after every optimizer step.
    public var constraint: WeightConstraint
    /// Fixed connectivity: where the mask is 0 the weight is held at 0 (set by sparse initialization).
    public var mask: Tensor?

    /// Creates a projection with zero weights.
    public init(source: LayerSource, targetSize: Int, sourceSize: Int, hasBias: Bool = false, constraint: WeightConstraint = .none) {
        self.source = source
        self.weights = Tensor(shape: [targetSize, sourceSize])
        self.bias = hasBias ? Tensor(shape: [targetSize]) : nil
        self.constraint = constraint
        self.mask = nil
    }

    /// Number of presynaptic units (the fan-in `n` of initialization).
    public var fanIn: Int { weights.shape[1] }

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
