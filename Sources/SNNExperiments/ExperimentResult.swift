import Foundation
import SNNKit

/// What ``ExperimentConfiguration/run(progress:dataOverride:log:onEpoch:)`` produced: the initialization report, the
/// initial firing rates, the training history and the test result.
public struct ExperimentResult: Sendable, Codable {
    /// The mean firing rate of one spiking layer.
    public struct LayerRate: Sendable, Codable, Hashable {
        /// Index in `network.layers`.
        public var layer: Int
        /// The layer's name.
        public var name: String
        /// Mean rate over neurons, samples and time (Hz).
        public var hertz: Double

        /// Creates an entry.
        public init(layer: Int, name: String, hertz: Double) {
            self.layer = layer
            self.name = name
            self.hertz = hertz
        }
    }

    /// The configuration that ran (with any overrides applied).
    public var configuration: ExperimentConfiguration
    /// What initialization did and produced.
    public var initialization: InitializationReport
    /// Each spiking layer's firing rate right after initialization, measured on training samples.
    public var initialRates: [LayerRate]
    /// The mean regularizer loss of each priming epoch (empty without priming).
    public var primingLosses: [Double]
    /// Every training epoch's metrics.
    public var training: TrainingSummary
    /// Loss and exact per-sample accuracy on the test set.
    public var test: EvaluationResult
    /// The trained network.
    public var network: SpikingNetwork
    /// Wall time of the whole run (data, initialization, training, test), seconds.
    public var seconds: Double

    /// Creates a result.
    public init(configuration: ExperimentConfiguration, initialization: InitializationReport, initialRates: [LayerRate], primingLosses: [Double],
                training: TrainingSummary, test: EvaluationResult, network: SpikingNetwork, seconds: Double) {
        self.configuration = configuration
        self.initialization = initialization
        self.initialRates = initialRates
        self.primingLosses = primingLosses
        self.training = training
        self.test = test
        self.network = network
        self.seconds = seconds
    }

    /// The result as a JSON-ready dictionary (snake_case keys, as `snn train --json` prints it): `test_accuracy`
    /// (exact per-sample), `test_loss`, `test_mean_batch_accuracy`, `epochs`, `init_rate_hz` (per spiking layer),
    /// `init_rates`, `priming_losses`, `history` (per epoch), `final_validation_accuracy`, `best_validation_accuracy`,
    /// `best_validation_epoch`, `train_seconds`, `seconds`, `config`, `name` and `initialization` (the report's object).
    public var jsonObject: [String: Any] {
        let history: [[String: Any]] = training.epochs.map { e in
            ["epoch": e.epoch, "loss": e.loss, "regularizer_loss": e.regularizerLoss, "accuracy": e.accuracy,
             "validation_loss": e.validation?.loss ?? NSNull(), "validation_accuracy": e.validation?.accuracy ?? NSNull(),
             "rates_hz": e.firingRatesHz, "learning_rate": e.learningRate, "seconds": e.seconds]
        }
        let best = training.bestValidationEpoch
        return [
            "config": configuration.sourcePath ?? NSNull(), "name": configuration.name ?? NSNull(),
            "test_accuracy": test.accuracy, "test_loss": test.loss, "test_mean_batch_accuracy": test.meanBatchAccuracy,
            "test_samples": test.samples, "epochs": training.epochs.count,
            "init_rate_hz": initialRates.map(\.hertz),
            "init_rates": initialRates.map { ["layer": $0.layer, "name": $0.name, "hz": $0.hertz] as [String: Any] },
            "priming_losses": primingLosses, "history": history,
            "final_validation_accuracy": training.epochs.last?.validation?.accuracy ?? NSNull(),
            "best_validation_accuracy": best?.validation?.accuracy ?? NSNull(), "best_validation_epoch": best?.epoch ?? NSNull(),
            "train_seconds": training.seconds, "seconds": seconds, "initialization": initialization.jsonObject,
        ]
    }
}
