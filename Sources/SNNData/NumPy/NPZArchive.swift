import Foundation

/// A NumPy `.npz` archive: a ZIP file whose entries are `.npy` files, one per named array (`spikes.npy`
/// holds the array `spikes`), as written by `numpy.savez` and `numpy.savez_compressed`.
///
/// Reading parses the ZIP central directory (ZIP64 included, as NumPy writes it) of the memory-mapped file;
/// an array is decoded only when asked for with ``array(named:)``. Entries may be stored or compressed with
/// DEFLATE (through the system zlib); the CRC-32 of every entry read is checked. Writing produces stored
/// (uncompressed) entries by default, or DEFLATE-compressed ones.
public struct NPZArchive: Sendable {
    /// One entry of the ZIP central directory.
    public struct Entry: Sendable, Hashable {
        /// The entry's file name in the archive (e.g. `spikes.npy`).
        public var fileName: String
        /// The ZIP compression method: 0 stored, 8 DEFLATE.
        public var method: Int
        /// The CRC-32 of the uncompressed bytes.
        public var crc32: UInt32
        /// Size of the entry's data in the archive.
        public var compressedSize: Int
        /// Size of the entry's data once inflated.
        public var uncompressedSize: Int
        /// Offset of the entry's local header in the archive.
        public var localHeaderOffset: Int
        /// The general-purpose flags (bit 0: encrypted).
        public var flags: UInt16
    }

    /// How the entries of a written archive are stored.
    public enum Compression: Sendable, Hashable {
        /// Uncompressed (ZIP method 0), as `numpy.savez` writes.
        case stored
        /// DEFLATE (ZIP method 8), as `numpy.savez_compressed` writes.
        case deflated
    }

    /// The archive's path.
    public let path: String
    /// The entries, in central-directory order.
    public let entries: [Entry]
    /// The largest number of elements an array may declare (see ``NPYFile``).
    public let elementLimit: Int
    private let data: Data

    /// Opens the archive at `path` and reads its directory.
    ///
    /// - Throws: ``DataError/cannotOpen(path:reason:)`` for a missing file, one that is not a ZIP archive,
    ///   a truncated one or a multi-disk one; ``DataError/tooLarge(path:dataset:declared:limit:)`` for a
    ///   directory that declares more entries than the file could hold.
    public init(readingFrom path: String, elementLimit: Int = NPYFile.defaultElementLimit) throws(DataError) {
        try self.init(path: path, data: BinaryFile.contents(of: path), elementLimit: elementLimit)
    }

    /// Reads the directory of the archive `data`, the contents of the file `path`.
    init(path: String, data: Data, elementLimit: Int) throws(DataError) {
        self.path = path
        self.elementLimit = elementLimit
        self.data = data
        entries = try Self.readDirectory(data, path: path)
    }

    /// The names of the arrays, in directory order: entry names ending in `.npy`, without that suffix.
    public var names: [String] {
        entries.compactMap { $0.fileName.hasSuffix(".npy") ? String($0.fileName.dropLast(4)) : nil }
    }

    /// Whether the archive holds an array called `name`.
    public func contains(_ name: String) -> Bool { entry(for: name) != nil }

    private func entry(for name: String) -> Entry? {
        entries.first { $0.fileName == name + ".npy" } ?? entries.first { $0.fileName == name }
    }

    /// Reads and decodes the array `name` (the entry `name.npy`).
    ///
    /// - Throws: ``DataError/missingDataset(path:dataset:)`` when there is no such entry;
    ///   ``DataError/unreadable(path:dataset:reason:)`` for an entry that is encrypted, compressed with an
    ///   unsupported method, truncated, corrupt (DEFLATE error) or whose CRC-32 does not match; the errors of
    ///   ``NPYFile/decode(_:path:name:elementLimit:)`` for its contents.
    public func array(named name: String) throws(DataError) -> NPYArray {
        guard let entry = entry(for: name) else { throw .missingDataset(path: path, dataset: name) }
        let bytes = try contents(of: entry, name: name)
        return try NPYFile.decode(bytes, path: path, name: name, elementLimit: elementLimit)
    }

