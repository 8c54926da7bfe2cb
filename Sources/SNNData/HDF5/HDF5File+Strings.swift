internal import CHDF5

extension HDF5File {
    // MARK: - String datasets

    /// Writes `strings` as a new 1-D dataset `name` of variable-length UTF-8 strings.
    ///
    /// - Throws: ``DataError/cannotWrite(path:dataset:reason:)``.
    public func write(strings: [String], to name: String) throws(DataError) {
        try writeStrings(strings, dims: [strings.count], to: name)
    }

    /// Writes `string` as a new scalar dataset `name` holding one variable-length UTF-8 string.
    ///
    /// - Throws: ``DataError/cannotWrite(path:dataset:reason:)``.
    public func write(string: String, to name: String) throws(DataError) {
        try writeStrings([string], dims: [], to: name)
    }

    /// The strings of the string dataset `name` (fixed- or variable-length, any rank, row-major).
    ///
    /// - Throws: ``DataError/missingDataset(path:dataset:)``; ``DataError/wrongType(path:dataset:expected:found:)``
    ///   for non-string data; ``DataError/tooLarge(path:dataset:declared:limit:)`` when the strings hold
    ///   more than ``elementLimit`` characters; ``DataError/unreadable(path:dataset:reason:)``.
    public func readStrings(_ name: String) throws(DataError) -> [String] {
        try HDF5Library.locked { () throws(DataError) -> [String] in
            let dataset = try openDataset(name)
            defer { H5Oclose(dataset) }
            let type = H5Dget_type(dataset)
            guard type >= 0 else { throw unreadable(name) }
            defer { H5Tclose(type) }
            let space = H5Dget_space(dataset)
            guard space >= 0 else { throw unreadable(name) }
            defer { H5Sclose(space) }
            return try readStringElements(type: type, space: space, name, usesTransfer: true) { memoryType, buffer, transfer in
                H5Dread(dataset, memoryType, snn_h5s_all(), snn_h5s_all(), transfer, buffer)
            }
        }
    }

    /// The single string of the scalar (or one-element) string dataset `name`.
    ///
    /// - Throws: As ``readStrings(_:)``, and ``DataError/wrongShape(path:dataset:expected:found:)`` when
    ///   the dataset does not hold exactly one string.
    public func readString(_ name: String) throws(DataError) -> String {
        let strings = try readStrings(name)
        guard strings.count == 1 else {
            throw .wrongShape(path: path, dataset: name, expected: "one string", found: "\(strings.count) strings")
        }
        return strings[0]
    }

    // MARK: - String attributes

    /// Sets the attribute `attribute` of the object `object` (a group or dataset; `"/"` is the root
    /// group) to the variable-length UTF-8 string `value`, replacing an existing attribute of that name.
    ///
    /// - Throws: ``DataError/missingDataset(path:dataset:)`` when `object` does not exist;
    ///   ``DataError/cannotWrite(path:dataset:reason:)``.
    public func setAttribute(_ attribute: String, to value: String, on object: String = "/") throws(DataError) {
        let field = attributeField(attribute, object)
        try requireWritable(field)
        try HDF5Library.locked { () throws(DataError) in
            let target = try openObject(object, field)
            defer { H5Oclose(target) }
            if H5Aexists(target, attribute) > 0 {
                guard H5Adelete(target, attribute) >= 0 else { throw cannotWrite(field) }
            }
            let type = try variableStringType(cset: H5T_CSET_UTF8, field)
            defer { H5Tclose(type) }
            let space = H5Screate(H5S_SCALAR)
            guard space >= 0 else { throw cannotWrite(field) }
            defer { H5Sclose(space) }
            let handle = H5Acreate2(target, attribute, type, space, snn_h5p_default(), snn_h5p_default())
            guard handle >= 0 else { throw cannotWrite(field) }
            defer { H5Aclose(handle) }
            let status = value.withCString { chars -> herr_t in
                var pointer: UnsafePointer<CChar>? = chars
                return H5Awrite(handle, type, &pointer)
            }
            guard status >= 0 else { throw cannotWrite(field) }
        }
    }

