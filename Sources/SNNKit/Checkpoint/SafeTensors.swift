import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A file in the safetensors format (Hugging Face): named tensors of raw little-endian data plus string metadata.
///
/// The layout is an 8-byte little-endian header length `N`, then `N` bytes of UTF-8 JSON,
///
///     {"__metadata__": {"key": "value", …},
///      "layer0.afferent0.weights": {"dtype": "F32", "shape": [128, 20], "data_offsets": [0, 10240]}, …}
///
/// then the data: each tensor's elements in row-major order, little-endian, at `data_offsets` (`[begin, end)`,
/// relative to the first byte after the header). SNNKit writes the metadata first, the tensors in the order they
/// were appended with contiguous offsets, the metadata keys sorted, and pads the header with spaces to a multiple
/// of 8 bytes, so a file it wrote and read back serializes to the same bytes.
///
/// Reading is strict: the header length must fit the file and ``maximumHeaderSize``, the header must be a JSON
/// object of the layout above, every dtype must be known, every shape's byte count must fit the data before
/// anything is allocated and must equal its offsets' span, and the tensors must cover the data exactly, without
/// overlaps or gaps. Each violation throws a specific ``CheckpointError`` naming the file and the tensor or field.
///
/// ```swift
/// var file = SafeTensors(metadata: ["note": "example"])
/// try file.append("weights", Tensor(shape: [2, 3], repeating: 0.5))
/// try file.write(to: URL(fileURLWithPath: "model.safetensors"))   // temporary file, fsync, rename
/// let back = try SafeTensors(contentsOf: URL(fileURLWithPath: "model.safetensors"))
/// let weights = try back.tensor("weights")
/// ```
public struct SafeTensors: Sendable, Equatable {
    /// The element types of the safetensors format.
    public enum DType: String, Sendable, Hashable, CaseIterable {
        /// Booleans, one byte each.
        case bool = "BOOL"
        /// Unsigned 8-bit integers.
        case uint8 = "U8"
        /// Signed 8-bit integers.
        case int8 = "I8"
        /// Unsigned 16-bit integers.
        case uint16 = "U16"
        /// Signed 16-bit integers.
        case int16 = "I16"
        /// IEEE half-precision floats.
        case float16 = "F16"
        /// bfloat16 (the upper half of a float32).
        case bfloat16 = "BF16"
        /// Unsigned 32-bit integers.
        case uint32 = "U32"
        /// Signed 32-bit integers.
        case int32 = "I32"
        /// IEEE single-precision floats.
        case float32 = "F32"
        /// Unsigned 64-bit integers.
        case uint64 = "U64"
        /// Signed 64-bit integers.
        case int64 = "I64"
        /// IEEE double-precision floats.
        case float64 = "F64"

        /// Bytes per element.
        public var byteCount: Int {
            switch self {
            case .bool, .uint8, .int8: return 1
            case .uint16, .int16, .float16, .bfloat16: return 2
            case .uint32, .int32, .float32: return 4
            case .uint64, .int64, .float64: return 8
            }
        }
    }

    /// One named tensor: its dtype, shape and raw little-endian bytes.
    public struct Entry: Sendable, Equatable {
        /// The tensor's name (its key in the header).
        public let name: String
        /// The element type.
        public let dtype: DType
        /// The extent of each dimension, outermost first (`[]` for a scalar).
        public let shape: [Int]
        /// The elements, row-major and little-endian; `bytes.count == elementCount · dtype.byteCount`.
        public let bytes: [UInt8]

        /// The number of elements, the product of ``shape``.
        public var elementCount: Int { shape.reduce(1, *) }
    }

    /// The largest header a reader accepts, in bytes (100 MB, the limit of the reference implementation).
    public static let maximumHeaderSize = 100_000_000

    /// The name used in errors for data that did not come from a file.
    public static let memoryPath = "<memory>"

    /// The free-form string metadata (`"__metadata__"` in the header).
    public var metadata: [String: String]
    /// The tensors, in data order.
    public private(set) var entries: [Entry]
    /// The file this was read from, or ``memoryPath``; errors of the typed accessors name it.
    public internal(set) var path: String

