internal import CHDF5
import Foundation

/// An HDF5 file opened for reading or created for writing, through the HDF5 C library (libhdf5).
///
/// Objects are addressed by paths relative to the root group, such as `"labels"` or `"spikes/times"`.
/// The wrapper reads and writes numeric datasets of any rank (``read(_:as:)``, ``write(_:shape:to:)``),
/// variable-length 1-D arrays (``readVariableLength(_:rows:as:)``, ``writeVariableLength(_:to:)``),
/// string datasets and string attributes, and creates groups. Numeric conversions between the stored
/// type and the requested Swift type are done by HDF5; a value that does not fit the requested type is
/// an error, never silently clipped.
///
/// Every failure is a ``DataError`` naming the file and the dataset, and HDF5's own error-stack
/// printing is turned off, so a bad file never writes to standard error. Before allocating, reads check
/// the declared number of elements against ``elementLimit``.
///
/// Calls into libhdf5 are serialized by one process-wide lock (the library is not thread-safe in every
/// build), so instances may be used from any thread, one call at a time per instance. The file is
/// closed by ``close()`` or when the instance is deinitialized.
public final class HDF5File {
    /// The default for ``elementLimit``: 2²⁸ (268 435 456) elements per read, at most 2 GiB of 8-byte
    /// numbers. Loaders read large variable-length datasets in blocks of rows, so real data sets (SSC's
    /// 75 466 training samples) stay far below it, while a small file declaring a huge sparse dataset
    /// cannot make a reader allocate more than this.
    public static let defaultElementLimit = 1 << 28

    /// The file's path, as given when opening or creating it.
    public let path: String
    /// Whether the file was created for writing (`false` when opened for reading).
    public let isWritable: Bool
    /// The largest number of elements (numbers, characters or variable-length items) one read may
    /// declare; larger datasets are refused with ``DataError/tooLarge(path:dataset:declared:limit:)``
    /// before anything is allocated.
    public var elementLimit: Int

    /// The libhdf5 file id; negative once closed.
    private var fileID: hid_t
    /// Size and modification time of the file when it was opened for reading (see ``requireUnchanged(reading:)``).
    private var openedStatus: FileStatus?

    // MARK: - Opening and closing

