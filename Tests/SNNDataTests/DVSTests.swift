import Foundation
import SNNData
import Testing

/// DVS event streams in `.npy` files (structured x, y, p, t records or [N, 4] columns) binned into frames.
@Suite("DVS events")
struct DVSTests {
    static let dt: Duration = .milliseconds(1)
    static let window: Duration = .milliseconds(10)

    /// Seven events on a 6 × 8 sensor (height × width), deliberately not sorted by time.
    static let events = [
        DVSEvent(x: 0, y: 0, polarity: 0, microseconds: 0),
        DVSEvent(x: 1, y: 1, polarity: 1, microseconds: 999),
        DVSEvent(x: 7, y: 5, polarity: 1, microseconds: 1000),
        DVSEvent(x: 6, y: 4, polarity: 1, microseconds: 1500),
        DVSEvent(x: 2, y: 3, polarity: 0, microseconds: 9999),
        DVSEvent(x: 2, y: 3, polarity: 0, microseconds: 10_000),
        DVSEvent(x: 3, y: 0, polarity: 1, microseconds: 500),
    ]

    @Test("Event files round-trip in both layouts (structured records, [N, 4] columns)")
    func fileRoundTrip() throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanUp() }
        for layout in [DVSEventFile.Layout.structured, .columns] {
            let path = dir.file("events.npy")
            try DVSEventFile.write(Self.events, to: path, layout: layout)
            #expect(try DVSEventFile.read(from: path) == Self.events)
            let array = try NPYFile.read(from: path)
            if layout == .structured {
                #expect(array.dataType.descr == "[('x', '<u2'), ('y', '<u2'), ('p', '|u1'), ('t', '<i8')]" && array.shape == [7])
            } else {
                #expect(array.dataType == .scalar(.int64, .littleEndian) && array.shape == [7, 4])
            }
        }
    }

    @Test("Frames of Δt, downsampling by 2, channel (y/2·W' + x/2)·2 + p; duplicates once, past the window dropped")
    func binning() throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanUp() }
        let path = dir.file("gesture.npy")
        try DVSEventFile.write(Self.events, to: path)
        let d = try SpikeDataset.loadDVSEvents(file: path, label: 3, timeStep: Self.dt, duration: Self.window,
                                               sensorSize: (height: 6, width: 8), downsample: 2, classes: 11)
        #expect(d.steps == SpikeDataset.referenceStepCount(duration: Self.window, timeStep: Self.dt) && d.steps == 10)
        #expect(d.channels == 3 * 4 * 2 && d.classes == 11 && d.labels == [3])
        #expect(d.eventOffsets == [0, 5])
        #expect(d.eventSteps == [0, 0, 1, 9, 0])
        #expect(d.eventChannels == [0, 1, 23, 10, 3])
        // Without downsampling: 6 × 8 × 2 channels; the sensor size is inferred from the largest coordinates.
        let full = try SpikeDataset.loadDVSEvents(file: path, timeStep: Self.dt, duration: Self.window)
        #expect(full.channels == 96)
        let unit: (Int, Int, Int) -> Int32 = { x, y, p in Int32((y * 8 + x) * 2 + p) }
        #expect(full.eventChannels == [unit(0, 0, 0), unit(1, 1, 1), unit(7, 5, 1), unit(6, 4, 1), unit(2, 3, 0), unit(3, 0, 1)])
        #expect(full.eventSteps == [0, 0, 1, 1, 9, 0])
        // Columns give the same data set.
        let columns = dir.file("columns.npy")
        try DVSEventFile.write(Self.events, to: columns, layout: .columns)
        let c = try SpikeDataset.loadDVSEvents(file: columns, label: 3, timeStep: Self.dt, duration: Self.window,
                                               sensorSize: (height: 6, width: 8), downsample: 2, classes: 11)
        #expect(c.eventSteps == d.eventSteps && c.eventChannels == d.eventChannels)
    }

    @Test("Several files with labels; time origin at zero or at the first event; Δt not a whole number of µs")
    func filesAndOrigin() throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanUp() }
        let late = [DVSEvent(x: 1, y: 0, polarity: 1, microseconds: 5_002_500), DVSEvent(x: 0, y: 0, polarity: 0, microseconds: 5_000_000)]
        try DVSEventFile.write(Self.events, to: dir.file("a.npy"))
        try DVSEventFile.write(late, to: dir.file("b.npy"))
        let files = [dir.file("a.npy"), dir.file("b.npy")]
        let zero = try SpikeDataset.loadDVSEvents(files: files, labels: [1, 0], timeStep: Self.dt, duration: Self.window,
                                                  sensorSize: (height: 6, width: 8), downsample: 2)
        #expect(zero.count == 2 && zero.classes == 2 && zero.labels == [1, 0])
        #expect(zero.eventOffsets == [0, 5, 5])
        let first = try SpikeDataset.loadDVSEvents(files: files, labels: [1, 0], timeStep: Self.dt, duration: Self.window,
                                                   sensorSize: (height: 6, width: 8), downsample: 2, timeOrigin: .firstEvent)
        #expect(first.eventOffsets == [0, 5, 7])
        #expect(Array(first.eventSteps[5...]) == [2, 0] && Array(first.eventChannels[5...]) == [1, 0])
        // 1.5 µs frames: 3 µs → frame 2, 4 µs → frame 2 (one event), 1 µs → frame 0.
        try DVSEventFile.write([DVSEvent(x: 0, y: 0, polarity: 0, microseconds: 3), DVSEvent(x: 0, y: 0, polarity: 0, microseconds: 4),
                                DVSEvent(x: 0, y: 0, polarity: 0, microseconds: 1)], to: dir.file("fine.npy"))
        let fine = try SpikeDataset.loadDVSEvents(file: dir.file("fine.npy"), timeStep: .nanoseconds(1500), duration: .microseconds(15))
        #expect(fine.steps == 10 && fine.eventSteps == [2, 0])
    }

    // MARK: - Bad files: one test per case

    static func load(_ path: String) throws(DataError) -> SpikeDataset {
        try SpikeDataset.loadDVSEvents(file: path, timeStep: dt, duration: window, sensorSize: (height: 6, width: 8))
    }

    /// Writes raw structured records (x, y, p, t) without validation.
    static func writeRecords(_ path: String, _ records: [(UInt16, UInt16, UInt8, Int64)]) throws {
        var bytes: [UInt8] = []
        for (x, y, p, t) in records { bytes += RawNPY.bytes([x, y]) + [p] + RawNPY.bytes([t]) }
        try NPYFile.write(NPYArray(dataType: DVSEventFile.structuredType, shape: [records.count], bytes: Data(bytes)), to: path)
    }

    @Test("Bad file: coordinate outside the sensor")
    func badCoordinate() throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanUp() }
        let path = dir.file("events.npy")
        try Self.writeRecords(path, [(8, 0, 0, 0)])
        #expect(capture { try Self.load(path) } == .invalidValue(path: path, field: "x[0]", reason: "x = 8 outside the sensor's width 0..<8"))
        try Self.writeRecords(path, [(0, 0, 0, 0), (1, 6, 1, 5)])
        #expect(capture { try Self.load(path) } == .invalidValue(path: path, field: "y[1]", reason: "y = 6 outside the sensor's height 0..<6"))
        try NPYFile.write(NPYArray([Int64](arrayLiteral: -1, 0, 0, 0), shape: [1, 4]), to: path)
        #expect(capture { try Self.load(path) } == .invalidValue(path: path, field: "x[0]", reason: "x is not a pixel column: -1"))
    }

    @Test("Bad file: polarity other than 0 or 1")
    func badPolarity() throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanUp() }
        let path = dir.file("events.npy")
        try Self.writeRecords(path, [(0, 0, 1, 0), (0, 0, 2, 0)])
        #expect(capture { try Self.load(path) } == .invalidValue(path: path, field: "p[1]", reason: "polarity is not 0 or 1: 2"))
    }

    @Test("Bad file: negative time")
    func badNegativeTime() throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanUp() }
        let path = dir.file("events.npy")
        try Self.writeRecords(path, [(0, 0, 1, 10), (0, 0, 0, -5)])
        #expect(capture { try Self.load(path) } == .invalidValue(path: path, field: "t[1]", reason: "negative time (µs): -5"))
    }

    @Test("Bad file: NaN and fractional times in float columns")
    func badNonFiniteTime() throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanUp() }
        let path = dir.file("events.npy")
        try NPYFile.write(NPYArray([Double](arrayLiteral: 0, 0, 1, .nan), shape: [1, 4]), to: path)
        #expect(capture { try Self.load(path) }
            == .invalidValue(path: path, field: "t[0]", reason: "time is not a whole number of microseconds: nan"))
        try NPYFile.write(NPYArray([Double](arrayLiteral: 0, 0, 1, 2.5), shape: [1, 4]), to: path)
        #expect(capture { try Self.load(path) }
            == .invalidValue(path: path, field: "t[0]", reason: "time is not a whole number of microseconds: 2.5"))
        // Whole float values are fine.
        try NPYFile.write(NPYArray([Double](arrayLiteral: 7, 5, 1, 2000), shape: [1, 4]), to: path)
        #expect(try Self.load(path).eventSteps == [2])
    }

    @Test("Bad file: a record array without the field p")
    func badMissingField() throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanUp() }
        let path = dir.file("events.npy")
        let type = NPYDataType.packed([("x", .uint16), ("y", .uint16), ("t", .int64)])
        try NPYFile.write(NPYArray(dataType: type, shape: [0], bytes: Data()), to: path)
        #expect(capture { try Self.load(path) } == .missingDataset(path: path, dataset: "events field 'p'"))
    }

    @Test("Bad file: wrong shape ([N, 3] columns)")
    func badShape() throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanUp() }
        let path = dir.file("events.npy")
        try NPYFile.write(NPYArray([Int64](repeating: 0, count: 6), shape: [2, 3]), to: path)
        let e = capture { try Self.load(path) }
        guard case let .wrongShape(_, dataset, _, found) = e else { Issue.record("expected wrongShape, got \(String(describing: e))"); return }
        #expect(dataset == "events" && found == "shape [2, 3] of int64")
    }

    @Test("Bad file: truncated and wrong magic")
    func badTruncated() throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanUp() }
        let path = dir.file("events.npy")
        try DVSEventFile.write(Self.events, to: path)
        try RawNPY.truncate(path, to: 100)
        let e = capture { try Self.load(path) }
        guard case let .cannotOpen(_, reason) = e else { Issue.record("expected cannotOpen, got \(String(describing: e))"); return }
        #expect(reason.contains("truncated") && reason.contains("events"))
        try Data("x,y,p,t\n1,2,0,5\n".utf8).write(to: URL(fileURLWithPath: path))
        let csv = capture { try Self.load(path) }
        guard case .cannotOpen = csv else { Issue.record("expected cannotOpen, got \(String(describing: csv))"); return }
    }

    @Test("Bad arguments: label count differs from the file count")
    func badLabelCount() throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanUp() }
        let path = dir.file("events.npy")
        try DVSEventFile.write(Self.events, to: path)
        let e = capture { try SpikeDataset.loadDVSEvents(files: [path, path], labels: [1], timeStep: Self.dt, duration: Self.window) }
        #expect(e == .invalidValue(path: path, field: "labels", reason: "1 labels for 2 files (one per file)"))
    }
}
