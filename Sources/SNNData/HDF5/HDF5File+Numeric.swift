internal import CHDF5

// MARK: - Element types

/// The numeric element types ``HDF5File`` reads and writes (stored little-endian in files it writes).
public enum HDF5ElementType: String, Sendable, CaseIterable, CustomStringConvertible {
    /// IEEE 754 single precision.
    case float32
    /// IEEE 754 double precision.
    case float64
    /// Signed 8-bit integer.
    case int8
    /// Unsigned 8-bit integer.
    case uint8
    /// Signed 16-bit integer.
    case int16
    /// Unsigned 16-bit integer.
    case uint16
    /// Signed 32-bit integer.
    case int32
    /// Unsigned 32-bit integer.
    case uint32
    /// Signed 64-bit integer.
    case int64
    /// Unsigned 64-bit integer.
    case uint64

    /// Whether the type is an integer type (as opposed to floating point).
    public var isInteger: Bool { self != .float32 && self != .float64 }

    /// The type's name, e.g. `"uint16"`.
    public var description: String { rawValue }

    /// The native (in-memory) HDF5 type id.
    var memoryType: hid_t {
        switch self {
        case .float32: return snn_h5t_native_float()
        case .float64: return snn_h5t_native_double()
        case .int8: return snn_h5t_native_int8()
        case .uint8: return snn_h5t_native_uint8()
        case .int16: return snn_h5t_native_int16()
        case .uint16: return snn_h5t_native_uint16()
        case .int32: return snn_h5t_native_int32()
        case .uint32: return snn_h5t_native_uint32()
        case .int64: return snn_h5t_native_int64()
        case .uint64: return snn_h5t_native_uint64()
        }
    }

    /// The little-endian standard HDF5 type id used in files.
    var fileType: hid_t {
        switch self {
        case .float32: return snn_h5t_ieee_f32le()
        case .float64: return snn_h5t_ieee_f64le()
        case .int8: return snn_h5t_std_i8le()
        case .uint8: return snn_h5t_std_u8le()
        case .int16: return snn_h5t_std_i16le()
        case .uint16: return snn_h5t_std_u16le()
        case .int32: return snn_h5t_std_i32le()
        case .uint32: return snn_h5t_std_u32le()
        case .int64: return snn_h5t_std_i64le()
        case .uint64: return snn_h5t_std_u64le()
        }
    }
}

/// A Swift number type that ``HDF5File`` can read into and write from.
///
/// SNNData conforms `Float`, `Double`, `Int8`…`Int64`, `UInt8`…`UInt64` and `Int` (as `int64`).
public protocol HDF5Numeric: BitwiseCopyable, Sendable, Equatable {
    /// The HDF5 element type with this type's exact memory layout.
    static var hdf5ElementType: HDF5ElementType { get }
}

extension Float: HDF5Numeric {
    /// `float32`.
    public static var hdf5ElementType: HDF5ElementType { .float32 }
}

extension Double: HDF5Numeric {
    /// `float64`.
    public static var hdf5ElementType: HDF5ElementType { .float64 }
}

extension Int8: HDF5Numeric {
    /// `int8`.
    public static var hdf5ElementType: HDF5ElementType { .int8 }
}

extension UInt8: HDF5Numeric {
    /// `uint8`.
    public static var hdf5ElementType: HDF5ElementType { .uint8 }
}

extension Int16: HDF5Numeric {
    /// `int16`.
    public static var hdf5ElementType: HDF5ElementType { .int16 }
}

extension UInt16: HDF5Numeric {
    /// `uint16`.
    public static var hdf5ElementType: HDF5ElementType { .uint16 }
}

extension Int32: HDF5Numeric {
    /// `int32`.
    public static var hdf5ElementType: HDF5ElementType { .int32 }
}

extension UInt32: HDF5Numeric {
    /// `uint32`.
    public static var hdf5ElementType: HDF5ElementType { .uint32 }
}

extension Int64: HDF5Numeric {
    /// `int64`.
    public static var hdf5ElementType: HDF5ElementType { .int64 }
}

extension UInt64: HDF5Numeric {
    /// `uint64`.
    public static var hdf5ElementType: HDF5ElementType { .uint64 }
}

extension Int: HDF5Numeric {
    /// `int64` on 64-bit platforms, `int32` on 32-bit ones.
    public static var hdf5ElementType: HDF5ElementType { MemoryLayout<Int>.size == 8 ? .int64 : .int32 }
}

// MARK: - Numeric datasets