    /// Whether the object `object` has an attribute named `attribute`.
    public func hasAttribute(_ attribute: String, of object: String = "/") -> Bool {
        guard isOpen else { return false }
        return HDF5Library.locked {
            guard linkExists(object) else { return false }
            let target = H5Oopen(id, object, snn_h5p_default())
            guard target >= 0 else { HDF5Library.clearErrors(); return false }
            defer { H5Oclose(target) }
            let exists = H5Aexists(target, attribute) > 0
            HDF5Library.clearErrors()
            return exists
        }
    }

    /// The string attribute `attribute` of the object `object` (`"/"` is the root group).
    ///
    /// - Throws: ``DataError/missingDataset(path:dataset:)`` when the object or the attribute is absent
    ///   (the dataset is named `object@attribute`); ``DataError/wrongType(path:dataset:expected:found:)``
    ///   for a non-string attribute; ``DataError/wrongShape(path:dataset:expected:found:)`` unless it
    ///   holds one string.
    public func stringAttribute(_ attribute: String, of object: String = "/") throws(DataError) -> String {
        let field = attributeField(attribute, object)
        let strings = try HDF5Library.locked { () throws(DataError) -> [String] in
            let target = try openObject(object, field)
            defer { H5Oclose(target) }
            guard H5Aexists(target, attribute) > 0 else {
                HDF5Library.clearErrors()
                throw .missingDataset(path: path, dataset: field)
            }
            let handle = H5Aopen(target, attribute, snn_h5p_default())
            guard handle >= 0 else { throw unreadable(field) }
            defer { H5Aclose(handle) }
            let type = H5Aget_type(handle)
            guard type >= 0 else { throw unreadable(field) }
            defer { H5Tclose(type) }
            let space = H5Aget_space(handle)
            guard space >= 0 else { throw unreadable(field) }
            defer { H5Sclose(space) }
            return try readStringElements(type: type, space: space, field, usesTransfer: false) { memoryType, buffer, _ in
                H5Aread(handle, memoryType, buffer)
            }
        }
        guard strings.count == 1 else {
            throw .wrongShape(path: path, dataset: field, expected: "one string", found: "\(strings.count) strings")
        }
        return strings[0]
    }

    // MARK: - Internals (library lock held)

    /// How an attribute is named in errors: `object@attribute`.
    private func attributeField(_ attribute: String, _ object: String) -> String {
        let parts = components(of: object)
        return (parts.isEmpty ? "/" : parts.joined(separator: "/")) + "@" + attribute
    }

    /// Opens the group or dataset `object` (close with `H5Oclose`).
    private func openObject(_ object: String, _ field: String) throws(DataError) -> hid_t {
        guard isOpen else { throw .unreadable(path: path, dataset: field, reason: "the file is closed") }
        guard linkExists(object) else { throw .missingDataset(path: path, dataset: components(of: object).joined(separator: "/")) }
        let target = H5Oopen(id, components(of: object).isEmpty ? "/" : object, snn_h5p_default())
        guard target >= 0 else { throw unreadable(field) }
        return target
    }

    /// A variable-length string type with character set `cset` (close with `H5Tclose`).
    private func variableStringType(cset: H5T_cset_t, _ name: String) throws(DataError) -> hid_t {
        let type = H5Tcopy(snn_h5t_c_s1())
        guard type >= 0 else { throw cannotWrite(name) }
        guard H5Tset_size(type, snn_h5t_variable()) >= 0, H5Tset_cset(type, cset) >= 0 else {
            H5Tclose(type)
            throw cannotWrite(name)
        }
        return type
    }

