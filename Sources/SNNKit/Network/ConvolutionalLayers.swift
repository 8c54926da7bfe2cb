import SNNKernels

/// A layer of LIF neurons on a 1-D or 2-D grid fed by a convolution of the previous layer, optionally with a
/// recurrent convolution of the layer onto itself (SPEC §8 conv-recurrent and 2-D conv experiments).
///
/// The number of kernel dimensions selects 1-D (`[k]`) or 2-D (`[kh, kw]`). A flat source feeding a 1-D convolution
/// is read as one channel × N positions (e.g. the 700 SHD channels). The recurrent convolution keeps the grid:
/// stride 1, padding `(k − 1)/2` (odd kernels only).
/// ```swift
/// ConvolutionalLIFLayer(channels: 16, kernel: [21], stride: [10], recurrentKernel: [5])   // 1×700 → 16×68
/// ```
public struct ConvolutionalLIFLayer: LayerDeclaration {
    /// Output channels (filters) `C_out`.
    public var channels: Int
    /// Kernel extent per spatial dimension.
    public var kernel: [Int]
    /// Stride per dimension (defaults to 1).
    public var stride: [Int]?
    /// Zero padding per dimension (defaults to 0).
    public var padding: [Int]?
    /// Dilation per dimension (defaults to 1).
    public var dilation: [Int]?
    /// Channel groups of the feed-forward convolution.
    public var groups: Int
    /// Kernel of the recurrent convolution, if the layer is recurrent.
    public var recurrentKernel: [Int]?
    /// The neuron dynamics.
    public var dynamics: LIFDynamics
    /// Optional name for reports.
    public var name: String?

    /// Declares a convolutional LIF layer.
    public init(channels: Int, kernel: [Int], stride: [Int]? = nil, padding: [Int]? = nil, dilation: [Int]? = nil, groups: Int = 1,
                recurrentKernel: [Int]? = nil, dynamics: LIFDynamics = .init(), name: String? = nil) {
        self.channels = channels
        self.kernel = kernel
        self.stride = stride
        self.padding = padding
        self.dilation = dilation
        self.groups = groups
        self.recurrentKernel = recurrentKernel
        self.dynamics = dynamics
        self.name = name
    }

    /// Builds the layer.
    public func makeLayer(in context: LayerContext) throws(ConfigurationError) -> Layer {
        let field = "layer \(context.index) (convolutional LIF)"
        try ConfigurationError.requirePositive(channels, "\(field).channels")
        let source = try gridShape(context.activity(of: context.previous).shape, dimensions: kernel.count, field: field)
        let shape = ConvolutionShape(inputChannels: source.channels, outputChannels: channels, inputSize: source.spatial,
                                     kernelSize: kernel, stride: stride, padding: padding, dilation: dilation, groups: groups)
        if let reason = shape.validate() { throw .invalidNetwork(reason: "\(field): \(reason)") }
        let out = ActivityShape(channels: channels, spatial: shape.outputSize)
        var afferents = [Projection(source: context.previous, convolution: shape)]
        if let rk = recurrentKernel {
            guard rk.count == kernel.count, rk.allSatisfy({ $0 > 0 && $0 % 2 == 1 }) else {
                throw .invalidNetwork(reason: "\(field).recurrentKernel \(rk) must have \(kernel.count) odd positive extents")
            }
            let recurrent = ConvolutionShape(inputChannels: channels, outputChannels: channels, inputSize: out.spatial, kernelSize: rk,
                                             padding: rk.map { ($0 - 1) / 2 })
            afferents.append(Projection(source: .layer(context.index), convolution: recurrent))
        }
        return Layer(name: name ?? "conv\(context.index + 1)", size: out.count, neuron: .lif(dynamics), afferents: afferents, shape: out)
    }
}

/// A pooling layer (max, average or sum over windows of the previous layer's grid), without dynamics or delay.
///
/// Max pooling of spikes is again binary (the event-driven path stays in use downstream).
public struct PoolingLayer: LayerDeclaration {
    /// The pooling function.
    public var kind: PoolingKind
    /// Window extent per spatial dimension.
    public var window: [Int]
    /// Stride per dimension (defaults to the window).
    public var stride: [Int]?
    /// Padding per dimension (defaults to 0).
    public var padding: [Int]?
    /// Optional name for reports.
    public var name: String?

    /// Declares a pooling layer.
    public init(_ kind: PoolingKind, window: [Int], stride: [Int]? = nil, padding: [Int]? = nil, name: String? = nil) {
        self.kind = kind
        self.window = window
        self.stride = stride
        self.padding = padding
        self.name = name
    }

    /// Builds the layer.
    public func makeLayer(in context: LayerContext) throws(ConfigurationError) -> Layer {
        let field = "layer \(context.index) (pooling)"
        let source = try gridShape(context.activity(of: context.previous).shape, dimensions: window.count, field: field)
        let shape = PoolingShape(channels: source.channels, inputSize: source.spatial, window: window, stride: stride, padding: padding)
        if let reason = shape.validate() { throw .invalidNetwork(reason: "\(field): \(reason)") }
        let out = ActivityShape(channels: source.channels, spatial: shape.outputSize)
        return Layer(name: name ?? "pool\(context.index + 1)", size: out.count, neuron: .passThrough,
                     afferents: [Projection(source: context.previous, pooling: kind, shape: shape)], shape: out)
    }
}

/// The source's grid for a `dimensions`-D operation; a flat source is one channel × N positions for 1-D.
private func gridShape(_ shape: ActivityShape, dimensions: Int, field: String) throws(ConfigurationError) -> ActivityShape {
    guard dimensions == 1 || dimensions == 2 else {
        throw .invalidNetwork(reason: "\(field): kernels and windows have 1 or 2 dimensions, found \(dimensions)")
    }
    if shape.spatial.isEmpty && dimensions == 1 { return ActivityShape(channels: 1, spatial: [shape.channels]) }
    guard shape.spatial.count == dimensions else {
        throw .shapeMismatch(what: "\(field) source grid", expected: "\(dimensions) spatial dimensions", found: "\(shape)")
    }
    return shape
}