extension HDF5File {
    /// All values of the numeric dataset `name`, flattened in row-major order (use ``shape(of:)`` for
    /// the dimensions), converted by HDF5 to `T`.
    ///
    /// Integer and floating-point data can be read as a floating-point `T`; an integer `T` requires
    /// integer data. A stored value that does not fit `T` is an error.
    ///
    /// - Throws: ``DataError/missingDataset(path:dataset:)``; ``DataError/wrongType(path:dataset:expected:found:)``
    ///   for non-numeric data (or floating-point data read as integers);
    ///   ``DataError/tooLarge(path:dataset:declared:limit:)`` when the dataset declares more than
    ///   ``elementLimit`` elements; ``DataError/invalidValue(path:field:reason:)`` when a value does not
    ///   fit `T`; ``DataError/unreadable(path:dataset:reason:)`` when HDF5 fails to read the data.
    public func read<T: HDF5Numeric>(_ name: String, as type: T.Type = T.self) throws(DataError) -> [T] {
        try HDF5Library.locked { () throws(DataError) -> [T] in
            let dataset = try openDataset(name)
            defer { H5Oclose(dataset) }
            try requireNumeric(dataset, T.hdf5ElementType, name)
            let dims = try dimensions(of: dataset, name)
            try checkLimit(dims, name)
            let count = HDF5File.elementCount(dims)
            if count == 0 { return [] }
            let transfer = try HDF5ReadTransfer(destinationIsInteger: T.hdf5ElementType.isInteger, budgetBytes: 0, path: path, name)
            defer { transfer.close() }
            var failure: DataError?
            let values = [T](unsafeUninitializedCapacity: count) { buffer, initialized in
                do throws(DataError) {
                    try readConverted(dataset, memoryType: T.hdf5ElementType.memoryType, memorySpace: snn_h5s_all(),
                                      fileSpace: snn_h5s_all(), into: UnsafeMutableRawPointer(buffer.baseAddress!),
                                      as: "\(T.hdf5ElementType)", transfer: transfer, name)
                    initialized = count
                } catch {
                    failure = error
                    initialized = 0
                }
            }
            if let failure { throw failure }
            return values
        }
    }

    /// The single value of the scalar (or one-element) numeric dataset `name`, converted to `T`.
    ///
    /// - Throws: As ``read(_:as:)``, and ``DataError/wrongShape(path:dataset:expected:found:)`` when the
    ///   dataset does not hold exactly one value.
    public func readScalar<T: HDF5Numeric>(_ name: String, as type: T.Type = T.self) throws(DataError) -> T {
        let dims = try shape(of: name)
        guard HDF5File.elementCount(dims) == 1 else {
            throw .wrongShape(path: path, dataset: name, expected: "a scalar", found: "shape \(dims)")
        }
        return try read(name, as: T.self)[0]
    }

    /// Writes `values` as a new numeric dataset `name` of element type `T`, creating missing parent groups.
    ///
    /// - Parameters:
    ///   - values: The values, row-major.
    ///   - shape: The dimensions; `nil` for a 1-D dataset of `values.count` elements, `[]` for a scalar.
    ///   - name: The dataset's path; it must not exist yet.
    /// - Throws: ``DataError/wrongShape(path:dataset:expected:found:)`` when `shape` does not hold
    ///   `values.count` elements; ``DataError/cannotWrite(path:dataset:reason:)`` otherwise.
    public func write<T: HDF5Numeric>(_ values: [T], shape: [Int]? = nil, to name: String) throws(DataError) {
        let dims = shape ?? [values.count]
        guard dims.allSatisfy({ $0 >= 0 }), HDF5File.elementCount(dims) == values.count else {
            throw .wrongShape(path: path, dataset: name, expected: "\(HDF5File.elementCount(dims)) values for shape \(dims)",
                              found: "\(values.count) values")
        }
        try HDF5Library.locked { () throws(DataError) in
            try prepareNewDataset(name)
            let space = try makeSpace(dims, name)
            defer { H5Sclose(space) }
            let dataset = H5Dcreate2(id, name, T.hdf5ElementType.fileType, space, snn_h5p_default(), snn_h5p_default(), snn_h5p_default())
            guard dataset >= 0 else { throw cannotWrite(name) }
            defer { H5Dclose(dataset) }
            guard !values.isEmpty else { return }
            let status = values.withUnsafeBytes { bytes in
                H5Dwrite(dataset, T.hdf5ElementType.memoryType, snn_h5s_all(), snn_h5s_all(), snn_h5p_default(), bytes.baseAddress)
            }
            guard status >= 0 else { throw cannotWrite(name) }
        }
    }

