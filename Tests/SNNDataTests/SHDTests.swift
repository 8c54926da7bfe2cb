import CHDF5
import Foundation
import SNNData
import Testing

/// The SHD/SSC HDF5 format (SPEC §7): the binning rule, round trips, the synthetic set, and one test per bad file.
@Suite("SHD format")
struct SHDTests {
    /// Writes an SHD-layout file from raw rows (no validation: the loader must catch what is wrong).
    static func writeRaw(_ path: String, times: [[Float]], units: [[UInt16]], labels: [Int64]) throws {
        let file = try HDF5File(creatingAt: path)
        try file.writeVariableLength(times, to: "spikes/times")
        try file.writeVariableLength(units, to: "spikes/units")
        try file.write(labels, to: "labels")
        file.close()
    }

    /// A small valid file: three samples.
    static func writeValid(_ path: String) throws {
        try writeRaw(path, times: [[0.01, 0.02], [0.3], []], units: [[1, 2], [699], []], labels: [0, 19, 3])
    }

    static let dt: Duration = .milliseconds(2)

    // MARK: - Binning

    @Test("0.7 s at 2 ms gives 349 steps (reference float truncation); other windows")
    func referenceStepCount() throws {
        #expect(SpikeDataset.referenceStepCount(duration: .milliseconds(700), timeStep: .milliseconds(2)) == 349)
        #expect(SpikeDataset.referenceStepCount(duration: .milliseconds(1400), timeStep: .milliseconds(2)) == 699)
        #expect(SpikeDataset.referenceStepCount(duration: .milliseconds(200), timeStep: .milliseconds(2)) == 100)
        #expect(SpikeDataset.referenceStepCount(duration: .seconds(1), timeStep: .milliseconds(1)) == 1000)
        #expect(SpikeDataset.referenceStepCount(duration: .milliseconds(1), timeStep: .milliseconds(2)) == 0)
        let dir = try TemporaryDirectory()
        defer { dir.cleanUp() }
        let path = dir.file("window.h5")
        try Self.writeValid(path)
        let d = try SpikeDataset.loadSHD(path: path, timeStep: Self.dt, duration: .milliseconds(700))
        #expect(d.steps == 349)
        #expect(d.timeStep == Self.dt)
    }

