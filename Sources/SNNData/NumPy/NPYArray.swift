import Foundation

/// Swift types that are NumPy scalar element types (`Float` is `float32`, `UInt8` is `uint8`, `Bool` is `bool`, …).
public protocol NPYElement: Sendable {
    /// The NumPy scalar type with this type's representation.
    static var npyScalarType: NPYScalarType { get }
}

extension Bool: NPYElement {
    /// `bool` (`'|b1'`).
    public static var npyScalarType: NPYScalarType { .bool }
}
extension Int8: NPYElement {
    /// `int8` (`'|i1'`).
    public static var npyScalarType: NPYScalarType { .int8 }
}
extension UInt8: NPYElement {
    /// `uint8` (`'|u1'`).
    public static var npyScalarType: NPYScalarType { .uint8 }
}
extension Int16: NPYElement {
    /// `int16` (`'<i2'`).
    public static var npyScalarType: NPYScalarType { .int16 }
}
extension UInt16: NPYElement {
    /// `uint16` (`'<u2'`).
    public static var npyScalarType: NPYScalarType { .uint16 }
}
extension Int32: NPYElement {
    /// `int32` (`'<i4'`).
    public static var npyScalarType: NPYScalarType { .int32 }
}
extension UInt32: NPYElement {
    /// `uint32` (`'<u4'`).
    public static var npyScalarType: NPYScalarType { .uint32 }
}
extension Int64: NPYElement {
    /// `int64` (`'<i8'`).
    public static var npyScalarType: NPYScalarType { .int64 }
}
extension UInt64: NPYElement {
    /// `uint64` (`'<u8'`).
    public static var npyScalarType: NPYScalarType { .uint64 }
}
extension Float: NPYElement {
    /// `float32` (`'<f4'`).
    public static var npyScalarType: NPYScalarType { .float32 }
}
extension Double: NPYElement {
    /// `float64` (`'<f8'`).
    public static var npyScalarType: NPYScalarType { .float64 }
}

/// An n-dimensional NumPy array in memory: its element type, its shape and its raw element bytes in C
/// (row-major) order, as stored in an `.npy` file.
///
/// Arrays read from disk keep the bytes of the (memory-mapped) file; nothing is converted until asked
/// for with ``values(as:)``, ``doubles()`` or ``column(_:)``.
public struct NPYArray: Sendable {
    /// The element type.
    public let dataType: NPYDataType
    /// The shape; `[]` for a scalar (0-d array).
    public let shape: [Int]
    /// The raw element bytes, C order, `count · dataType.itemSize` of them.
    public let bytes: Data

    /// Number of elements: the product of ``shape`` (1 for a scalar).
    public var count: Int { shape.reduce(1, *) }

    /// Creates an array from raw element bytes in C order.
    ///
    /// - Precondition: Every extent is non-negative and `bytes.count == count · dataType.itemSize`.
    public init(dataType: NPYDataType, shape: [Int], bytes: Data) {
        precondition(shape.allSatisfy { $0 >= 0 }, "negative extent in shape \(shape)")
        let total = Self.elementCount(shape)
        precondition(total != nil && total!.multipliedReportingOverflow(by: dataType.itemSize) == (bytes.count, false),
                     "\(bytes.count) bytes do not hold shape \(shape) of \(dataType)")
        self.dataType = dataType
        self.shape = shape
        self.bytes = bytes
    }

    /// Creates an array of `values` in the machine's byte order (little-endian on every supported platform),
    /// of shape `shape` (default: 1-D, `[values.count]`).
    ///
    /// - Precondition: The shape holds exactly `values.count` elements.
    public init<T: NPYElement>(_ values: [T], shape: [Int]? = nil) {
        let shape = shape ?? [values.count]
        precondition(Self.elementCount(shape) == values.count, "shape \(shape) does not hold \(values.count) values")
        let data: Data
        if T.self == Bool.self {
            data = Data((values as! [Bool]).map { $0 ? 1 : 0 })
        } else {
            data = values.withUnsafeBytes { Data($0) }
        }
        self.init(dataType: .scalar(T.npyScalarType, .native), shape: shape, bytes: data)
    }

    /// The elements as `T`, when the array holds exactly `T`'s scalar type (in either byte order); `nil`
    /// for another type or a structured array. `bool` elements are true when non-zero.
    public func values<T: NPYElement>(as type: T.Type) -> [T]? {
        guard case let .scalar(scalar, order) = dataType, scalar == T.npyScalarType else { return nil }
        if T.self == Bool.self {
            return bytes.map { $0 != 0 } as? [T]
        }
        let n = count, size = scalar.size
        precondition(MemoryLayout<T>.stride == size)
        return [T](unsafeUninitializedCapacity: n) { buffer, initialized in
            let destination = UnsafeMutableRawBufferPointer(buffer)
            bytes.withUnsafeBytes { source in destination.copyMemory(from: UnsafeRawBufferPointer(rebasing: source[0..<(n * size)])) }
            if order != .native && size > 1 {
                for start in stride(from: 0, to: n * size, by: size) {
                    var (i, j) = (start, start + size - 1)
                    while i < j { destination.swapAt(i, j); i += 1; j -= 1 }
                }
            }
            initialized = n
        }
    }