    /// Writes `value` as a new scalar dataset `name` of element type `T`.
    ///
    /// - Throws: ``DataError/cannotWrite(path:dataset:reason:)``.
    public func write<T: HDF5Numeric>(scalar value: T, to name: String) throws(DataError) {
        try write([value], shape: [], to: name)
    }

    // MARK: - Internals (library lock held)

    /// A simple dataspace with `dims` (scalar when empty).
    func makeSpace(_ dims: [Int], _ name: String) throws(DataError) -> hid_t {
        let space: hid_t
        if dims.isEmpty {
            space = H5Screate(H5S_SCALAR)
        } else {
            let hdims = dims.map { hsize_t($0) }
            space = H5Screate_simple(Int32(dims.count), hdims, nil)
        }
        guard space >= 0 else { throw cannotWrite(name) }
        return space
    }

    /// Throws unless the dataset holds numbers that convert to `requested`.
    func requireNumeric(_ dataset: hid_t, _ requested: HDF5ElementType, _ name: String) throws(DataError) {
        let type = H5Dget_type(dataset)
        guard type >= 0 else { throw unreadable(name) }
        defer { H5Tclose(type) }
        try requireNumericType(type, requested, name, found: HDF5Library.describe(type))
    }

    /// Throws unless `type` is an integer type, or a floating-point type and `requested` is floating point.
    func requireNumericType(_ type: hid_t, _ requested: HDF5ElementType, _ name: String, found: String,
                            container: String = "") throws(DataError) {
        let kind = H5Tget_class(type)
        if kind == H5T_INTEGER { return }
        if kind == H5T_FLOAT && !requested.isInteger { return }
        let expected = requested.isInteger ? "integers" : "numbers"
        throw .wrongType(path: path, dataset: name, expected: container + expected + " (to read as \(requested))", found: found)
    }

    /// `H5Dread` through `transfer`, mapping a failure to the most specific error: a value that did not fit
    /// (``DataError/invalidValue(path:field:reason:)``), variable-length data beyond the budget
    /// (``DataError/tooLarge(path:dataset:declared:limit:)``, counted in elements of `elementSize` bytes),
    /// or HDF5's own message (``DataError/unreadable(path:dataset:reason:)``).
    func readConverted(_ dataset: hid_t, memoryType: hid_t, memorySpace: hid_t, fileSpace: hid_t,
                       into buffer: UnsafeMutableRawPointer, as requested: String, elementSize: Int = 1,
                       transfer: HDF5ReadTransfer, _ name: String) throws(DataError) {
        guard H5Dread(dataset, memoryType, memorySpace, fileSpace, transfer.id, buffer) < 0 else { return }
        let state = transfer.state.pointee
        if state.vlen_budget_exceeded != 0 {
            HDF5Library.clearErrors()
            throw .tooLarge(path: path, dataset: name, declared: transfer.requestedBytes / max(elementSize, 1), limit: elementLimit)
        }
        if state.value_did_not_fit != 0 {
            HDF5Library.clearErrors()
            throw .invalidValue(path: path, field: name, reason: "a stored value does not fit in \(requested)")
        }
        throw unreadable(name)
    }
}

/// A dataset-transfer property list for one read: conversions that fail on values that do not fit
/// (instead of clipping) and a byte budget for the variable-length data HDF5 allocates. Create, use and
/// ``close()`` it with the library lock held.
final class HDF5ReadTransfer {
    /// The state the C callbacks update.
    let state: UnsafeMutablePointer<snn_h5_read_state>
    /// The property list id.
    let id: hid_t

    /// A transfer list for reading into an integer (or floating-point) type, allowing `budgetBytes` of
    /// variable-length data.
    init(destinationIsInteger: Bool, budgetBytes: Int, path: String, _ name: String) throws(DataError) {
        state = .allocate(capacity: 1)
        state.initialize(to: snn_h5_read_state(destination_is_integer: destinationIsInteger ? 1 : 0, value_did_not_fit: 0,
                                               vlen_bytes_left: budgetBytes, vlen_bytes_requested: 0, vlen_budget_exceeded: 0))
        id = snn_h5_read_plist(state)
        guard id >= 0 else {
            state.deallocate()
            throw .unreadable(path: path, dataset: name, reason: HDF5Library.takeError())
        }
    }

    /// Bytes of variable-length data HDF5 requested (saturating at `Int.max`; `size_t` imports as `Int`).
    var requestedBytes: Int {
        let bytes = state.pointee.vlen_bytes_requested
        return bytes < 0 ? Int.max : bytes
    }

    /// Releases the property list and the state.
    func close() {
        H5Pclose(id)
        state.deallocate()
    }
}
