import Foundation

/// The NumPy `.npy` file format (format versions 1.0, 2.0 and 3.0), read and written natively.
///
/// A file is the magic string `\x93NUMPY`, a major and a minor version byte, the header length (little-endian
/// `uint16` in version 1.0, `uint32` in 2.0 and 3.0), the header — a Python dictionary literal
/// `{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }` padded with spaces and a newline, Latin-1
/// in versions 1.0 and 2.0 and UTF-8 in 3.0 — and then the raw elements.
///
/// Readable element types are ``NPYScalarType`` in either byte order and structured records of them
/// (e.g. `[('x', '<u2'), ('y', '<u2'), ('p', '|u1'), ('t', '<i8')]`, unnamed padding allowed); arrays must be
/// in C order. Before anything is allocated, the declared number of elements is checked against a limit
/// and the declared number of bytes against the bytes the file holds, so a corrupt or hostile header yields
/// an error rather than an unbounded allocation. Files are memory-mapped: reading a large array costs
/// no memory until its elements are used.
///
/// The writer produces version 1.0 (2.0 when the header needs more than 65 535 bytes, 3.0 when a field name
/// is not Latin-1), with the header padded so that the data starts at a multiple of 64 bytes, as NumPy does.
public enum NPYFile {
    /// The default largest number of elements an array may declare: 2³² (4 294 967 296).
    public static let defaultElementLimit = 1 << 32
    /// The largest header accepted, in bytes (NumPy itself refuses headers over 10 000 bytes by default).
    public static let maximumHeaderLength = 1 << 20
    /// The six bytes every `.npy` file starts with.
    public static let magic: [UInt8] = [0x93] + Array("NUMPY".utf8)

    /// Reads the `.npy` file at `path`.
    ///
    /// - Parameters:
    ///   - path: The file.
    ///   - name: What the array is (e.g. `spikes`), used in error messages.
    ///   - elementLimit: The largest number of elements the array may declare.
    /// - Throws: ``DataError``, naming the file and the array: ``DataError/cannotOpen(path:reason:)`` for a
    ///   missing file, one without the `.npy` magic, an unsupported version, or one shorter than its header
    ///   declares ("truncated"); ``DataError/wrongType(path:dataset:expected:found:)`` for an unsupported
    ///   `descr` or Fortran order; ``DataError/invalidValue(path:field:reason:)`` for a malformed header;
    ///   ``DataError/tooLarge(path:dataset:declared:limit:)`` when the shape declares more than
    ///   `elementLimit` elements.
    public static func read(from path: String, name: String = "array", elementLimit: Int = defaultElementLimit) throws(DataError) -> NPYArray {
        try decode(BinaryFile.contents(of: path), path: path, name: name, elementLimit: elementLimit)
    }

