import SNNKit

/// A layer entry of `type: conv` — a ``ConvolutionalLIFLayer``: LIF neurons on a 1-D or 2-D grid fed by a convolution
/// of the previous layer, optionally with a recurrent convolution onto itself.
///
/// The number of kernel extents selects 1-D (`[21]`) or 2-D (`[3, 3]`); `stride`, `padding` and `dilation` give one
/// value per kernel extent. A flat source (e.g. the 700 SHD channels) feeding a 1-D convolution is one channel × N
/// positions.
/// ```yaml
/// - type: conv
///   channels: 16              # required: filters C_out
///   kernel: [21]              # required
///   stride: [10]              # default 1
///   padding: [0]              # default 0
///   dilation: [1]             # default 1
///   groups: 1
///   recurrentKernel: [5]      # recurrent convolution (odd extents, stride 1, same padding); omit for none
///   tauMembrane: 20 ms        # neuron keys as for type lif: tauMembrane, tauSynapse, threshold, surrogate, resetGradient
///   name: conv1
/// ```
public struct ConvolutionalLayerConfiguration: Sendable, Hashable, Codable {
    /// Output channels (filters).
    public var channels: Int
    /// Kernel extent per spatial dimension.
    public var kernel: [Int]
    /// Stride per dimension (default 1).
    public var stride: [Int]?
    /// Zero padding per dimension (default 0).
    public var padding: [Int]?
    /// Dilation per dimension (default 1).
    public var dilation: [Int]?
    /// Channel groups.
    public var groups: Int
    /// Kernel of the recurrent convolution, if any.
    public var recurrentKernel: [Int]?
    /// τ_mem.
    public var tauMembrane: DurationValue
    /// τ_syn.
    public var tauSynapse: DurationValue
    /// θ, the firing threshold.
    public var threshold: Double
    /// The surrogate derivative.
    public var surrogate: SurrogateConfiguration
    /// Whether the reset is differentiated.
    public var resetGradient: ResetGradientOption
    /// Optional name for reports.
    public var name: String?

    /// The YAML keys.
    enum CodingKeys: String, CodingKey, CaseIterable {
        case channels, kernel, stride, padding, dilation, groups, recurrentKernel
        case tauMembrane, tauSynapse, threshold, surrogate, resetGradient, name
    }

    /// Creates an entry with the reference neuron defaults.
    public init(channels: Int, kernel: [Int], stride: [Int]? = nil, padding: [Int]? = nil, dilation: [Int]? = nil, groups: Int = 1,
                recurrentKernel: [Int]? = nil, tauMembrane: Duration = .milliseconds(20), tauSynapse: Duration = .milliseconds(10),
                threshold: Double = 1, surrogate: Surrogate = .default, resetGradient: ResetGradientOption = .detached, name: String? = nil) {
        self.channels = channels
        self.kernel = kernel
        self.stride = stride
        self.padding = padding
        self.dilation = dilation
        self.groups = groups
        self.recurrentKernel = recurrentKernel
        self.tauMembrane = DurationValue(tauMembrane)
        self.tauSynapse = DurationValue(tauSynapse)
        self.threshold = threshold
        self.surrogate = SurrogateConfiguration(surrogate)
        self.resetGradient = resetGradient
        self.name = name
    }

    /// Decodes a mapping.
    public init(from decoder: any Decoder) throws { try self.init(from: decoder, sharing: []) }

    /// Decodes an entry whose mapping also holds the `shared` keys.
    init(from decoder: any Decoder, sharing shared: [String]) throws {
        let c = try decoder.strictContainer(keyedBy: CodingKeys.self, sharing: shared)
        channels = try c.positiveInteger(.channels)
        let kernel = try c.requiredExtents(.kernel, minimum: 1)
        self.kernel = kernel
        stride = try c.extents(.stride, minimum: 1, count: kernel.count)
        padding = try c.extents(.padding, minimum: 0, count: kernel.count)
        dilation = try c.extents(.dilation, minimum: 1, count: kernel.count)
        groups = try c.positiveInteger(.groups, default: 1)
        recurrentKernel = try c.extents(.recurrentKernel, minimum: 1, count: kernel.count)
        if let rk = recurrentKernel, !rk.allSatisfy({ $0 % 2 == 1 }) {
            throw c.issue(.recurrentKernel, "expected odd extents (the recurrent convolution keeps the grid), found \(rk)")
        }
        tauMembrane = try c.positiveDuration(.tauMembrane, default: .milliseconds(20))
        tauSynapse = try c.positiveDuration(.tauSynapse, default: .milliseconds(10))
        threshold = try c.finiteNumber(.threshold, default: 1)
        surrogate = try c.decode(.surrogate, default: SurrogateConfiguration())
        resetGradient = try c.keyword(.resetGradient, default: .detached, what: "reset gradient")
        name = try c.decodeIfPresent(String.self, forKey: .name)
    }

    /// The SNNKit declaration.
    public var declaration: ConvolutionalLIFLayer {
        ConvolutionalLIFLayer(channels: channels, kernel: kernel, stride: stride, padding: padding, dilation: dilation, groups: groups,
                              recurrentKernel: recurrentKernel,
                              dynamics: LIFDynamics(tauMembrane: tauMembrane.duration, tauSynapse: tauSynapse.duration, threshold: Float(threshold),
                                                    surrogate: surrogate.surrogate, resetGradient: resetGradient.value),
                              name: name)
    }
}