    /// An empty file with the given metadata.
    public init(metadata: [String: String] = [:]) {
        self.metadata = metadata
        self.entries = []
        self.path = Self.memoryPath
    }

    /// Files are equal when their metadata and tensors are (the path they were read from does not count).
    public static func == (lhs: SafeTensors, rhs: SafeTensors) -> Bool {
        lhs.metadata == rhs.metadata && lhs.entries == rhs.entries
    }

    /// The names of the tensors, in data order.
    public var names: [String] { entries.map(\.name) }

    /// The tensor named `name`, if present.
    public subscript(name: String) -> Entry? {
        entries.first { $0.name == name }
    }

    // MARK: - Building

    /// Appends a tensor given as raw little-endian bytes.
    ///
    /// - Throws: ``CheckpointError/invalidHeader(path:field:reason:)`` for an empty, reserved (`__metadata__`) or
    ///   duplicate name or a negative dimension; ``CheckpointError/sizeMismatch(path:tensor:expected:found:)`` when
    ///   `bytes` does not hold exactly the elements of `shape`.
    public mutating func append(_ name: String, dtype: DType, shape: [Int], bytes: [UInt8]) throws(CheckpointError) {
        guard !name.isEmpty, name != "__metadata__" else {
            throw .invalidHeader(path: path, field: name, reason: "a tensor name must be non-empty and not __metadata__")
        }
        guard self[name] == nil else { throw .invalidHeader(path: path, field: name, reason: "duplicate tensor name") }
        guard shape.allSatisfy({ $0 >= 0 }) else {
            throw .invalidHeader(path: path, field: "\(name).shape", reason: "negative dimension in \(shape)")
        }
        let expected = shape.reduce(1, *) * dtype.byteCount
        guard bytes.count == expected else { throw .sizeMismatch(path: path, tensor: name, expected: expected, found: bytes.count) }
        entries.append(Entry(name: name, dtype: dtype, shape: shape, bytes: bytes))
    }

    /// Appends an `F32` tensor.
    /// - Throws: as ``append(_:dtype:shape:bytes:)`` for a bad name.
    public mutating func append(_ name: String, _ tensor: Tensor) throws(CheckpointError) {
        try append(name, dtype: .float32, shape: tensor.shape, bytes: Self.littleEndianBytes(tensor.scalars.map(\.bitPattern)))
    }

    /// Appends an `F32` tensor of the given shape.
    /// - Throws: as ``append(_:dtype:shape:bytes:)``.
    public mutating func append(_ name: String, values: [Float], shape: [Int]) throws(CheckpointError) {
        try append(name, dtype: .float32, shape: shape, bytes: Self.littleEndianBytes(values.map(\.bitPattern)))
    }

    /// Appends an `F64` tensor of the given shape.
    /// - Throws: as ``append(_:dtype:shape:bytes:)``.
    public mutating func append(_ name: String, values: [Double], shape: [Int]) throws(CheckpointError) {
        try append(name, dtype: .float64, shape: shape, bytes: Self.littleEndianBytes(values.map(\.bitPattern)))
    }

    /// Appends an `I64` tensor of the given shape.
    /// - Throws: as ``append(_:dtype:shape:bytes:)``.
    public mutating func append(_ name: String, values: [Int64], shape: [Int]) throws(CheckpointError) {
        try append(name, dtype: .int64, shape: shape, bytes: Self.littleEndianBytes(values))
    }

    /// Appends a `U8` tensor of the given shape.
    /// - Throws: as ``append(_:dtype:shape:bytes:)``.
    public mutating func append(_ name: String, values: [UInt8], shape: [Int]) throws(CheckpointError) {
        try append(name, dtype: .uint8, shape: shape, bytes: values)
    }

    // MARK: - Typed access

    /// The `F32` tensor `name` as a ``Tensor``.
    /// - Throws: ``CheckpointError/missingTensor(path:tensor:)``, ``CheckpointError/wrongDType(path:tensor:expected:found:)``.
    public func tensor(_ name: String) throws(CheckpointError) -> Tensor {
        var tensor = Tensor(shape: try entry(name, dtype: .float32).shape)
        tensor.scalars = try floats(name)
        return tensor
    }