    /// Decodes the bytes of an `.npy` file (e.g. an entry of an `.npz` archive); errors name `path` and `name`.
    ///
    /// The returned array shares storage with `data`. Bytes after the declared elements are ignored, as
    /// NumPy ignores them. See ``read(from:name:elementLimit:)`` for the errors.
    public static func decode(_ data: Data, path: String, name: String = "array",
                              elementLimit: Int = defaultElementLimit) throws(DataError) -> NPYArray {
        let head = Array(data.prefix(magic.count))
        guard head == Array(magic.prefix(head.count)) else {
            throw .cannotOpen(path: path, reason: "\(name) is not a NumPy .npy file (it does not start with \\x93NUMPY)")
        }
        guard let major = data.littleEndian(at: 6, as: UInt8.self), let minor = data.littleEndian(at: 7, as: UInt8.self) else {
            throw .cannotOpen(path: path, reason: "truncated: \(name) ends within the .npy preamble (\(data.count) bytes)")
        }
        guard (1...3).contains(major), minor == 0 else {
            throw .cannotOpen(path: path, reason: "\(name) has .npy format version \(major).\(minor); versions 1.0, 2.0 and 3.0 are supported")
        }
        let headerLength: Int, headerStart: Int
        if major == 1 {
            guard let n = data.littleEndian(at: 8, as: UInt16.self) else {
                throw .cannotOpen(path: path, reason: "truncated: \(name) ends within the .npy preamble (\(data.count) bytes)")
            }
            (headerLength, headerStart) = (Int(n), 10)
        } else {
            guard let n = data.littleEndian(at: 8, as: UInt32.self) else {
                throw .cannotOpen(path: path, reason: "truncated: \(name) ends within the .npy preamble (\(data.count) bytes)")
            }
            (headerLength, headerStart) = (Int(n), 12)
        }
        guard headerLength <= maximumHeaderLength else {
            throw .tooLarge(path: path, dataset: "\(name) header (bytes)", declared: headerLength, limit: maximumHeaderLength)
        }
        guard let headerBytes = data.slice(headerStart..<(headerStart + headerLength)) else {
            throw .cannotOpen(path: path, reason: "truncated: \(name) declares a header of \(headerLength) bytes, the file ends first")
        }
        let text = major == 3
            ? String(decoding: headerBytes, as: UTF8.self)
            : String(String.UnicodeScalarView(headerBytes.map { Unicode.Scalar($0) }))   // Latin-1
        let (dataType, shape) = try parseHeader(text, path: path, name: name)

        guard let count = NPYArray.elementCount(shape) else {
            throw .tooLarge(path: path, dataset: name, declared: Int.max, limit: elementLimit)
        }
        guard count <= elementLimit else { throw .tooLarge(path: path, dataset: name, declared: count, limit: elementLimit) }
        let (byteCount, overflow) = count.multipliedReportingOverflow(by: dataType.itemSize)
        let dataStart = headerStart + headerLength
        let available = data.count - dataStart
        guard !overflow, byteCount <= available else {
            throw .cannotOpen(path: path, reason: "truncated: \(name) declares shape \(shape) of \(dataType) (\(count) elements, "
                + "\(overflow ? "more than \(Int.max)" : String(byteCount)) bytes) but only \(available) bytes follow its header")
        }
        return NPYArray(dataType: dataType, shape: shape, bytes: data.slice(dataStart..<(dataStart + byteCount))!)
    }

    /// Parses the header dictionary into the element type and shape.
    static func parseHeader(_ text: String, path: String, name: String) throws(DataError) -> (NPYDataType, [Int]) {
        let field = "\(name) header"
        let literal: PythonLiteral
        switch PythonLiteral.parse(text) {
        case let .success(value): literal = value
        case let .failure(error): throw .invalidValue(path: path, field: field, reason: "not a Python dictionary literal: \(error.message)")
        }
        guard case .dictionary = literal else { throw .invalidValue(path: path, field: field, reason: "not a Python dictionary literal") }
        guard let descr = literal["descr"] else { throw .invalidValue(path: path, field: field, reason: "no 'descr' key") }
        guard let order = literal["fortran_order"] else { throw .invalidValue(path: path, field: field, reason: "no 'fortran_order' key") }
        guard let shapeLiteral = literal["shape"] else { throw .invalidValue(path: path, field: field, reason: "no 'shape' key") }

        let dataType = try parseDescr(descr, path: path, name: name)
        guard case let .boolean(isFortran) = order else {
            throw .invalidValue(path: path, field: "\(name) fortran_order", reason: "not True or False")
        }
        guard !isFortran else {
            throw .wrongType(path: path, dataset: name, expected: "C (row-major) order", found: "Fortran order (fortran_order: True)")
        }
        guard case let .sequence(items, _) = shapeLiteral else {
            throw .invalidValue(path: path, field: "\(name) shape", reason: "not a tuple of integers")
        }
        var shape: [Int] = []
        for item in items {
            guard case let .integer(extent) = item else {
                throw .invalidValue(path: path, field: "\(name) shape", reason: "not a tuple of integers")
            }
            guard let extent else { throw .tooLarge(path: path, dataset: name, declared: Int.max, limit: Int.max) }
            guard extent >= 0 else { throw .invalidValue(path: path, field: "\(name) shape", reason: "negative extent \(extent)") }
            shape.append(extent)
        }
        return (dataType, shape)
    }

    /// The element types the reader understands, for error messages.
    static let supportedTypes = "a numeric NumPy type (bool, int8–int64, uint8–uint64, float16–float64) or a record of such fields"

