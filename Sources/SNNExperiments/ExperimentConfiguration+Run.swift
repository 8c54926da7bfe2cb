import Foundation
import SNNData

extension ExperimentConfiguration {
    /// Runs the experiment: data → network → initialization (report) → optional priming → training → test.
    ///
    /// SHD data with ``SHDDataConfiguration/streaming`` is read batch by batch (``makeStreamedData(dataOverride:)``),
    /// with the same result as loading it.
    ///
    /// - Parameters:
    ///   - progress: how training shows its progress.
    ///   - dataOverride: replaces the training file of file-based data (see ``makeData(dataOverride:)``).
    ///   - checkpoint: continues the run saved in this checkpoint (written by an earlier run of this configuration
    ///     through `training.checkpoint`): the network, optimizer state, epoch and seeds are restored after the
    ///     trainer is built and priming is skipped, so the result equals the uninterrupted run's.
    ///   - log: receives the initialization report, priming and resume lines (nothing is printed otherwise).
    ///   - onEpoch: called after each training epoch.
    /// - Throws: ``ConfigurationFileError`` for what SNNKit rejects (naming the section), data loader errors,
    ///   `CheckpointError` reading or writing a checkpoint.
    public func run(progress: ProgressStyle = .automatic, dataOverride: String? = nil, resumingFrom checkpoint: URL? = nil,
                    log: (String) -> Void = { _ in },
                    onEpoch: (EpochMetrics) -> Void = { _ in }) throws -> ExperimentResult {
        let start = Date()
        if case let .shd(s) = data.source, s.streaming {
            let (train, validation, test) = try makeStreamedData(dataOverride: dataOverride)
            return try run(train: train, validation: validation, test: test, start: start, progress: progress, resumingFrom: checkpoint,
                           log: log, onEpoch: onEpoch)
        }
        let (train, validation, test) = try makeData(dataOverride: dataOverride)
        return try run(train: train, validation: validation, test: test, start: start, progress: progress, resumingFrom: checkpoint,
                       log: log, onEpoch: onEpoch)
    }

    /// ``run(progress:dataOverride:resumingFrom:log:onEpoch:)`` on data in memory or streamed.
    private func run<Source: SpikeSampleSource>(train: Source, validation: Source, test: Source, start: Date, progress: ProgressStyle,
                                                resumingFrom checkpoint: URL?, log: (String) -> Void,
                                                onEpoch: (EpochMetrics) -> Void) throws -> ExperimentResult {
        var net = try makeNetwork()
        func rejected(_ section: String, _ error: ConfigurationError) -> ConfigurationFileError {
            fileError(ConfigurationIssue(path: [.key(section)], kind: .invalid(error.description)))
        }

        var rng = Xoshiro256StarStar(seed: initialization.seed)
        let report: InitializationReport
        do {
            report = try net.initialize(initialization.method.value, rates: initialization.rates.value(on: train),
                                        connectionProbability: initialization.connectionProbability, using: &rng)
        } catch let error as ConfigurationError {
            throw rejected("initialization", error)
        }
        log(report.description)
        let initialRates = try measuredRates(of: net, report: report, on: train)

        let trainer: Trainer
        do {
            trainer = try Trainer(network: net, loss: training.loss, optimizer: training.optimizer.makeOptimizer(),
                                  regularizers: training.regularizers.map(\.regularizer), schedule: training.schedule.schedule)
        } catch {
            throw rejected("training", error)
        }
        trainer.threadCount = training.threads
        trainer.timeChunkSteps = training.timeChunkSteps
        var primingLosses: [Double] = []
        if let checkpoint {
            try trainer.restore(from: checkpoint)
            log("resuming after epoch \(trainer.completedEpochs) of \(training.epochs) from \(checkpoint.path)")
        } else if training.primingEpochs > 0 {
            primingLosses = try trainer.prime(train, epochs: training.primingEpochs, batchSize: training.batchSize, seed: training.seed)
            log("priming: \(primingLosses.count) epochs, regularizer loss \(primingLosses.map { String(format: "%.4g", $0) }.joined(separator: " → "))")
        }
        let summary = try trainer.fit(train, validation: validation.count > 0 ? validation : nil, epochs: training.epochs,
                                      batchSize: training.batchSize, seed: training.seed, progress: progress,
                                      checkpoint: training.checkpoint.map { URL(fileURLWithPath: $0) }, onEpoch: onEpoch)
        let testResult = try trainer.evaluate(test, batchSize: training.batchSize)
        return ExperimentResult(configuration: self, initialization: report, initialRates: initialRates, primingLosses: primingLosses,
                                training: summary, test: testResult, network: trainer.network, seconds: Date().timeIntervalSince(start))
    }

    /// A copy that writes its checkpoint to `path` after every epoch (`snn train CONFIG --checkpoint PATH`).
    public func overridingCheckpoint(_ path: String) -> ExperimentConfiguration {
        var copy = self
        copy.training.checkpoint = path
        return copy
    }

    /// A copy that reads its SHD files batch by batch (``SHDDataConfiguration/streaming``; `snn train CONFIG --streaming`).
    /// - Throws: ``ConfigurationFileError`` naming `data.kind` unless the data are SHD files.
    public func overridingStreaming() throws -> ExperimentConfiguration {
        guard case var .shd(s) = data.source else {
            throw fileError(ConfigurationIssue(path: [.key("data"), .key("kind")],
                                               kind: .invalid("streaming reads SHD/SSC files (kind: shd), not \(data.source.kind) data")))
        }
        s.streaming = true
        var copy = self
        copy.data.source = .shd(s)
        return copy
    }

    /// A copy whose training runs for `epochs` epochs (`snn train CONFIG --epochs N`).
    public func overridingEpochs(_ epochs: Int) -> ExperimentConfiguration {
        var copy = self
        copy.training.epochs = epochs
        return copy
    }

    /// The same experiment trained in the bounded-memory mode with chunks of `steps` steps (`snn train --time-chunk`).
    public func overridingTimeChunk(_ steps: Int) -> ExperimentConfiguration {
        var copy = self
        copy.training.timeChunkSteps = steps
        return copy
    }

    /// Each spiking layer's rate after initialization: from the report when it measured them, else measured on up to
    /// 256 training samples.
    private func measuredRates(of net: SpikingNetwork, report: InitializationReport, on train: some SpikeSampleSource) throws -> [ExperimentResult.LayerRate] {
        let spiking = report.populations.filter(\.isSpiking)
        if spiking.allSatisfy({ $0.measuredRateHz != nil }) {
            return spiking.map { ExperimentResult.LayerRate(layer: $0.layer, name: $0.name, hertz: $0.measuredRateHz!) }
        }
        let sample = try train.loadSamples(0..<min(256, train.count))
        let statistics = try net.measureActivity(on: sample, samples: Array(0..<sample.count))
        return net.layers.indices.filter { net.layers[$0].neuron.isSpiking }.map {
            ExperimentResult.LayerRate(layer: $0, name: net.layers[$0].name, hertz: statistics[$0].rateHz)
        }
    }
}
