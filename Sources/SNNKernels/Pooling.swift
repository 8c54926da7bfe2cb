// TEMPORARY: geometry only, replaced by the pooling kernels (helper-conv branch).

/// Pooling kinds.
public enum PoolingKind: Sendable, Hashable, Codable { case max, average, sum }

/// Pooling geometry.
public struct PoolingShape: Sendable, Hashable, Codable {
    /// Channels.
    public var channels: Int
    /// Input extent.
    public var inputSize: [Int]
    /// Window.
    public var window: [Int]
    /// Stride.
    public var stride: [Int]
    /// Padding.
    public var padding: [Int]
    /// Creates a shape.
    public init(channels: Int, inputSize: [Int], window: [Int], stride: [Int]? = nil, padding: [Int]? = nil) {
        self.channels = channels
        self.inputSize = inputSize
        self.window = window
        self.stride = stride ?? window
        self.padding = padding ?? window.map { _ in 0 }
    }
    /// Output extent.
    public var outputSize: [Int] { inputSize.indices.map { d in (inputSize[d] + 2 * padding[d] - window[d]) / stride[d] + 1 } }
    /// Input units.
    public var inputUnits: Int { channels * inputSize.reduce(1, *) }
    /// Output units.
    public var outputUnits: Int { channels * outputSize.reduce(1, *) }
    /// Window elements.
    public var windowElements: Int { window.reduce(1, *) }
    /// Validation.
    public func validate() -> String? { nil }
}

/// Stub.
public func poolingForward(kind: PoolingKind, shape: PoolingShape, source: UnsafePointer<Float>, rows: Range<Int>,
                           into output: UnsafeMutablePointer<Float>, argmax: UnsafeMutablePointer<Int32>?) { fatalError("stub") }
/// Stub.
public func poolingBackward(kind: PoolingKind, shape: PoolingShape, gradOutput: UnsafePointer<Float>, rows: Range<Int>,
                            argmax: UnsafePointer<Int32>?, into gradSource: UnsafeMutablePointer<Float>) { fatalError("stub") }