    /// Parses a `descr`: a type string, or a list of `(name, type)` fields.
    static func parseDescr(_ descr: PythonLiteral, path: String, name: String) throws(DataError) -> NPYDataType {
        switch descr {
        case let .string(text):
            guard let (type, order) = NPYDataType.parseScalar(text) else {
                throw .wrongType(path: path, dataset: name, expected: supportedTypes, found: "'\(text)'")
            }
            return .scalar(type, order)
        case let .sequence(items, _):
            var fields: [NPYField] = []
            var offset = 0
            for item in items {
                guard case let .sequence(parts, _) = item, parts.count >= 2, case let .string(fieldName) = parts[0],
                      case let .string(typeText) = parts[1] else {
                    throw .wrongType(path: path, dataset: name, expected: "record fields ('name', 'type')", found: "a field \(describe(item))")
                }
                guard parts.count == 2 else {
                    throw .wrongType(path: path, dataset: name, expected: supportedTypes, found: "sub-array field '\(fieldName)'")
                }
                if fieldName.isEmpty, typeText.hasPrefix("|V"), let padding = Int(typeText.dropFirst(2)), padding >= 0 {
                    offset += padding   // NumPy's unnamed padding
                    continue
                }
                guard let (type, order) = NPYDataType.parseScalar(typeText) else {
                    throw .wrongType(path: path, dataset: "\(name).\(fieldName)", expected: supportedTypes, found: "'\(typeText)'")
                }
                guard !fields.contains(where: { $0.name == fieldName }) else {
                    throw .invalidValue(path: path, field: "\(name) descr", reason: "field '\(fieldName)' appears twice")
                }
                fields.append(NPYField(name: fieldName, type: type, byteOrder: order, offset: offset))
                offset += type.size
            }
            guard !fields.isEmpty else { throw .wrongType(path: path, dataset: name, expected: supportedTypes, found: "a record without fields") }
            return .structured(fields: fields, itemSize: offset)
        default:
            throw .wrongType(path: path, dataset: name, expected: supportedTypes, found: describe(descr))
        }
    }

    private static func describe(_ literal: PythonLiteral) -> String {
        switch literal {
        case let .string(s): return "'\(s)'"
        case let .integer(i): return i.map(String.init) ?? "a huge integer"
        case let .boolean(b): return b ? "True" : "False"
        case .none: return "None"
        case .sequence: return "a nested sequence"
        case .dictionary: return "a dictionary"
        }
    }

    // MARK: - Writing

    /// The `.npy` header (preamble, dictionary, padding, newline) for `array`; the elements follow it.
    public static func header(for array: NPYArray) -> Data {
        let shapeText: String
        switch array.shape.count {
        case 0: shapeText = "()"
        case 1: shapeText = "(\(array.shape[0]),)"
        default: shapeText = "(" + array.shape.map(String.init).joined(separator: ", ") + ")"
        }
        let dictionary = "{'descr': \(array.dataType.descr), 'fortran_order': False, 'shape': \(shapeText), }"
        let isLatin1 = dictionary.unicodeScalars.allSatisfy { $0.value < 256 }
        let body: [UInt8] = isLatin1 ? dictionary.unicodeScalars.map { UInt8($0.value) } : Array(dictionary.utf8)
        // Version 1.0 stores the header length in 16 bits; longer headers need 2.0 (3.0 for UTF-8).
        var major: UInt8 = isLatin1 ? 1 : 3
        func paddedLength(preamble: Int) -> (padding: Int, length: Int) {
            let padding = (64 - (preamble + body.count + 1) % 64) % 64
            return (padding, body.count + padding + 1)
        }
        var (padding, length) = paddedLength(preamble: major == 1 ? 10 : 12)
        if major == 1 && length > Int(UInt16.max) {
            major = 2
            (padding, length) = paddedLength(preamble: 12)
        }
        var bytes = magic + [major, 0]
        if major == 1 { bytes.appendLittleEndian(UInt16(length)) } else { bytes.appendLittleEndian(UInt32(length)) }
        bytes += body
        bytes += [UInt8](repeating: 0x20, count: padding)
        bytes.append(0x0A)
        return Data(bytes)
    }

    /// The complete `.npy` file for `array`: ``header(for:)`` followed by the elements.
    public static func encode(_ array: NPYArray) -> Data {
        var data = header(for: array)
        data.append(array.bytes)
        return data
    }

    /// Writes `array` as an `.npy` file at `path`, atomically (a temporary file in the same directory,
    /// synced, then renamed over `path`).
    ///
    /// - Throws: ``DataError/cannotWrite(path:dataset:reason:)``.
    public static func write(_ array: NPYArray, to path: String) throws(DataError) {
        try BinaryFile.writeAtomically(to: path) { (sink) throws(DataError) in
            try sink.write(header(for: array))
            try sink.write(array.bytes)
        }
    }
}
