import Foundation

/// An IDX file, the format of the MNIST and Fashion-MNIST images and labels.
///
/// The file starts with the magic number `0x00 0x00 T D`: two zero bytes, the element type `T` (`0x08`
/// ubyte, `0x09` signed byte, `0x0B` int16, `0x0C` int32, `0x0D` float32, `0x0E` float64) and the number of
/// dimensions `D`; then `D` big-endian `uint32` extents, then the elements, big-endian, in C order. MNIST's
/// training images are `0x00000803` with extents 60000 × 28 × 28; its labels `0x00000801` with 60000.
///
/// Reading memory-maps the file and checks the declared number of elements against a limit and against
/// the bytes present before anything is allocated.
public struct IDXFile: Sendable {
    /// The element types of IDX files, by their type code.
    public enum ElementType: UInt8, Sendable, Hashable, CaseIterable, CustomStringConvertible {
        /// Unsigned byte (`0x08`).
        case uint8 = 0x08
        /// Signed byte (`0x09`).
        case int8 = 0x09
        /// Big-endian signed 16-bit integer (`0x0B`).
        case int16 = 0x0B
        /// Big-endian signed 32-bit integer (`0x0C`).
        case int32 = 0x0C
        /// Big-endian IEEE single precision (`0x0D`).
        case float32 = 0x0D
        /// Big-endian IEEE double precision (`0x0E`).
        case float64 = 0x0E

        /// Size of one element in bytes.
        public var size: Int {
            switch self {
            case .uint8, .int8: return 1
            case .int16: return 2
            case .int32, .float32: return 4
            case .float64: return 8
            }
        }

        /// Whether the type is an integer type.
        public var isInteger: Bool { self != .float32 && self != .float64 }

        /// The IDX name of the type, e.g. `"ubyte"`.
        public var description: String {
            switch self {
            case .uint8: return "ubyte (0x08)"
            case .int8: return "byte (0x09)"
            case .int16: return "short (0x0B)"
            case .int32: return "int (0x0C)"
            case .float32: return "float (0x0D)"
            case .float64: return "double (0x0E)"
            }
        }
    }

    /// The default largest number of elements a file may declare: 2³² (4 294 967 296).
    public static let defaultElementLimit = 1 << 32

    /// The file's path (empty for a file built in memory).
    public let path: String
    /// The element type.
    public let elementType: ElementType
    /// The extents, outermost first (e.g. `[60000, 28, 28]`).
    public let dimensions: [Int]
    /// The raw big-endian element bytes, C order.
    public let bytes: Data

    /// Number of elements: the product of the extents.
    public var count: Int { dimensions.reduce(1, *) }

    /// Reads the IDX file at `path`.
    ///
    /// - Parameters:
    ///   - path: The file.
    ///   - name: What the file holds (e.g. `images`), used in error messages.
    ///   - elementLimit: The largest number of elements the file may declare.
    /// - Throws: ``DataError``, naming the file: ``DataError/cannotOpen(path:reason:)`` for a missing file,
    ///   one that does not start with two zero bytes, or one shorter than its header or data declare
    ///   ("truncated"); ``DataError/wrongType(path:dataset:expected:found:)`` for an unknown type code;
    ///   ``DataError/wrongShape(path:dataset:expected:found:)`` for zero dimensions;
    ///   ``DataError/tooLarge(path:dataset:declared:limit:)`` when the extents declare more than
    ///   `elementLimit` elements.
    public init(readingFrom path: String, name: String = "data", elementLimit: Int = IDXFile.defaultElementLimit) throws(DataError) {
        let data = try BinaryFile.contents(of: path)
        let head = Array(data.prefix(2))
        guard head == Array([0, 0].prefix(head.count)) else {
            throw .cannotOpen(path: path, reason: "not an IDX file (the magic number does not start with two zero bytes)")
        }
        guard let code = data.littleEndian(at: 2, as: UInt8.self), let rank = data.littleEndian(at: 3, as: UInt8.self) else {
            throw .cannotOpen(path: path, reason: "truncated: the IDX magic number needs 4 bytes, the file has \(data.count)")
        }
        guard let type = ElementType(rawValue: code) else {
            throw .wrongType(path: path, dataset: name, expected: "an IDX type code 0x08, 0x09, 0x0B, 0x0C, 0x0D or 0x0E",
                             found: "0x" + String(code, radix: 16, uppercase: true))
        }
        guard rank >= 1 else { throw .wrongShape(path: path, dataset: name, expected: "at least one dimension", found: "0 dimensions") }
        var dimensions: [Int] = []
        for d in 0..<Int(rank) {
            guard let extent = data.bigEndian(at: 4 + 4 * d, as: UInt32.self) else {
                throw .cannotOpen(path: path, reason: "truncated: \(rank) dimensions declared, the file ends within dimension \(d)")
            }
            dimensions.append(Int(extent))
        }
        guard let count = NPYArray.elementCount(dimensions) else {
            throw .tooLarge(path: path, dataset: name, declared: Int.max, limit: elementLimit)
        }
        guard count <= elementLimit else { throw .tooLarge(path: path, dataset: name, declared: count, limit: elementLimit) }
        let start = 4 + 4 * Int(rank)
        let (byteCount, overflow) = count.multipliedReportingOverflow(by: type.size)
        guard !overflow, let bytes = data.slice(start..<(start + byteCount)) else {
            throw .cannotOpen(path: path, reason: "truncated: \(name) declares \(dimensions.map(String.init).joined(separator: " × ")) "
                + "elements of \(type) (\(byteCount) bytes), only \(data.count - start) bytes follow the header")
        }
        self.path = path
        self.elementType = type
        self.dimensions = dimensions
        self.bytes = bytes
    }

