import SNNData

extension ExperimentConfiguration {
    /// Generates or loads the data and splits it into training, validation and test sets.
    ///
    /// - Parameter dataOverride: replaces the data files of file-based data (`shd`, `dvs`), e.g. from
    ///   `snn train CONFIG --data PATH`: validation and test sets are then split off that one file (`testFraction`,
    ///   default 0.1) and the configured `testPath` is not read.
    /// - Throws: ``ConfigurationFileError`` (an override of generated data, a loader missing from this build, an empty
    ///   split) or the loader's error naming the data file.
    public func makeData(dataOverride: String? = nil) throws -> (train: SpikeDataset, validation: SpikeDataset, test: SpikeDataset) {
        let timeStep = data.timeStep.duration
        func issue(_ path: [PathComponent], _ reason: String) -> ConfigurationFileError {
            fileError(ConfigurationIssue(path: [.key("data")] + path, kind: .invalid(reason)))
        }
        let sets: [SpikeDataset]
        switch data.source {
        case let .randman(r):
            if let dataOverride {
                throw issue([.key("kind")], "a data path (\(dataOverride)) applies to file-based data (shd, dvs), not to generated randman data")
            }
            do {
                let all = try Randman.classification(classes: r.classes, units: r.units, steps: r.steps, timeStep: timeStep,
                                                     stepFraction: r.stepFraction, offsetFraction: r.offsetFraction,
                                                     spikesPerUnit: r.spikesPerUnit, samplesPerClass: r.samplesPerClass, alpha: r.alpha,
                                                     manifoldDimension: r.manifoldDimension, seed: r.seed)
                sets = try all.split(fractions: r.split)
            } catch {
                throw issue([], error.description)
            }
        case let .shd(s):
            sets = try Self.split(dataOverride ?? s.path, testPath: dataOverride == nil ? s.testPath : nil,
                                  validationFraction: s.validationFraction, testFraction: s.testFraction, seed: s.seed) { path in
                try DataLoaders.loadSHD(path: path, timeStep: timeStep, duration: s.duration.duration, channels: s.channels,
                                        downsample: s.downsample, classes: s.classes, maxSamples: s.maxSamples)
            }
        case let .dvs(d):
            sets = try Self.split(dataOverride ?? d.path, testPath: dataOverride == nil ? d.testPath : nil,
                                  validationFraction: d.validationFraction, testFraction: d.testFraction, seed: d.seed) { path in
                try DataLoaders.loadDVS(path: path, timeStep: timeStep, duration: d.duration.duration, sensorSize: d.sensorSize,
                                        downsample: d.downsample, classes: d.classes)
            }
        }
        if sets[0].count == 0 { throw issue([], "the training set is empty; use more samples or a larger training fraction") }
        if sets[2].count == 0 { throw issue([], "the test set is empty; use more samples or a larger test fraction") }
        return (sets[0], sets[1], sets[2])
    }

    /// Opens the SHD/SSC files of a `kind: shd` configuration for streaming (``SHDDataConfiguration/streaming``) and
    /// splits them into training, validation and test views: the same samples, in the same order, as
    /// ``makeData(dataOverride:)`` loads, but read batch by batch when used.
    ///
    /// - Parameter dataOverride: replaces the data file, as in ``makeData(dataOverride:)``.
    /// - Throws: ``ConfigurationFileError`` for data other than `shd` or an empty split; the loader's `DataError` naming
    ///   the data file.
    public func makeStreamedData(dataOverride: String? = nil) throws
        -> (train: SpikeSampleSubset<StreamedSHDDataset>, validation: SpikeSampleSubset<StreamedSHDDataset>,
            test: SpikeSampleSubset<StreamedSHDDataset>) {
        func issue(_ path: [PathComponent], _ reason: String) -> ConfigurationFileError {
            fileError(ConfigurationIssue(path: [.key("data")] + path, kind: .invalid(reason)))
        }
        guard case let .shd(s) = data.source else {
            throw issue([.key("kind")], "streaming reads SHD/SSC files (kind: shd), not \(data.source.kind) data")
        }
        let timeStep = data.timeStep.duration
        func open(_ path: String) throws -> StreamedSHDDataset {
            try DataLoaders.streamSHD(path: path, timeStep: timeStep, duration: s.duration.duration, channels: s.channels,
                                      downsample: s.downsample, classes: s.classes, maxSamples: s.maxSamples)
        }
        let train = try open(dataOverride ?? s.path)
        let sets: [SpikeSampleSubset<StreamedSHDDataset>]
        if let testPath = dataOverride == nil ? s.testPath : nil {
            let test = try open(testPath)
            let (training, validation) = try train.splitValidation(fraction: s.validationFraction, seed: s.seed)
            sets = [training, validation, test.subset(0..<test.count)]
        } else {
            var rng = Xoshiro256StarStar(seed: s.seed)
            var order = Array(0..<train.count)
            order.shuffle(using: &rng)
            let t = s.testFraction ?? 0.1
            sets = try train.subset(order).split(fractions: [1 - s.validationFraction - t, s.validationFraction, t])
        }
        if sets[0].count == 0 { throw issue([], "the training set is empty; use more samples or a larger training fraction") }
        if sets[2].count == 0 { throw issue([], "the test set is empty; use more samples or a larger test fraction") }
        return (sets[0], sets[1], sets[2])
    }

    /// Loads a training file (and a test file, if given) with `load` and splits them (see below).
    private static func split(_ path: String, testPath: String?, validationFraction: Double, testFraction: Double?, seed: UInt64,
                              load: (String) throws -> SpikeDataset) throws -> [SpikeDataset] {
        try split(load(path), test: testPath.map(load), validationFraction: validationFraction, testFraction: testFraction, seed: seed)
    }

    /// Shuffles a training file (seeded) and splits off validation (``SpikeDataset/splitValidation(fraction:seed:stratification:)``
    /// with a test file) and, without a test file, test samples.
    private static func split(_ train: SpikeDataset, test: SpikeDataset?, validationFraction: Double, testFraction: Double?,
                              seed: UInt64) throws -> [SpikeDataset] {
        if let test {
            let (training, validation) = try train.splitValidation(fraction: validationFraction, seed: seed)
            return [training, validation, test]
        }
        var rng = Xoshiro256StarStar(seed: seed)
        var order = Array(0..<train.count)
        order.shuffle(using: &rng)
        let shuffled = train.subset(order)
        let t = testFraction ?? 0.1
        return try shuffled.split(fractions: [1 - validationFraction - t, validationFraction, t])
    }
}
