/// A dense, row-major Float32 array with a shape; value semantics (copy on write).
///
/// Sequences are time-major `[T, B, N]`: step `t` is the contiguous `[B, N]` slice at offset `t·B·N`.
public struct Tensor: Sendable, Equatable, Hashable, Codable {
    /// The extent of each dimension, outermost first.
    public private(set) var shape: [Int]
    /// The elements in row-major order; `scalars.count == shape.reduce(1, *)`.
    public var scalars: [Float]

    /// A tensor of the given shape filled with `value`.
    public init(shape: [Int], repeating value: Float = 0) {
        precondition(shape.allSatisfy { $0 >= 0 }, "Tensor shape must be non-negative: \(shape)")
        self.shape = shape
        self.scalars = [Float](repeating: value, count: shape.reduce(1, *))
    }

    /// A tensor wrapping `scalars` with the given shape.
    /// - Throws: ``ConfigurationError/shapeMismatch(what:expected:found:)`` when the counts differ.
    public init(shape: [Int], scalars: [Float]) throws(ConfigurationError) {
        let expected = shape.reduce(1, *)
        guard shape.allSatisfy({ $0 >= 0 }), scalars.count == expected else {
            throw .shapeMismatch(what: "tensor scalars for shape \(shape)", expected: "\(expected) elements", found: "\(scalars.count)")
        }
        self.shape = shape
        self.scalars = scalars
    }

    /// The coding keys: `shape` and `scalars`.
    private enum CodingKeys: String, CodingKey {
        case shape, scalars
    }

    /// Decodes a tensor, checking that the shape is non-negative and matches the number of scalars.
    /// - Throws: `DecodingError.dataCorrupted` naming the field when they disagree.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let shape = try container.decode([Int].self, forKey: .shape)
        let scalars = try container.decode([Float].self, forKey: .scalars)
        var expected = 1, overflow = false
        for d in shape where !overflow { (expected, overflow) = expected.multipliedReportingOverflow(by: d) }
        guard shape.allSatisfy({ $0 >= 0 }), !overflow, expected == scalars.count else {
            throw DecodingError.dataCorruptedError(forKey: .scalars, in: container,
                                                   debugDescription: "\(scalars.count) scalars do not fill shape \(shape)")
        }
        self.shape = shape
        self.scalars = scalars
    }

    /// Total number of elements.
    public var count: Int { scalars.count }

    /// Element access by a full multi-index.
    public subscript(_ index: Int...) -> Float {
        get { scalars[offset(index)] }
        set { scalars[offset(index)] = newValue }
    }

    private func offset(_ index: [Int]) -> Int {
        precondition(index.count == shape.count, "index \(index) does not match shape \(shape)")
        var o = 0
        for (i, n) in zip(index, shape) {
            precondition(i >= 0 && i < n, "index \(index) out of bounds for shape \(shape)")
            o = o * n + i
        }
        return o
    }

    /// Sets every element to `value`.
    public mutating func fill(with value: Float) {
        scalars.withUnsafeMutableBufferPointer { $0.update(repeating: value) }
    }

    /// Reinterprets the elements with a new shape of the same element count.
    public mutating func reshape(to newShape: [Int]) {
        precondition(newShape.reduce(1, *) == count, "cannot reshape \(shape) to \(newShape)")
        shape = newShape
    }

    /// Calls `body` with a pointer to the contiguous elements.
    @inlinable
    public func withUnsafeBufferPointer<R>(_ body: (UnsafeBufferPointer<Float>) throws -> R) rethrows -> R {
        try scalars.withUnsafeBufferPointer(body)
    }

    /// Calls `body` with a mutable pointer to the contiguous elements.
    @inlinable
    public mutating func withUnsafeMutableBufferPointer<R>(_ body: (inout UnsafeMutableBufferPointer<Float>) throws -> R) rethrows -> R {
        try scalars.withUnsafeMutableBufferPointer(body)
    }
}
