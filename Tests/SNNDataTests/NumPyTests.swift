import Foundation
import SNNData
import Testing

/// NumPy `.npy` and `.npz` files: the format itself (header versions, types, byte orders, records, ZIP
/// entries), the dense spike loader, round trips, and one test per bad file.
@Suite("NumPy .npy and .npz")
struct NumPyTests {
    static let dt: Duration = .milliseconds(2)

    // MARK: - .npy format

    static func roundTrip<T: NPYElement & Equatable>(_ values: [T], shape: [Int], in dir: TemporaryDirectory,
                                                    sourceLocation: SourceLocation = #_sourceLocation) throws {
        let path = dir.file("\(T.self).npy")
        try NPYFile.write(NPYArray(values, shape: shape), to: path)
        let read = try NPYFile.read(from: path)
        #expect(read.shape == shape, sourceLocation: sourceLocation)
        #expect(read.dataType == .scalar(T.npyScalarType, .littleEndian), sourceLocation: sourceLocation)
        #expect(read.values(as: T.self) == values, sourceLocation: sourceLocation)
    }

    @Test(".npy round trip for every scalar type, 0-d, empty and 3-D shapes")
    func npyRoundTrip() throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanUp() }
        try Self.roundTrip([true, false, true], shape: [3], in: dir)
        try Self.roundTrip([Int8.min, 0, Int8.max], shape: [3], in: dir)
        try Self.roundTrip([UInt8](arrayLiteral: 0, 1, 255, 7, 8, 9), shape: [2, 3], in: dir)
        try Self.roundTrip([Int16.min, 700], shape: [2], in: dir)
        try Self.roundTrip([UInt16](arrayLiteral: 0, 65535), shape: [2, 1], in: dir)
        try Self.roundTrip([Int32.min, 7], shape: [2], in: dir)
        try Self.roundTrip([UInt32.max], shape: [], in: dir)
        try Self.roundTrip([Int64.min, 1 << 40], shape: [2], in: dir)
        try Self.roundTrip([UInt64.max, 0], shape: [1, 2], in: dir)
        try Self.roundTrip([Float](arrayLiteral: 0, -1.5, .infinity, 3.25, 1e-30, 2, 3, 4), shape: [2, 2, 2], in: dir)
        try Self.roundTrip([Double](arrayLiteral: 0.1, -2e300), shape: [2], in: dir)
        try Self.roundTrip([Float](), shape: [0, 5], in: dir)
        let scalar = try NPYFile.read(from: dir.file("UInt32.npy"))
        #expect(scalar.count == 1 && scalar.doubles() == [4_294_967_295])
    }

    @Test("Written header: version 1.0, NumPy's dictionary text, data aligned to 64 bytes")
    func headerLayout() throws {
        let header = NPYFile.header(for: NPYArray([Float](repeating: 0, count: 6), shape: [2, 3]))
        let bytes = Array(header)
        #expect(Array(bytes[0..<8]) == [0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59, 1, 0])
        #expect(bytes.count % 64 == 0)
        #expect(Int(bytes[8]) + Int(bytes[9]) << 8 == bytes.count - 10)
        let text = String(decoding: bytes[10...], as: UTF8.self)
        #expect(text.hasPrefix("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }"))
        #expect(text.hasSuffix(" \n"))
        let oneD = String(decoding: Array(NPYFile.header(for: NPYArray([UInt8](arrayLiteral: 1))))[10...], as: UTF8.self)
        #expect(oneD.hasPrefix("{'descr': '|u1', 'fortran_order': False, 'shape': (1,), }"))
        let records = NPYDataType.packed([("x", .uint16), ("p", .uint8)])
        #expect(records.descr == "[('x', '<u2'), ('p', '|u1')]")
        #expect(records.itemSize == 3)
    }

    @Test("Format versions 2.0 and 3.0, Python 2 long integers and double quotes are read")
    func headerVersions() throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanUp() }
        for version: UInt8 in [2, 3] {
            let path = dir.file("v\(version).npy")
            try RawNPY.write(RawNPY.file(header: RawNPY.header(descr: "'<i2'", shape: "(2, 2)"), version: version,
                                         payload: RawNPY.bytes([Int16](arrayLiteral: 1, -2, 3, 4))), to: path)
            let a = try NPYFile.read(from: path)
            #expect(a.shape == [2, 2] && a.values(as: Int16.self) == [1, -2, 3, 4])
        }
        let path = dir.file("py2.npy")
        try RawNPY.write(RawNPY.file(header: "{\"descr\": \"<u2\", \"fortran_order\": False, \"shape\": (3L,)}",
                                     payload: RawNPY.bytes([UInt16](arrayLiteral: 5, 6, 7))), to: path)
        #expect(try NPYFile.read(from: path).values(as: UInt16.self) == [5, 6, 7])
    }

    @Test("Big-endian elements ('>i4', '>f8') are converted")
    func bigEndian() throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanUp() }
        let path = dir.file("be.npy")
        let ints: [Int32] = [1, -2, 70_000]
        try RawNPY.write(RawNPY.file(header: RawNPY.header(descr: "'>i4'", shape: "(3,)"),
                                     payload: RawNPY.bytes(ints.map { $0.byteSwapped })), to: path)
        let a = try NPYFile.read(from: path)
        #expect(a.dataType == .scalar(.int32, .bigEndian))
        #expect(a.values(as: Int32.self) == ints)
        #expect(a.doubles() == [1, -2, 70_000])
        let doubles = dir.file("be8.npy")
        try RawNPY.write(RawNPY.file(header: RawNPY.header(descr: "'>f8'", shape: "(2,)"),
                                     payload: RawNPY.bytes([0.5, -3.0].map { ($0 as Double).bitPattern.byteSwapped })), to: doubles)
        #expect(try NPYFile.read(from: doubles).values(as: Double.self) == [0.5, -3])
    }

    @Test("float16 elements convert exactly (normal, subnormal, infinity)")
    func float16() throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanUp() }
        let path = dir.file("half.npy")
        try RawNPY.write(RawNPY.file(header: RawNPY.header(descr: "'<f2'", shape: "(5,)"),
                                     payload: RawNPY.bytes([UInt16](arrayLiteral: 0x3C00, 0xC000, 0x0001, 0x7C00, 0x3555))), to: path)
        let values = try #require(NPYFile.read(from: path).doubles())
        #expect(values == [1, -2, 0x1p-24, .infinity, 0.333251953125])
    }

    @Test("Structured records with padding (NumPy align=True): fields read by name")
    func structured() throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanUp() }
        let path = dir.file("records.npy")
        let descr = "[('x', '<i8'), ('p', '|u1'), ('', '|V3'), ('y', '<i4')]"
        var payload: [UInt8] = []
        for (x, p, y) in [(Int64(3), UInt8(1), Int32(-4)), (Int64(1 << 40), UInt8(0), Int32(9))] {
            payload += RawNPY.bytes([x]) + [p, 0xAA, 0xAA, 0xAA] + RawNPY.bytes([y])
        }
        try RawNPY.write(RawNPY.file(header: RawNPY.header(descr: descr, shape: "(2,)"), payload: payload), to: path)
        let a = try NPYFile.read(from: path)
        #expect(a.dataType.itemSize == 16)
        #expect(a.dataType.fields.map(\.name) == ["x", "p", "y"])
        #expect(a.dataType.field(named: "y")?.offset == 12)
        #expect(a.field("x")?.values(as: Int64.self) == [3, 1 << 40])
        #expect(a.field("p")?.values(as: UInt8.self) == [1, 0])
        #expect(a.field("y")?.values(as: Int32.self) == [-4, 9])
        #expect(a.values(as: Int64.self) == nil && a.doubles() == nil)
        #expect(a.dataType.descr == descr)
    }

    // MARK: - .npz archives

    @Test(".npz round trip: stored, DEFLATE and ZIP64 archives give identical arrays and names", arguments: [0, 1, 2])
    func npzRoundTrip(variant: Int) throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanUp() }
        let path = dir.file("arrays.npz")
        let floats = NPYArray((0..<600).map { Float($0) * 0.25 }, shape: [20, 30])
        let ints = NPYArray([Int64](arrayLiteral: -1, 2, 1 << 50))
        let empty = NPYArray([UInt8](), shape: [0, 4])
        let flags = NPYArray([true, false])
        try NPZArchive.write([("floats", floats), ("ints", ints), ("empty", empty), ("flags", flags)], to: path,
                             compression: variant == 1 ? .deflated : .stored, forceZip64: variant == 2)
        let archive = try NPZArchive(readingFrom: path)
        #expect(archive.names == ["floats", "ints", "empty", "flags"])
        #expect(archive.entries.allSatisfy { $0.method == (variant == 1 ? 8 : 0) })
        #expect(try archive.array(named: "floats").values(as: Float.self) == floats.values(as: Float.self))
        #expect(try archive.array(named: "floats").shape == [20, 30])
        #expect(try archive.array(named: "ints").values(as: Int64.self) == [-1, 2, 1 << 50])
        #expect(try archive.array(named: "empty").shape == [0, 4])
        #expect(try archive.array(named: "flags").values(as: Bool.self) == [true, false])
        #expect(archive.contains("ints") && !archive.contains("labels"))
        if variant == 1 { #expect(archive.entries[0].compressedSize < archive.entries[0].uncompressedSize) }
        #expect(dir.contents() == ["arrays.npz"])   // no temporary file left behind
    }

    // MARK: - Dense spikes

    @Test("writeNumPy → loadNumPy gives identical events (sorted by step, channel) and labels; stored and DEFLATE")
    func denseRoundTrip() throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanUp() }
        let data = try sortedSample()
        for compression in [NPZArchive.Compression.stored, .deflated] {
            let path = dir.file("dense.npz")
            try data.writeNumPy(to: path, compression: compression)
            let read = try SpikeDataset.loadNumPy(spikes: path, timeStep: Self.dt)
            #expect(read.eventOffsets == data.eventOffsets)
            #expect(read.eventSteps == data.eventSteps)
            #expect(read.eventChannels == data.eventChannels)
            #expect(read.labels == data.labels)
            #expect(read.channels == data.channels && read.steps == data.steps && read.classes == data.classes)
            #expect(read.timeStep == Self.dt)
            let archive = try NPZArchive(readingFrom: path)
            let spikes = try archive.array(named: "spikes")
            #expect(spikes.dataType == .scalar(.uint8, .littleEndian) && spikes.shape == [data.count, data.steps, data.channels])
            #expect(try archive.array(named: "labels").dataType == .scalar(.int64, .littleEndian))
        }
    }

    @Test("Dense spikes of any numeric type in a .npy with labels in another .npy; spikes alone get label 0")
    func denseSeparateFiles() throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanUp() }
        // Two samples, 3 steps, 2 channels.
        let values: [Float] = [0, 1, 0, 0, 1, 1, /* sample 1 */ 0, 0, 1, 0, 0, 0]
        try NPYFile.write(NPYArray(values, shape: [2, 3, 2]), to: dir.file("spikes.npy"))
        try NPYFile.write(NPYArray([Int32](arrayLiteral: 4, 1)), to: dir.file("labels.npy"))
        let d = try SpikeDataset.loadNumPy(spikes: dir.file("spikes.npy"), labels: dir.file("labels.npy"), timeStep: Self.dt, classes: 5)
        #expect(d.count == 2 && d.steps == 3 && d.channels == 2 && d.classes == 5 && d.labels == [4, 1])
        #expect(d.eventOffsets == [0, 3, 4])
        #expect(d.eventSteps == [0, 2, 2, 1])
        #expect(d.eventChannels == [1, 0, 1, 0])
        let unlabelled = try SpikeDataset.loadNumPy(spikes: dir.file("spikes.npy"), timeStep: Self.dt)
        #expect(unlabelled.labels == [0, 0] && unlabelled.classes == 1)
        #expect(unlabelled.eventSteps == d.eventSteps)
        // Labels taken from an .npz next to spikes in an .npy; bool spikes.
        try NPZArchive.write([("labels", NPYArray([UInt8](arrayLiteral: 2, 0)))], to: dir.file("labels.npz"))
        try NPYFile.write(NPYArray(values.map { $0 == 1 }, shape: [2, 3, 2]), to: dir.file("bool.npy"))
        let fromArchive = try SpikeDataset.loadNumPy(spikes: dir.file("bool.npy"), labels: dir.file("labels.npz"), timeStep: Self.dt)
        #expect(fromArchive.labels == [2, 0] && fromArchive.eventChannels == d.eventChannels)
    }

    // MARK: - Bad files: one test per case

    @Test("Bad file: nonexistent")
    func badNonexistent() throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanUp() }
        let path = dir.file("spikes.npz")
        let e = capture { try SpikeDataset.loadNumPy(spikes: path, timeStep: Self.dt) }
        #expect(e == .cannotOpen(path: path, reason: "no such file"))
    }

    @Test("Bad file: wrong magic (not .npy, not ZIP)")
    func badMagic() throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanUp() }
        let path = dir.file("spikes.npy")
        try Data("not numpy at all, just text\n".utf8).write(to: URL(fileURLWithPath: path))
        let e = capture { try SpikeDataset.loadNumPy(spikes: path, timeStep: Self.dt) }
        guard case let .cannotOpen(_, reason) = e else { Issue.record("expected cannotOpen, got \(String(describing: e))"); return }
        #expect(reason.contains("not a NumPy .npy file"))
        expectNames(e, path, "spikes")
        let archive = capture { try NPZArchive(readingFrom: path) }
        guard case let .cannotOpen(_, zipReason) = archive else { Issue.record("expected cannotOpen, got \(String(describing: archive))"); return }
        #expect(zipReason.contains("not a ZIP archive"))
    }

    @Test("Bad file: unsupported format version 4.0")
    func badVersion() throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanUp() }
        let path = dir.file("v4.npy")
        var bytes = Array(RawNPY.file(header: RawNPY.header(descr: "'|u1'", shape: "(1, 1, 1)"), payload: [1]))
        bytes[6] = 4
        try RawNPY.write(Data(bytes), to: path)
        let e = capture { try SpikeDataset.loadNumPy(spikes: path, timeStep: Self.dt) }
        guard case let .cannotOpen(_, reason) = e else { Issue.record("expected cannotOpen, got \(String(describing: e))"); return }
        #expect(reason.contains("version 4.0"))
    }

    @Test("Bad file: truncated data (fewer bytes than the shape declares)")
    func badTruncatedData() throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanUp() }
        let npy = dir.file("spikes.npy")
        let array = NPYArray([UInt8](repeating: 0, count: 2 * 10 * 4), shape: [2, 10, 4])
        try NPYFile.write(array, to: npy)
        try RawNPY.truncate(npy, to: NPYFile.header(for: array).count + 50)
        let e = capture { try SpikeDataset.loadNumPy(spikes: npy, timeStep: Self.dt) }
        guard case let .cannotOpen(_, reason) = e else { Issue.record("expected cannotOpen, got \(String(describing: e))"); return }
        #expect(reason.contains("truncated") && reason.contains("80 bytes") && reason.contains("only 50 bytes"))
        expectNames(e, npy, "spikes")
    }

    @Test("Bad file: truncated header")
    func badTruncatedHeader() throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanUp() }
        let path = dir.file("spikes.npy")
        try NPYFile.write(NPYArray([UInt8](arrayLiteral: 1), shape: [1, 1, 1]), to: path)
        try RawNPY.truncate(path, to: 30)
        let e = capture { try SpikeDataset.loadNumPy(spikes: path, timeStep: Self.dt) }
        guard case let .cannotOpen(_, reason) = e else { Issue.record("expected cannotOpen, got \(String(describing: e))"); return }
        #expect(reason.contains("truncated") && reason.contains("header"))
        try RawNPY.truncate(path, to: 7)
        let preamble = capture { try SpikeDataset.loadNumPy(spikes: path, timeStep: Self.dt) }
        guard case let .cannotOpen(_, reason7) = preamble else { Issue.record("expected cannotOpen, got \(String(describing: preamble))"); return }
        #expect(reason7.contains("truncated"))
    }

    @Test("Bad file: wrong dtype (complex64 spikes)")
    func badDtype() throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanUp() }
        let path = dir.file("spikes.npy")
        try RawNPY.write(RawNPY.file(header: RawNPY.header(descr: "'<c8'", shape: "(1, 1, 1)"), payload: [UInt8](repeating: 0, count: 8)), to: path)
        let e = capture { try SpikeDataset.loadNumPy(spikes: path, timeStep: Self.dt) }
        guard case let .wrongType(p, dataset, _, found) = e else { Issue.record("expected wrongType, got \(String(describing: e))"); return }
        #expect(p == path && dataset == "spikes" && found == "'<c8'")
    }

    @Test("Bad file: spikes as a structured record array")
    func badStructuredSpikes() throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanUp() }
        let path = dir.file("spikes.npy")
        try RawNPY.write(RawNPY.file(header: RawNPY.header(descr: "[('a', '|u1')]", shape: "(1, 1, 1)"), payload: [1]), to: path)
        let e = capture { try SpikeDataset.loadNumPy(spikes: path, timeStep: Self.dt) }
        guard case .wrongType = e else { Issue.record("expected wrongType, got \(String(describing: e))"); return }
        expectNames(e, path, "spikes")
    }

    @Test("Bad file: Fortran order")
    func badFortranOrder() throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanUp() }
        let path = dir.file("spikes.npy")
        try RawNPY.write(RawNPY.file(header: RawNPY.header(descr: "'|u1'", fortran: true, shape: "(1, 2, 2)"), payload: [0, 1, 1, 0]), to: path)
        let e = capture { try SpikeDataset.loadNumPy(spikes: path, timeStep: Self.dt) }
        #expect(e == .wrongType(path: path, dataset: "spikes", expected: "C (row-major) order", found: "Fortran order (fortran_order: True)"))
    }

    @Test("Bad file: malformed header (not a dictionary, missing key, nested too deep)")
    func badHeader() throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanUp() }
        let path = dir.file("spikes.npy")
        for (header, fragment) in [("['descr', '|u1']", "not a Python dictionary"),
                                   ("{'descr': '|u1', 'shape': (1, 1, 1), }", "fortran_order"),
                                   ("{'descr': '|u1', 'fortran_order': False, 'shape': (1, 1, 1.5), }", "floating-point"),
                                   ("{'descr': " + String(repeating: "[", count: 10_000) + "}", "nesting")] {
            try RawNPY.write(RawNPY.file(header: header, version: 2, payload: [1]), to: path)
            let e = capture { try SpikeDataset.loadNumPy(spikes: path, timeStep: Self.dt) }
            guard case let .invalidValue(_, field, reason) = e else { Issue.record("expected invalidValue, got \(String(describing: e))"); continue }
            #expect(field == "spikes header")
            #expect(reason.contains(fragment), "\(reason)")
        }
    }

    @Test("Bad file: labels count differs from the samples (shape mismatch)")
    func badLabelCount() throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanUp() }
        let path = dir.file("data.npz")
        try NPZArchive.write([("spikes", NPYArray([UInt8](repeating: 0, count: 3 * 2 * 2), shape: [3, 2, 2])),
                              ("labels", NPYArray([Int64](arrayLiteral: 0, 1)))], to: path)
        let e = capture { try SpikeDataset.loadNumPy(spikes: path, timeStep: Self.dt) }
        #expect(e == .wrongShape(path: path, dataset: "labels", expected: "3 labels, one per sample of spikes", found: "2 labels"))
    }

    @Test("Bad file: spikes that are not 3-D")
    func badSpikesRank() throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanUp() }
        let path = dir.file("spikes.npy")
        try NPYFile.write(NPYArray([UInt8](repeating: 0, count: 6), shape: [2, 3]), to: path)
        let e = capture { try SpikeDataset.loadNumPy(spikes: path, timeStep: Self.dt) }
        guard case let .wrongShape(_, dataset, _, found) = e else { Issue.record("expected wrongShape, got \(String(describing: e))"); return }
        #expect(dataset == "spikes" && found == "shape [2, 3]")
    }

    @Test("Bad file: a spike value other than 0 or 1 (names the first offending index)")
    func badNonBinary() throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanUp() }
        let path = dir.file("spikes.npy")
        var values = [UInt8](repeating: 0, count: 2 * 5 * 6)
        values[(1 * 5 + 3) * 6 + 4] = 2
        values[(1 * 5 + 4) * 6 + 0] = 7
        try NPYFile.write(NPYArray(values, shape: [2, 5, 6]), to: path)
        let e = capture { try SpikeDataset.loadNumPy(spikes: path, timeStep: Self.dt) }
        #expect(e == .invalidValue(path: path, field: "spikes[1, 3, 4]", reason: "value 2 is not 0 or 1"))
        // Floating point: 0.5 and NaN are not spikes either.
        var floats = [Double](repeating: 0, count: 8)
        floats[5] = .nan
        try NPYFile.write(NPYArray(floats, shape: [1, 4, 2]), to: path)
        let nan = capture { try SpikeDataset.loadNumPy(spikes: path, timeStep: Self.dt) }
        #expect(nan == .invalidValue(path: path, field: "spikes[0, 2, 1]", reason: "value nan is not 0 or 1"))
        floats[5] = 0
        floats[1] = 0.5
        try NPYFile.write(NPYArray(floats, shape: [1, 4, 2]), to: path)
        let half = capture { try SpikeDataset.loadNumPy(spikes: path, timeStep: Self.dt) }
        #expect(half == .invalidValue(path: path, field: "spikes[0, 0, 1]", reason: "value 0.5 is not 0 or 1"))
    }

    @Test("Bad file: labels of a floating-point type")
    func badLabelType() throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanUp() }
        try NPYFile.write(NPYArray([UInt8](repeating: 0, count: 2), shape: [2, 1, 1]), to: dir.file("spikes.npy"))
        try NPYFile.write(NPYArray([Float](arrayLiteral: 0, 1)), to: dir.file("labels.npy"))
        let e = capture { try SpikeDataset.loadNumPy(spikes: dir.file("spikes.npy"), labels: dir.file("labels.npy"), timeStep: Self.dt) }
        #expect(e == .wrongType(path: dir.file("labels.npy"), dataset: "labels", expected: "integers", found: "<f4"))
    }

    @Test("Bad file: negative label, and a label outside the given classes")
    func badLabelValue() throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanUp() }
        let path = dir.file("data.npz")
        try NPZArchive.write([("spikes", NPYArray([UInt8](repeating: 0, count: 2), shape: [2, 1, 1])),
                              ("labels", NPYArray([Int64](arrayLiteral: 3, -1)))], to: path)
        let e = capture { try SpikeDataset.loadNumPy(spikes: path, timeStep: Self.dt) }
        #expect(e == .invalidValue(path: path, field: "labels[1]", reason: "negative label -1"))
        try NPZArchive.write([("spikes", NPYArray([UInt8](repeating: 0, count: 2), shape: [2, 1, 1])),
                              ("labels", NPYArray([Int64](arrayLiteral: 3, 1)))], to: path)
        let range = capture { try SpikeDataset.loadNumPy(spikes: path, timeStep: Self.dt, classes: 3) }
        #expect(range == .invalidValue(path: path, field: "labels[0]", reason: "label 3 outside 0..<3"))
    }

    @Test("Bad file: huge declared shape (2^40 elements in a tiny file) fails before allocating")
    func badHugeShape() throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanUp() }
        let path = dir.file("spikes.npy")
        try RawNPY.write(RawNPY.file(header: RawNPY.header(descr: "'|u1'", shape: "(1024, 1024, 1048576)"), payload: [0, 1, 0]), to: path)
        let e = capture { try SpikeDataset.loadNumPy(spikes: path, timeStep: Self.dt) }
        #expect(e == .tooLarge(path: path, dataset: "spikes", declared: 1 << 40, limit: NPYFile.defaultElementLimit))
        // Without a limit, the declared size is checked against the bytes in the file.
        let unlimited = capture { try SpikeDataset.loadNumPy(spikes: path, timeStep: Self.dt, elementLimit: .max) }
        guard case let .cannotOpen(_, reason) = unlimited else { Issue.record("expected cannotOpen, got \(String(describing: unlimited))"); return }
        #expect(reason.contains("truncated") && reason.contains("1099511627776"))
        // Shapes whose product overflows, and a header length of 2^31 bytes.
        try RawNPY.write(RawNPY.file(header: RawNPY.header(descr: "'|u1'", shape: "(4294967296, 4294967296, 4294967296)"), payload: []), to: path)
        let overflow = capture { try SpikeDataset.loadNumPy(spikes: path, timeStep: Self.dt, elementLimit: .max) }
        guard case .tooLarge = overflow else { Issue.record("expected tooLarge, got \(String(describing: overflow))"); return }
        var bytes = Array(RawNPY.file(header: "{}", version: 2, payload: []))
        bytes[8...11] = [0, 0, 0, 0x80]
        try RawNPY.write(Data(bytes), to: path)
        let header = capture { try SpikeDataset.loadNumPy(spikes: path, timeStep: Self.dt) }
        #expect(header == .tooLarge(path: path, dataset: "spikes header (bytes)", declared: 1 << 31, limit: NPYFile.maximumHeaderLength))
    }

    @Test("Bad file: .npz without a labels array")
    func badMissingLabels() throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanUp() }
        let path = dir.file("data.npz")
        try NPZArchive.write([("spikes", NPYArray([UInt8](repeating: 0, count: 2), shape: [2, 1, 1]))], to: path)
        let e = capture { try SpikeDataset.loadNumPy(spikes: path, timeStep: Self.dt) }
        #expect(e == .missingDataset(path: path, dataset: "labels"))
        let noSpikes = dir.file("nospikes.npz")
        try NPZArchive.write([("labels", NPYArray([Int64](arrayLiteral: 1)))], to: noSpikes)
        #expect(capture { try SpikeDataset.loadNumPy(spikes: noSpikes, timeStep: Self.dt) } == .missingDataset(path: noSpikes, dataset: "spikes"))
    }

    // MARK: - Bad ZIP archives and entries

    /// Writes a stored archive with one `spikes` array and labels; returns the path and the archive's bytes.
    static func archive(in dir: TemporaryDirectory, compression: NPZArchive.Compression = .stored) throws -> (String, [UInt8]) {
        let path = dir.file("data.npz")
        try NPZArchive.write([("spikes", NPYArray([UInt8](repeating: 1, count: 2 * 30 * 20), shape: [2, 30, 20])),
                              ("labels", NPYArray([Int64](arrayLiteral: 0, 1)))], to: path, compression: compression)
        return (path, try RawNPY.read(path))
    }

    /// Offset of the central directory (from the end record).
    static func centralDirectory(_ bytes: [UInt8]) -> Int {
        let end = bytes.count - 22
        return (0..<4).reduce(0) { $0 | Int(bytes[end + 16 + $1]) << (8 * $1) }
    }

    @Test("Bad ZIP: truncated archive (no end-of-central-directory record)")
    func badZipTruncated() throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanUp() }
        let (path, bytes) = try Self.archive(in: dir)
        try RawNPY.truncate(path, to: bytes.count / 2)
        let e = capture { try SpikeDataset.loadNumPy(spikes: path, timeStep: Self.dt) }
        guard case let .cannotOpen(p, reason) = e else { Issue.record("expected cannotOpen, got \(String(describing: e))"); return }
        #expect(p == path && reason.contains("end-of-central-directory"))
    }

    @Test("Bad ZIP: central directory beyond the end of the file")
    func badZipDirectoryOffset() throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanUp() }
        let (path, bytes) = try Self.archive(in: dir)
        try RawNPY.patch(path, at: bytes.count - 22 + 16, with: [0xF0, 0xFF, 0xFF, 0x7F])
        let e = capture { try SpikeDataset.loadNumPy(spikes: path, timeStep: Self.dt) }
        guard case let .cannotOpen(_, reason) = e else { Issue.record("expected cannotOpen, got \(String(describing: e))"); return }
        #expect(reason.contains("central directory"))
    }

    @Test("Bad ZIP entry: CRC-32 mismatch (a flipped data byte)")
    func badZipCRC() throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanUp() }
        let (path, bytes) = try Self.archive(in: dir)
        try RawNPY.patch(path, at: 30 + 10 + 128 + 5, with: [bytes[30 + 10 + 128 + 5] ^ 0x01])
        let e = capture { try SpikeDataset.loadNumPy(spikes: path, timeStep: Self.dt) }
        guard case let .unreadable(p, dataset, reason) = e else { Issue.record("expected unreadable, got \(String(describing: e))"); return }
        #expect(p == path && dataset == "spikes" && reason.contains("CRC-32 mismatch"))
    }

    @Test("Bad ZIP entry: unsupported compression method, encryption, no local header")
    func badZipEntryHeader() throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanUp() }
        let (path, bytes) = try Self.archive(in: dir)
        let central = Self.centralDirectory(bytes)
        try RawNPY.patch(path, at: central + 10, with: [12, 0])   // bzip2
        let method = capture { try SpikeDataset.loadNumPy(spikes: path, timeStep: Self.dt) }
        guard case let .unreadable(_, dataset, reason) = method else { Issue.record("expected unreadable, got \(String(describing: method))"); return }
        #expect(dataset == "spikes" && reason.contains("compression method 12"))

        try RawNPY.write(Data(bytes), to: path)
        try RawNPY.patch(path, at: central + 8, with: [0x01, 0x08])
        let encrypted = capture { try SpikeDataset.loadNumPy(spikes: path, timeStep: Self.dt) }
        guard case let .unreadable(_, _, reason2) = encrypted else { Issue.record("expected unreadable, got \(String(describing: encrypted))"); return }
        #expect(reason2.contains("encrypted"))

        try RawNPY.write(Data(bytes), to: path)
        try RawNPY.patch(path, at: 0, with: [0x50, 0x4B, 0x09, 0x09])
        let local = capture { try SpikeDataset.loadNumPy(spikes: path, timeStep: Self.dt) }
        guard case let .unreadable(_, _, reason3) = local else { Issue.record("expected unreadable, got \(String(describing: local))"); return }
        #expect(reason3.contains("no local file header"))
    }

    @Test("Bad ZIP entry: corrupt DEFLATE stream, and a declared size larger than the data inflates to")
    func badZipDeflate() throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanUp() }
        let (path, bytes) = try Self.archive(in: dir, compression: .deflated)
        let central = Self.centralDirectory(bytes)
        try RawNPY.patch(path, at: 30 + 10, with: [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF])
        let corrupt = capture { try SpikeDataset.loadNumPy(spikes: path, timeStep: Self.dt) }
        guard case let .unreadable(_, dataset, _) = corrupt else { Issue.record("expected unreadable, got \(String(describing: corrupt))"); return }
        #expect(dataset == "spikes")

        try RawNPY.write(Data(bytes), to: path)
        try RawNPY.patch(path, at: central + 24, with: [0x00, 0x00, 0x00, 0x70])   // uncompressed size ~1.9 GB
        let declared = capture { try SpikeDataset.loadNumPy(spikes: path, timeStep: Self.dt) }
        guard case let .unreadable(_, _, reason) = declared else { Issue.record("expected unreadable, got \(String(describing: declared))"); return }
        #expect(reason.contains("declared"))
    }
}