    /// The uncompressed bytes of `entry`, checked against its CRC-32.
    private func contents(of entry: Entry, name: String) throws(DataError) -> Data {
        func bad(_ reason: String) -> DataError { .unreadable(path: path, dataset: name, reason: "ZIP entry \(entry.fileName): \(reason)") }
        guard entry.flags & 1 == 0 else { throw bad("encrypted entries are not supported") }
        guard entry.method == 0 || entry.method == 8 else {
            throw bad("compression method \(entry.method) is not supported (only 0, stored, and 8, DEFLATE)")
        }
        let local = entry.localHeaderOffset
        guard data.littleEndian(at: local, as: UInt32.self) == Self.localHeaderSignature,
              let nameLength = data.littleEndian(at: local + 26, as: UInt16.self),
              let extraLength = data.littleEndian(at: local + 28, as: UInt16.self) else {
            throw bad("no local file header at offset \(local)")
        }
        let start = local + 30 + Int(nameLength) + Int(extraLength)
        let (end, overflow) = start.addingReportingOverflow(entry.compressedSize)
        guard !overflow, let stored = data.slice(start..<end) else {
            throw bad("truncated: \(entry.compressedSize) bytes declared at offset \(start), the file has \(data.count)")
        }
        let contents: Data
        if entry.method == 0 {
            guard entry.compressedSize == entry.uncompressedSize else {
                throw bad("stored entry with different sizes (\(entry.compressedSize) and \(entry.uncompressedSize) bytes)")
            }
            contents = stored
        } else {
            switch Zlib.inflate(stored, limit: entry.uncompressedSize) {
            case let .success(inflated): contents = inflated
            case let .failure(failure): throw bad(failure.message)
            }
            guard contents.count == entry.uncompressedSize else {
                throw bad("inflates to \(contents.count) bytes, \(entry.uncompressedSize) declared")
            }
        }
        let crc = Zlib.crc32(contents)
        guard crc == entry.crc32 else {
            throw bad("CRC-32 mismatch (computed \(String(crc, radix: 16)), stored \(String(entry.crc32, radix: 16)))")
        }
        return contents
    }

    // MARK: - ZIP structure

    static let localHeaderSignature: UInt32 = 0x0403_4B50
    static let centralHeaderSignature: UInt32 = 0x0201_4B50
    static let endSignature: UInt32 = 0x0605_4B50
    static let zip64EndSignature: UInt32 = 0x0606_4B50
    static let zip64LocatorSignature: UInt32 = 0x0706_4B50