    @Test("bin = Int(t·(1/Δt)) in float32; several events in one bin count once; events past the window dropped")
    func binning() throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanUp() }
        let path = dir.file("bins.h5")
        // float32(t)·500: 0 → 0, 0.0019 → 0.95 → 0, 0.002 → 1, 0.0021 → 1.05 → 1, 0.6979 → 348.95 → 348,
        // 0.698 → 349 (= steps: dropped), 0.75 → 375 (dropped), 1e30 (dropped, no overflow).
        let times: [Float] = [0, 0.0019, 0.002, 0.0021, 0.0021, 0.6979, 0.698, 0.75, 1e30]
        let units: [UInt16] = [5, 5, 5, 5, 6, 7, 8, 9, 10]
        try Self.writeRaw(path, times: [times, [0.0019, 0]], units: [units, [3, 3]], labels: [1, 0])
        let d = try SpikeDataset.loadSHD(path: path, timeStep: Self.dt, duration: .milliseconds(700))
        #expect(d.steps == 349)
        #expect(d.channels == 700)
        #expect(d.classes == 2)
        #expect(d.labels == [1, 0])
        #expect(d.eventOffsets == [0, 4, 5])
        #expect(d.eventSteps == [0, 1, 1, 348, 0])
        #expect(d.eventChannels == [5, 5, 6, 7, 3])
        // With one more step, the event at 0.698 s is kept in the last bin.
        let wider = try SpikeDataset.loadSHD(path: path, timeStep: Self.dt, steps: 350)
        #expect(wider.eventSteps == [0, 1, 1, 348, 349, 0])
    }

    @Test("Channel downsampling: unit / factor, ⌈700/factor⌉ channels, merged channels count once per bin")
    func downsampling() throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanUp() }
        let path = dir.file("downsample.h5")
        try Self.writeRaw(path, times: [[0.01, 0.01, 0.01, 0.03]], units: [[0, 1, 699, 1]], labels: [0])
        let halved = try SpikeDataset.loadSHD(path: path, timeStep: Self.dt, duration: .milliseconds(700), downsample: 2)
        #expect(halved.channels == 350)
        #expect(halved.eventSteps == [5, 5, 15])
        #expect(halved.eventChannels == [0, 349, 0])
        let thirds = try SpikeDataset.loadSHD(path: path, timeStep: Self.dt, duration: .milliseconds(700), downsample: 3)
        #expect(thirds.channels == 234)
        #expect(thirds.eventChannels == [0, 233, 0])
    }

    @Test("maxSamples keeps the first samples; classes given or taken as largest label + 1")
    func samplesAndClasses() throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanUp() }
        let path = dir.file("subset.h5")
        try Self.writeValid(path)
        let all = try SpikeDataset.loadSHD(path: path, timeStep: Self.dt, duration: .milliseconds(700))
        #expect(all.count == 3 && all.classes == 20)
        let two = try SpikeDataset.loadSHD(path: path, timeStep: Self.dt, duration: .milliseconds(700), classes: 20, maxSamples: 2)
        #expect(two.count == 2 && two.classes == 20 && two.labels == [0, 19])
        #expect(two.eventOffsets == [0, 2, 3])
        let first = try SpikeDataset.loadSHD(path: path, timeStep: Self.dt, duration: .milliseconds(700), maxSamples: 1)
        #expect(first.classes == 1)
        let none = try SpikeDataset.loadSHD(path: path, timeStep: Self.dt, duration: .milliseconds(700), maxSamples: 0)
        #expect(none.count == 0)
    }

    // MARK: - Round trips and the synthetic set

    @Test("writeSHD → loadSHD gives identical events and labels (synthetic 700-channel, 20-class set)")
    func roundTrip() throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanUp() }
        let path = dir.file("synthetic.h5")
        let written = try SyntheticSHD.write(to: path, samplesPerClass: 2, seed: 5)
        #expect(dir.contents() == ["synthetic.h5"])
        #expect(written.count == 40 && written.channels == 700 && written.classes == 20 && written.steps == 350)
        #expect(Set(written.labels) == Set(0..<20))
        #expect(written.eventOffsets.last == 40 * 700)   // every channel fires once per sample
        let read = try SpikeDataset.loadSHD(path: path, timeStep: written.timeStep, steps: written.steps, classes: 20)
        #expect(read.eventOffsets == written.eventOffsets)
        #expect(read.eventSteps == written.eventSteps)
        #expect(read.eventChannels == written.eventChannels)
        #expect(read.labels == written.labels)
        #expect(read.channels == 700 && read.classes == 20 && read.steps == written.steps)
        // The standard 0.7 s window at 2 ms (349 steps) keeps every spike: they fall in the first half.
        let windowed = try SpikeDataset.loadSHD(path: path, timeStep: .milliseconds(2), duration: .milliseconds(700))
        #expect(windowed.eventSteps == written.eventSteps)
        #expect(abs(windowed.meanRate() - written.meanRate() * 350 / 349) < 1e-9)

        let file = try HDF5File(readingFrom: path)
        #expect(try file.typeDescription(of: "spikes/times") == "variable-length array of float32")
        #expect(try file.typeDescription(of: "spikes/units") == "variable-length array of uint16")
        #expect(try file.typeDescription(of: "labels") == "uint8")
        #expect(try file.stringAttribute("snnkit").contains("steps = 350"))
        // Times are bin centres.
        let times = try file.readVariableLength("spikes/times", rows: 0..<1, as: Double.self)
        #expect(abs(times.values[0] - (Double(written.eventSteps[0]) + 0.5) * 0.002) < 1e-7)
    }

    @Test("An empty data set round-trips (zero samples)")
    func emptyRoundTrip() throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanUp() }
        let path = dir.file("empty.h5")
        let empty = try Randman.classification(classes: 2, units: 5, samplesPerClass: 3).subset([])
        try empty.writeSHD(to: path)
        let read = try SpikeDataset.loadSHD(path: path, timeStep: .milliseconds(2), steps: 100, channels: 5)
        #expect(read.count == 0 && read.eventOffsets == [0] && read.channels == 5 && read.classes == 1)
    }

    @Test("Round trip at a fine time step (0.1 ms, 10 000 steps) and with another seed")
    func roundTripFine() throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanUp() }
        let path = dir.file("fine.h5")
        let written = try Randman.classification(classes: 3, units: 40, steps: 10_000, timeStep: .microseconds(100),
                                                 stepFraction: 1, samplesPerClass: 5, seed: 9)
        try written.writeSHD(to: path)
        let read = try SpikeDataset.loadSHD(path: path, timeStep: .microseconds(100), steps: 10_000, channels: 40)
        #expect(read.eventSteps == written.eventSteps)
        #expect(read.eventChannels == written.eventChannels)
        #expect(read.labels == written.labels)
    }

    @Test("Synthetic SHD: invalid parameters are invalidValue naming the file, before any work")
    func syntheticParameters() throws {
        let e = capture { try SyntheticSHD.write(to: "/nonexistent-dir/x.h5", samplesPerClass: 0) }
        guard case .invalidValue(let p, _, _) = e else { Issue.record("expected invalidValue, got \(String(describing: e))"); return }
        #expect(p == "/nonexistent-dir/x.h5")
    }

    @Test("Writing into a missing directory is cannotWrite naming the file")
    func writeIntoMissingDirectory() throws {
        let data = try Randman.classification(classes: 2, units: 5, samplesPerClass: 3)
        let path = "/nonexistent-snnkit-dir/out.h5"
        let e = capture { try data.writeSHD(to: path) }
        guard case .cannotWrite(let p, _, _) = e else { Issue.record("expected cannotWrite, got \(String(describing: e))"); return }
        #expect(p == path)
    }

    // MARK: - Bad files: one test per case

    /// Loads `path` with the SHD defaults (2 ms, 0.7 s, 20 classes).
    static func load(_ path: String) throws(DataError) -> SpikeDataset {
        try SpikeDataset.loadSHD(path: path, timeStep: dt, duration: .milliseconds(700), classes: 20)
    }

    @Test("Bad file: nonexistent")
    func badNonexistent() throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanUp() }
        let path = dir.file("shd_train.h5")
        let e = capture { try Self.load(path) }
        #expect(e == .cannotOpen(path: path, reason: "no such file"))
        expectNames(e, path)
    }

    @Test("Bad file: not HDF5 (random bytes)")
    func badRandomBytes() throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanUp() }
        let path = dir.file("random.h5")
        var rng = SystemRandomNumberGenerator()
        #expect(FileManager.default.createFile(atPath: path, contents: Data((0..<10_000).map { _ in UInt8.random(in: 0...255, using: &rng) })))
        let e = capture { try Self.load(path) }
        guard case .cannotOpen = e else { Issue.record("expected cannotOpen, got \(String(describing: e))"); return }
        expectNames(e, path)
    }

    @Test("Bad file: truncated SHD file")
    func badTruncated() throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanUp() }
        let path = dir.file("truncated.h5")
        try Randman.classification(classes: 4, units: 50, samplesPerClass: 10).writeSHD(to: path)
        let size = try #require(FileManager.default.attributesOfItem(atPath: path)[.size] as? Int)
        let handle = try #require(FileHandle(forUpdatingAtPath: path))
        try handle.truncate(atOffset: UInt64(size / 2))
        try handle.close()
        let e = capture { try Self.load(path) }
        guard case .cannotOpen(_, let reason) = e else { Issue.record("expected cannotOpen, got \(String(describing: e))"); return }
        #expect(reason.contains("truncated"))
        expectNames(e, path)
    }

    @Test("Bad file: labels missing")
    func badMissingLabels() throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanUp() }
        let path = dir.file("nolabels.h5")
        let file = try HDF5File(creatingAt: path)
        try file.writeVariableLength([[Float](arrayLiteral: 0.1)], to: "spikes/times")
        try file.writeVariableLength([[UInt16](arrayLiteral: 1)], to: "spikes/units")
        file.close()
        let e = capture { try Self.load(path) }
        #expect(e == .missingDataset(path: path, dataset: "labels"))
        expectNames(e, path, "labels")
    }

    @Test("Bad file: spikes/units missing")
    func badMissingUnits() throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanUp() }
        let path = dir.file("nounits.h5")
        let file = try HDF5File(creatingAt: path)
        try file.writeVariableLength([[Float](arrayLiteral: 0.1)], to: "spikes/times")
        try file.write([UInt8](arrayLiteral: 1), to: "labels")
        file.close()
        let e = capture { try Self.load(path) }
        #expect(e == .missingDataset(path: path, dataset: "spikes/units"))
    }

    @Test("Bad file: labels stored as strings of floats")
    func badLabelsAsStrings() throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanUp() }
        let path = dir.file("stringlabels.h5")
        let file = try HDF5File(creatingAt: path)
        try file.writeVariableLength([[Float](arrayLiteral: 0.1), [0.2]], to: "spikes/times")
        try file.writeVariableLength([[UInt16](arrayLiteral: 1), [2]], to: "spikes/units")
        file.close()
        try HDF5File.withLibraryLock { () throws in
            let raw = H5Fopen(path, snn_h5f_acc_rdwr(), snn_h5p_default())
            try #require(raw >= 0)
            defer { H5Fclose(raw) }
            try RawHDF5.fixedStrings(raw, "labels", ["1.0", "2.0"])
        }
        let e = capture { try Self.load(path) }
        guard case .wrongType(let p, "labels", _, "string") = e else { Issue.record("expected wrongType, got \(String(describing: e))"); return }
        #expect(p == path)
        expectNames(e, path, "labels")
    }

    @Test("Bad file: labels stored as floats")
    func badLabelsAsFloats() throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanUp() }
        let path = dir.file("floatlabels.h5")
        let file = try HDF5File(creatingAt: path)
        try file.writeVariableLength([[Float](arrayLiteral: 0.1)], to: "spikes/times")
        try file.writeVariableLength([[UInt16](arrayLiteral: 1)], to: "spikes/units")
        try file.write([Float](arrayLiteral: 1.5), to: "labels")
        file.close()
        let e = capture { try Self.load(path) }
        guard case .wrongType(_, "labels", _, "float32") = e else { Issue.record("expected wrongType, got \(String(describing: e))"); return }
        expectNames(e, path, "labels")
    }

    @Test("Bad file: spike times stored as strings")
    func badTimesAsStrings() throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanUp() }
        let path = dir.file("stringtimes.h5")
        let file = try HDF5File(creatingAt: path)
        try file.write(strings: ["0.1 0.2", "0.3"], to: "spikes/times")
        try file.writeVariableLength([[UInt16](arrayLiteral: 1, 2), [3]], to: "spikes/units")
        try file.write([UInt8](arrayLiteral: 1, 2), to: "labels")
        file.close()
        let e = capture { try Self.load(path) }
        guard case .wrongType(_, "spikes/times", _, "string") = e else { Issue.record("expected wrongType, got \(String(describing: e))"); return }
        expectNames(e, path, "spikes/times")
    }

    @Test("Bad file: spike units stored as floats")
    func badUnitsAsFloats() throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanUp() }
        let path = dir.file("floatunits.h5")
        let file = try HDF5File(creatingAt: path)
        try file.writeVariableLength([[Float](arrayLiteral: 0.1)], to: "spikes/times")
        try file.writeVariableLength([[Float](arrayLiteral: 1)], to: "spikes/units")
        try file.write([UInt8](arrayLiteral: 1), to: "labels")
        file.close()
        let e = capture { try Self.load(path) }
        guard case .wrongType(_, "spikes/units", _, _) = e else { Issue.record("expected wrongType, got \(String(describing: e))"); return }
        expectNames(e, path, "spikes/units")
    }

    @Test("Bad file: unit ≥ 700")
    func badUnitOutOfRange() throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanUp() }
        let path = dir.file("unit700.h5")
        try Self.writeRaw(path, times: [[0.1], [0.1, 0.2]], units: [[3], [4, 700]], labels: [0, 1])
        let e = capture { try Self.load(path) }
        guard case .invalidValue(let p, let field, let reason) = e else { Issue.record("expected invalidValue, got \(String(describing: e))"); return }
        #expect(p == path && field == "spikes/units[1]")
        #expect(reason.contains("700") && reason.contains("event 1"))
        expectNames(e, path, "spikes/units[1]")
        // With a larger declared channel count the same file loads.
        #expect(try SpikeDataset.loadSHD(path: path, timeStep: Self.dt, duration: .milliseconds(700), channels: 701).channels == 701)
    }

    @Test("Bad file: unit negative (int32 units)")
    func badUnitNegative() throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanUp() }
        let path = dir.file("unitneg.h5")
        let file = try HDF5File(creatingAt: path)
        try file.writeVariableLength([[Float](arrayLiteral: 0.1)], to: "spikes/times")
        try file.writeVariableLength([[Int32](arrayLiteral: -1)], to: "spikes/units")
        try file.write([UInt8](arrayLiteral: 1), to: "labels")
        file.close()
        let e = capture { try Self.load(path) }
        guard case .invalidValue(_, "spikes/units[0]", _) = e else { Issue.record("expected invalidValue, got \(String(describing: e))"); return }
        expectNames(e, path, "spikes/units[0]")
    }

    @Test("Bad file: negative time")
    func badNegativeTime() throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanUp() }
        let path = dir.file("negtime.h5")
        try Self.writeRaw(path, times: [[0.1], [0.1], [0.2, -0.001]], units: [[3], [4], [5, 6]], labels: [0, 1, 2])
        let e = capture { try Self.load(path) }
        guard case .invalidValue(_, "spikes/times[2]", let reason) = e else { Issue.record("expected invalidValue, got \(String(describing: e))"); return }
        #expect(reason.contains("negative"))
        expectNames(e, path, "spikes/times[2]")
    }

    @Test("Bad file: NaN time", arguments: [Float.nan, .infinity, -.infinity])
    func badNonFiniteTime(value: Float) throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanUp() }
        let path = dir.file("nantime.h5")
        try Self.writeRaw(path, times: [[0.1, value]], units: [[3, 4]], labels: [0])
        let e = capture { try Self.load(path) }
        guard case .invalidValue(_, "spikes/times[0]", let reason) = e else { Issue.record("expected invalidValue, got \(String(describing: e))"); return }
        #expect(reason.contains("non-finite"))
        expectNames(e, path, "spikes/times[0]")
    }

    @Test("Bad file: a sample's times and units differ in length")
    func badMismatchedLengths() throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanUp() }
        let path = dir.file("mismatch.h5")
        try Self.writeRaw(path, times: [[0.1, 0.2], [0.1, 0.2, 0.3]], units: [[3, 4], [4, 5]], labels: [0, 1])
        let e = capture { try Self.load(path) }
        guard case .wrongShape(_, "spikes/units[1]", _, _) = e else { Issue.record("expected wrongShape, got \(String(describing: e))"); return }
        expectNames(e, path, "spikes/units[1]")
    }

    @Test("Bad file: labels and spike arrays disagree in sample count")
    func badSampleCounts() throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanUp() }
        let path = dir.file("counts.h5")
        try Self.writeRaw(path, times: [[0.1], [0.2]], units: [[3], [4]], labels: [0, 1, 2])
        let e = capture { try Self.load(path) }
        guard case .wrongShape(_, "spikes/times", _, _) = e else { Issue.record("expected wrongShape, got \(String(describing: e))"); return }
        expectNames(e, path, "spikes/times")
    }

    @Test("Bad file: labels not 1-D")
    func badLabelShape() throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanUp() }
        let path = dir.file("labels2d.h5")
        let file = try HDF5File(creatingAt: path)
        try file.writeVariableLength([[Float](arrayLiteral: 0.1), [0.2]], to: "spikes/times")
        try file.writeVariableLength([[UInt16](arrayLiteral: 1), [2]], to: "spikes/units")
        try file.write([UInt8](arrayLiteral: 1, 2), shape: [1, 2], to: "labels")
        file.close()
        let e = capture { try Self.load(path) }
        guard case .wrongShape(_, "labels", _, _) = e else { Issue.record("expected wrongShape, got \(String(describing: e))"); return }
        expectNames(e, path, "labels")
    }

    @Test("Bad file: negative label", arguments: [Int64(-1), Int64.min])
    func badNegativeLabel(label: Int64) throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanUp() }
        let path = dir.file("neglabel.h5")
        try Self.writeRaw(path, times: [[0.1], [0.2]], units: [[3], [4]], labels: [2, label])
        let e = capture { try SpikeDataset.loadSHD(path: path, timeStep: Self.dt, duration: .milliseconds(700)) }
        guard case .invalidValue(_, "labels[1]", _) = e else { Issue.record("expected invalidValue, got \(String(describing: e))"); return }
        expectNames(e, path, "labels[1]")
    }

    @Test("Bad file: label ≥ classes")
    func badLabelOutOfRange() throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanUp() }
        let path = dir.file("label20.h5")
        try Self.writeRaw(path, times: [[0.1], [0.2]], units: [[3], [4]], labels: [19, 20])
        let e = capture { try Self.load(path) }
        guard case .invalidValue(_, "labels[1]", let reason) = e else { Issue.record("expected invalidValue, got \(String(describing: e))"); return }
        #expect(reason.contains("0..<20"))
        expectNames(e, path, "labels[1]")
    }

    @Test("Bad file: huge declared sizes are refused before allocating", arguments: ["labels", "spikes/times"])
    func badHugeDeclaredSize(hugeDataset: String) throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanUp() }
        let path = dir.file("huge.h5")
        try RawHDF5.create(path) { file in
            let group = H5Gcreate2(file, "spikes", snn_h5p_default(), snn_h5p_default(), snn_h5p_default())
            H5Gclose(group)
            for name in ["labels", "spikes/times", "spikes/units"] {
                try RawHDF5.hugeDataset(file, name, length: name == hugeDataset ? 1 << 40 : 3, vlen: name != "labels")
            }
        }
        let e = capture { try Self.load(path) }
        #expect(e == .tooLarge(path: path, dataset: hugeDataset, declared: 1 << 40, limit: HDF5File.defaultElementLimit))
        expectNames(e, path, hugeDataset)
    }

    @Test("Invalid loader arguments are invalidValue naming the argument")
    func badArguments() throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanUp() }
        let path = dir.file("args.h5")
        try Self.writeValid(path)
        let cases: [(String, () throws(DataError) -> SpikeDataset)] = [
            ("timeStep", { () throws(DataError) in try SpikeDataset.loadSHD(path: path, timeStep: .zero, duration: .milliseconds(700)) }),
            ("duration", { () throws(DataError) in try SpikeDataset.loadSHD(path: path, timeStep: Self.dt, duration: .milliseconds(1)) }),
            ("downsample", { () throws(DataError) in try SpikeDataset.loadSHD(path: path, timeStep: Self.dt, steps: 10, downsample: 0) }),
            ("channels", { () throws(DataError) in try SpikeDataset.loadSHD(path: path, timeStep: Self.dt, steps: 10, channels: 0) }),
            ("classes", { () throws(DataError) in try SpikeDataset.loadSHD(path: path, timeStep: Self.dt, steps: 10, classes: 0) }),
            ("maxSamples", { () throws(DataError) in try SpikeDataset.loadSHD(path: path, timeStep: Self.dt, steps: 10, maxSamples: -1) }),
        ]
        for (field, load) in cases {
            let e = capture { try load() }
            guard case .invalidValue(_, let f, _) = e else { Issue.record("expected invalidValue for \(field), got \(String(describing: e))"); continue }
            #expect(f == field)
        }
    }
}