    /// The elements of the `F32` tensor `name`.
    /// - Throws: ``CheckpointError/missingTensor(path:tensor:)``, ``CheckpointError/wrongDType(path:tensor:expected:found:)``.
    public func floats(_ name: String) throws(CheckpointError) -> [Float] {
        Self.values(try entry(name, dtype: .float32).bytes, as: UInt32.self).map(Float.init(bitPattern:))
    }

    /// The elements of the `F64` tensor `name`.
    /// - Throws: ``CheckpointError/missingTensor(path:tensor:)``, ``CheckpointError/wrongDType(path:tensor:expected:found:)``.
    public func doubles(_ name: String) throws(CheckpointError) -> [Double] {
        Self.values(try entry(name, dtype: .float64).bytes, as: UInt64.self).map(Double.init(bitPattern:))
    }

    /// The elements of the `I64` tensor `name`.
    /// - Throws: ``CheckpointError/missingTensor(path:tensor:)``, ``CheckpointError/wrongDType(path:tensor:expected:found:)``.
    public func int64s(_ name: String) throws(CheckpointError) -> [Int64] {
        Self.values(try entry(name, dtype: .int64).bytes, as: Int64.self)
    }

    /// The elements of the `U8` tensor `name`.
    /// - Throws: ``CheckpointError/missingTensor(path:tensor:)``, ``CheckpointError/wrongDType(path:tensor:expected:found:)``.
    public func uint8s(_ name: String) throws(CheckpointError) -> [UInt8] {
        try entry(name, dtype: .uint8).bytes
    }

    private func entry(_ name: String, dtype: DType) throws(CheckpointError) -> Entry {
        guard let entry = self[name] else { throw .missingTensor(path: path, tensor: name) }
        guard entry.dtype == dtype else {
            throw .wrongDType(path: path, tensor: name, expected: dtype.rawValue, found: entry.dtype.rawValue)
        }
        return entry
    }

    static func littleEndianBytes<T: FixedWidthInteger>(_ values: [T]) -> [UInt8] {
        values.map(\.littleEndian).withUnsafeBytes { Array($0) }
    }

    static func values<T: FixedWidthInteger>(_ bytes: [UInt8], as type: T.Type) -> [T] {
        let size = MemoryLayout<T>.size
        return bytes.withUnsafeBytes { raw in
            (0..<(raw.count / size)).map { T(littleEndian: raw.loadUnaligned(fromByteOffset: $0 * size, as: T.self)) }
        }
    }

    // MARK: - Serializing

    /// The file's bytes: header length, JSON header (padded with spaces to a multiple of 8 bytes), data.
    public func serialized() -> [UInt8] {
        var header = "{"
        var fields: [String] = []
        if !metadata.isEmpty {
            let pairs = metadata.keys.sorted().map { "\(Self.jsonString($0)):\(Self.jsonString(metadata[$0]!))" }
            fields.append("\"__metadata__\":{\(pairs.joined(separator: ","))}")
        }
        var offset = 0
        for entry in entries {
            let end = offset + entry.bytes.count
            fields.append("\(Self.jsonString(entry.name)):{\"dtype\":\"\(entry.dtype.rawValue)\",\"shape\":[\(entry.shape.map(String.init).joined(separator: ","))],\"data_offsets\":[\(offset),\(end)]}")
            offset = end
        }
        header += fields.joined(separator: ",") + "}"
        var headerBytes = Array(header.utf8)
        headerBytes.append(contentsOf: repeatElement(UInt8(ascii: " "), count: (8 - headerBytes.count % 8) % 8))
        var bytes = Self.littleEndianBytes([UInt64(headerBytes.count)])
        bytes.reserveCapacity(8 + headerBytes.count + offset)
        bytes.append(contentsOf: headerBytes)
        for entry in entries { bytes.append(contentsOf: entry.bytes) }
        return bytes
    }

