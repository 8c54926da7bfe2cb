import Foundation

/// Reading whole binary files (memory-mapped) and writing them atomically, for the formats SNNData
/// implements itself (NumPy `.npy`/`.npz`, IDX).
enum BinaryFile {
    /// The contents of `path`, memory-mapped (pages are read on demand, so a large file costs no memory up front).
    ///
    /// - Throws: ``DataError/cannotOpen(path:reason:)`` ("no such file", "is a directory", or the system's reason).
    static func contents(of path: String) throws(DataError) -> Data {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw .cannotOpen(path: path, reason: "no such file")
        }
        guard !isDirectory.boolValue else { throw .cannotOpen(path: path, reason: "is a directory") }
        do {
            return try Data(contentsOf: URL(fileURLWithPath: path), options: .alwaysMapped)
        } catch {
            throw .cannotOpen(path: path, reason: error.localizedDescription)
        }
    }

    /// Writes `path` atomically: `body` appends to a temporary file in the same directory, which is synced
    /// and then renamed over `path`. On any error the temporary file is removed and `path` is left as it was.
    ///
    /// - Throws: Whatever `body` throws, or ``DataError/cannotWrite(path:dataset:reason:)``, naming `path`.
    static func writeAtomically(to path: String, _ body: (inout Sink) throws(DataError) -> Void) throws(DataError) {
        let url = URL(fileURLWithPath: path)
        let directory = url.deletingLastPathComponent().path
        let temporary = directory + "/." + url.lastPathComponent + ".tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        guard FileManager.default.createFile(atPath: temporary, contents: nil),
              let handle = FileHandle(forWritingAtPath: temporary) else {
            throw .cannotWrite(path: path, dataset: "", reason: "cannot create a file in \(directory)")
        }
        var sink = Sink(handle: handle, path: path)
        do throws(DataError) {
            try body(&sink)
            do {
                try handle.synchronize()
                try handle.close()
            } catch {
                throw DataError.cannotWrite(path: path, dataset: "", reason: "cannot sync the file: \(error.localizedDescription)")
            }
            guard rename(temporary, path) == 0 else {
                throw DataError.cannotWrite(path: path, dataset: "", reason: "cannot rename the temporary file into place (errno \(errno))")
            }
        } catch {
            try? handle.close()
            _ = unlink(temporary)
            throw error
        }
    }

    /// Appends bytes to a file being written, counting them.
    struct Sink {
        let handle: FileHandle
        /// The destination path, for error messages.
        let path: String
        /// Bytes written so far.
        private(set) var offset = 0

        init(handle: FileHandle, path: String) {
            self.handle = handle
            self.path = path
        }

        /// Appends `data`; `dataset` names what is being written, for the error message.
        mutating func write(_ data: Data, dataset: String = "") throws(DataError) {
            do {
                try handle.write(contentsOf: data)
            } catch {
                throw .cannotWrite(path: path, dataset: dataset, reason: error.localizedDescription)
            }
            offset += data.count
        }

        /// Appends `bytes`.
        mutating func write(_ bytes: [UInt8], dataset: String = "") throws(DataError) { try write(Data(bytes), dataset: dataset) }
    }
}

/// Little-endian integers appended to a byte array (ZIP headers) and read from raw bytes with bounds checks.
extension Array where Element == UInt8 {
    /// Appends `value` in little-endian byte order.
    mutating func appendLittleEndian<T: FixedWidthInteger>(_ value: T) {
        Swift.withUnsafeBytes(of: value.littleEndian) { append(contentsOf: $0) }
    }
}

extension Data {
    /// The little-endian integer of type `T` at byte `offset` from the start of the data, or `nil` when the
    /// data ends first.
    func littleEndian<T: FixedWidthInteger>(at offset: Int, as type: T.Type) -> T? {
        guard offset >= 0, offset <= count - MemoryLayout<T>.size else { return nil }
        return withUnsafeBytes { T(littleEndian: $0.loadUnaligned(fromByteOffset: offset, as: T.self)) }
    }

    /// The big-endian integer of type `T` at byte `offset` from the start of the data, or `nil` when the
    /// data ends first.
    func bigEndian<T: FixedWidthInteger>(at offset: Int, as type: T.Type) -> T? {
        guard offset >= 0, offset <= count - MemoryLayout<T>.size else { return nil }
        return withUnsafeBytes { T(bigEndian: $0.loadUnaligned(fromByteOffset: offset, as: T.self)) }
    }

    /// The bytes `range` (offsets from the start of the data) as a slice sharing storage (its indices are
    /// not rebased: read it with offsets, as these helpers do), or `nil` when the range does not lie inside the data.
    func slice(_ range: Range<Int>) -> Data? {
        guard range.lowerBound >= 0, range.upperBound <= count else { return nil }
        let base = startIndex
        return self[(base + range.lowerBound)..<(base + range.upperBound)]
    }
}

extension Data {
    /// `withUnsafeBytes` for a body with a typed error (Foundation's version rethrows `any Error`).
    func withRawBytes<R, E: Error>(_ body: (UnsafeRawBufferPointer) throws(E) -> R) throws(E) -> R {
        let result: Result<R, E> = withUnsafeBytes { raw in
            do throws(E) {
                return .success(try body(raw))
            } catch {
                return .failure(error)
            }
        }
        return try result.get()
    }
}
