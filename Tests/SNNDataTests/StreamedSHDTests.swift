import Foundation
import SNNData
import SNNKit
import Testing

/// `StreamedSHDDataset`: an SHD/SSC file read batch by batch gives exactly the loaded data set's samples, trains to the
/// same weights, splits and augments alike, and reports damaged files and bad samples as typed errors.
@Suite("Streaming SHD files")
struct StreamedSHDTests {
    static let dt: Duration = .milliseconds(2)

    /// A random SHD-format file written by `writeSHD`: `samples` samples of 20 classes on 700 channels, 20–400 events
    /// each within 60 steps of 2 ms (time-ordered as in SHD, some repeated in one bin, which count once on reading).
    /// Runs `body` with the path of a synthetic file (``writeSynthetic(_:samples:seed:)``) in a temporary directory.
    static func withSyntheticFile(_ name: String, _ body: (String) throws -> Void) throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanUp() }
        let path = dir.file(name)
        try writeSynthetic(path)
        try body(path)
    }

    static func writeSynthetic(_ path: String, samples: Int = 120, seed: UInt64 = 4) throws {
        var rng = Xoshiro256StarStar(seed: seed)
        var offsets = [0], steps: [Int32] = [], channels: [Int32] = [], labels: [Int] = []
        for _ in 0..<samples {
            var events = (0..<Int.random(in: 20...400, using: &rng)).map { _ in
                (Int32.random(in: 0..<60, using: &rng), Int32.random(in: 0..<700, using: &rng))
            }
            events += events.prefix(3)   // repeats in one bin
            events.sort { $0.0 < $1.0 }
            steps += events.map(\.0)
            channels += events.map(\.1)
            offsets.append(steps.count)
            labels.append(Int.random(in: 0..<20, using: &rng))
        }
        try SpikeDataset(channels: 700, steps: 60, timeStep: dt, classes: 20, eventOffsets: offsets, eventSteps: steps,
                         eventChannels: channels, labels: labels).writeSHD(to: path)
    }

    /// Expects two data sets to hold the same samples: grid, labels and events in order.
    static func expectSame(_ a: SpikeDataset, _ b: SpikeDataset, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(a.channels == b.channels && a.steps == b.steps && a.timeStep == b.timeStep && a.classes == b.classes,
                sourceLocation: sourceLocation)
        #expect(a.labels == b.labels, sourceLocation: sourceLocation)
        #expect(a.eventOffsets == b.eventOffsets, sourceLocation: sourceLocation)
        #expect(a.eventSteps == b.eventSteps, sourceLocation: sourceLocation)
        #expect(a.eventChannels == b.eventChannels, sourceLocation: sourceLocation)
    }

    /// The dense `[T, B, N]` batch of `indices`.
    static func dense<S: SpikeSampleSource>(_ source: S, _ indices: [Int]) throws(S.Failure) -> [Float] {
        var buffer = [Float](repeating: .nan, count: source.steps * indices.count * source.channels)
        try buffer.withUnsafeMutableBufferPointer { (p) throws(S.Failure) in try source.fillDense(indices, into: p) }
        return buffer
    }

    // MARK: - Batches

    @Test("Streamed batches equal the loaded data set's for random index sets (any order, repeats), downsampling 1 and 3",
          arguments: [1, 3])
    func batchesMatchLoaded(downsample: Int) throws {
        try Self.withSyntheticFile("shd.h5") { path in
            let loaded = try SpikeDataset.loadSHD(path: path, timeStep: Self.dt, steps: 50, downsample: downsample, classes: 20)
            let stream = try StreamedSHDDataset(path: path, timeStep: Self.dt, steps: 50, downsample: downsample, classes: 20)
            #expect(stream.count == loaded.count && stream.channels == loaded.channels && stream.channels == (700 + downsample - 1) / downsample)
            #expect(stream.labels == loaded.labels && stream.classes == loaded.classes && stream.steps == 50)
            var rng = Xoshiro256StarStar(seed: 9)
            for size in [1, 7, 33] {
                var indices = (0..<size).map { _ in Int.random(in: 0..<loaded.count, using: &rng) }
                if size > 1 { indices[size - 1] = indices[0] }   // a repeat
                let batch = try stream.batch(indices)
                #expect(batch.labels == indices.map { loaded.labels[$0] })
                Self.expectSame(batch.makeDataset(), loaded.subset(indices))
                #expect(try Self.dense(stream, indices) == Self.dense(loaded, indices))
            }
            Self.expectSame(try stream.loadSamples(0..<stream.count), loaded)   // consecutive rows: one hyperslab
            #expect(try stream.channelRates() == loaded.channelRates())         // ν: one streaming pass, exact
            #expect(try stream.meanRate() == loaded.meanRate())
        }
    }

    @Test("Binning edge cases stream as they load: float32 bins, repeats in one bin, the 349-step window, 1e30 s, maxSamples")
    func binningEdgeCases() throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanUp() }
        let path = dir.file("bins.h5")
        let times: [Float] = [0, 0.0019, 0.002, 0.0021, 0.0021, 0.6979, 0.698, 0.75, 1e30]
        let units: [UInt16] = [5, 5, 5, 5, 6, 7, 8, 9, 10]
        try SHDTests.writeRaw(path, times: [times, [0.0019, 0], [], [0.5, 0.5]], units: [units, [3, 3], [], [699, 698]],
                              labels: [1, 0, 2, 1])
        for maxSamples in [nil, 3] {
            let loaded = try SpikeDataset.loadSHD(path: path, timeStep: Self.dt, duration: .milliseconds(700), downsample: 2,
                                                  maxSamples: maxSamples)
            let stream = try StreamedSHDDataset(path: path, timeStep: Self.dt, duration: .milliseconds(700), downsample: 2,
                                                maxSamples: maxSamples)
            #expect(stream.steps == 349 && stream.count == loaded.count && stream.classes == loaded.classes)
            for indices in [[0], [1, 0], [loaded.count - 1, 0, 1, 0], Array(0..<loaded.count)] {
                Self.expectSame(try stream.batch(indices).makeDataset(), loaded.subset(indices))
            }
        }
        let first = try StreamedSHDDataset(path: path, timeStep: Self.dt, duration: .milliseconds(700)).batch([0]).dataset
        #expect(first.eventSteps == [0, 1, 1, 348] && first.eventChannels == [5, 5, 6, 7])
    }

    @Test("HDF5File.readVariableLength(rows: [Int]) returns the rows asked for, in order; a row past the end is wrongShape")
    func readRowsByIndex() throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanUp() }
        let path = dir.file("rows.h5")
        let rows: [[Int32]] = (0..<10).map { r in (0..<(r % 4)).map { Int32(r * 10 + $0) } }
        let writer = try HDF5File(creatingAt: path)
        try writer.writeVariableLength(rows, to: "r")
        writer.close()
        let file = try HDF5File(readingFrom: path)
        for indices in [[7, 2, 9], [3, 3, 1], [4, 5, 6], [], [0]] {
            #expect(try file.readVariableLength("r", rows: indices, as: Int32.self).rows == indices.map { rows[$0] })
        }
        let e = capture { try file.readVariableLength("r", rows: [2, 10], as: Int32.self) }
        guard case .wrongShape = e else { Issue.record("expected wrongShape, got \(String(describing: e))"); return }
        expectNames(e, path, "r")
    }

    // MARK: - Training

    @Test("Two epochs (with priming and validation) streamed give bit-identical weights, metrics and test result to loaded")
    func trainingMatchesLoaded() throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanUp() }
        let path = dir.file("train.h5")
        try SyntheticSHD.write(to: path, samplesPerClass: 5, steps: 60, timeStep: Self.dt, stepFraction: 0.9, seed: 4)
        let loaded = try SpikeDataset.loadSHD(path: path, timeStep: Self.dt, steps: 50, downsample: 4, classes: 20)
        let stream = try StreamedSHDDataset(path: path, timeStep: Self.dt, steps: 50, downsample: 4, classes: 20)

        func run<S: SpikeSampleSource>(_ data: S, splitting split: (S) throws -> (train: any SpikeSampleSource, validation: any SpikeSampleSource))
            throws -> (network: SpikingNetwork, history: [EpochMetrics], test: EvaluationResult, priming: [Double]) {
            let (train, validation) = try split(data)
            var net = try SpikingNetwork(inputs: 175, timeStep: Self.dt) {
                LIFLayer(24, isRecurrent: true)
                LeakyReadout(20, tauMembrane: .milliseconds(100))
            }
            var rng = Xoshiro256StarStar(seed: 2)
            try net.initialize(.fluctuationDriven(sigmaU: 1), rates: .makeMeasured(on: train, samples: 16), using: &rng)
            let trainer = try Trainer(network: net, optimizer: SMORMS3(learningRate: 5e-3),
                                      regularizers: [.lowerBound(strength: 100, threshold: 1e-3, per: .neuron),
                                                     .upperBound(strength: 0.1, threshold: 7, per: .population)])
            let priming = try trainer.prime(train, epochs: 1, batchSize: 16, seed: 3)
            let summary = try trainer.fit(train, validation: validation, epochs: 2, batchSize: 16, seed: 5, progress: .silent)
            return (trainer.network, summary.epochs, try trainer.evaluate(data, batchSize: 32), priming)
        }
        let a = try run(loaded) { d in let s = try d.splitValidation(fraction: 0.1, seed: 7); return (s.train, s.validation) }
        let b = try run(stream) { d in let s = try d.splitValidation(fraction: 0.1, seed: 7); return (s.train, s.validation) }
        #expect(a.network == b.network)
        #expect(a.priming == b.priming)
        #expect(a.history.map(\.loss) == b.history.map(\.loss))
        #expect(a.history.map(\.accuracy) == b.history.map(\.accuracy))
        #expect(a.history.map(\.firingRatesHz) == b.history.map(\.firingRatesHz))
        #expect(a.history.map { $0.validation?.loss } == b.history.map { $0.validation?.loss })
        #expect(a.test.loss == b.test.loss && a.test.accuracy == b.test.accuracy && a.test.samples == b.test.samples)
    }

    // MARK: - Splits and augmentation

    @Test("Subsets and splits of a stream hold the same samples as those of the loaded data set; views do not nest")
    func splits() throws {
        try Self.withSyntheticFile("split.h5") { path in
            let loaded = try SpikeDataset.loadSHD(path: path, timeStep: Self.dt, steps: 50)
            let stream = try StreamedSHDDataset(path: path, timeStep: Self.dt, steps: 50)
            for stratification in [SpikeDataset.Stratification.none, .byLabel] {
                let (lt, lv) = try loaded.splitValidation(fraction: 0.1, seed: 7, stratification: stratification)
                let (st, sv) = try stream.splitValidation(fraction: 0.1, seed: 7, stratification: stratification)
                #expect(st.count + sv.count == stream.count && sv.count == lv.count)
                Self.expectSame(try st.loadSamples(0..<st.count), lt)
                Self.expectSame(try sv.loadSamples(0..<sv.count), lv)
                #expect(Set(st.indices).isDisjoint(with: sv.indices))
            }
            let (l0, l1, l2) = try loaded.subset((0..<loaded.count).reversed()).split(0.5, 0.3, 0.2)
            let parts = try stream.subset((0..<stream.count).reversed()).split(fractions: [0.5, 0.3, 0.2])
            for (l, s) in zip([l0, l1, l2], parts) { Self.expectSame(try s.loadSamples(0..<s.count), l) }
            let nested: SpikeSampleSubset<StreamedSHDDataset> = parts[1].subset([2, 0])
            #expect(nested.indices == [parts[1].indices[2], parts[1].indices[0]])
            Self.expectSame(try nested.batch([1, 0]).makeDataset(), l1.subset([0, 2]))
        }
    }

    @Test("Augmenting per batch (seeded per sample) equals augmenting the loaded data set")
    func augmentation() throws {
        try Self.withSyntheticFile("augment.h5") { path in
            let loaded = try SpikeDataset.loadSHD(path: path, timeStep: Self.dt, steps: 50)
            let stream = try StreamedSHDDataset(path: path, timeStep: Self.dt, steps: 50)
            let augmentations: [SpikeAugmentation] = [.drop(probability: 0.2), .insert(hertz: 2), .timeJitter(sigma: .milliseconds(4)),
                                                      .unitJitter(sigma: 1.5)]
            let all = try loaded.augmented(augmentations, seed: 11)
            let streamed = try stream.augmented(augmentations, seed: 11)
            for indices in [[5, 3, 5], Array(0..<20)] {
                Self.expectSame(try streamed.batch(indices).makeDataset(), all.subset(indices))
            }
            let (train, _) = try stream.splitValidation(fraction: 0.1, seed: 3)
            let (loadedTrain, _) = try loaded.splitValidation(fraction: 0.1, seed: 3)
            Self.expectSame(try train.augmented(augmentations, seed: 2).loadSamples(0..<10),
                            try loadedTrain.augmented(augmentations, seed: 2).subset(0..<10))
            #expect(throws: ConfigurationError.self) { try stream.augmented([.drop(probability: 2)], seed: 1) }
        }
    }

    // MARK: - Bad files and threads

    @Test("A file truncated or overwritten after opening: the next batch is a DataError naming file and dataset, not a hang",
          .timeLimit(.minutes(1)), arguments: [true, false])
    func changedAfterOpening(truncates: Bool) throws {
        try Self.withSyntheticFile("changed.h5") { path in
            let stream = try StreamedSHDDataset(path: path, timeStep: Self.dt, steps: 50)
            _ = try stream.batch([0, 1])
            let size = try #require(FileManager.default.attributesOfItem(atPath: path)[.size] as? Int)
            let handle = try #require(FileHandle(forUpdatingAtPath: path))
            if truncates {
                try handle.truncate(atOffset: UInt64(size / 3))
            } else {   // zeros over the last three quarters, in place (this damage makes libhdf5 1.10 loop forever)
                try handle.seek(toOffset: UInt64(size / 4))
                try handle.write(contentsOf: Data(count: size - size / 4))
            }
            try handle.close()
            let e = capture { try stream.batch(Array(0..<stream.count)) }
            guard case .unreadable(_, "spikes/times", let reason) = e else { Issue.record("expected unreadable, got \(String(describing: e))"); return }
            #expect(reason.contains(truncates ? "changed on disk" : "modified on disk"), "\(reason)")
            expectNames(e, path, "spikes/times")
        }
    }

    @Test("Damaged variable-length data (global heap signatures) in the file: a DataError naming file and dataset",
          .timeLimit(.minutes(1)))
    func corruptHeaps() throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanUp() }
        let path = dir.file("corrupt.h5")
        try Self.writeSynthetic(path)
        var bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        var damaged = 0
        for k in 0..<(bytes.count - 4) where bytes[k..<(k + 4)].elementsEqual("GCOL".utf8) {   // heap collection signatures
            bytes.replaceSubrange(k..<(k + 4), with: "XXXX".utf8)
            damaged += 1
        }
        #expect(damaged > 0)
        try bytes.write(to: URL(fileURLWithPath: path))
        let stream = try StreamedSHDDataset(path: path, timeStep: Self.dt, steps: 50)   // labels and shapes are intact
        let e = capture { try stream.batch([0, 5]) }
        guard case .unreadable(_, "spikes/times", _) = e else { Issue.record("expected unreadable, got \(String(describing: e))"); return }
        expectNames(e, path, "spikes/times")
        #expect(capture { try SpikeDataset.loadSHD(path: path, timeStep: Self.dt, steps: 50) } != nil)
    }

    @Test("Bad samples fail the batches that read them, naming file, dataset and sample; other batches still read")
    func badSamples() throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanUp() }
        let path = dir.file("bad.h5")
        try SHDTests.writeRaw(path, times: [[0.01], [0.02, 0.03], [-0.5], [0.1, 0.2]], units: [[1], [2, 800], [3], [4]],
                              labels: [0, 1, 0, 1])
        let stream = try StreamedSHDDataset(path: path, timeStep: Self.dt, steps: 100)
        #expect(try stream.batch([0]).dataset.eventChannels == [1])
        let unit = capture { try stream.batch([0, 1]) }
        #expect(unit == .invalidValue(path: path, field: "spikes/units[1]", reason: "unit 800 at event 1 outside 0..<700"))
        let time = capture { try stream.batch([2]) }
        guard case .invalidValue(_, "spikes/times[2]", _) = time else { Issue.record("expected invalidValue, got \(String(describing: time))"); return }
        let length = capture { try stream.batch([3, 0]) }
        guard case .wrongShape(_, "spikes/units[3]", _, _) = length else { Issue.record("expected wrongShape, got \(String(describing: length))"); return }
        expectNames(length, path)
        #expect(capture { try stream.validate() } == unit)
        // Through the trainer: the error comes out of fit, typed.
        let net = try SpikingNetwork(inputs: 700, timeStep: Self.dt) { LeakyReadout(2, tauMembrane: .milliseconds(50)) }
        let trainer = try Trainer(network: net, optimizer: Adam())
        let fitError = capture { try trainer.fit(stream, epochs: 1, batchSize: 4, progress: .silent) }
        #expect(fitError?.path == path)
    }

    @Test("Opening checks arguments, datasets and labels as loadSHD does")
    func openingErrors() throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanUp() }
        let missing = capture { try StreamedSHDDataset(path: dir.file("none.h5"), timeStep: Self.dt, steps: 10) }
        #expect(missing == .cannotOpen(path: dir.file("none.h5"), reason: "no such file"))
        let path = dir.file("labels.h5")
        try SHDTests.writeRaw(path, times: [[0.01]], units: [[1]], labels: [25])
        let label = capture { try StreamedSHDDataset(path: path, timeStep: Self.dt, steps: 10, classes: 20) }
        #expect(label == (capture { try SpikeDataset.loadSHD(path: path, timeStep: Self.dt, steps: 10, classes: 20) }))
        let window = capture { try StreamedSHDDataset(path: path, timeStep: Self.dt, duration: .milliseconds(1)) }
        guard case .invalidValue(_, "duration", _) = window else { Issue.record("expected invalidValue, got \(String(describing: window))"); return }
    }

    @Test("Batches read from several threads at once equal those read one at a time")
    func concurrentReads() throws {
        try Self.withSyntheticFile("threads.h5") { path in
            let stream = try StreamedSHDDataset(path: path, timeStep: Self.dt, steps: 50)
            let batches = (0..<8).map { k in Array(stride(from: k, to: stream.count, by: 8)) }
            let expected = try batches.map { try stream.batch($0).dataset.eventSteps }
            let results = LockedResults(count: batches.count)
            DispatchQueue.concurrentPerform(iterations: batches.count) { k in
                results.set(k, try? stream.batch(batches[k]).dataset.eventSteps)
            }
            #expect(results.values == expected)
        }
    }
}

/// Results written from several threads.
private final class LockedResults: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: [[Int32]?]

    init(count: Int) { stored = Array(repeating: nil, count: count) }

    func set(_ k: Int, _ value: [Int32]?) {
        lock.lock()
        defer { lock.unlock() }
        stored[k] = value
    }

    var values: [[Int32]?] {
        lock.lock()
        defer { lock.unlock() }
        return stored
    }
}
