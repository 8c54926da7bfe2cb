import Foundation

/// The scalar element types of NumPy arrays that ``NPYFile`` reads and writes, named by NumPy's type code
/// (the kind letter and size in bytes of a `descr` such as `'<f4'`).
public enum NPYScalarType: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    /// `bool` (`'|b1'`), one byte, 0 or 1.
    case bool = "b1"
    /// `int8` (`'|i1'`).
    case int8 = "i1"
    /// `uint8` (`'|u1'`).
    case uint8 = "u1"
    /// `int16` (`'<i2'`).
    case int16 = "i2"
    /// `uint16` (`'<u2'`).
    case uint16 = "u2"
    /// `int32` (`'<i4'`).
    case int32 = "i4"
    /// `uint32` (`'<u4'`).
    case uint32 = "u4"
    /// `int64` (`'<i8'`).
    case int64 = "i8"
    /// `uint64` (`'<u8'`).
    case uint64 = "u8"
    /// `float16` (`'<f2'`), IEEE 754 half precision; read only (converted to `Float`/`Double`).
    case float16 = "f2"
    /// `float32` (`'<f4'`).
    case float32 = "f4"
    /// `float64` (`'<f8'`).
    case float64 = "f8"

    /// Size of one element in bytes.
    public var size: Int {
        switch self {
        case .bool, .int8, .uint8: return 1
        case .int16, .uint16, .float16: return 2
        case .int32, .uint32, .float32: return 4
        case .int64, .uint64: return 8
        case .float64: return 8
        }
    }

    /// Whether the type is a (signed or unsigned) integer type; `bool` is not.
    public var isInteger: Bool {
        switch self {
        case .int8, .uint8, .int16, .uint16, .int32, .uint32, .int64, .uint64: return true
        case .bool, .float16, .float32, .float64: return false
        }
    }

    /// Whether the type is a floating-point type.
    public var isFloatingPoint: Bool { self == .float16 || self == .float32 || self == .float64 }

    /// NumPy's name of the type, e.g. `"uint16"`.
    public var description: String {
        switch self {
        case .bool: return "bool"
        case .int8: return "int8"
        case .uint8: return "uint8"
        case .int16: return "int16"
        case .uint16: return "uint16"
        case .int32: return "int32"
        case .uint32: return "uint32"
        case .int64: return "int64"
        case .uint64: return "uint64"
        case .float16: return "float16"
        case .float32: return "float32"
        case .float64: return "float64"
        }
    }
}

/// The byte order of a multi-byte NumPy element.
public enum NPYByteOrder: Sendable, Hashable {
    /// Least significant byte first (`<`); also used for one-byte types (`|`).
    case littleEndian
    /// Most significant byte first (`>`).
    case bigEndian

    /// The byte order of the machine running this code (NumPy's `=`).
    public static var native: NPYByteOrder { 1.littleEndian == 1 ? .littleEndian : .bigEndian }
}

/// One named field of a structured NumPy dtype such as `[('x', '<u2'), ('y', '<u2'), ('p', '|u1'), ('t', '<i8')]`.
public struct NPYField: Sendable, Hashable {
    /// The field's name.
    public var name: String
    /// The field's scalar type.
    public var type: NPYScalarType
    /// The field's byte order.
    public var byteOrder: NPYByteOrder
    /// Byte offset of the field within one record.
    public var offset: Int

    /// Creates a field.
    public init(name: String, type: NPYScalarType, byteOrder: NPYByteOrder = .littleEndian, offset: Int) {
        self.name = name
        self.type = type
        self.byteOrder = byteOrder
        self.offset = offset
    }
}

/// The element type (`descr`) of a NumPy array: a scalar type, or a structured record of named scalar fields.
public enum NPYDataType: Sendable, Hashable, CustomStringConvertible {
    /// Elements of one scalar type, e.g. `'<f4'`.
    case scalar(NPYScalarType, NPYByteOrder)
    /// Records of named scalar fields (packed or with unnamed padding), `itemSize` bytes each.
    case structured(fields: [NPYField], itemSize: Int)

