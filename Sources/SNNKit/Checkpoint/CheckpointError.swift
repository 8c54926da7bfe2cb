/// A safetensors file or training checkpoint that SNNKit cannot read, write or restore.
///
/// Every case names the file and, where one is involved, the tensor or metadata key, so that
/// ``description`` is a one-line message a user can act on. Readers check every declared size against the
/// bytes actually present before allocating anything, so a corrupt or hostile file yields an error, never a
/// crash or an unbounded allocation.
public enum CheckpointError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The file does not exist or cannot be read.
    case cannotOpen(path: String, reason: String)
    /// The file (or its temporary file) could not be written, synced or renamed into place.
    case cannotWrite(path: String, reason: String)
    /// The file is shorter than the 8-byte header length that starts every safetensors file.
    case truncated(path: String, size: Int)
    /// The header length declares more bytes than follow it in the file.
    case headerBeyondFile(path: String, declared: UInt64, available: Int)
    /// The header length exceeds ``SafeTensors/maximumHeaderSize``; nothing was allocated.
    case headerTooLarge(path: String, declared: UInt64, limit: Int)
    /// The header is not a JSON object of the safetensors layout; `field` names the offending entry
    /// (`"header"` for the whole header, `"<tensor>.shape"`, `"__metadata__"`, …).
    case invalidHeader(path: String, field: String, reason: String)
    /// A tensor's dtype is not one of the safetensors dtypes SNNKit knows (see ``SafeTensors/DType``).
    case unknownDType(path: String, tensor: String, dtype: String)
    /// A tensor's shape declares more bytes than the file's data holds (or more than an `Int` can count);
    /// rejected before allocation.
    case tooLarge(path: String, tensor: String, shape: [Int], available: Int)
    /// A tensor's dtype and shape call for `expected` bytes, but its data offsets span `found` bytes.
    case sizeMismatch(path: String, tensor: String, expected: Int, found: Int)
    /// A tensor's `data_offsets` are not `[begin, end]` with `0 ≤ begin ≤ end ≤ dataLength`.
    case offsetsOutOfRange(path: String, tensor: String, begin: Int, end: Int, dataLength: Int)
    /// Two tensors' byte ranges overlap.
    case overlappingTensors(path: String, tensor: String, other: String)
    /// Bytes `begin..<end` of the data belong to no tensor (a gap, or trailing bytes after the last tensor).
    case uncoveredData(path: String, begin: Int, end: Int)
    /// A tensor the checkpoint needs is absent.
    case missingTensor(path: String, tensor: String)
    /// A tensor is present that the checkpoint's network and optimizer do not account for.
    case unexpectedTensor(path: String, tensor: String)
    /// A tensor has another dtype than required (e.g. `I64` where network weights need `F32`).
    case wrongDType(path: String, tensor: String, expected: String, found: String)
    /// A tensor has another shape than its network parameter.
    case wrongShape(path: String, tensor: String, expected: [Int], found: [Int])
    /// A metadata entry the checkpoint needs is missing or cannot be parsed.
    case invalidMetadata(path: String, key: String, reason: String)
    /// The checkpoint does not fit what it is restored into (another architecture or optimizer, another seed).
    case incompatible(path: String, reason: String)

    /// The file the error concerns (`"<memory>"` for bytes that did not come from a file).
    public var path: String {
        switch self {
        case let .cannotOpen(path, _), let .cannotWrite(path, _), let .truncated(path, _), let .headerBeyondFile(path, _, _),
             let .headerTooLarge(path, _, _), let .invalidHeader(path, _, _), let .unknownDType(path, _, _),
             let .tooLarge(path, _, _, _), let .sizeMismatch(path, _, _, _), let .offsetsOutOfRange(path, _, _, _, _),
             let .overlappingTensors(path, _, _), let .uncoveredData(path, _, _), let .missingTensor(path, _),
             let .unexpectedTensor(path, _), let .wrongDType(path, _, _, _), let .wrongShape(path, _, _, _),
             let .invalidMetadata(path, _, _), let .incompatible(path, _):
            return path
        }
    }

    /// The same error about the file `newPath` (errors raised before the file was known carry an empty path).
    func withPath(_ newPath: String) -> CheckpointError {
        switch self {
        case let .cannotOpen(_, reason): return .cannotOpen(path: newPath, reason: reason)
        case let .cannotWrite(_, reason): return .cannotWrite(path: newPath, reason: reason)
        case let .truncated(_, size): return .truncated(path: newPath, size: size)
        case let .headerBeyondFile(_, declared, available): return .headerBeyondFile(path: newPath, declared: declared, available: available)
        case let .headerTooLarge(_, declared, limit): return .headerTooLarge(path: newPath, declared: declared, limit: limit)
        case let .invalidHeader(_, field, reason): return .invalidHeader(path: newPath, field: field, reason: reason)
        case let .unknownDType(_, tensor, dtype): return .unknownDType(path: newPath, tensor: tensor, dtype: dtype)
        case let .tooLarge(_, tensor, shape, available): return .tooLarge(path: newPath, tensor: tensor, shape: shape, available: available)
        case let .sizeMismatch(_, tensor, expected, found): return .sizeMismatch(path: newPath, tensor: tensor, expected: expected, found: found)
        case let .offsetsOutOfRange(_, tensor, begin, end, length):
            return .offsetsOutOfRange(path: newPath, tensor: tensor, begin: begin, end: end, dataLength: length)
        case let .overlappingTensors(_, tensor, other): return .overlappingTensors(path: newPath, tensor: tensor, other: other)
        case let .uncoveredData(_, begin, end): return .uncoveredData(path: newPath, begin: begin, end: end)
        case let .missingTensor(_, tensor): return .missingTensor(path: newPath, tensor: tensor)
        case let .unexpectedTensor(_, tensor): return .unexpectedTensor(path: newPath, tensor: tensor)
        case let .wrongDType(_, tensor, expected, found): return .wrongDType(path: newPath, tensor: tensor, expected: expected, found: found)
        case let .wrongShape(_, tensor, expected, found): return .wrongShape(path: newPath, tensor: tensor, expected: expected, found: found)
        case let .invalidMetadata(_, key, reason): return .invalidMetadata(path: newPath, key: key, reason: reason)
        case let .incompatible(_, reason): return .incompatible(path: newPath, reason: reason)
        }
    }

    /// A one-line explanation naming the file, the tensor or field, and what was expected versus found.
    public var description: String {
        switch self {
        case let .cannotOpen(path, reason):
            return "\(path): cannot open: \(reason)"
        case let .cannotWrite(path, reason):
            return "\(path): cannot write: \(reason)"
        case let .truncated(path, size):
            return "\(path): truncated: \(size) bytes, fewer than the 8-byte header length of a safetensors file"
        case let .headerBeyondFile(path, declared, available):
            return "\(path): header length \(declared) bytes exceeds the \(available) bytes after it (truncated or corrupt file)"
        case let .headerTooLarge(path, declared, limit):
            return "\(path): header length \(declared) bytes exceeds the limit of \(limit) bytes"
        case let .invalidHeader(path, field, reason):
            return "\(path): invalid header at \(field): \(reason)"
        case let .unknownDType(path, tensor, dtype):
            return "\(path): tensor \(tensor): unknown dtype \"\(dtype)\""
        case let .tooLarge(path, tensor, shape, available):
            return "\(path): tensor \(tensor): shape \(shape) declares more bytes than the \(available) bytes of data in the file"
        case let .sizeMismatch(path, tensor, expected, found):
            return "\(path): tensor \(tensor): dtype and shape need \(expected) bytes, data_offsets span \(found)"
        case let .offsetsOutOfRange(path, tensor, begin, end, length):
            return "\(path): tensor \(tensor): data_offsets [\(begin), \(end)] outside the \(length) bytes of data"
        case let .overlappingTensors(path, tensor, other):
            return "\(path): tensor \(tensor): data overlaps tensor \(other)"
        case let .uncoveredData(path, begin, end):
            return "\(path): data bytes \(begin)..<\(end) belong to no tensor"
        case let .missingTensor(path, tensor):
            return "\(path): missing tensor \(tensor)"
        case let .unexpectedTensor(path, tensor):
            return "\(path): unexpected tensor \(tensor)"
        case let .wrongDType(path, tensor, expected, found):
            return "\(path): tensor \(tensor): expected dtype \(expected), found \(found)"
        case let .wrongShape(path, tensor, expected, found):
            return "\(path): tensor \(tensor): expected shape \(expected), found \(found)"
        case let .invalidMetadata(path, key, reason):
            return "\(path): metadata \(key): \(reason)"
        case let .incompatible(path, reason):
            return "\(path): incompatible checkpoint: \(reason)"
        }
    }
}
