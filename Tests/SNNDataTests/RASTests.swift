import Foundation
import SNNData
import Testing

/// RAS event lists in `.npz` archives (`times`, `units`, `sample_index`, `labels`): binning, round trips and bad files.
@Suite("RAS format")
struct RASTests {
    static let dt: Duration = .milliseconds(2)

    /// Writes a RAS archive from raw arrays (no validation: the loader must catch what is wrong).
    static func writeRaw(_ path: String, times: NPYArray, units: NPYArray, samples: NPYArray, labels: NPYArray) throws {
        try NPZArchive.write([("times", times), ("units", units), ("sample_index", samples), ("labels", labels)], to: path)
    }

    /// Writes a RAS archive from plain values.
    static func writeRaw(_ path: String, times: [Float], units: [Int64], samples: [Int64], labels: [Int64]) throws {
        try writeRaw(path, times: NPYArray(times), units: NPYArray(units), samples: NPYArray(samples), labels: NPYArray(labels))
    }

    static func load(_ path: String, channels: Int? = nil) throws(DataError) -> SpikeDataset {
        try SpikeDataset.loadRAS(path: path, timeStep: dt, duration: .milliseconds(700), channels: channels)
    }

    @Test("SHD binning rule; events grouped by sample_index (unsorted), duplicates once, past the window dropped")
    func binning() throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanUp() }
        let path = dir.file("ras.npz")
        try Self.writeRaw(path, times: [0.0019, 0.002, 0, 0.698, 0.6979, 0.01], units: [5, 5, 5, 3, 7, 699],
                          samples: [1, 0, 1, 0, 0, 1], labels: [2, 0, 1])
        let d = try Self.load(path)
        #expect(d.steps == 349 && d.channels == 700 && d.classes == 3 && d.labels == [2, 0, 1])
        #expect(d.eventOffsets == [0, 2, 4, 4])
        #expect(d.eventSteps == [1, 348, 0, 5])
        #expect(d.eventChannels == [5, 7, 5, 699])
        // float64 times and other integer widths are accepted.
        try Self.writeRaw(path, times: NPYArray([Double](arrayLiteral: 0.0041)), units: NPYArray([UInt16](arrayLiteral: 9)),
                          samples: NPYArray([Int32](arrayLiteral: 0)), labels: NPYArray([UInt8](arrayLiteral: 4)))
        let wide = try SpikeDataset.loadRAS(path: path, timeStep: Self.dt, steps: 10, channels: 12, classes: 5)
        #expect(wide.eventSteps == [2] && wide.eventChannels == [9] && wide.channels == 12 && wide.classes == 5)
    }

    @Test("writeRAS → loadRAS gives identical events (order kept) and labels (Randman, 60 units, 5 classes)")
    func roundTrip() throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanUp() }
        let path = dir.file("synthetic.npz")
        let written = try Randman.classification(classes: 5, units: 60, steps: 350, timeStep: .milliseconds(2), stepFraction: 1,
                                                 samplesPerClass: 3, seed: 4)
        try written.writeRAS(to: path)
        let read = try SpikeDataset.loadRAS(path: path, timeStep: written.timeStep, steps: written.steps, channels: 60, classes: 5)
        #expect(read.eventOffsets == written.eventOffsets)
        #expect(read.eventSteps == written.eventSteps)
        #expect(read.eventChannels == written.eventChannels)
        #expect(read.labels == written.labels)
        let archive = try NPZArchive(readingFrom: path)
        #expect(archive.names == ["times", "units", "sample_index", "labels"])
        #expect(try archive.array(named: "times").dataType == .scalar(.float32, .littleEndian))
        let times = try #require(archive.array(named: "times").values(as: Float.self))
        #expect(abs(Double(times[0]) - (Double(written.eventSteps[0]) + 0.5) * 0.002) < 1e-7)
        #expect(dir.contents() == ["synthetic.npz"])
    }

    // MARK: - Bad files: one test per case

    @Test("Bad file: a single .npy instead of an .npz archive")
    func badNotArchive() throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanUp() }
        let path = dir.file("ras.npy")
        try NPYFile.write(NPYArray([Float](arrayLiteral: 0.1)), to: path)
        let e = capture { try Self.load(path) }
        guard case let .cannotOpen(p, reason) = e else { Issue.record("expected cannotOpen, got \(String(describing: e))"); return }
        #expect(p == path && reason.contains("RAS"))
    }

    @Test("Bad file: truncated archive")
    func badTruncated() throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanUp() }
        let path = dir.file("ras.npz")
        try Randman.classification(classes: 2, units: 50, samplesPerClass: 5).writeRAS(to: path)
        try RawNPY.truncate(path, to: 1000)
        let e = capture { try Self.load(path) }
        guard case .cannotOpen = e else { Issue.record("expected cannotOpen, got \(String(describing: e))"); return }
        expectNames(e, path)
    }

    @Test("Bad file: units missing")
    func badMissingUnits() throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanUp() }
        let path = dir.file("ras.npz")
        try NPZArchive.write([("times", NPYArray([Float](arrayLiteral: 0.1))), ("sample_index", NPYArray([Int64](arrayLiteral: 0))),
                              ("labels", NPYArray([Int64](arrayLiteral: 0)))], to: path)
        #expect(capture { try Self.load(path) } == .missingDataset(path: path, dataset: "units"))
    }

    @Test("Bad file: wrong dtypes (integer times, floating-point units)")
    func badTypes() throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanUp() }
        let path = dir.file("ras.npz")
        try Self.writeRaw(path, times: NPYArray([Int64](arrayLiteral: 1)), units: NPYArray([Int64](arrayLiteral: 1)),
                          samples: NPYArray([Int64](arrayLiteral: 0)), labels: NPYArray([Int64](arrayLiteral: 0)))
        #expect(capture { try Self.load(path) } == .wrongType(path: path, dataset: "times", expected: "floating point (seconds)", found: "<i8"))
        try Self.writeRaw(path, times: NPYArray([Float](arrayLiteral: 0.1)), units: NPYArray([Float](arrayLiteral: 1)),
                          samples: NPYArray([Int64](arrayLiteral: 0)), labels: NPYArray([Int64](arrayLiteral: 0)))
        #expect(capture { try Self.load(path) } == .wrongType(path: path, dataset: "units", expected: "integers", found: "<f4"))
    }

    @Test("Bad file: per-event arrays of different lengths, 2-D times")
    func badShapes() throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanUp() }
        let path = dir.file("ras.npz")
        try Self.writeRaw(path, times: [0.1, 0.2], units: [1, 2], samples: [0], labels: [0])
        #expect(capture { try Self.load(path) }
            == .wrongShape(path: path, dataset: "sample_index", expected: "2 entries, one per event of times", found: "1 entries"))
        try Self.writeRaw(path, times: NPYArray([Float](arrayLiteral: 0.1, 0.2), shape: [1, 2]), units: NPYArray([Int64](arrayLiteral: 1, 2)),
                          samples: NPYArray([Int64](arrayLiteral: 0, 0)), labels: NPYArray([Int64](arrayLiteral: 0)))
        let e = capture { try Self.load(path) }
        guard case let .wrongShape(_, dataset, _, _) = e else { Issue.record("expected wrongShape, got \(String(describing: e))"); return }
        #expect(dataset == "times")
    }

    @Test("Bad file: negative time")
    func badNegativeTime() throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanUp() }
        let path = dir.file("ras.npz")
        try Self.writeRaw(path, times: [0.1, -0.5], units: [1, 2], samples: [0, 1], labels: [0, 1])
        #expect(capture { try Self.load(path) } == .invalidValue(path: path, field: "times[1]", reason: "negative time -0.5 s (sample 1)"))
    }

    @Test("Bad file: NaN and infinite times")
    func badNonFiniteTime() throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanUp() }
        let path = dir.file("ras.npz")
        try Self.writeRaw(path, times: [.nan], units: [1], samples: [0], labels: [0])
        #expect(capture { try Self.load(path) } == .invalidValue(path: path, field: "times[0]", reason: "non-finite time nan (sample 0)"))
        try Self.writeRaw(path, times: [0, .infinity], units: [1, 1], samples: [0, 0], labels: [0])
        #expect(capture { try Self.load(path) } == .invalidValue(path: path, field: "times[1]", reason: "non-finite time inf (sample 0)"))
    }

    @Test("Bad file: unit out of range (and negative)")
    func badUnit() throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanUp() }
        let path = dir.file("ras.npz")
        try Self.writeRaw(path, times: [0.1, 0.2], units: [699, 700], samples: [0, 0], labels: [0])
        #expect(capture { try Self.load(path, channels: 700) }
            == .invalidValue(path: path, field: "units[1]", reason: "unit 700 (sample 0) outside 0..<700"))
        try Self.writeRaw(path, times: [0.1], units: [-3], samples: [0], labels: [0])
        let negative = capture { try Self.load(path) }
        guard case let .invalidValue(_, field, _) = negative else { Issue.record("expected invalidValue, got \(String(describing: negative))"); return }
        #expect(field == "units[0]")
    }

    @Test("Bad file: sample_index outside the samples")
    func badSampleIndex() throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanUp() }
        let path = dir.file("ras.npz")
        try Self.writeRaw(path, times: [0.1, 0.2], units: [1, 2], samples: [0, 2], labels: [0, 1])
        #expect(capture { try Self.load(path) }
            == .invalidValue(path: path, field: "sample_index[1]", reason: "sample 2 outside 0..<2 (one per label)"))
    }
}
