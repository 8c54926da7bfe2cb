internal import CHDF5

/// Rows of different lengths stored flat (CSR layout): row `i` is `values[offsets[i]..<offsets[i + 1]]`.
///
/// The in-memory form of a 1-D HDF5 dataset of variable-length arrays, such as SHD's `spikes/times`.
public struct HDF5RaggedArray<Element: HDF5Numeric>: Sendable, Equatable {
    /// Start of each row in ``values``; `count + 1` entries, from 0 to `values.count`, non-decreasing.
    public private(set) var offsets: [Int]
    /// All rows' values, one row after the other.
    public private(set) var values: [Element]

    /// A ragged array from its CSR parts.
    ///
    /// - Precondition: `offsets` is non-decreasing, starts at 0 and ends at `values.count`.
    public init(offsets: [Int], values: [Element]) {
        precondition(offsets.first == 0 && offsets.last == values.count && zip(offsets, offsets.dropFirst()).allSatisfy { $0 <= $1 },
                     "ragged-array offsets must run from 0 to \(values.count) without decreasing")
        self.offsets = offsets
        self.values = values
    }

    /// A ragged array holding `rows`.
    public init(rows: [[Element]]) {
        var offsets = [0]
        offsets.reserveCapacity(rows.count + 1)
        var values: [Element] = []
        values.reserveCapacity(rows.reduce(0) { $0 + $1.count })
        for row in rows {
            values.append(contentsOf: row)
            offsets.append(values.count)
        }
        self.offsets = offsets
        self.values = values
    }

    /// Number of rows.
    public var count: Int { offsets.count - 1 }

    /// The values of row `row`.
    public subscript(row: Int) -> ArraySlice<Element> { values[offsets[row]..<offsets[row + 1]] }

    /// The rows as separate arrays.
    public var rows: [[Element]] { (0..<count).map { Array(self[$0]) } }
}

extension HDF5File {
    /// The rows `rows` (all rows when `nil`) of the 1-D dataset `name` of variable-length arrays, converted
    /// by HDF5 to `T`.
    ///
    /// Arrays of integers or floating-point numbers of any width can be read as a floating-point `T`
    /// (e.g. SHD's `float16` or `float32` spike times as `Float`); an integer `T` requires integer arrays.
    /// Reading a range of rows at a time bounds the memory a large file needs. The declared number of
    /// rows is checked against ``elementLimit`` before anything is allocated, and HDF5 allocates the rows'
    /// values through a budget of ``elementLimit`` values, so a file declaring more fails before the
    /// memory is taken (the error's `declared` counts the values requested up to that point).
    ///
    /// - Throws: ``DataError/missingDataset(path:dataset:)``; ``DataError/wrongType(path:dataset:expected:found:)``
    ///   unless the dataset holds variable-length arrays of suitable numbers;
    ///   ``DataError/wrongShape(path:dataset:expected:found:)`` unless it is 1-D with at least
    ///   `rows.upperBound` rows; ``DataError/tooLarge(path:dataset:declared:limit:)``;
    ///   ``DataError/invalidValue(path:field:reason:)`` when a value does not fit `T`;
    ///   ``DataError/unreadable(path:dataset:reason:)`` when HDF5 fails to read the data.
    public func readVariableLength<T: HDF5Numeric>(_ name: String, rows: Range<Int>? = nil,
                                                   as type: T.Type = T.self) throws(DataError) -> HDF5RaggedArray<T> {
        try readVariableLength(name, selection: rows.map { .range($0) } ?? .all, as: type)
    }

    /// The rows at `rows` (any order, repeats allowed) of the 1-D dataset `name` of variable-length arrays, converted
    /// by HDF5 to `T`, in the order given: row `k` of the result is row `rows[k]` of the dataset.
    ///
    /// Only the selected rows are read (one HDF5 read: a hyperslab when the distinct rows are consecutive, else a
    /// point selection of the distinct rows in ascending order), so a batch of samples can be read from a large file
    /// without reading the rest. Types, conversions, limits and errors are those of ``readVariableLength(_:rows:as:)``
    /// (the limit applies to the distinct rows' values).
    ///
    /// - Throws: as ``readVariableLength(_:rows:as:)``; ``DataError/wrongShape(path:dataset:expected:found:)`` when a
    ///   row index is negative or not below the number of rows.
    public func readVariableLength<T: HDF5Numeric>(_ name: String, rows: [Int], as type: T.Type = T.self) throws(DataError) -> HDF5RaggedArray<T> {
        let distinct = Array(Set(rows)).sorted()
        guard let first = distinct.first, let last = distinct.last else { return try readVariableLength(name, selection: .range(0..<0), as: type) }
        guard first >= 0 else {
            throw .wrongShape(path: path, dataset: name, expected: "row indices ≥ 0", found: "row \(first)")
        }
        let isConsecutive = last - first + 1 == distinct.count
        let read = try readVariableLength(name, selection: isConsecutive ? .range(first..<(last + 1)) : .points(distinct), as: type)
        if distinct == rows { return read }
        var offsets = [0], values: [T] = []
        offsets.reserveCapacity(rows.count + 1)
        for row in rows {
            var low = 0, high = distinct.count - 1   // binary search for row's position among the distinct rows
            while low < high {
                let middle = (low + high) / 2
                if distinct[middle] < row { low = middle + 1 } else { high = middle }
            }
            values.append(contentsOf: read[low])
            offsets.append(values.count)
        }
        return HDF5RaggedArray(offsets: offsets, values: values)
    }