    /// Finds the end-of-central-directory record (ZIP64 too) and parses the central directory.
    private static func readDirectory(_ data: Data, path: String) throws(DataError) -> [Entry] {
        guard data.starts(with: [0x50, 0x4B]) else {
            throw .cannotOpen(path: path, reason: "not a NumPy .npz file (not a ZIP archive: it does not start with PK)")
        }
        // The end record is the last 22 bytes, followed by a comment of at most 65 535 bytes.
        var end = -1
        var candidate = data.count - 22
        while candidate >= max(0, data.count - 22 - 65_535) {
            if data.littleEndian(at: candidate, as: UInt32.self) == endSignature,
               let commentLength = data.littleEndian(at: candidate + 20, as: UInt16.self),
               candidate + 22 + Int(commentLength) == data.count {
                end = candidate
                break
            }
            candidate -= 1
        }
        guard end >= 0 else {
            throw .cannotOpen(path: path, reason: "truncated or corrupt ZIP archive: no end-of-central-directory record")
        }
        let disk = data.littleEndian(at: end + 4, as: UInt16.self)!, directoryDisk = data.littleEndian(at: end + 6, as: UInt16.self)!
        var count = Int(data.littleEndian(at: end + 10, as: UInt16.self)!)
        var directorySize = Int(data.littleEndian(at: end + 12, as: UInt32.self)!)
        var directoryOffset = Int(data.littleEndian(at: end + 16, as: UInt32.self)!)
        guard disk == 0, directoryDisk == 0 else { throw .cannotOpen(path: path, reason: "multi-disk ZIP archives are not supported") }

        // ZIP64: a locator just before the end record points at the ZIP64 end record.
        let locator = end - 20
        if locator >= 0, data.littleEndian(at: locator, as: UInt32.self) == zip64LocatorSignature {
            guard let record64 = data.littleEndian(at: locator + 8, as: UInt64.self).flatMap({ Int(exactly: $0) }),
                  data.littleEndian(at: record64, as: UInt32.self) == zip64EndSignature,
                  let count64 = data.littleEndian(at: record64 + 32, as: UInt64.self),
                  let size64 = data.littleEndian(at: record64 + 40, as: UInt64.self),
                  let offset64 = data.littleEndian(at: record64 + 48, as: UInt64.self) else {
                throw .cannotOpen(path: path, reason: "corrupt ZIP64 end-of-central-directory record")
            }
            count = Int(clamping: count64)
            directorySize = Int(clamping: size64)
            directoryOffset = Int(clamping: offset64)
        }
        // Each central header has at least 46 bytes: a count the directory cannot hold is corrupt.
        let (directoryEnd, overflow) = directoryOffset.addingReportingOverflow(directorySize)
        guard count <= directorySize / 46 + 1, !overflow, let directory = data.slice(directoryOffset..<directoryEnd) else {
            throw .cannotOpen(path: path, reason: "truncated or corrupt ZIP archive: central directory of \(count) entries, "
                + "\(directorySize) bytes at offset \(directoryOffset), in a file of \(data.count) bytes")
        }
        var entries: [Entry] = []
        entries.reserveCapacity(count)
        var offset = 0
        for index in 0..<count {
            guard directory.littleEndian(at: offset, as: UInt32.self) == centralHeaderSignature,
                  let flags = directory.littleEndian(at: offset + 8, as: UInt16.self),
                  let method = directory.littleEndian(at: offset + 10, as: UInt16.self),
                  let crc = directory.littleEndian(at: offset + 16, as: UInt32.self),
                  let compressed32 = directory.littleEndian(at: offset + 20, as: UInt32.self),
                  let uncompressed32 = directory.littleEndian(at: offset + 24, as: UInt32.self),
                  let nameLength = directory.littleEndian(at: offset + 28, as: UInt16.self).map(Int.init),
                  let extraLength = directory.littleEndian(at: offset + 30, as: UInt16.self).map(Int.init),
                  let commentLength = directory.littleEndian(at: offset + 32, as: UInt16.self).map(Int.init),
                  let local32 = directory.littleEndian(at: offset + 42, as: UInt32.self),
                  let nameBytes = directory.slice((offset + 46)..<(offset + 46 + nameLength)),
                  let extra = directory.slice((offset + 46 + nameLength)..<(offset + 46 + nameLength + extraLength)) else {
                throw .cannotOpen(path: path, reason: "corrupt ZIP central directory at entry \(index)")
            }
            var uncompressed = Int(uncompressed32), compressed = Int(compressed32), local = Int(local32)
            // ZIP64 extended information (header id 1): the 64-bit values of the fields saturated at 0xFFFFFFFF, in order.
            var e = 0
            while e + 4 <= extra.count {
                let id = extra.littleEndian(at: e, as: UInt16.self)!, size = Int(extra.littleEndian(at: e + 2, as: UInt16.self)!)
                if id == 1 {
                    var f = e + 4
                    func next() -> Int? {
                        defer { f += 8 }
                        guard f + 8 <= e + 4 + size else { return nil }
                        return extra.littleEndian(at: f, as: UInt64.self).map { Int(clamping: $0) }
                    }
                    if uncompressed32 == .max { guard let v = next() else { break }; uncompressed = v }
                    if compressed32 == .max { guard let v = next() else { break }; compressed = v }
                    if local32 == .max { guard let v = next() else { break }; local = v }
                }
                e += 4 + size
            }
            let name = String(decoding: nameBytes, as: UTF8.self)
            entries.append(Entry(fileName: name, method: Int(method), crc32: crc, compressedSize: compressed,
                                 uncompressedSize: uncompressed, localHeaderOffset: local, flags: flags))
            offset += 46 + nameLength + extraLength + commentLength
        }
        return entries
    }

