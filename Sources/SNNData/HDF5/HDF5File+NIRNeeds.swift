internal import CHDF5

// What the NIR reader and writer need beyond datasets and attributes: listing a group's members, telling groups
// from datasets, and string datasets of any rank (NIR stores a graph's edges as an `[E, 2]` string dataset).

extension HDF5File {
    // MARK: - Groups

    /// The names of the links (groups and datasets) directly inside the group `name` (`"/"` is the root group), in
    /// increasing name order.
    ///
    /// - Throws: ``DataError/missingDataset(path:dataset:)`` when `name` does not exist;
    ///   ``DataError/wrongType(path:dataset:expected:found:)`` when it is not a group;
    ///   ``DataError/tooLarge(path:dataset:declared:limit:)`` when the group declares more than ``elementLimit`` links;
    ///   ``DataError/unreadable(path:dataset:reason:)``.
    public func members(of name: String) throws(DataError) -> [String] {
        let group = components(of: name).isEmpty ? "/" : components(of: name).joined(separator: "/")
        return try HDF5Library.locked { () throws(DataError) -> [String] in
            guard isOpen else { throw .unreadable(path: path, dataset: group, reason: "the file is closed") }
            guard group == "/" || linkExists(group) else { throw .missingDataset(path: path, dataset: group) }
            guard objectIsGroup(group) else {
                throw .wrongType(path: path, dataset: group, expected: "a group", found: "a dataset")
            }
            var info = H5G_info_t()
            guard H5Gget_info_by_name(id, group, &info, snn_h5p_default()) >= 0 else { throw unreadable(group) }
            let count = Int(clamping: info.nlinks)
            guard count <= elementLimit else { throw .tooLarge(path: path, dataset: group, declared: count, limit: elementLimit) }
            var names: [String] = []
            names.reserveCapacity(count)
            for index in 0..<count {
                let length = H5Lget_name_by_idx(id, group, H5_INDEX_NAME, H5_ITER_INC, hsize_t(index), nil, 0, snn_h5p_default())
                guard length >= 0 else { throw unreadable(group) }
                var buffer = [CChar](repeating: 0, count: length + 1)
                guard H5Lget_name_by_idx(id, group, H5_INDEX_NAME, H5_ITER_INC, hsize_t(index), &buffer, length + 1,
                                         snn_h5p_default()) >= 0 else { throw unreadable(group) }
                names.append(String(decoding: buffer.prefix(length).map { UInt8(bitPattern: $0) }, as: UTF8.self))
            }
            return names
        }
    }

    /// Whether `name` exists and is a group (the root group `"/"` is one).
    public func isGroup(_ name: String) -> Bool {
        guard isOpen else { return false }
        let group = components(of: name).isEmpty ? "/" : components(of: name).joined(separator: "/")
        return HDF5Library.locked { group == "/" || (linkExists(group) && objectIsGroup(group)) }
    }

    // MARK: - String datasets of any rank

    /// Writes `strings` (row-major) as a new dataset `name` of variable-length UTF-8 strings with dimensions `shape`.
    ///
    /// - Throws: ``DataError/wrongShape(path:dataset:expected:found:)`` when `shape` does not hold `strings.count`
    ///   elements; ``DataError/cannotWrite(path:dataset:reason:)``.
    public func write(strings: [String], shape: [Int], to name: String) throws(DataError) {
        guard shape.allSatisfy({ $0 >= 0 }), HDF5File.elementCount(shape) == strings.count else {
            throw .wrongShape(path: path, dataset: name, expected: "\(HDF5File.elementCount(shape)) strings for shape \(shape)",
                              found: "\(strings.count) strings")
        }
        try writeStrings(strings, dims: shape, to: name)
    }

    // MARK: - Internals (library lock held)

    /// Whether the existing object at `name` is a group.
    private func objectIsGroup(_ name: String) -> Bool {
        let object = H5Oopen(id, name, snn_h5p_default())
        guard object >= 0 else {
            HDF5Library.clearErrors()
            return false
        }
        defer { H5Oclose(object) }
        return H5Iget_type(object) == H5I_GROUP
    }
}
