// TEMPORARY: geometry only, replaced by the convolution kernels (helper-conv branch).

/// Geometry of a 1-D or 2-D convolution (channels-last units).
public struct ConvolutionShape: Sendable, Hashable, Codable {
    /// C_in.
    public var inputChannels: Int
    /// C_out.
    public var outputChannels: Int
    /// Spatial input extent.
    public var inputSize: [Int]
    /// Kernel extent.
    public var kernelSize: [Int]
    /// Stride.
    public var stride: [Int]
    /// Zero padding.
    public var padding: [Int]
    /// Dilation.
    public var dilation: [Int]
    /// Groups.
    public var groups: Int
    /// Creates a shape.
    public init(inputChannels: Int, outputChannels: Int, inputSize: [Int], kernelSize: [Int], stride: [Int]? = nil,
                padding: [Int]? = nil, dilation: [Int]? = nil, groups: Int = 1) {
        self.inputChannels = inputChannels
        self.outputChannels = outputChannels
        self.inputSize = inputSize
        self.kernelSize = kernelSize
        self.stride = stride ?? kernelSize.map { _ in 1 }
        self.padding = padding ?? kernelSize.map { _ in 0 }
        self.dilation = dilation ?? kernelSize.map { _ in 1 }
        self.groups = groups
    }
    /// Output extent.
    public var outputSize: [Int] {
        inputSize.indices.map { d in (inputSize[d] + 2 * padding[d] - dilation[d] * (kernelSize[d] - 1) - 1) / stride[d] + 1 }
    }
    /// Input units.
    public var inputUnits: Int { inputChannels * inputSize.reduce(1, *) }
    /// Output units.
    public var outputUnits: Int { outputChannels * outputSize.reduce(1, *) }
    /// Kernel elements.
    public var kernelElements: Int { kernelSize.reduce(1, *) }
    /// Weights.
    public var weightCount: Int { outputChannels * (inputChannels / groups) * kernelElements }
    /// Validation.
    public func validate() -> String? { nil }
}

/// Stub.
public func packedConvolutionWeightCount(shape: ConvolutionShape) -> Int { shape.weightCount }
/// Stub.
public func packConvolutionWeights(_ weights: UnsafePointer<Float>, shape: ConvolutionShape, into packed: UnsafeMutablePointer<Float>) { fatalError("stub") }
/// Stub.
public func addUnpackedConvolutionGradient(_ packed: UnsafePointer<Float>, shape: ConvolutionShape, into gradient: UnsafeMutablePointer<Float>) { fatalError("stub") }
/// Stub.
public func convolutionForward(shape: ConvolutionShape, source: UnsafePointer<Float>, rows: Range<Int>, packedWeights: UnsafePointer<Float>,
                               into output: UnsafeMutablePointer<Float>, overwrite: Bool) { fatalError("stub") }
/// Stub.
public func convolutionForward(shape: ConvolutionShape, events: SpikeEventList, rows: Range<Int>, packedWeights: UnsafePointer<Float>,
                               into output: UnsafeMutablePointer<Float>, overwrite: Bool) { fatalError("stub") }
/// Stub.
public func convolutionWeightGradient(shape: ConvolutionShape, source: UnsafePointer<Float>, gradOutput: UnsafePointer<Float>, rows: Range<Int>,
                                      into packedGradient: UnsafeMutablePointer<Float>) { fatalError("stub") }
/// Stub.
public func convolutionWeightGradient(shape: ConvolutionShape, events: SpikeEventList, gradOutput: UnsafePointer<Float>, rows: Range<Int>,
                                      into packedGradient: UnsafeMutablePointer<Float>) { fatalError("stub") }
/// Stub.
public func convolutionInputGradient(shape: ConvolutionShape, gradOutput: UnsafePointer<Float>, rows: Range<Int>, packedWeights: UnsafePointer<Float>,
                                     into gradSource: UnsafeMutablePointer<Float>) { fatalError("stub") }