    /// Opens an existing HDF5 file for reading.
    ///
    /// - Parameters:
    ///   - path: The file to open.
    ///   - elementLimit: The largest number of elements one read may declare (see ``elementLimit``).
    /// - Throws: ``DataError/cannotOpen(path:reason:)`` when the file does not exist, is not an HDF5
    ///   file, or is truncated.
    public init(readingFrom path: String, elementLimit: Int = HDF5File.defaultElementLimit) throws(DataError) {
        self.path = path
        self.isWritable = false
        self.elementLimit = elementLimit
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw .cannotOpen(path: path, reason: "no such file")
        }
        guard !isDirectory.boolValue else { throw .cannotOpen(path: path, reason: "is a directory") }
        let (id, reason) = HDF5Library.locked { () -> (hid_t, String) in
            let id = H5Fopen(path, snn_h5f_acc_rdonly(), snn_h5p_default())
            return (id, id >= 0 ? "" : HDF5Library.takeError())
        }
        guard id >= 0 else { throw .cannotOpen(path: path, reason: "not a readable HDF5 file (\(reason))") }
        fileID = id
        openedStatus = currentStatus()
    }

    /// Creates an HDF5 file for writing.
    ///
    /// - Parameters:
    ///   - path: The file to create.
    ///   - overwrite: Whether an existing file at `path` is replaced (`true`) or is an error (`false`).
    /// - Throws: ``DataError/cannotWrite(path:dataset:reason:)`` when the file cannot be created.
    public init(creatingAt path: String, overwrite: Bool = true) throws(DataError) {
        self.path = path
        self.isWritable = true
        self.elementLimit = HDF5File.defaultElementLimit
        let flags = overwrite ? snn_h5f_acc_trunc() : snn_h5f_acc_excl()
        let (id, reason) = HDF5Library.locked { () -> (hid_t, String) in
            let id = H5Fcreate(path, flags, snn_h5p_default(), snn_h5p_default())
            return (id, id >= 0 ? "" : HDF5Library.takeError())
        }
        guard id >= 0 else { throw .cannotWrite(path: path, dataset: "", reason: reason) }
        fileID = id
    }

    /// Whether the file is still open.
    public var isOpen: Bool { fileID >= 0 }

    /// Throws unless the file on disk still has the size and modification time it had when it was opened for reading.
    ///
    /// libhdf5 trusts a file not to change while it is open: it reads past a truncated end as zeros, and some damage
    /// (a truncated or zeroed global heap, where variable-length data live) makes HDF5 1.10 loop forever instead of
    /// failing. Readers that keep a file open for long (``StreamedSHDDataset``) call this before each read, so a file
    /// truncated or rewritten in place after opening fails with an error instead. The check is one `fstat` of the
    /// descriptor libhdf5 reads (a file replaced by renaming another over its path is not a change: the open file is
    /// still the old one). Files created for writing are never checked.
    ///
    /// - Parameter dataset: the dataset about to be read, named in the error.
    /// - Throws: ``DataError/unreadable(path:dataset:reason:)`` naming the file and `dataset`, when the file changed or
    ///   was closed.
    public func requireUnchanged(reading dataset: String) throws(DataError) {
        guard fileID >= 0 else { throw .unreadable(path: path, dataset: dataset, reason: "the file is closed") }
        guard let opened = openedStatus else { return }
        guard let now = currentStatus() else {
            throw .unreadable(path: path, dataset: dataset, reason: "the file can no longer be examined (fstat failed, errno \(errno))")
        }
        if now.size != opened.size {
            throw .unreadable(path: path, dataset: dataset,
                              reason: "the file changed on disk since it was opened (\(opened.size) bytes, now \(now.size))")
        }
        if now.modified != opened.modified {
            throw .unreadable(path: path, dataset: dataset, reason: "the file was modified on disk since it was opened")
        }
    }

    /// The size and modification time of an open file.
    private struct FileStatus: Equatable {
        var size: Int
        var modified: [Int]   // seconds, nanoseconds
    }

    /// The open file's status, through libhdf5's descriptor (else the path); nil when it cannot be read.
    private func currentStatus() -> FileStatus? {
        let descriptor = HDF5Library.locked { snn_h5f_descriptor(fileID) }
        var status = stat()
        guard (descriptor >= 0 ? fstat(descriptor, &status) : stat(path, &status)) == 0 else { return nil }
        #if canImport(Darwin)
        let modified = [Int(status.st_mtimespec.tv_sec), Int(status.st_mtimespec.tv_nsec)]
        #else
        let modified = [Int(status.st_mtim.tv_sec), Int(status.st_mtim.tv_nsec)]
        #endif
        return FileStatus(size: Int(status.st_size), modified: modified)
    }

    /// Flushes (when writable) and closes the file; later calls on this instance throw. Closing twice
    /// does nothing.
    public func close() {
        guard fileID >= 0 else { return }
        HDF5Library.locked {
            _ = H5Fclose(fileID)
            HDF5Library.clearErrors()
        }
        fileID = -1
    }

    deinit { close() }

    /// Creates an HDF5 file at `path` atomically: `body` writes a temporary file in the same directory,
    /// which is flushed to disk and then renamed over `path`. On any error the temporary file is removed
    /// and `path` is left as it was. Errors name `path`, not the temporary file.
    ///
    /// - Throws: Whatever `body` throws, or ``DataError/cannotWrite(path:dataset:reason:)``.
    public static func writeAtomically(to path: String, _ body: (HDF5File) throws(DataError) -> Void) throws(DataError) {
        let url = URL(fileURLWithPath: path)
        let directory = url.deletingLastPathComponent().path
        let temporary = directory + "/." + url.lastPathComponent + ".tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        do throws(DataError) {
            let file = try HDF5File(creatingAt: temporary, overwrite: false)
            do throws(DataError) {
                try body(file)
            } catch {
                file.close()
                throw error
            }
            file.close()
            guard let handle = FileHandle(forUpdatingAtPath: temporary) else {
                throw DataError.cannotWrite(path: path, dataset: "", reason: "cannot reopen the temporary file to sync it")
            }
            do {
                try handle.synchronize()
                try handle.close()
            } catch {
                throw DataError.cannotWrite(path: path, dataset: "", reason: "cannot sync the temporary file: \(error)")
            }
            guard rename(temporary, path) == 0 else {
                throw DataError.cannotWrite(path: path, dataset: "", reason: "cannot rename the temporary file into place (errno \(errno))")
            }
        } catch {
            _ = unlink(temporary)
            throw error.path == temporary ? error.withPath(path) : error
        }
    }

    // MARK: - Groups and links

    /// Whether an object (group or dataset) exists at `name`; `false` also when a parent is missing.
    public func contains(_ name: String) -> Bool {
        guard fileID >= 0 else { return false }
        return HDF5Library.locked { linkExists(name) }
    }

    /// Creates the group `name` and any missing parent groups; an existing group is left as it is.
    ///
    /// - Throws: ``DataError/cannotWrite(path:dataset:reason:)`` when the file is read-only or a path
    ///   component is a dataset.
    public func createGroup(_ name: String) throws(DataError) {
        try requireWritable(name)
        try HDF5Library.locked { () throws(DataError) in try makeGroups(components(of: name), for: name) }
    }

    /// The dimensions of the dataset `name` (empty for a scalar dataset).
    ///
    /// - Throws: ``DataError/missingDataset(path:dataset:)``, or ``DataError/wrongType(path:dataset:expected:found:)``
    ///   when `name` is a group.
    public func shape(of name: String) throws(DataError) -> [Int] {
        try HDF5Library.locked { () throws(DataError) in
            let dataset = try openDataset(name)
            defer { H5Oclose(dataset) }
            return try dimensions(of: dataset, name)
        }
    }

    /// A short description of the element type of the dataset `name`, such as `"float32"`, `"uint16"`,
    /// `"string"` or `"variable-length array of float32"`.
    ///
    /// - Throws: ``DataError/missingDataset(path:dataset:)`` or ``DataError/wrongType(path:dataset:expected:found:)``.
    public func typeDescription(of name: String) throws(DataError) -> String {
        try HDF5Library.locked { () throws(DataError) in
            let dataset = try openDataset(name)
            defer { H5Oclose(dataset) }
            let type = H5Dget_type(dataset)
            guard type >= 0 else { throw unreadable(name) }
            defer { H5Tclose(type) }
            return HDF5Library.describe(type)
        }
    }

    /// Runs `body` holding the process-wide lock that serializes every libhdf5 call SNNData makes, with
    /// HDF5's error printing turned off for the calling thread.
    ///
    /// Code that calls the HDF5 C API directly, alongside `HDF5File` and possibly from several threads,
    /// wraps those calls in this (libhdf5 builds without thread safety, such as Homebrew's, require it).
    public static func withLibraryLock<R, E: Error>(_ body: () throws(E) -> R) throws(E) -> R {
        try HDF5Library.locked(body)
    }

    // MARK: - Internals shared by the extensions (call with the library lock held)

    /// Throws unless the file is open for writing.
    func requireWritable(_ name: String) throws(DataError) {
        guard fileID >= 0 else { throw .cannotWrite(path: path, dataset: name, reason: "the file is closed") }
        guard isWritable else { throw .cannotWrite(path: path, dataset: name, reason: "the file is open for reading only") }
    }

    /// The non-empty components of an object path.
    func components(of name: String) -> [String] {
        name.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
    }

    /// Whether every prefix of `name` is an existing link.
    func linkExists(_ name: String) -> Bool {
        let parts = components(of: name)
        if parts.isEmpty { return true }
        var prefix = ""
        for part in parts {
            prefix += prefix.isEmpty ? part : "/" + part
            guard H5Lexists(fileID, prefix, snn_h5p_default()) > 0 else {
                HDF5Library.clearErrors()
                return false
            }
        }
        return true
    }

    /// Creates the groups along `parts` that do not exist yet.
    func makeGroups(_ parts: [String], for name: String) throws(DataError) {
        var prefix = ""
        for part in parts {
            prefix += prefix.isEmpty ? part : "/" + part
            if H5Lexists(fileID, prefix, snn_h5p_default()) > 0 {
                let object = H5Oopen(fileID, prefix, snn_h5p_default())
                guard object >= 0 else { throw .cannotWrite(path: path, dataset: name, reason: HDF5Library.takeError()) }
                let kind = H5Iget_type(object)
                H5Oclose(object)
                guard kind == H5I_GROUP else {
                    throw .cannotWrite(path: path, dataset: name, reason: "\(prefix) exists and is not a group")
                }
                continue
            }
            HDF5Library.clearErrors()
            let group = H5Gcreate2(fileID, prefix, snn_h5p_default(), snn_h5p_default(), snn_h5p_default())
            guard group >= 0 else { throw .cannotWrite(path: path, dataset: name, reason: HDF5Library.takeError()) }
            H5Gclose(group)
        }
    }

    /// Creates the parent groups of the dataset `name` and checks that `name` itself is free.
    func prepareNewDataset(_ name: String) throws(DataError) {
        try requireWritable(name)
        let parts = components(of: name)
        guard !parts.isEmpty else { throw .cannotWrite(path: path, dataset: name, reason: "empty dataset name") }
        try makeGroups(Array(parts.dropLast()), for: name)
        if linkExists(name) { throw .cannotWrite(path: path, dataset: name, reason: "an object with this name already exists") }
    }

    /// Opens the dataset `name` (close it with `H5Oclose`).
    func openDataset(_ name: String) throws(DataError) -> hid_t {
        guard fileID >= 0 else { throw .unreadable(path: path, dataset: name, reason: "the file is closed") }
        guard !components(of: name).isEmpty, linkExists(name) else { throw .missingDataset(path: path, dataset: name) }
        let object = H5Oopen(fileID, name, snn_h5p_default())
        guard object >= 0 else { throw unreadable(name) }
        let kind = H5Iget_type(object)
        guard kind == H5I_DATASET else {
            H5Oclose(object)
            throw .wrongType(path: path, dataset: name, expected: "a dataset", found: kind == H5I_GROUP ? "a group" : "a named datatype")
        }
        return object
    }

    /// The dimensions of an open dataset.
    func dimensions(of dataset: hid_t, _ name: String) throws(DataError) -> [Int] {
        let space = H5Dget_space(dataset)
        guard space >= 0 else { throw unreadable(name) }
        defer { H5Sclose(space) }
        return try dimensions(ofSpace: space, name)
    }

    /// The dimensions of a dataspace (empty for scalar; a null dataspace has one dimension of length 0).
    func dimensions(ofSpace space: hid_t, _ name: String) throws(DataError) -> [Int] {
        if H5Sget_simple_extent_type(space) == H5S_NULL { return [0] }
        let rank = H5Sget_simple_extent_ndims(space)
        guard rank >= 0 else { throw unreadable(name) }
        guard rank > 0 else { return [] }
        var dims = [hsize_t](repeating: 0, count: Int(rank))
        guard H5Sget_simple_extent_dims(space, &dims, nil) >= 0 else { throw unreadable(name) }
        return dims.map { $0 > hsize_t(Int.max) ? Int.max : Int($0) }
    }

    /// Throws ``DataError/tooLarge(path:dataset:declared:limit:)`` when `dims` hold more than ``elementLimit`` elements.
    func checkLimit(_ dims: [Int], _ name: String) throws(DataError) {
        let total = HDF5File.elementCount(dims)
        guard total <= elementLimit else { throw .tooLarge(path: path, dataset: name, declared: total, limit: elementLimit) }
    }

    /// The product of `dims`, saturating at `Int.max`.
    static func elementCount(_ dims: [Int]) -> Int {
        var total = 1
        for d in dims {
            let (product, overflow) = total.multipliedReportingOverflow(by: d)
            if overflow { return Int.max }
            total = product
        }
        return total
    }

    /// An ``DataError/unreadable(path:dataset:reason:)`` error with HDF5's most specific message.
    func unreadable(_ name: String) -> DataError {
        .unreadable(path: path, dataset: name, reason: HDF5Library.takeError())
    }

    /// A ``DataError/cannotWrite(path:dataset:reason:)`` error with HDF5's most specific message.
    func cannotWrite(_ name: String) -> DataError {
        .cannotWrite(path: path, dataset: name, reason: HDF5Library.takeError())
    }

    /// The root group's id, for object-relative calls.
    var id: hid_t { fileID }
}

