import Foundation
import SNNData
import Testing

/// `snn data`'s logic: telling the format of a file and summarizing what it holds.
@Suite("Data file detection and summary")
struct DataSummaryTests {
    @Test("Every format is detected from its file (SHD, dense .npz/.npy, RAS, DVS records and columns, IDX)")
    func detection() throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanUp() }
        let data = try sortedSample()
        try data.writeSHD(to: dir.file("shd.h5"))
        try data.writeNumPy(to: dir.file("dense.npz"))
        try NPYFile.write(data.numPyArrays().spikes, to: dir.file("dense.npy"))
        try data.writeRAS(to: dir.file("ras.npz"))
        try DVSEventFile.write(DVSTests.events, to: dir.file("dvs.npy"))
        try DVSEventFile.write(DVSTests.events, to: dir.file("columns.npy"), layout: .columns)
        try IDXFile(uint8: [0, 255], dimensions: [1, 2]).write(to: dir.file("images-idx3-ubyte"))
        let expected: [(String, DataFileFormat)] = [("shd.h5", .shd), ("dense.npz", .numpyDense), ("dense.npy", .numpyDense), ("ras.npz", .ras),
                                                    ("dvs.npy", .dvsEvents), ("columns.npy", .dvsEvents), ("images-idx3-ubyte", .idxImages)]
        for (name, format) in expected {
            #expect(try DataFileFormat.detect(path: dir.file(name)) == format, "\(name)")
            // Every file summarizes without error.
            #expect(try DataSummary.load(path: dir.file(name)).format == format)
        }
        // The name does not matter for NumPy files: the first bytes do.
        try FileManager.default.moveItem(atPath: dir.file("ras.npz"), toPath: dir.file("ras.bin"))
        #expect(try DataFileFormat.detect(path: dir.file("ras.bin")) == .ras)
    }

    @Test("Summary of a dense file: samples, classes, channels, duration and rates agree with the data set; JSON keys")
    func denseSummary() throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanUp() }
        let data = try sortedSample()
        let path = dir.file("dense.npz")
        try data.writeNumPy(to: path)
        let s = try DataSummary.load(path: path, timeStep: .milliseconds(2))
        #expect(s.samples == data.count && s.classes == data.classes && s.channels == data.channels && s.steps == data.steps)
        #expect(s.durationSeconds == 0.08 && s.timeStepSeconds == 0.002)
        #expect(abs(s.meanRateHz - data.meanRate()) < 1e-12)
        #expect(s.channelRateMinHz == data.channelRates().min() && s.channelRateMaxHz == data.channelRates().max())
        #expect(s.events == data.eventSteps.count)
        #expect(s.samplesPerClass == [4, 4, 4])
        let json = s.jsonObject
        for key in ["samples", "classes", "channels", "duration_s", "mean_rate_hz", "steps", "time_step_s", "events",
                    "channel_rate_min_hz", "channel_rate_max_hz", "samples_per_class", "format", "path"] {
            #expect(json[key] != nil, "missing key \(key)")
        }
        #expect(JSONSerialization.isValidJSONObject(json))
        #expect(json["samples"] as? Int == data.count && json["format"] as? String == "numpy-dense")
        #expect(s.description.contains("samples \(data.count), classes 3, channels 12"))
    }

    @Test("Summary of SHD: the reference 0.7 s at 2 ms window (349 steps, 0.698 s); IDX labels found next to the images")
    func shdAndIDXSummary() throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanUp() }
        // SHD-format files have 700 channels: a Randman set on 700 units, spikes in the first half of 350 steps.
        let written = try Randman.classification(classes: 4, units: 700, steps: 350, timeStep: .milliseconds(2), stepFraction: 0.5,
                                                 samplesPerClass: 2, seed: 2)
        try written.writeSHD(to: dir.file("synthetic.h5"))
        let s = try DataSummary.load(path: dir.file("synthetic.h5"))
        #expect(s.samples == 8 && s.classes == 4 && s.channels == 700 && s.steps == 349 && s.durationSeconds == 0.698)
        #expect(abs(s.meanRateHz - written.meanRate() * 350 / 349) < 1e-9)

        try IDXFile(uint8: [255, 0, 0, 255, 200, 200], dimensions: [3, 2]).write(to: dir.file("t10k-images-idx3-ubyte"))
        try IDXFile(uint8: [9, 2, 4], dimensions: [3]).write(to: dir.file("t10k-labels-idx1-ubyte"))
        let idx = try DataSummary.load(path: dir.file("t10k-images-idx3-ubyte"))
        #expect(idx.samples == 3 && idx.classes == 10 && idx.channels == 2 && idx.events == 4)
        let labelsOnly = capture { try DataSummary.load(path: dir.file("t10k-labels-idx1-ubyte")) }
        guard case .invalidValue = labelsOnly else { Issue.record("expected invalidValue, got \(String(describing: labelsOnly))"); return }
    }

    @Test("Bad files: empty, unrecognized, an .npz of unknown arrays, a 1-D .npy; errors name the file")
    func badFiles() throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanUp() }
        let empty = dir.file("empty.npy")
        #expect(FileManager.default.createFile(atPath: empty, contents: Data()))
        #expect(capture { try DataSummary.load(path: empty) } == .cannotOpen(path: empty, reason: "empty file"))
        let text = dir.file("notes.txt")
        try Data("hello".utf8).write(to: URL(fileURLWithPath: text))
        let unknown = capture { try DataSummary.load(path: text) }
        guard case let .cannotOpen(_, reason) = unknown else { Issue.record("expected cannotOpen, got \(String(describing: unknown))"); return }
        #expect(reason.contains("unrecognized"))
        let other = dir.file("other.npz")
        try NPZArchive.write([("weights", NPYArray([Float](arrayLiteral: 1)))], to: other)
        let archive = capture { try DataSummary.load(path: other) }
        guard case let .cannotOpen(_, reason2) = archive else { Issue.record("expected cannotOpen, got \(String(describing: archive))"); return }
        #expect(reason2.contains("weights"))
        let flat = dir.file("flat.npy")
        try NPYFile.write(NPYArray([Float](arrayLiteral: 1, 2)), to: flat)
        let shape = capture { try DataSummary.load(path: flat) }
        guard case .wrongShape = shape else { Issue.record("expected wrongShape, got \(String(describing: shape))"); return }
        expectNames(shape, flat)
        let missing = dir.file("missing.h5")
        #expect(capture { try DataSummary.load(path: missing) } == .cannotOpen(path: missing, reason: "no such file"))
    }
}