    /// An IDX file in memory from raw big-endian element bytes.
    ///
    /// - Precondition: `bytes.count == count · elementType.size`, every extent fits in `UInt32`.
    public init(elementType: ElementType, dimensions: [Int], bytes: Data) {
        precondition(!dimensions.isEmpty && dimensions.count <= 255 && dimensions.allSatisfy { $0 >= 0 && $0 <= Int(UInt32.max) },
                     "invalid IDX dimensions \(dimensions)")
        precondition(NPYArray.elementCount(dimensions).map { $0 * elementType.size } == bytes.count,
                     "\(bytes.count) bytes do not hold \(dimensions) elements of \(elementType)")
        self.path = ""
        self.elementType = elementType
        self.dimensions = dimensions
        self.bytes = bytes
    }

    /// An in-memory `ubyte` IDX file (e.g. images or labels).
    public init(uint8 values: [UInt8], dimensions: [Int]) {
        self.init(elementType: .uint8, dimensions: dimensions, bytes: Data(values))
    }

    /// An in-memory `float` IDX file.
    public init(float32 values: [Float], dimensions: [Int]) {
        self.init(elementType: .float32, dimensions: dimensions, bytes: Data(values.flatMap { v -> [UInt8] in
            var bytes: [UInt8] = []
            bytes.appendLittleEndian(v.bitPattern.byteSwapped)   // big-endian
            return bytes
        }))
    }

    /// Element `index` (flat, C order) as a `Double`.
    public func value(at index: Int) -> Double {
        bytes.withUnsafeBytes { raw in Self.read(raw, index, elementType) }
    }

    /// All elements as `Double`s.
    public func doubles() -> [Double] {
        bytes.withUnsafeBytes { raw in (0..<count).map { Self.read(raw, $0, elementType) } }
    }

    /// Element `index` of raw big-endian bytes of `type`.
    @inline(__always)
    static func read(_ raw: UnsafeRawBufferPointer, _ index: Int, _ type: ElementType) -> Double {
        let offset = index * type.size
        switch type {
        case .uint8: return Double(raw[offset])
        case .int8: return Double(Int8(bitPattern: raw[offset]))
        case .int16: return Double(Int16(bigEndian: raw.loadUnaligned(fromByteOffset: offset, as: Int16.self)))
        case .int32: return Double(Int32(bigEndian: raw.loadUnaligned(fromByteOffset: offset, as: Int32.self)))
        case .float32: return Double(Float(bitPattern: UInt32(bigEndian: raw.loadUnaligned(fromByteOffset: offset, as: UInt32.self))))
        case .float64: return Double(bitPattern: UInt64(bigEndian: raw.loadUnaligned(fromByteOffset: offset, as: UInt64.self)))
        }
    }

    /// The complete file: magic number, extents and elements.
    public func encoded() -> Data {
        var header: [UInt8] = [0, 0, elementType.rawValue, UInt8(dimensions.count)]
        for d in dimensions { header.appendLittleEndian(UInt32(d).byteSwapped) }
        var data = Data(header)
        data.append(bytes)
        return data
    }

    /// Writes the file at `path`, atomically (a temporary file in the same directory, synced, then renamed).
    ///
    /// - Throws: ``DataError/cannotWrite(path:dataset:reason:)``.
    public func write(to path: String) throws(DataError) {
        let data = encoded()
        try BinaryFile.writeAtomically(to: path) { (sink) throws(DataError) in try sink.write(data) }
    }
}