// MARK: - Library access

/// Serialized access to libhdf5 and helpers over its error stack and type ids.
enum HDF5Library {
    /// One lock for every libhdf5 call in the process (recursive: helpers may nest).
    private static let lock = NSRecursiveLock()

    /// Runs `body` holding the library lock, with HDF5's error printing silenced for this thread.
    static func locked<R, E: Error>(_ body: () throws(E) -> R) throws(E) -> R {
        lock.lock()
        defer { lock.unlock() }
        snn_h5_silence_errors()
        return try body()
    }

    /// The most specific message on this thread's HDF5 error stack (then cleared).
    static func takeError() -> String {
        var buffer = [CChar](repeating: 0, count: 512)
        let message = buffer.withUnsafeMutableBufferPointer { p -> String in
            snn_h5_take_error(p.baseAddress!)
            return String(cString: p.baseAddress!)
        }
        return message.isEmpty ? "HDF5 library error" : message
    }

    /// Clears this thread's HDF5 error stack.
    static func clearErrors() { H5Eclear2(snn_h5e_default()) }

    /// Whether `type` is IEEE 754 half precision (binary16), little-endian: 16 bits with sign at bit 15,
    /// a 5-bit exponent at bit 10 with bias 15, and a 10-bit mantissa with an implied leading bit.
    static func isIEEEHalfLittleEndian(_ type: hid_t) -> Bool {
        guard H5Tget_class(type) == H5T_FLOAT, H5Tget_size(type) == 2, H5Tget_order(type) == H5T_ORDER_LE,
              H5Tget_precision(type) == 16, H5Tget_offset(type) == 0, H5Tget_ebias(type) == 15,
              H5Tget_norm(type) == H5T_NORM_IMPLIED else { return false }
        var sign = 0, exponentPosition = 0, exponentSize = 0, mantissaPosition = 0, mantissaSize = 0
        guard H5Tget_fields(type, &sign, &exponentPosition, &exponentSize, &mantissaPosition, &mantissaSize) >= 0 else {
            clearErrors()
            return false
        }
        return (sign, exponentPosition, exponentSize, mantissaPosition, mantissaSize) == (15, 10, 5, 0, 10)
    }