    /// The elements converted to `Double` (exact for every type but 64-bit integers beyond 2⁵³), for any
    /// scalar type; `nil` for a structured array.
    public func doubles() -> [Double]? {
        guard let column = column() else { return nil }
        return bytes.withUnsafeBytes { raw in (0..<count).map { column.double(raw, $0) } }
    }

    /// The field `name` of a structured array as a scalar array of the same shape (the bytes are copied);
    /// `nil` when there is no such field.
    public func field(_ name: String) -> NPYArray? {
        guard let field = dataType.field(named: name) else { return nil }
        let itemSize = dataType.itemSize, size = field.type.size
        var data = Data(count: count * size)
        data.withUnsafeMutableBytes { destination in
            bytes.withUnsafeBytes { source in
                for i in 0..<count {
                    destination.baseAddress!.advanced(by: i * size)
                        .copyMemory(from: source.baseAddress!.advanced(by: i * itemSize + field.offset), byteCount: size)
                }
            }
        }
        return NPYArray(dataType: .scalar(field.type, field.byteOrder), shape: shape, bytes: data)
    }

    /// A reader of the elements of a scalar array (`field == nil`) or of one field of a structured array.
    func column(_ field: String? = nil) -> NPYColumn? {
        switch dataType {
        case let .scalar(type, order):
            guard field == nil else { return nil }
            return NPYColumn(type: type, order: order, stride: type.size, offset: 0)
        case let .structured(_, itemSize):
            guard let name = field, let f = dataType.field(named: name) else { return nil }
            return NPYColumn(type: f.type, order: f.byteOrder, stride: itemSize, offset: f.offset)
        }
    }

    /// The product of the extents, or `nil` on overflow or a negative extent.
    static func elementCount(_ shape: [Int]) -> Int? {
        var total = 1
        for extent in shape {
            guard extent >= 0 else { return nil }
            let (product, overflow) = total.multipliedReportingOverflow(by: extent)
            guard !overflow else { return nil }
            total = product
        }
        return total
    }
}

/// Reads the elements of one scalar column (a scalar array, or one field of a structured one) from raw bytes.
struct NPYColumn {
    /// The element type.
    let type: NPYScalarType
    /// The byte order.
    let order: NPYByteOrder
    /// Bytes from one element (record) to the next.
    let stride: Int
    /// Offset of the column within a record.
    let offset: Int

    @inline(__always)
    private func load<T: FixedWidthInteger>(_ raw: UnsafeRawBufferPointer, _ index: Int, as: T.Type) -> T {
        let v = raw.loadUnaligned(fromByteOffset: index * stride + offset, as: T.self)
        return order == .littleEndian ? T(littleEndian: v) : T(bigEndian: v)
    }

    /// Element `index` as a `Double`.
    @inline(__always)
    func double(_ raw: UnsafeRawBufferPointer, _ index: Int) -> Double {
        switch type {
        case .bool: return load(raw, index, as: UInt8.self) != 0 ? 1 : 0
        case .int8: return Double(load(raw, index, as: Int8.self))
        case .uint8: return Double(load(raw, index, as: UInt8.self))
        case .int16: return Double(load(raw, index, as: Int16.self))
        case .uint16: return Double(load(raw, index, as: UInt16.self))
        case .int32: return Double(load(raw, index, as: Int32.self))
        case .uint32: return Double(load(raw, index, as: UInt32.self))
        case .int64: return Double(load(raw, index, as: Int64.self))
        case .uint64: return Double(load(raw, index, as: UInt64.self))
        case .float16: return Self.halfToDouble(load(raw, index, as: UInt16.self))
        case .float32: return Double(Float(bitPattern: load(raw, index, as: UInt32.self)))
        case .float64: return Double(bitPattern: load(raw, index, as: UInt64.self))
        }
    }

    /// Element `index` as an exact integer, for integer and `bool` columns; `nil` for floating-point columns
    /// and for `uint64` values above `Int64.max`.
    @inline(__always)
    func integer(_ raw: UnsafeRawBufferPointer, _ index: Int) -> Int64? {
        switch type {
        case .bool: return load(raw, index, as: UInt8.self) != 0 ? 1 : 0
        case .int8: return Int64(load(raw, index, as: Int8.self))
        case .uint8: return Int64(load(raw, index, as: UInt8.self))
        case .int16: return Int64(load(raw, index, as: Int16.self))
        case .uint16: return Int64(load(raw, index, as: UInt16.self))
        case .int32: return Int64(load(raw, index, as: Int32.self))
        case .uint32: return Int64(load(raw, index, as: UInt32.self))
        case .int64: return load(raw, index, as: Int64.self)
        case .uint64: return Int64(exactly: load(raw, index, as: UInt64.self))
        case .float16, .float32, .float64: return nil
        }
    }

    /// IEEE 754 half precision (bit pattern) to `Double`, exactly.
    static func halfToDouble(_ bits: UInt16) -> Double {
        let negative = bits & 0x8000 != 0
        let exponent = Int((bits >> 10) & 0x1F), fraction = Double(bits & 0x3FF)
        let magnitude: Double
        switch exponent {
        case 0: magnitude = fraction * 0x1p-24                              // zero and subnormals
        case 31: magnitude = fraction == 0 ? .infinity : .nan
        default: magnitude = Double(sign: .plus, exponent: exponent - 15, significand: 1 + fraction / 1024)
        }
        return negative ? -magnitude : magnitude
    }
}