    /// A little-endian scalar type, the byte order SNNData writes.
    public static func littleEndian(_ type: NPYScalarType) -> NPYDataType { .scalar(type, .littleEndian) }

    /// A packed structured type with the given little-endian fields in order (NumPy's default layout,
    /// `align=False`).
    public static func packed(_ fields: [(name: String, type: NPYScalarType)]) -> NPYDataType {
        var offset = 0
        var result: [NPYField] = []
        for field in fields {
            result.append(NPYField(name: field.name, type: field.type, offset: offset))
            offset += field.type.size
        }
        return .structured(fields: result, itemSize: offset)
    }

    /// Size of one element (or record) in bytes.
    public var itemSize: Int {
        switch self {
        case let .scalar(type, _): return type.size
        case let .structured(_, itemSize): return itemSize
        }
    }

    /// The scalar type, or `nil` for a structured type.
    public var scalarType: NPYScalarType? {
        if case let .scalar(type, _) = self { return type }
        return nil
    }

    /// The fields of a structured type (empty for a scalar type).
    public var fields: [NPYField] {
        if case let .structured(fields, _) = self { return fields }
        return []
    }

    /// The field called `name` of a structured type.
    public func field(named name: String) -> NPYField? { fields.first { $0.name == name } }

    /// The `descr` as a Python literal, as written in an `.npy` header: `'<f4'` or `[('x', '<u2'), …]`.
    public var descr: String {
        switch self {
        case let .scalar(type, order):
            return "'\(Self.typeString(type, order))'"
        case let .structured(fields, itemSize):
            var parts: [String] = []
            var offset = 0
            for field in fields.sorted(by: { $0.offset < $1.offset }) {
                if field.offset > offset { parts.append("('', '|V\(field.offset - offset)')") }   // NumPy's unnamed padding
                parts.append("(\(Self.quoted(field.name)), '\(Self.typeString(field.type, field.byteOrder))')")
                offset = field.offset + field.type.size
            }
            if itemSize > offset { parts.append("('', '|V\(itemSize - offset)')") }
            return "[" + parts.joined(separator: ", ") + "]"
        }
    }

    /// The descr without quotes for a scalar type (`<f4`), else the structured literal.
    public var description: String {
        if case let .scalar(type, order) = self { return Self.typeString(type, order) }
        return descr
    }

    /// `'<f4'`, `'|u1'`: one-byte types take `|`.
    static func typeString(_ type: NPYScalarType, _ order: NPYByteOrder) -> String {
        let prefix = type.size == 1 ? "|" : (order == .littleEndian ? "<" : ">")
        return prefix + type.rawValue
    }

    /// `name` as a single-quoted Python string literal (backslashes and quotes escaped).
    static func quoted(_ name: String) -> String {
        "'" + name.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "'", with: "\\'") + "'"
    }

    /// Parses a scalar type string such as `<f4`, `|u1`, `u1`, `=i8`, `>f8` or `?`; `nil` when it is not
    /// one of the supported scalar types.
    static func parseScalar(_ text: String) -> (NPYScalarType, NPYByteOrder)? {
        if text == "?" || text == "|?" { return (.bool, .littleEndian) }
        var body = Substring(text)
        var order = NPYByteOrder.littleEndian
        if let first = body.first, "<>|=".contains(first) {
            body = body.dropFirst()
            if first == ">" { order = .bigEndian } else if first == "=" { order = .native }
        }
        guard let type = NPYScalarType(rawValue: String(body)) else { return nil }
        // `|` (byte order not applicable) only for one-byte types; an explicit order on them is harmless.
        if text.hasPrefix("|") && type.size != 1 { return nil }
        return (type, type.size == 1 ? .littleEndian : order)
    }
}