    /// Which rows a variable-length read selects.
    enum RowSelection {
        /// Every row.
        case all
        /// Consecutive rows.
        case range(Range<Int>)
        /// Distinct rows in ascending order.
        case points([Int])
    }

    /// The rows `selection` of the 1-D dataset `name` of variable-length arrays, in ascending order.
    func readVariableLength<T: HDF5Numeric>(_ name: String, selection: RowSelection, as type: T.Type) throws(DataError) -> HDF5RaggedArray<T> {
        try HDF5Library.locked { () throws(DataError) -> HDF5RaggedArray<T> in
            let dataset = try openDataset(name)
            defer { H5Oclose(dataset) }
            let fileType = H5Dget_type(dataset)
            guard fileType >= 0 else { throw unreadable(name) }
            defer { H5Tclose(fileType) }
            let found = HDF5Library.describe(fileType)
            guard H5Tget_class(fileType) == H5T_VLEN else {
                throw .wrongType(path: path, dataset: name, expected: "variable-length arrays of \(T.hdf5ElementType.isInteger ? "integers" : "numbers")",
                                 found: found)
            }
            let base = H5Tget_super(fileType)
            guard base >= 0 else { throw unreadable(name) }
            defer { H5Tclose(base) }
            try requireNumericType(base, T.hdf5ElementType, name, found: found, container: "variable-length arrays of ")

            let dims = try dimensions(of: dataset, name)
            guard dims.count == 1 else {
                throw .wrongShape(path: path, dataset: name, expected: "1-D (one array per row)", found: "shape \(dims)")
            }
            try checkLimit(dims, name)
            let n: Int, rowLimit: Int
            switch selection {
            case .all: (n, rowLimit) = (dims[0], dims[0])
            case let .range(r): (n, rowLimit) = (r.count, r.upperBound)
            case let .points(p): (n, rowLimit) = (p.count, (p.last ?? -1) + 1)
            }
            guard rowLimit <= dims[0] else {
                throw .wrongShape(path: path, dataset: name, expected: "at least \(rowLimit) rows", found: "\(dims[0]) rows")
            }
            if case let .range(r) = selection, r.lowerBound < 0 {
                throw .wrongShape(path: path, dataset: name, expected: "row indices ≥ 0", found: "row \(r.lowerBound)")
            }
            if n == 0 { return HDF5RaggedArray(offsets: [0], values: []) }

            // IEEE half precision read as Float (as h5py stores NumPy float16): HDF5 converts it in software,
            // several times slower than reading the raw 16 bits and widening them here.
            let widensHalf = T.self == Float.self && HDF5Library.isIEEEHalfLittleEndian(base)
            let memoryBase = widensHalf ? H5Tcopy(base) : T.hdf5ElementType.memoryType
            guard memoryBase >= 0 else { throw unreadable(name) }
            defer { if widensHalf { H5Tclose(memoryBase) } }
            let memoryType = H5Tvlen_create(memoryBase)
            guard memoryType >= 0 else { throw unreadable(name) }
            defer { H5Tclose(memoryType) }
            let memoryElementSize = widensHalf ? 2 : MemoryLayout<T>.stride
            let fileSpace = H5Dget_space(dataset)
            guard fileSpace >= 0 else { throw unreadable(name) }
            defer { H5Sclose(fileSpace) }
            var count = [hsize_t(n)]
            switch selection {
            case .all:
                break
            case let .range(r):
                var start = [hsize_t(r.lowerBound)]
                guard H5Sselect_hyperslab(fileSpace, H5S_SELECT_SET, &start, nil, &count, nil) >= 0 else { throw unreadable(name) }
            case let .points(p):
                let coordinates = p.map { hsize_t($0) }
                guard H5Sselect_elements(fileSpace, H5S_SELECT_SET, n, coordinates) >= 0 else { throw unreadable(name) }
            }
            let memorySpace = H5Screate_simple(1, &count, nil)
            guard memorySpace >= 0 else { throw unreadable(name) }
            defer { H5Sclose(memorySpace) }

            // HDF5 allocates each row through the transfer list's budget: a file declaring more than
            // `elementLimit` values in the selected rows fails before the memory is taken.
            let (budget, overflow) = elementLimit.multipliedReportingOverflow(by: memoryElementSize)
            let transfer = try HDF5ReadTransfer(destinationIsInteger: T.hdf5ElementType.isInteger,
                                                budgetBytes: overflow ? Int.max : budget, path: path, name)
            defer { transfer.close() }
            var handles = [hvl_t](repeating: hvl_t(len: 0, p: nil), count: n)
            defer { _ = snn_h5_vlen_reclaim(memoryType, memorySpace, transfer.id, &handles) }
            let failure = handles.withUnsafeMutableBytes { buffer -> DataError? in
                do throws(DataError) {
                    try readConverted(dataset, memoryType: memoryType, memorySpace: memorySpace, fileSpace: fileSpace,
                                      into: buffer.baseAddress!, as: "\(T.hdf5ElementType)", elementSize: memoryElementSize,
                                      transfer: transfer, name)
                    return nil
                } catch {
                    return error
                }
            }
            if let failure { throw failure }
            let total = handles.reduce(0) { $0 + Int($1.len) }
            var offsets = [0]
            offsets.reserveCapacity(n + 1)
            var values: [T] = []
            values.reserveCapacity(total)
            for handle in handles {
                if handle.len > 0, let p = handle.p {
                    if widensHalf {
                        for bits in UnsafeBufferPointer(start: p.assumingMemoryBound(to: UInt16.self), count: Int(handle.len)) {
                            values.append(unsafeBitCast(HDF5Library.floatFromHalf(bits: UInt16(littleEndian: bits)), to: T.self))
                        }
                    } else {
                        values.append(contentsOf: UnsafeBufferPointer(start: p.assumingMemoryBound(to: T.self), count: Int(handle.len)))
                    }
                }
                offsets.append(values.count)
            }
            return HDF5RaggedArray(offsets: offsets, values: values)
        }
    }