    /// Writes a new variable-length UTF-8 string dataset of shape `dims`.
    func writeStrings(_ strings: [String], dims: [Int], to name: String) throws(DataError) {
        try HDF5Library.locked { () throws(DataError) in
            try prepareNewDataset(name)
            let type = try variableStringType(cset: H5T_CSET_UTF8, name)
            defer { H5Tclose(type) }
            let space = try makeSpace(dims, name)
            defer { H5Sclose(space) }
            let dataset = H5Dcreate2(id, name, type, space, snn_h5p_default(), snn_h5p_default(), snn_h5p_default())
            guard dataset >= 0 else { throw cannotWrite(name) }
            defer { H5Dclose(dataset) }
            guard !strings.isEmpty else { return }
            // Contiguous NUL-terminated copies, and one pointer per string into them.
            var bytes: [CChar] = []
            var starts: [Int] = []
            for s in strings {
                starts.append(bytes.count)
                bytes.append(contentsOf: s.utf8CString)
            }
            let status = bytes.withUnsafeBufferPointer { chars -> herr_t in
                var pointers = starts.map { Optional(chars.baseAddress! + $0) }
                return H5Dwrite(dataset, type, snn_h5s_all(), snn_h5s_all(), snn_h5p_default(), &pointers)
            }
            guard status >= 0 else { throw cannotWrite(name) }
        }
    }

    /// Reads every element of a string dataset or attribute through `read`, fixed- or variable-length.
    ///
    /// With `usesTransfer` (datasets), `read` gets a transfer list whose allocator refuses variable-length
    /// strings beyond ``elementLimit`` characters in all; attribute reads (`H5Aread` takes no transfer
    /// list) get `H5P_DEFAULT`.
    private func readStringElements(type: hid_t, space: hid_t, _ name: String, usesTransfer: Bool,
                                    read: (hid_t, UnsafeMutableRawPointer, hid_t) -> herr_t) throws(DataError) -> [String] {
        guard H5Tget_class(type) == H5T_STRING else {
            throw .wrongType(path: path, dataset: name, expected: "strings", found: HDF5Library.describe(type))
        }
        let dims = try dimensions(ofSpace: space, name)
        try checkLimit(dims, name)
        let count = HDF5File.elementCount(dims)
        if count == 0 { return [] }
        let memoryType = H5Tcopy(type)
        guard memoryType >= 0 else { throw unreadable(name) }
        defer { H5Tclose(memoryType) }

        if H5Tis_variable_str(type) > 0 {
            let transfer = try HDF5ReadTransfer(destinationIsInteger: false, budgetBytes: elementLimit, path: path, name)
            defer { transfer.close() }
            let plist = usesTransfer ? transfer.id : snn_h5p_default()
            var pointers = [UnsafeMutablePointer<CChar>?](repeating: nil, count: count)
            defer { _ = snn_h5_vlen_reclaim(memoryType, space, plist, &pointers) }
            let status = pointers.withUnsafeMutableBytes { read(memoryType, $0.baseAddress!, plist) }
            guard status >= 0 else {
                if transfer.state.pointee.vlen_budget_exceeded != 0 {
                    HDF5Library.clearErrors()
                    throw .tooLarge(path: path, dataset: name, declared: transfer.requestedBytes, limit: elementLimit)
                }
                throw unreadable(name)
            }
            return pointers.map { $0.map { String(cString: $0) } ?? "" }
        }

        let size = H5Tget_size(type)
        guard size > 0 else { throw unreadable(name) }
        let (totalBytes, overflow) = count.multipliedReportingOverflow(by: Int(size))
        guard !overflow, totalBytes <= elementLimit else {
            throw .tooLarge(path: path, dataset: name, declared: overflow ? Int.max : totalBytes, limit: elementLimit)
        }
        var bytes = [UInt8](repeating: 0, count: totalBytes)
        let status = bytes.withUnsafeMutableBytes { read(memoryType, $0.baseAddress!, snn_h5p_default()) }
        guard status >= 0 else { throw unreadable(name) }
        let spacePadded = H5Tget_strpad(type) == H5T_STR_SPACEPAD
        return (0..<count).map { i in
            var slice = bytes[(i * Int(size))..<((i + 1) * Int(size))]
            if let end = slice.firstIndex(of: 0) { slice = slice[..<end] }
            if spacePadded { while slice.last == 0x20 { slice = slice.dropLast() } }
            return String(decoding: slice, as: UTF8.self)
        }
    }
}
