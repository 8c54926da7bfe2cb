/// A data file that SNNData cannot read or write, with the file, the dataset or field, and the reason.
///
/// Every case carries the file's path and, where one is involved, the dataset (an HDF5 path such as
/// `spikes/times`) or field, so that ``description`` is a one-line message a user can act on.
/// Loaders check declared sizes against a limit before allocating, so a hostile or corrupt file yields
/// ``tooLarge(path:dataset:declared:limit:)`` rather than an unbounded allocation.
public enum DataError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The file does not exist, is not in the expected format (e.g. not HDF5), or is truncated.
    case cannotOpen(path: String, reason: String)
    /// The file (or a dataset in it) could not be created or written.
    case cannotWrite(path: String, dataset: String, reason: String)
    /// A dataset (or attribute, or group) the format requires is absent.
    case missingDataset(path: String, dataset: String)
    /// A dataset exists but holds another kind of data (e.g. strings where integers are required).
    case wrongType(path: String, dataset: String, expected: String, found: String)
    /// A dataset has another rank or length than required (e.g. `spikes/times` and `labels` disagree).
    case wrongShape(path: String, dataset: String, expected: String, found: String)
    /// A value in the file (or a loader argument, then `field` names it) is invalid: out of range,
    /// negative or non-finite. `field` names the dataset and, where it applies, the sample index.
    case invalidValue(path: String, field: String, reason: String)
    /// A dataset declares more elements than the loader's limit; nothing was allocated.
    case tooLarge(path: String, dataset: String, declared: Int, limit: Int)
    /// The HDF5 library failed while reading a dataset that exists and has the right type and shape
    /// (e.g. corrupt or truncated data blocks), or an entry of an `.npz` (ZIP) archive cannot be read
    /// (unsupported compression or encryption, a missing local header, a corrupt DEFLATE stream, a size or
    /// CRC-32 mismatch); `dataset` names the array.
    case unreadable(path: String, dataset: String, reason: String)

    /// The file the error concerns.
    public var path: String {
        switch self {
        case let .cannotOpen(path, _), let .cannotWrite(path, _, _), let .missingDataset(path, _),
             let .wrongType(path, _, _, _), let .wrongShape(path, _, _, _), let .invalidValue(path, _, _),
             let .tooLarge(path, _, _, _), let .unreadable(path, _, _):
            return path
        }
    }

    /// The same error about the file `path` (used when a file written under a temporary name is renamed).
    func withPath(_ path: String) -> DataError {
        switch self {
        case let .cannotOpen(_, reason): return .cannotOpen(path: path, reason: reason)
        case let .cannotWrite(_, dataset, reason): return .cannotWrite(path: path, dataset: dataset, reason: reason)
        case let .missingDataset(_, dataset): return .missingDataset(path: path, dataset: dataset)
        case let .wrongType(_, dataset, expected, found): return .wrongType(path: path, dataset: dataset, expected: expected, found: found)
        case let .wrongShape(_, dataset, expected, found): return .wrongShape(path: path, dataset: dataset, expected: expected, found: found)
        case let .invalidValue(_, field, reason): return .invalidValue(path: path, field: field, reason: reason)
        case let .tooLarge(_, dataset, declared, limit): return .tooLarge(path: path, dataset: dataset, declared: declared, limit: limit)
        case let .unreadable(_, dataset, reason): return .unreadable(path: path, dataset: dataset, reason: reason)
        }
    }

    /// A one-line explanation naming the file, the dataset or field, and what was expected versus found.
    public var description: String {
        switch self {
        case let .cannotOpen(path, reason):
            return "\(path): cannot open: \(reason)"
        case let .cannotWrite(path, dataset, reason):
            return dataset.isEmpty ? "\(path): cannot write: \(reason)" : "\(path): cannot write \(dataset): \(reason)"
        case let .missingDataset(path, dataset):
            return "\(path): missing dataset \(dataset)"
        case let .wrongType(path, dataset, expected, found):
            return "\(path): dataset \(dataset) has the wrong type: expected \(expected), found \(found)"
        case let .wrongShape(path, dataset, expected, found):
            return "\(path): dataset \(dataset) has the wrong shape: expected \(expected), found \(found)"
        case let .invalidValue(path, field, reason):
            return "\(path): invalid \(field): \(reason)"
        case let .tooLarge(path, dataset, declared, limit):
            return "\(path): dataset \(dataset) declares \(declared) elements, more than the limit of \(limit)"
        case let .unreadable(path, dataset, reason):
            return "\(path): cannot read dataset \(dataset): \(reason)"
        }
    }
}