    /// Writes `rows` as a new 1-D dataset `name` of variable-length arrays of `T`, creating missing parent groups.
    ///
    /// - Throws: ``DataError/cannotWrite(path:dataset:reason:)``.
    public func writeVariableLength<T: HDF5Numeric>(_ rows: HDF5RaggedArray<T>, to name: String) throws(DataError) {
        try HDF5Library.locked { () throws(DataError) in
            try prepareNewDataset(name)
            let memoryType = H5Tvlen_create(T.hdf5ElementType.memoryType)
            guard memoryType >= 0 else { throw cannotWrite(name) }
            defer { H5Tclose(memoryType) }
            let fileType = H5Tvlen_create(T.hdf5ElementType.fileType)
            guard fileType >= 0 else { throw cannotWrite(name) }
            defer { H5Tclose(fileType) }
            let space = try makeSpace([rows.count], name)
            defer { H5Sclose(space) }
            let dataset = H5Dcreate2(id, name, fileType, space, snn_h5p_default(), snn_h5p_default(), snn_h5p_default())
            guard dataset >= 0 else { throw cannotWrite(name) }
            defer { H5Dclose(dataset) }
            guard rows.count > 0 else { return }
            let status = rows.values.withUnsafeBufferPointer { values -> herr_t in
                // HDF5 only reads through these pointers while writing.
                let base = values.baseAddress.map { UnsafeMutableRawPointer(mutating: $0) }
                var handles = (0..<rows.count).map { i -> hvl_t in
                    let length = rows.offsets[i + 1] - rows.offsets[i]
                    return hvl_t(len: length, p: length == 0 ? nil : base! + rows.offsets[i] * MemoryLayout<T>.stride)
                }
                return H5Dwrite(dataset, memoryType, snn_h5s_all(), snn_h5s_all(), snn_h5p_default(), &handles)
            }
            guard status >= 0 else { throw cannotWrite(name) }
        }
    }

    /// Writes `rows` as a new 1-D dataset `name` of variable-length arrays of `T`.
    ///
    /// - Throws: ``DataError/cannotWrite(path:dataset:reason:)``.
    public func writeVariableLength<T: HDF5Numeric>(_ rows: [[T]], to name: String) throws(DataError) {
        try writeVariableLength(HDF5RaggedArray(rows: rows), to: name)
    }
}