    // MARK: - Writing

    /// Writes `arrays` as an `.npz` archive at `path`, atomically (a temporary file in the same directory,
    /// synced, then renamed over `path`). Each array `name` becomes the entry `name.npy`.
    ///
    /// ZIP64 records are written where sizes or offsets need them (archives over 4 GiB), or for every entry
    /// with `forceZip64` (as NumPy's own writer does); NumPy and Python's `zipfile` read both.
    ///
    /// - Parameters:
    ///   - arrays: The arrays and their names (non-empty, distinct).
    ///   - path: The archive to write.
    ///   - compression: ``Compression/stored`` (default) or ``Compression/deflated``.
    ///   - forceZip64: Write ZIP64 extended information for every entry and the directory.
    /// - Throws: ``DataError/cannotWrite(path:dataset:reason:)``, or ``DataError/invalidValue(path:field:reason:)``
    ///   for an empty or repeated name.
    public static func write(_ arrays: [(name: String, array: NPYArray)], to path: String, compression: Compression = .stored,
                             forceZip64: Bool = false) throws(DataError) {
        var seen = Set<String>()
        for (name, _) in arrays {
            guard !name.isEmpty, seen.insert(name).inserted else {
                throw .invalidValue(path: path, field: "array name '\(name)'", reason: name.isEmpty ? "empty" : "repeated")
            }
        }
        try BinaryFile.writeAtomically(to: path) { (sink) throws(DataError) in
            var central: [UInt8] = []
            for (name, array) in arrays {
                let fileName = Array((name + ".npy").utf8)
                let header = NPYFile.header(for: array)
                let uncompressedSize = header.count + array.bytes.count
                let crc = Zlib.crc32(array.bytes, initial: Zlib.crc32(header))
                var payload: [Data] = [header, array.bytes]
                var method: UInt16 = 0
                if compression == .deflated {
                    var whole = header
                    whole.append(array.bytes)
                    switch Zlib.deflate(whole) {
                    case let .success(deflated): payload = [deflated]
                    case let .failure(failure): throw .cannotWrite(path: path, dataset: name, reason: failure.message)
                    }
                    method = 8
                }
                let compressedSize = payload.reduce(0) { $0 + $1.count }
                let localOffset = sink.offset
                let sizesNeed64 = forceZip64 || uncompressedSize >= 0xFFFF_FFFF || compressedSize >= 0xFFFF_FFFF
                let offsetNeeds64 = forceZip64 || localOffset >= 0xFFFF_FFFF
                let version: UInt16 = sizesNeed64 || offsetNeeds64 ? 45 : 20

                var local: [UInt8] = []
                local.appendLittleEndian(localHeaderSignature)
                local.appendLittleEndian(version)
                local.appendLittleEndian(UInt16(0x0800))             // flags: UTF-8 names
                local.appendLittleEndian(method)
                local.appendLittleEndian(UInt16(0))                  // time 00:00
                local.appendLittleEndian(UInt16(0x21))               // date 1980-01-01
                local.appendLittleEndian(crc)
                local.appendLittleEndian(sizesNeed64 ? UInt32.max : UInt32(compressedSize))
                local.appendLittleEndian(sizesNeed64 ? UInt32.max : UInt32(uncompressedSize))
                local.appendLittleEndian(UInt16(fileName.count))
                local.appendLittleEndian(UInt16(sizesNeed64 ? 20 : 0))
                local += fileName
                if sizesNeed64 {
                    local.appendLittleEndian(UInt16(1))
                    local.appendLittleEndian(UInt16(16))
                    local.appendLittleEndian(UInt64(uncompressedSize))
                    local.appendLittleEndian(UInt64(compressedSize))
                }
                try sink.write(local, dataset: name)
                for part in payload { try sink.write(part, dataset: name) }

                var extra: [UInt8] = []
                if sizesNeed64 || offsetNeeds64 {
                    var fields: [UInt64] = []
                    if sizesNeed64 { fields += [UInt64(uncompressedSize), UInt64(compressedSize)] }
                    if offsetNeeds64 { fields.append(UInt64(localOffset)) }
                    extra.appendLittleEndian(UInt16(1))
                    extra.appendLittleEndian(UInt16(8 * fields.count))
                    for f in fields { extra.appendLittleEndian(f) }
                }
                central.appendLittleEndian(centralHeaderSignature)
                central.appendLittleEndian(version)                  // made by: MS-DOS attributes
                central.appendLittleEndian(version)
                central.appendLittleEndian(UInt16(0x0800))
                central.appendLittleEndian(method)
                central.appendLittleEndian(UInt16(0))
                central.appendLittleEndian(UInt16(0x21))
                central.appendLittleEndian(crc)
                central.appendLittleEndian(sizesNeed64 ? UInt32.max : UInt32(compressedSize))
                central.appendLittleEndian(sizesNeed64 ? UInt32.max : UInt32(uncompressedSize))
                central.appendLittleEndian(UInt16(fileName.count))
                central.appendLittleEndian(UInt16(extra.count))
                central.appendLittleEndian(UInt16(0))                // comment
                central.appendLittleEndian(UInt16(0))                // disk
                central.appendLittleEndian(UInt16(0))                // internal attributes
                central.appendLittleEndian(UInt32(0))                // external attributes
                central.appendLittleEndian(offsetNeeds64 ? UInt32.max : UInt32(localOffset))
                central += fileName
                central += extra
            }
            let directoryOffset = sink.offset
            try sink.write(central)
            let count = arrays.count
            let directoryNeeds64 = forceZip64 || count >= 0xFFFF || central.count >= 0xFFFF_FFFF || directoryOffset >= 0xFFFF_FFFF
            var tail: [UInt8] = []
            if directoryNeeds64 {
                let record = sink.offset
                tail.appendLittleEndian(zip64EndSignature)
                tail.appendLittleEndian(UInt64(44))                  // size of the rest of the record
                tail.appendLittleEndian(UInt16(45))
                tail.appendLittleEndian(UInt16(45))
                tail.appendLittleEndian(UInt32(0))
                tail.appendLittleEndian(UInt32(0))
                tail.appendLittleEndian(UInt64(count))
                tail.appendLittleEndian(UInt64(count))
                tail.appendLittleEndian(UInt64(central.count))
                tail.appendLittleEndian(UInt64(directoryOffset))
                tail.appendLittleEndian(zip64LocatorSignature)
                tail.appendLittleEndian(UInt32(0))
                tail.appendLittleEndian(UInt64(record))
                tail.appendLittleEndian(UInt32(1))
            }
            tail.appendLittleEndian(endSignature)
            tail.appendLittleEndian(UInt16(0))
            tail.appendLittleEndian(UInt16(0))
            tail.appendLittleEndian(directoryNeeds64 ? UInt16.max : UInt16(count))
            tail.appendLittleEndian(directoryNeeds64 ? UInt16.max : UInt16(count))
            tail.appendLittleEndian(directoryNeeds64 ? UInt32.max : UInt32(central.count))
            tail.appendLittleEndian(directoryNeeds64 ? UInt32.max : UInt32(directoryOffset))
            tail.appendLittleEndian(UInt16(0))
            try sink.write(tail)
        }
    }
}
