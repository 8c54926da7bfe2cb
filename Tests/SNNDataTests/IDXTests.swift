import Foundation
import SNNData
import Testing

/// MNIST-style IDX files and the latency coding of SPEC §7: the format, the spike times, round trips, bad files.
@Suite("IDX images and latency coding")
struct IDXTests {
    static let dt: Duration = .milliseconds(1)

    @Test("IDX round trip (ubyte and float), big-endian header as MNIST's 0x00000803")
    func roundTrip() throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanUp() }
        let path = dir.file("train-images-idx3-ubyte")
        let pixels: [UInt8] = (0..<12).map { UInt8($0 * 20) }
        try IDXFile(uint8: pixels, dimensions: [3, 2, 2]).write(to: path)
        let bytes = try RawNPY.read(path)
        #expect(Array(bytes[0..<16]) == [0, 0, 8, 3, 0, 0, 0, 3, 0, 0, 0, 2, 0, 0, 0, 2])
        let read = try IDXFile(readingFrom: path)
        #expect(read.elementType == .uint8 && read.dimensions == [3, 2, 2] && read.count == 12)
        #expect(read.doubles() == pixels.map(Double.init))
        #expect(read.path == path)

        let floats: [Float] = [0, 0.25, 1, -3.5e-20]
        let floatPath = dir.file("floats.idx")
        try IDXFile(float32: floats, dimensions: [4]).write(to: floatPath)
        #expect(Array(try RawNPY.read(floatPath)[0..<8]) == [0, 0, 0x0D, 1, 0, 0, 0, 4])
        #expect(try IDXFile(readingFrom: floatPath).doubles() == floats.map(Double.init))
        // Other element types read big-endian.
        let shorts = dir.file("shorts.idx")
        try IDXFile(elementType: .int16, dimensions: [2], bytes: Data([0xFF, 0xFE, 0x01, 0x00])).write(to: shorts)
        #expect(try IDXFile(readingFrom: shorts).doubles() == [-2, 256])
    }

    @Test("Spike time τ·ln(x/(x − thr)): a white pixel fires at 11.16 ms (τ 50 ms, thr 0.2); x ≤ thr never")
    func spikeTime() {
        let white = SpikeDataset.latencySpikeTime(intensity: 1)
        #expect(white != nil && abs(white! - 0.05 * log(1.25)) < 1e-15)
        #expect(abs(white! - 0.011157177565710487) < 1e-12)
        #expect(SpikeDataset.latencySpikeTime(intensity: 0.2) == nil)
        #expect(SpikeDataset.latencySpikeTime(intensity: 0) == nil)
        let other = SpikeDataset.latencySpikeTime(intensity: 0.5, tau: .milliseconds(20), threshold: 0.1)
        #expect(abs(other! - 0.02 * log(0.5 / 0.4)) < 1e-15)
    }

    @Test("Latency coding: one spike per pixel, brighter earlier, binned to steps, ordered by step then channel")
    func latencyCoding() throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanUp() }
        let images = dir.file("images.idx"), labels = dir.file("labels.idx")
        // Two 2 × 3 images. 255 → 11.16 ms (bin 11), 200 → 14.7 ms (14), 128 → 25.4 ms (25),
        // 52 → 197.6 ms (past 100 steps), 51 = 0.2·255 and 0 → no spike.
        try IDXFile(uint8: [255, 51, 52, 0, 128, 200, 255, 255, 255, 255, 255, 255], dimensions: [2, 2, 3]).write(to: images)
        try IDXFile(uint8: [7, 3], dimensions: [2]).write(to: labels)
        let d = try SpikeDataset.latencyCoded(images: images, labels: labels, timeStep: Self.dt, steps: 100)
        #expect(d.count == 2 && d.channels == 6 && d.steps == 100 && d.classes == 8 && d.labels == [7, 3])
        #expect(d.eventOffsets == [0, 3, 9])
        #expect(d.eventSteps == [11, 14, 25, 11, 11, 11, 11, 11, 11])
        #expect(d.eventChannels == [0, 5, 4, 0, 1, 2, 3, 4, 5])
        // An independent scalar computation of every pixel agrees.
        let values: [Double] = [255, 51, 52, 0, 128, 200]
        var expected: [(Int, Int)] = []
        for (c, v) in values.enumerated() {
            let x = v / 255
            guard x > 0.2 else { continue }
            let step = Int(Float(0.05 * log(x / (x - 0.2))) * Float(1000))
            if step < 100 { expected.append((step, c)) }
        }
        expected.sort { $0 < $1 }
        #expect(expected.map(\.0) == d.eventSteps[0..<3].map(Int.init))
        #expect(expected.map(\.1) == d.eventChannels[0..<3].map(Int.init))
        // A longer window keeps the 52 pixel; float images give the same spikes as ubyte / 255.
        #expect(try SpikeDataset.latencyCoded(images: images, labels: nil, timeStep: Self.dt, steps: 200).eventOffsets == [0, 4, 10])
        let floatImages = dir.file("float.idx")
        try IDXFile(float32: [255, 51, 52, 0, 128, 200].map { Float(Double($0) / 255) }, dimensions: [1, 6]).write(to: floatImages)
        let f = try SpikeDataset.latencyCoded(images: floatImages, labels: nil, timeStep: Self.dt, steps: 100)
        #expect(f.eventSteps == [11, 14, 25] && f.eventChannels == [0, 5, 4] && f.labels == [0])
    }

    // MARK: - Bad files: one test per case

    static func code(_ images: String, labels: String? = nil) throws(DataError) -> SpikeDataset {
        try SpikeDataset.latencyCoded(images: images, labels: labels, timeStep: dt, steps: 100)
    }

    @Test("Bad file: wrong magic (not starting with two zero bytes)")
    func badMagic() throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanUp() }
        let path = dir.file("images.idx")
        try Data([0x1F, 0x8B, 8, 3, 0, 0, 0, 1]).write(to: URL(fileURLWithPath: path))   // a gzip file
        let e = capture { try Self.code(path) }
        guard case let .cannotOpen(p, reason) = e else { Issue.record("expected cannotOpen, got \(String(describing: e))"); return }
        #expect(p == path && reason.contains("not an IDX file"))
    }

    @Test("Bad file: unknown element type code")
    func badTypeCode() throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanUp() }
        let path = dir.file("images.idx")
        try Data([0, 0, 0x0A, 1, 0, 0, 0, 1, 0]).write(to: URL(fileURLWithPath: path))
        let e = capture { try Self.code(path) }
        guard case let .wrongType(_, dataset, _, found) = e else { Issue.record("expected wrongType, got \(String(describing: e))"); return }
        #expect(dataset == "images" && found == "0xA")
    }

    @Test("Bad file: truncated data and truncated dimensions")
    func badTruncated() throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanUp() }
        let path = dir.file("images.idx")
        try IDXFile(uint8: [UInt8](repeating: 9, count: 4 * 28 * 28), dimensions: [4, 28, 28]).write(to: path)
        try RawNPY.truncate(path, to: 1000)
        let e = capture { try Self.code(path) }
        guard case let .cannotOpen(_, reason) = e else { Issue.record("expected cannotOpen, got \(String(describing: e))"); return }
        #expect(reason.contains("truncated") && reason.contains("3136 bytes"))
        try RawNPY.truncate(path, to: 9)
        let dims = capture { try Self.code(path) }
        guard case let .cannotOpen(_, reason2) = dims else { Issue.record("expected cannotOpen, got \(String(describing: dims))"); return }
        #expect(reason2.contains("truncated") && reason2.contains("dimension 1"))
    }

    @Test("Bad file: huge declared dimensions fail before allocating")
    func badHuge() throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanUp() }
        let path = dir.file("images.idx")
        try Data([0, 0, 8, 3, 0, 0, 0xFF, 0xFF, 0, 0, 0xFF, 0xFF, 0, 0, 0xFF, 0xFF, 1, 2, 3]).write(to: URL(fileURLWithPath: path))
        let e = capture { try Self.code(path) }
        #expect(e == .tooLarge(path: path, dataset: "images", declared: 65535 * 65535 * 65535, limit: IDXFile.defaultElementLimit))
        let unlimited = capture { try IDXFile(readingFrom: path, name: "images", elementLimit: .max) }
        guard case let .cannotOpen(_, reason) = unlimited else { Issue.record("expected cannotOpen, got \(String(describing: unlimited))"); return }
        #expect(reason.contains("truncated"))
    }

    @Test("Bad file: label count differs from the image count")
    func badLabelCount() throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanUp() }
        try IDXFile(uint8: [UInt8](repeating: 0, count: 12), dimensions: [3, 2, 2]).write(to: dir.file("images.idx"))
        try IDXFile(uint8: [1, 2], dimensions: [2]).write(to: dir.file("labels.idx"))
        let e = capture { try Self.code(dir.file("images.idx"), labels: dir.file("labels.idx")) }
        #expect(e == .wrongShape(path: dir.file("labels.idx"), dataset: "labels",
                                 expected: "3 labels, one per image of \(dir.file("images.idx"))", found: "2 labels"))
    }

    @Test("Bad file: wrong types (float labels, int16 images, 1-D images)")
    func badTypes() throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanUp() }
        try IDXFile(uint8: [UInt8](repeating: 0, count: 4), dimensions: [1, 4]).write(to: dir.file("images.idx"))
        try IDXFile(float32: [1], dimensions: [1]).write(to: dir.file("labels.idx"))
        let labels = capture { try Self.code(dir.file("images.idx"), labels: dir.file("labels.idx")) }
        guard case let .wrongType(_, dataset, _, _) = labels else { Issue.record("expected wrongType, got \(String(describing: labels))"); return }
        #expect(dataset == "labels")
        try IDXFile(elementType: .int16, dimensions: [1, 2], bytes: Data([0, 1, 0, 2])).write(to: dir.file("shorts.idx"))
        let shorts = capture { try Self.code(dir.file("shorts.idx")) }
        guard case let .wrongType(_, images, _, found) = shorts else { Issue.record("expected wrongType, got \(String(describing: shorts))"); return }
        #expect(images == "images" && found == "short (0x0B)")
        try IDXFile(uint8: [1, 2], dimensions: [2]).write(to: dir.file("flat.idx"))
        let flat = capture { try Self.code(dir.file("flat.idx")) }
        guard case .wrongShape = flat else { Issue.record("expected wrongShape, got \(String(describing: flat))"); return }
    }

    @Test("Bad file: float intensity outside [0, 1] or NaN (names image and pixel)")
    func badIntensity() throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanUp() }
        let path = dir.file("images.idx")
        try IDXFile(float32: [0.5, 0.2, 0.1, 1.5], dimensions: [2, 2]).write(to: path)
        #expect(capture { try Self.code(path) } == .invalidValue(path: path, field: "images[1] pixel 1", reason: "intensity 1.5 outside [0, 1]"))
        try IDXFile(float32: [.nan], dimensions: [1, 1]).write(to: path)
        #expect(capture { try Self.code(path) } == .invalidValue(path: path, field: "images[0] pixel 0", reason: "intensity nan outside [0, 1]"))
    }
}
