import CHDF5
import Foundation
import SNNData
import Testing

/// A fresh temporary directory for one test's files (removed by the caller with `cleanUp`).
struct TemporaryDirectory {
    let path: String

    init() throws {
        path = FileManager.default.temporaryDirectory.appendingPathComponent("snnkit-hdf5-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    /// The path of `name` inside the directory.
    func file(_ name: String) -> String { path + "/" + name }

    /// The names of the files in the directory.
    func contents() -> [String] { (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? [] }

    func cleanUp() { try? FileManager.default.removeItem(atPath: path) }
}

/// The ``DataError`` `body` throws, or `nil` (recorded as a test issue) when it throws nothing or another error.
func capture<T>(_ body: () throws -> T, sourceLocation: SourceLocation = #_sourceLocation) -> DataError? {
    do {
        _ = try body()
        Issue.record("expected a DataError, none was thrown", sourceLocation: sourceLocation)
        return nil
    } catch let error as DataError {
        return error
    } catch {
        Issue.record("expected a DataError, got \(error)", sourceLocation: sourceLocation)
        return nil
    }
}

/// Checks that the error's message names every string in `names` (the file, the dataset, …).
func expectNames(_ error: DataError?, _ names: String..., sourceLocation: SourceLocation = #_sourceLocation) {
    guard let error else { return }
    for name in names {
        #expect(error.description.contains(name), "message \"\(error.description)\" does not name \(name)", sourceLocation: sourceLocation)
    }
}

/// Builds HDF5 files with the C API directly, for layouts the SNNData writer does not produce.
enum RawHDF5 {
    /// Creates `path` and runs `body` with the file id, holding SNNData's libhdf5 lock; closes the file afterwards.
    static func create(_ path: String, _ body: (hid_t) throws -> Void) throws {
        try HDF5File.withLibraryLock { () throws in try createUnlocked(path, body) }
    }

    private static func createUnlocked(_ path: String, _ body: (hid_t) throws -> Void) throws {
        let file = H5Fcreate(path, snn_h5f_acc_trunc(), snn_h5p_default(), snn_h5p_default())
        try #require(file >= 0)
        defer { H5Fclose(file) }
        try body(file)
    }

    /// A 1-D chunked dataset of `float32` declaring `length` elements, none written (the file stays small).
    static func hugeDataset(_ file: hid_t, _ name: String, length: UInt64, vlen: Bool = false) throws {
        var dims = [hsize_t(length)], chunk = [hsize_t(min(length, 1024))]
        let space = H5Screate_simple(1, &dims, nil)
        defer { H5Sclose(space) }
        let plist = H5Pcreate(snn_h5p_dataset_create())
        defer { H5Pclose(plist) }
        try #require(H5Pset_chunk(plist, 1, &chunk) >= 0)
        let type = vlen ? H5Tvlen_create(snn_h5t_ieee_f32le()) : H5Tcopy(snn_h5t_ieee_f32le())
        defer { H5Tclose(type) }
        let dataset = H5Dcreate2(file, name, type, space, snn_h5p_default(), plist, snn_h5p_default())
        try #require(dataset >= 0)
        H5Dclose(dataset)
    }

    /// A 1-D dataset of fixed-length (8-byte, NUL-padded) ASCII strings.
    static func fixedStrings(_ file: hid_t, _ name: String, _ strings: [String]) throws {
        let type = H5Tcopy(snn_h5t_c_s1())
        defer { H5Tclose(type) }
        H5Tset_size(type, 8)
        H5Tset_strpad(type, H5T_STR_NULLPAD)
        var dims = [hsize_t(strings.count)]
        let space = H5Screate_simple(1, &dims, nil)
        defer { H5Sclose(space) }
        let dataset = H5Dcreate2(file, name, type, space, snn_h5p_default(), snn_h5p_default(), snn_h5p_default())
        try #require(dataset >= 0)
        defer { H5Dclose(dataset) }
        var bytes = [UInt8](repeating: 0, count: 8 * strings.count)
        for (i, s) in strings.enumerated() {
            for (j, b) in s.utf8.prefix(8).enumerated() { bytes[8 * i + j] = b }
        }
        try #require(H5Dwrite(dataset, type, snn_h5s_all(), snn_h5s_all(), snn_h5p_default(), bytes) >= 0)
    }

    /// IEEE half precision, little-endian, built as h5py builds NumPy's float16 (close with `H5Tclose`).
    static func halfType() throws -> hid_t {
        let half = H5Tcopy(snn_h5t_ieee_f32le())
        try #require(H5Tset_fields(half, 15, 10, 5, 0, 10) >= 0)
        try #require(H5Tset_size(half, 2) >= 0)
        try #require(H5Tset_ebias(half, 15) >= 0)
        return half
    }

    /// A 1-D dataset of variable-length arrays of IEEE half-precision floats (as h5py writes NumPy float16),
    /// from Float values (converted by HDF5) or, with `bits`, from raw half bit patterns.
    static func float16Rows(_ file: hid_t, _ name: String, _ rows: [[Float]], bits: [[UInt16]]? = nil) throws {
        let half = try halfType()
        defer { H5Tclose(half) }
        let fileType = H5Tvlen_create(half), memoryType = H5Tvlen_create(bits == nil ? snn_h5t_native_float() : half)
        defer { H5Tclose(fileType); H5Tclose(memoryType) }
        if let bits {
            var dims = [hsize_t(bits.count)]
            let space = H5Screate_simple(1, &dims, nil)
            defer { H5Sclose(space) }
            let dataset = H5Dcreate2(file, name, fileType, space, snn_h5p_default(), snn_h5p_default(), snn_h5p_default())
            try #require(dataset >= 0)
            defer { H5Dclose(dataset) }
            let flat = bits.flatMap { $0 }
            let status = flat.withUnsafeBufferPointer { values -> herr_t in
                var start = 0
                var handles = bits.map { row -> hvl_t in
                    defer { start += row.count }
                    return hvl_t(len: row.count, p: UnsafeMutableRawPointer(mutating: values.baseAddress! + start))
                }
                return H5Dwrite(dataset, memoryType, snn_h5s_all(), snn_h5s_all(), snn_h5p_default(), &handles)
            }
            try #require(status >= 0)
            return
        }
        var dims = [hsize_t(rows.count)]
        let space = H5Screate_simple(1, &dims, nil)
        defer { H5Sclose(space) }
        let dataset = H5Dcreate2(file, name, fileType, space, snn_h5p_default(), snn_h5p_default(), snn_h5p_default())
        try #require(dataset >= 0)
        defer { H5Dclose(dataset) }
        let flat = rows.flatMap { $0 }
        let status = flat.withUnsafeBufferPointer { values -> herr_t in
            var start = 0
            var handles = rows.map { row -> hvl_t in
                defer { start += row.count }
                return hvl_t(len: row.count, p: UnsafeMutableRawPointer(mutating: values.baseAddress! + start))
            }
            return H5Dwrite(dataset, memoryType, snn_h5s_all(), snn_h5s_all(), snn_h5p_default(), &handles)
        }
        try #require(status >= 0)
    }
}