    /// The `Float` with the value of the IEEE half-precision number `bits` (exact: every half is a float).
    @inline(__always)
    static func floatFromHalf(bits: UInt16) -> Float {
        let sign = UInt32(bits & 0x8000) << 16
        let exponent = UInt32(bits >> 10) & 0x1F
        let mantissa = UInt32(bits & 0x03FF)
        switch exponent {
        case 0x1F:   // infinity or NaN: all-ones exponent, mantissa kept in the high bits
            return Float(bitPattern: sign | 0x7F80_0000 | (mantissa << 13))
        case 0:      // zero or subnormal: mantissa · 2⁻²⁴
            let magnitude = Float(mantissa) * 0x1p-24
            return sign == 0 ? magnitude : -magnitude
        default:     // normal: rebias the exponent from 15 to 127
            return Float(bitPattern: sign | ((exponent + 112) << 23) | (mantissa << 13))
        }
    }

    /// A short description of an HDF5 datatype (`"float32"`, `"uint16"`, `"string"`, …).
    static func describe(_ type: hid_t) -> String {
        let size = H5Tget_size(type)
        switch H5Tget_class(type) {
        case H5T_INTEGER:
            return (H5Tget_sign(type) == H5T_SGN_NONE ? "uint" : "int") + "\(size * 8)"
        case H5T_FLOAT:
            return "float\(size * 8)"
        case H5T_STRING:
            return "string"
        case H5T_VLEN:
            let base = H5Tget_super(type)
            guard base >= 0 else { return "variable-length array" }
            defer { H5Tclose(base) }
            return "variable-length array of \(describe(base))"
        case H5T_COMPOUND: return "compound"
        case H5T_ARRAY: return "array"
        case H5T_ENUM: return "enum"
        case H5T_OPAQUE: return "opaque"
        case H5T_BITFIELD: return "bitfield"
        case H5T_REFERENCE: return "reference"
        default: return "unknown type"
        }
    }
}
