import CHDF5
import Foundation
import SNNData
import Testing

/// The HDF5File wrapper over libhdf5: round trips of every supported kind of data, and typed errors.
@Suite("HDF5File")
struct HDF5Tests {
    // MARK: - Round trips

    /// Writes `values` of type `T` and reads them back as `T`, checking the stored type's name.
    private func roundTrip<T: HDF5Numeric>(_ values: [T], reader: HDF5File) throws {
        let name = "numbers/\(T.hdf5ElementType)"
        #expect(try reader.read(name, as: T.self) == values)
        #expect(try reader.shape(of: name) == [values.count])
        #expect(try reader.typeDescription(of: name) == "\(T.hdf5ElementType)")
    }

    @Test("1-D datasets of every numeric type round-trip exactly")
    func numericRoundTrip() throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanUp() }
        let path = dir.file("numbers.h5")
        do {
            let file = try HDF5File(creatingAt: path)
            try file.write([Float](arrayLiteral: 0, -1.5, .greatestFiniteMagnitude, .leastNonzeroMagnitude), to: "numbers/float32")
            try file.write([Double](arrayLiteral: 0, .pi, -1e300), to: "numbers/float64")
            try file.write([Int8.min, 0, Int8.max], to: "numbers/int8")
            try file.write([UInt8.min, 7, UInt8.max], to: "numbers/uint8")
            try file.write([Int16.min, 0, Int16.max], to: "numbers/int16")
            try file.write([UInt16.min, 699, UInt16.max], to: "numbers/uint16")
            try file.write([Int32.min, -1, Int32.max], to: "numbers/int32")
            try file.write([UInt32.min, 1, UInt32.max], to: "numbers/uint32")
            try file.write([Int64.min, -1, Int64.max], to: "numbers/int64")
            try file.write([UInt64.min, 1, UInt64.max], to: "numbers/uint64")
            try file.write([Float](), to: "numbers/empty")
            file.close()
        }
        let reader = try HDF5File(readingFrom: path)
        try roundTrip([Float](arrayLiteral: 0, -1.5, .greatestFiniteMagnitude, .leastNonzeroMagnitude), reader: reader)
        try roundTrip([Double](arrayLiteral: 0, .pi, -1e300), reader: reader)
        try roundTrip([Int8.min, 0, Int8.max], reader: reader)
        try roundTrip([UInt8.min, 7, UInt8.max], reader: reader)
        try roundTrip([Int16.min, 0, Int16.max], reader: reader)
        try roundTrip([UInt16.min, 699, UInt16.max], reader: reader)
        try roundTrip([Int32.min, -1, Int32.max], reader: reader)
        try roundTrip([UInt32.min, 1, UInt32.max], reader: reader)
        try roundTrip([Int64.min, -1, Int64.max], reader: reader)
        try roundTrip([UInt64.min, 1, UInt64.max], reader: reader)
        #expect(try reader.read("numbers/empty", as: Float.self).isEmpty)
        #expect(try reader.shape(of: "numbers/empty") == [0])
    }

    @Test("Scalars and 2-D datasets round-trip; shapes are reported row-major")
    func scalarsAndMatrices() throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanUp() }
        let path = dir.file("shapes.h5")
        let file = try HDF5File(creatingAt: path)
        try file.write(scalar: 0.25 as Double, to: "tau")
        try file.write(scalar: Int32(42), to: "group/answer")
        let matrix: [Float] = [1, 2, 3, 4, 5, 6]
        try file.write(matrix, shape: [2, 3], to: "weights")
        file.close()

        let reader = try HDF5File(readingFrom: path)
        #expect(try reader.readScalar("tau", as: Double.self) == 0.25)
        #expect(try reader.readScalar("tau", as: Float.self) == 0.25)
        #expect(try reader.readScalar("group/answer", as: Int.self) == 42)
        #expect(try reader.shape(of: "tau") == [])
        #expect(try reader.shape(of: "weights") == [2, 3])
        #expect(try reader.read("weights", as: Float.self) == matrix)
        let e = capture { try reader.readScalar("weights", as: Float.self) }
        guard case .wrongShape = e else { Issue.record("expected wrongShape, got \(String(describing: e))"); return }
        expectNames(e, path, "weights")
    }

    @Test("A shape that does not match the number of values is refused before writing")
    func writeShapeMismatch() throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanUp() }
        let file = try HDF5File(creatingAt: dir.file("bad-shape.h5"))
        let e = capture { try file.write([Float](repeating: 0, count: 5), shape: [2, 3], to: "w") }
        guard case .wrongShape = e else { Issue.record("expected wrongShape, got \(String(describing: e))"); return }
        #expect(!file.contains("w"))
    }

    @Test("HDF5 converts between numeric types on reading; values that do not fit are errors, not clipped")
    func conversions() throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanUp() }
        let path = dir.file("conversions.h5")
        let file = try HDF5File(creatingAt: path)
        try file.write([Int16](arrayLiteral: -3, 0, 700), to: "small")
        try file.write([UInt16](arrayLiteral: 0, 699, 65535), to: "units")
        try file.write([Int32](arrayLiteral: 1, 300), to: "wide")
        try file.write([Int64](arrayLiteral: 5, -1), to: "signed")
        try file.write([Double](arrayLiteral: 0.5, 1e300), to: "huge")
        try file.write([Float](arrayLiteral: 0.5, 2), to: "fractions")
        file.close()

        let reader = try HDF5File(readingFrom: path)
        #expect(try reader.read("small", as: Float.self) == [-3, 0, 700])
        #expect(try reader.read("small", as: Double.self) == [-3, 0, 700])
        #expect(try reader.read("small", as: Int64.self) == [-3, 0, 700])
        #expect(try reader.read("units", as: Int32.self) == [0, 699, 65535])
        #expect(try reader.read("fractions", as: Double.self) == [0.5, 2])

        let narrow = capture { try reader.read("wide", as: UInt8.self) }
        guard case .invalidValue = narrow else { Issue.record("expected invalidValue, got \(String(describing: narrow))"); return }
        expectNames(narrow, path, "wide")
        let negative = capture { try reader.read("signed", as: UInt32.self) }
        guard case .invalidValue = negative else { Issue.record("expected invalidValue, got \(String(describing: negative))"); return }
        let overflow = capture { try reader.read("huge", as: Float.self) }
        guard case .invalidValue = overflow else { Issue.record("expected invalidValue, got \(String(describing: overflow))"); return }
        let truncating = capture { try reader.read("fractions", as: Int32.self) }
        guard case .wrongType(_, _, _, let found) = truncating else {
            Issue.record("expected wrongType, got \(String(describing: truncating))"); return
        }
        #expect(found == "float32")
        expectNames(truncating, path, "fractions")
    }

    @Test("Variable-length arrays round-trip, including empty rows and row ranges, converted on reading")
    func variableLengthRoundTrip() throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanUp() }
        let path = dir.file("vlen.h5")
        let times: [[Float]] = [[0.001, 0.5, 0.25], [], [1e-6], [0.1, 0.2]]
        let units: [[UInt16]] = [[0, 699, 3], [], [12], [1, 1]]
        let wide: [[Int64]] = [[-5, Int64(Int32.max)], [7]]
        let file = try HDF5File(creatingAt: path)
        try file.writeVariableLength(times, to: "spikes/times")
        try file.writeVariableLength(units, to: "spikes/units")
        try file.writeVariableLength(wide, to: "wide")
        try file.writeVariableLength([[Double]](), to: "none")
        try file.writeVariableLength([[Int64](arrayLiteral: 1), [2, 1 << 40]], to: "tooWide")
        file.close()

        let reader = try HDF5File(readingFrom: path)
        let t = try reader.readVariableLength("spikes/times", as: Float.self)
        #expect(t.rows == times)
        #expect(t.offsets == [0, 3, 3, 4, 6])
        #expect(try reader.readVariableLength("spikes/units", as: UInt16.self).rows == units)
        #expect(try reader.readVariableLength("spikes/units", as: Int32.self).rows == units.map { $0.map(Int32.init) })
        #expect(try reader.readVariableLength("spikes/units", as: Float.self).rows == units.map { $0.map(Float.init) })
        #expect(try reader.readVariableLength("spikes/times", rows: 1..<4, as: Float.self).rows == Array(times[1..<4]))
        #expect(try reader.readVariableLength("spikes/times", rows: 2..<2, as: Float.self).count == 0)
        #expect(try reader.readVariableLength("wide", as: Int64.self).rows == wide)
        #expect(try reader.readVariableLength("none", as: Double.self).count == 0)
        #expect(try reader.typeDescription(of: "spikes/times") == "variable-length array of float32")
        #expect(try reader.typeDescription(of: "spikes/units") == "variable-length array of uint16")

        let notInts = capture { try reader.readVariableLength("spikes/times", as: Int32.self) }
        guard case .wrongType = notInts else { Issue.record("expected wrongType, got \(String(describing: notInts))"); return }
        expectNames(notInts, path, "spikes/times")
        let pastEnd = capture { try reader.readVariableLength("spikes/times", rows: 2..<5, as: Float.self) }
        guard case .wrongShape = pastEnd else { Issue.record("expected wrongShape, got \(String(describing: pastEnd))"); return }
        let notVariable = capture { try reader.read("spikes/times", as: Float.self) }
        guard case .wrongType = notVariable else { Issue.record("expected wrongType, got \(String(describing: notVariable))"); return }
        let tooWide = capture { try reader.readVariableLength("tooWide", as: Int32.self) }
        guard case .invalidValue(_, "tooWide", _) = tooWide else { Issue.record("expected invalidValue, got \(String(describing: tooWide))"); return }
        let plain = capture { try reader.readVariableLength("none", as: Int32.self) }
        guard case .wrongType = plain else { Issue.record("expected wrongType, got \(String(describing: plain))"); return }
    }

    @Test("Variable-length float16 arrays (as h5py stores NumPy float16) read as Float")
    func float16Rows() throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanUp() }
        let path = dir.file("half.h5")
        let rows: [[Float]] = [[0, 0.5, 0.25, 0.6875], [], [1.5]]
        try RawHDF5.create(path) { try RawHDF5.float16Rows($0, "times", rows) }
        let reader = try HDF5File(readingFrom: path)
        #expect(try reader.typeDescription(of: "times") == "variable-length array of float16")
        #expect(try reader.readVariableLength("times", as: Float.self).rows == rows)
        #expect(try reader.readVariableLength("times", as: Double.self).rows == rows.map { $0.map(Double.init) })
    }

    @Test("Every float16 bit pattern widens to the Float HDF5's own conversion gives (fast path vs HDF5 via Double)")
    func float16AllPatterns() throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanUp() }
        let path = dir.file("half-all.h5")
        let patterns = (0...UInt16.max).map { $0 }
        try RawHDF5.create(path) { try RawHDF5.float16Rows($0, "times", [], bits: [Array(patterns[..<1000]), [], Array(patterns[1000...])]) }
        let reader = try HDF5File(readingFrom: path)
        let fast = try reader.readVariableLength("times", as: Float.self)
        let viaHDF5 = try reader.readVariableLength("times", as: Double.self)
        #expect(fast.offsets == [0, 1000, 1000, 65536])
        #expect(viaHDF5.offsets == fast.offsets)
        var mismatches = 0
        for (f, d) in zip(fast.values, viaHDF5.values) where !(f == Float(d) || (f.isNaN && d.isNaN)) { mismatches += 1 }
        #expect(mismatches == 0)
        #expect(fast.values[0x3C00] == 1 && fast.values[0xC000] == -2 && fast.values[0x0001] == 0x1p-24)
        #expect(fast.values[0x7C00] == .infinity && fast.values[0xFC00] == -.infinity && fast.values[0x7E00].isNaN)
        #expect(fast.values[0x8000].sign == .minus && fast.values[0x8000] == 0)
    }

    @Test("String datasets and string attributes round-trip; fixed-length strings read too")
    func strings() throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanUp() }
        let path = dir.file("strings.h5")
        let file = try HDF5File(creatingAt: path)
        try file.write(strings: ["Input", "CubaLIF", "", "ÄÖü→σ"], to: "node/types")
        try file.write(string: "Affine", to: "node/type")
        try file.write([Float](arrayLiteral: 1), to: "node/weight")
        try file.setAttribute("version", to: "0.1", on: "/")
        try file.setAttribute("version", to: "0.2")
        try file.setAttribute("unit", to: "seconds", on: "node/weight")
        try file.createGroup("a/b/c")
        try file.createGroup("a/b")
        file.close()
        try RawHDF5.create(dir.file("fixed.h5")) { try RawHDF5.fixedStrings($0, "labels", ["1.0", "12345678", ""]) }

        let reader = try HDF5File(readingFrom: path)
        #expect(try reader.readStrings("node/types") == ["Input", "CubaLIF", "", "ÄÖü→σ"])
        #expect(try reader.readString("node/type") == "Affine")
        #expect(try reader.typeDescription(of: "node/type") == "string")
        #expect(try reader.stringAttribute("version") == "0.2")
        #expect(try reader.stringAttribute("unit", of: "node/weight") == "seconds")
        #expect(reader.hasAttribute("unit", of: "node/weight"))
        #expect(!reader.hasAttribute("unit"))
        #expect(reader.contains("a/b/c") && reader.contains("node") && !reader.contains("a/x") && !reader.contains("a/x/y"))
        #expect(try HDF5File(readingFrom: dir.file("fixed.h5")).readStrings("labels") == ["1.0", "12345678", ""])

        let missing = capture { try reader.stringAttribute("author") }
        guard case .missingDataset(_, let field) = missing else { Issue.record("expected missingDataset, got \(String(describing: missing))"); return }
        #expect(field == "/@author")
        let numeric = capture { try reader.readStrings("node/weight") }
        guard case .wrongType = numeric else { Issue.record("expected wrongType, got \(String(describing: numeric))"); return }
        let asNumbers = capture { try reader.read("node/types", as: Float.self) }
        guard case .wrongType(_, _, _, let found) = asNumbers else {
            Issue.record("expected wrongType, got \(String(describing: asNumbers))"); return
        }
        #expect(found == "string")
    }

    @Test("Atomic writes leave no temporary file, and a failed write leaves the old file untouched")
    func atomicWrites() throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanUp() }
        let path = dir.file("atomic.h5")
        try HDF5File.writeAtomically(to: path) { (file) throws(DataError) in try file.write([Int32](arrayLiteral: 1, 2), to: "x") }
        #expect(dir.contents() == ["atomic.h5"])
        let e = capture {
            try HDF5File.writeAtomically(to: path) { (file) throws(DataError) in
                try file.write([Int32](arrayLiteral: 3), to: "x")
                try file.write([Int32](arrayLiteral: 4), to: "x")   // exists: fails
            }
        }
        guard case .cannotWrite(let p, _, _) = e else { Issue.record("expected cannotWrite, got \(String(describing: e))"); return }
        #expect(p == path)
        let shape = capture {
            try HDF5File.writeAtomically(to: path) { (file) throws(DataError) in try file.write([Int32](arrayLiteral: 3), shape: [2], to: "y") }
        }
        guard case .wrongShape(let q, "y", _, _) = shape else { Issue.record("expected wrongShape, got \(String(describing: shape))"); return }
        #expect(q == path)
        expectNames(e, path, "x")
        #expect(!(e?.description.contains(".tmp-") ?? true))
        #expect(dir.contents() == ["atomic.h5"])
        #expect(try HDF5File(readingFrom: path).read("x", as: Int32.self) == [1, 2])
    }

    // MARK: - Bad files and misuse

    @Test("A nonexistent file is cannotOpen naming the file")
    func nonexistentFile() throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanUp() }
        let path = dir.file("absent.h5")
        let e = capture { try HDF5File(readingFrom: path) }
        guard case .cannotOpen(let p, let reason) = e else { Issue.record("expected cannotOpen, got \(String(describing: e))"); return }
        #expect(p == path)
        #expect(reason == "no such file")
    }

    @Test("Random bytes are cannotOpen, not a crash")
    func notHDF5() throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanUp() }
        let path = dir.file("random.h5")
        var rng = SystemRandomNumberGenerator()
        let bytes = (0..<4096).map { _ in UInt8.random(in: 0...255, using: &rng) }
        #expect(FileManager.default.createFile(atPath: path, contents: Data(bytes)))
        let e = capture { try HDF5File(readingFrom: path) }
        guard case .cannotOpen = e else { Issue.record("expected cannotOpen, got \(String(describing: e))"); return }
        expectNames(e, path)
    }

    @Test("A truncated HDF5 file is cannotOpen")
    func truncatedFile() throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanUp() }
        let path = dir.file("truncated.h5")
        let file = try HDF5File(creatingAt: path)
        try file.write([Double](repeating: 1, count: 10_000), to: "data")
        file.close()
        let handle = try #require(FileHandle(forUpdatingAtPath: path))
        try handle.truncate(atOffset: 40_000)
        try handle.close()
        let e = capture { try HDF5File(readingFrom: path) }
        guard case .cannotOpen(_, let reason) = e else { Issue.record("expected cannotOpen, got \(String(describing: e))"); return }
        #expect(reason.contains("truncated"))
        expectNames(e, path)
    }

    @Test("A missing dataset (or a missing parent group) is missingDataset naming it")
    func missingDataset() throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanUp() }
        let path = dir.file("missing.h5")
        let file = try HDF5File(creatingAt: path)
        try file.write([Float](arrayLiteral: 1), to: "spikes/times")
        file.close()
        let reader = try HDF5File(readingFrom: path)
        for name in ["labels", "spikes/units", "other/deep/name"] {
            let e = capture { try reader.read(name, as: Int32.self) }
            #expect(e == .missingDataset(path: path, dataset: name))
            expectNames(e, path, name)
        }
        let group = capture { try reader.read("spikes", as: Float.self) }
        guard case .wrongType(_, "spikes", _, "a group") = group else { Issue.record("expected wrongType, got \(String(describing: group))"); return }
    }

    @Test("A dataset declaring more elements than the limit is tooLarge, before any allocation")
    func hugeDeclaredSize() throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanUp() }
        let path = dir.file("huge.h5")
        try RawHDF5.create(path) { file in
            try RawHDF5.hugeDataset(file, "huge", length: 1 << 40)
            try RawHDF5.hugeDataset(file, "hugeRows", length: 1 << 40, vlen: true)
            try RawHDF5.hugeDataset(file, "modest", length: 5000)
        }
        let size = try #require(FileManager.default.attributesOfItem(atPath: path)[.size] as? Int)
        #expect(size < 100_000)
        let reader = try HDF5File(readingFrom: path)
        #expect(try reader.shape(of: "huge") == [1 << 40])
        let e = capture { try reader.read("huge", as: Float.self) }
        #expect(e == .tooLarge(path: path, dataset: "huge", declared: 1 << 40, limit: HDF5File.defaultElementLimit))
        expectNames(e, path, "huge")
        let rows = capture { try reader.readVariableLength("hugeRows", as: Float.self) }
        #expect(rows == .tooLarge(path: path, dataset: "hugeRows", declared: 1 << 40, limit: HDF5File.defaultElementLimit))
        reader.elementLimit = 4096
        let limited = capture { try reader.read("modest", as: Float.self) }
        #expect(limited == .tooLarge(path: path, dataset: "modest", declared: 5000, limit: 4096))
        reader.elementLimit = 5000
        #expect(try reader.read("modest", as: Float.self) == [Float](repeating: 0, count: 5000))   // unwritten chunks read as fill value 0
    }

    @Test("Variable-length values beyond the limit are refused as HDF5 allocates them, within the limit they read")
    func variableLengthBudget() throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanUp() }
        let path = dir.file("budget.h5")
        let file = try HDF5File(creatingAt: path)
        try file.writeVariableLength([[Float]](repeating: [1, 2, 3, 4, 5], count: 3), to: "rows")
        try file.write(strings: ["abcdef", "ghijkl"], to: "names")
        file.close()
        let reader = try HDF5File(readingFrom: path)
        reader.elementLimit = 10
        let rows = capture { try reader.readVariableLength("rows", as: Float.self) }
        guard case .tooLarge(let p, "rows", let declared, 10) = rows else { Issue.record("expected tooLarge, got \(String(describing: rows))"); return }
        #expect(p == path && declared > 10)
        #expect(try reader.readVariableLength("rows", rows: 1..<3, as: Float.self).values.count == 10)
        let names = capture { try reader.readStrings("names") }
        guard case .tooLarge(_, "names", _, 10) = names else { Issue.record("expected tooLarge, got \(String(describing: names))"); return }
        reader.elementLimit = 20
        #expect(try reader.readStrings("names") == ["abcdef", "ghijkl"])
    }

    @Test("Writing to a read-only or closed file, or over an existing dataset, is cannotWrite")
    func writeMisuse() throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanUp() }
        let path = dir.file("misuse.h5")
        let file = try HDF5File(creatingAt: path)
        try file.write([Float](arrayLiteral: 1), to: "x")
        let twice = capture { try file.write([Float](arrayLiteral: 2), to: "x") }
        guard case .cannotWrite = twice else { Issue.record("expected cannotWrite, got \(String(describing: twice))"); return }
        let underDataset = capture { try file.write([Float](arrayLiteral: 2), to: "x/y") }
        guard case .cannotWrite = underDataset else { Issue.record("expected cannotWrite, got \(String(describing: underDataset))"); return }
        file.close()
        #expect(!file.isOpen)
        let closed = capture { try file.write([Float](arrayLiteral: 2), to: "z") }
        guard case .cannotWrite = closed else { Issue.record("expected cannotWrite, got \(String(describing: closed))"); return }
        let reader = try HDF5File(readingFrom: path)
        let readOnly = capture { try reader.write([Float](arrayLiteral: 2), to: "z") }
        guard case .cannotWrite = readOnly else { Issue.record("expected cannotWrite, got \(String(describing: readOnly))"); return }
        expectNames(readOnly, path, "z")
        let noOverwrite = capture { try HDF5File(creatingAt: path, overwrite: false) }
        guard case .cannotWrite = noOverwrite else { Issue.record("expected cannotWrite, got \(String(describing: noOverwrite))"); return }
    }

    @Test("Files are usable from many threads at once (calls are serialized)")
    func concurrentUse() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanUp() }
        let base = dir.path
        try await withThrowingTaskGroup(of: Void.self) { group in
            for k in 0..<8 {
                group.addTask {
                    let path = base + "/parallel-\(k).h5"
                    let rows = (0..<50).map { i in (0..<(i % 7)).map { Float($0 + k) } }
                    let file = try HDF5File(creatingAt: path)
                    try file.writeVariableLength(rows, to: "rows")
                    file.close()
                    let back = try HDF5File(readingFrom: path).readVariableLength("rows", as: Float.self)
                    #expect(back.rows == rows)
                }
            }
            try await group.waitForAll()
        }
    }
}