    /// `s` as a JSON string literal (quotes, backslashes and control characters escaped; other characters as UTF-8).
    static func jsonString(_ s: String) -> String {
        var out = "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20: out += String(format: "\\u%04x", scalar.value)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }

    /// Writes the file atomically: a temporary file in the same directory, flushed to disk (`fsync`), then
    /// renamed over `url` (and the directory synced), so an interrupted write never leaves a truncated file.
    /// - Throws: ``CheckpointError/cannotWrite(path:reason:)``; `url` is left as it was.
    public func write(to url: URL) throws(CheckpointError) {
        try AtomicFile.write(serialized(), to: url.path)
    }

    // MARK: - Parsing

    /// Parses the bytes of a safetensors file, validating it strictly (see the type's discussion).
    /// - Parameter path: the name errors give the data (``memoryPath`` unless it came from a file).
    /// - Throws: ``CheckpointError`` naming `path` and the tensor or field.
    public init(bytes: [UInt8], path: String = SafeTensors.memoryPath) throws(CheckpointError) {
        guard bytes.count >= 8 else { throw .truncated(path: path, size: bytes.count) }
        let declared = Self.values(Array(bytes[0..<8]), as: UInt64.self)[0]
        let headerLength = try Self.checkHeaderLength(declared, available: bytes.count - 8, path: path)
        let layout = try Self.parseHeader(Array(bytes[8..<(8 + headerLength)]), dataLength: bytes.count - 8 - headerLength, path: path)
        let dataStart = 8 + headerLength
        self.init(path: path, metadata: layout.metadata, entries: layout.tensors.map {
            Entry(name: $0.name, dtype: $0.dtype, shape: $0.shape, bytes: Array(bytes[(dataStart + $0.begin)..<(dataStart + $0.end)]))
        })
    }

    /// Reads and validates a safetensors file. Nothing larger than the file itself is allocated.
    /// - Throws: ``CheckpointError/cannotOpen(path:reason:)`` and the errors of ``init(bytes:path:)``, naming the file.
    public init(contentsOf url: URL) throws(CheckpointError) {
        let path = url.path
        let file = try AtomicFile.Reader(path: path)
        defer { file.close() }
        guard file.size >= 8 else { throw .truncated(path: path, size: file.size) }
        let declared = Self.values(try file.read(count: 8, at: 0), as: UInt64.self)[0]
        let headerLength = try Self.checkHeaderLength(declared, available: file.size - 8, path: path)
        let dataLength = file.size - 8 - headerLength
        let layout = try Self.parseHeader(try file.read(count: headerLength, at: 8), dataLength: dataLength, path: path)
        let data = try file.read(count: dataLength, at: 8 + headerLength)
        self.init(path: path, metadata: layout.metadata, entries: layout.tensors.map {
            Entry(name: $0.name, dtype: $0.dtype, shape: $0.shape, bytes: Array(data[$0.begin..<$0.end]))
        })
    }

    private init(path: String, metadata: [String: String], entries: [Entry]) {
        self.path = path
        self.metadata = metadata
        self.entries = entries
    }

    private static func checkHeaderLength(_ declared: UInt64, available: Int, path: String) throws(CheckpointError) -> Int {
        guard declared <= UInt64(maximumHeaderSize) else { throw .headerTooLarge(path: path, declared: declared, limit: maximumHeaderSize) }
        guard declared <= UInt64(available) else { throw .headerBeyondFile(path: path, declared: declared, available: available) }
        return Int(declared)
    }

    /// A tensor as declared in the header, validated against the data length.
    private struct Declared {
        var name: String
        var dtype: DType
        var shape: [Int]
        var begin: Int
        var end: Int
    }

    /// A header entry as written; numbers are read as `Double` (exact below 2⁵³, far beyond any real file) and
    /// checked to be integers, so that `1.5` is reported with its field (integers beyond `Int` count as `Int.max`).
    private struct RawEntry: Decodable {
        var dtype: String
        var shape: [Double]
        var dataOffsets: [Double]

        enum CodingKeys: String, CodingKey {
            case dtype, shape
            case dataOffsets = "data_offsets"
        }
    }

    private struct AnyKey: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    private struct RawHeader: Decodable {
        var metadata: [String: String] = [:]
        var tensors: [(name: String, entry: RawEntry)] = []

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: AnyKey.self)
            for key in container.allKeys {
                if key.stringValue == "__metadata__" {
                    metadata = try container.decode([String: String].self, forKey: key)
                } else {
                    tensors.append((key.stringValue, try container.decode(RawEntry.self, forKey: key)))
                }
            }
        }
    }

    private static func parseHeader(_ header: [UInt8], dataLength: Int, path: String) throws(CheckpointError) -> (metadata: [String: String], tensors: [Declared]) {
        guard header.first == UInt8(ascii: "{") else {
            throw .invalidHeader(path: path, field: "header", reason: "does not start with '{' (not a JSON object)")
        }
        let raw: RawHeader
        do {
            raw = try JSONDecoder().decode(RawHeader.self, from: Data(header))
        } catch let error as DecodingError {
            let (field, reason) = describe(error)
            throw .invalidHeader(path: path, field: field, reason: reason)
        } catch {
            throw .invalidHeader(path: path, field: "header", reason: "\(error)")
        }
        var tensors: [Declared] = []
        func integers(_ values: [Double], _ field: String) throws(CheckpointError) -> [Int] {
            var result: [Int] = []
            for v in values {
                if v.isFinite, v == v.rounded(), abs(v) >= 0x1p63 {   // an integer beyond Int: certainly too large
                    result.append(v > 0 ? Int.max : Int.min)
                    continue
                }
                guard let i = Int(exactly: v) else {
                    throw .invalidHeader(path: path, field: field, reason: "expected integers, found \(v)")
                }
                result.append(i)
            }
            return result
        }
        for (name, raw) in raw.tensors.sorted(by: { $0.name < $1.name }) {
            guard let dtype = DType(rawValue: raw.dtype) else { throw .unknownDType(path: path, tensor: name, dtype: raw.dtype) }
            let entry = (shape: try integers(raw.shape, "\(name).shape"), dataOffsets: try integers(raw.dataOffsets, "\(name).data_offsets"))
            guard entry.shape.allSatisfy({ $0 >= 0 }) else {
                throw .invalidHeader(path: path, field: "\(name).shape", reason: "negative dimension in \(entry.shape)")
            }
            guard entry.dataOffsets.count == 2 else {
                throw .invalidHeader(path: path, field: "\(name).data_offsets", reason: "expected [begin, end], found \(entry.dataOffsets)")
            }
            // The byte count, checked against the data before anything is allocated.
            var bytes = entry.shape.contains(0) ? 0 : dtype.byteCount
            var overflow = false
            for d in entry.shape where !overflow && bytes > 0 {
                (bytes, overflow) = bytes.multipliedReportingOverflow(by: d)
            }
            guard !overflow, bytes <= dataLength else { throw .tooLarge(path: path, tensor: name, shape: entry.shape, available: dataLength) }
            let (begin, end) = (entry.dataOffsets[0], entry.dataOffsets[1])
            guard begin >= 0, begin <= end, end <= dataLength else {
                throw .offsetsOutOfRange(path: path, tensor: name, begin: begin, end: end, dataLength: dataLength)
            }
            guard end - begin == bytes else { throw .sizeMismatch(path: path, tensor: name, expected: bytes, found: end - begin) }
            tensors.append(Declared(name: name, dtype: dtype, shape: entry.shape, begin: begin, end: end))
        }
        tensors.sort { ($0.begin, $0.end, $0.name) < ($1.begin, $1.end, $1.name) }
        var covered = 0
        for (k, t) in tensors.enumerated() {
            if t.begin < covered { throw .overlappingTensors(path: path, tensor: t.name, other: tensors[k - 1].name) }
            if t.begin > covered { throw .uncoveredData(path: path, begin: covered, end: t.begin) }
            covered = t.end
        }
        if covered < dataLength { throw .uncoveredData(path: path, begin: covered, end: dataLength) }
        return (raw.metadata, tensors)
    }

    private static func describe(_ error: DecodingError) -> (field: String, reason: String) {
        func field(_ path: [any CodingKey]) -> String {
            path.isEmpty ? "header" : path.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".")
        }
        switch error {
        case let .dataCorrupted(context):
            return (field(context.codingPath), context.debugDescription + (context.underlyingError.map { " (\($0))" } ?? ""))
        case let .keyNotFound(key, context):
            return (field(context.codingPath + [key]), "missing")
        case let .typeMismatch(type, context):
            return (field(context.codingPath), "expected \(type): \(context.debugDescription)")
        case let .valueNotFound(type, context):
            return (field(context.codingPath), "expected \(type), found null")
        @unknown default:
            return ("header", "\(error)")
        }
    }
}

// MARK: - Files

/// Whole-file reads and atomic writes with POSIX calls, reporting ``CheckpointError``.
enum AtomicFile {
    /// Writes `bytes` to a temporary file next to `path`, syncs it, renames it over `path` and syncs the directory.
    static func write(_ bytes: [UInt8], to path: String) throws(CheckpointError) {
        let url = URL(fileURLWithPath: path)
        let directory = url.deletingLastPathComponent().path
        let temporary = directory + "/." + url.lastPathComponent + ".tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL, 0o644)
        guard fd >= 0 else { throw .cannotWrite(path: path, reason: "cannot create a temporary file in \(directory): \(errorText())") }
        var failure: String?
        bytes.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let n = systemWrite(fd, raw.baseAddress! + offset, raw.count - offset)
                if n < 0 {
                    if errno == EINTR { continue }
                    failure = "write failed: \(errorText())"
                    return
                }
                offset += n
            }
        }
        if failure == nil, fsync(fd) != 0 { failure = "fsync failed: \(errorText())" }
        if systemClose(fd) != 0, failure == nil { failure = "close failed: \(errorText())" }
        if failure == nil, rename(temporary, path) != 0 { failure = "cannot rename the temporary file into place: \(errorText())" }
        if let failure {
            _ = unlink(temporary)
            throw .cannotWrite(path: path, reason: failure)
        }
        let directoryFD = open(directory, O_RDONLY)   // make the rename durable; best effort
        if directoryFD >= 0 {
            _ = fsync(directoryFD)
            _ = systemClose(directoryFD)
        }
    }

    /// An open file read with `pread`.
    struct Reader {
        let path: String
        let fd: Int32
        let size: Int

        init(path: String) throws(CheckpointError) {
            self.path = path
            fd = open(path, O_RDONLY)
            guard fd >= 0 else { throw .cannotOpen(path: path, reason: errorText()) }
            let end = lseek(fd, 0, SEEK_END)
            guard end >= 0 else {
                let reason = errorText()
                _ = AtomicFile.systemClose(fd)
                throw .cannotOpen(path: path, reason: "cannot determine its size: \(reason)")
            }
            size = Int(end)
        }

        /// `count` bytes at `offset` (the caller has checked that they lie within ``size``).
        func read(count: Int, at offset: Int) throws(CheckpointError) -> [UInt8] {
            var bytes = [UInt8](repeating: 0, count: count)
            var failure: String?
            bytes.withUnsafeMutableBytes { raw in
                var done = 0
                while done < count {
                    let n = pread(fd, raw.baseAddress! + done, count - done, off_t(offset + done))
                    if n < 0 && errno == EINTR { continue }
                    if n <= 0 {
                        failure = n == 0 ? "the file ended early (it changed while being read)" : errorText()
                        return
                    }
                    done += n
                }
            }
            if let failure { throw .cannotOpen(path: path, reason: failure) }
            return bytes
        }

        func close() { _ = AtomicFile.systemClose(fd) }
    }

    static func errorText() -> String { String(cString: strerror(errno)) }

    private static func systemWrite(_ fd: Int32, _ buffer: UnsafeRawPointer, _ count: Int) -> Int {
        #if canImport(Glibc)
        return Glibc.write(fd, buffer, count)
        #else
        return Darwin.write(fd, buffer, count)
        #endif
    }

    fileprivate static func systemClose(_ fd: Int32) -> Int32 {
        #if canImport(Glibc)
        return Glibc.close(fd)
        #else
        return Darwin.close(fd)
        #endif
    }
}
