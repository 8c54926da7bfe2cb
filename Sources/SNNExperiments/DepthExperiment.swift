import Foundation
import SNNData
import SNNKit

/// Activity and accuracy versus depth (issue: deep networks lose activity with depth; SPEC §3.4).
///
/// For each depth (number of feed-forward hidden LIF layers) and each initialization strategy, builds
/// `inputs → depth × hidden LIF → readout` on a Randman task, initializes it, measures every hidden layer's firing
/// rate at initialization, trains it and reports the test accuracy:
/// - ``Strategy/kaiming``: Kaiming normal (σ_W = √2/√n), data-independent;
/// - ``Strategy/fluctuationDriven``: centered fluctuation-driven with one global ν, the data's mean input rate,
///   assumed for every hidden layer too (the reference code's rule);
/// - ``Strategy/layerWiseHomeostasis``: fluctuation-driven with each layer's ν measured layer by layer on the data,
///   plus firing-rate homeostasis (lower- and upper-bound activity regularizers) and priming epochs trained on the
///   regularizer loss alone.
public struct DepthExperiment: Sendable {
    /// An initialization strategy compared by the experiment.
    public enum Strategy: String, Sendable, CaseIterable, Codable {
        /// Kaiming normal initialization.
        case kaiming
        /// Fluctuation-driven with the global input rate.
        case fluctuationDriven
        /// Fluctuation-driven with layer-wise measured rates, homeostasis and priming.
        case layerWiseHomeostasis
    }

    /// One (depth, strategy) run.
    public struct Row: Sendable, Codable {
        /// Number of hidden layers.
        public var depth: Int
        /// The strategy.
        public var strategy: Strategy
        /// Mean firing rate (Hz) of each hidden layer right after initialization.
        public var initialRatesHz: [Double]
        /// Test accuracy after training (exact per-sample).
        public var testAccuracy: Double
        /// Mean firing rate (Hz) of each hidden layer on the test set after training.
        public var finalRatesHz: [Double]
        /// Wall time of the run (s).
        public var seconds: Double
    }

    /// Depths to run.
    public var depths: [Int] = [1, 2, 4, 6, 8]
    /// Strategies to compare.
    public var strategies: [Strategy] = Strategy.allCases
    /// Neurons per hidden layer.
    public var hidden = 128
    /// Target σ_U of the fluctuation-driven strategies.
    public var sigmaU = 1.0
    /// Training epochs per run.
    public var epochs = 30
    /// Priming epochs of ``Strategy/layerWiseHomeostasis``.
    public var primingEpochs = 5
    /// Batch size.
    public var batchSize = 250
    /// Randman samples per class (10 classes, 20 units, 100 steps of 2 ms).
    public var samplesPerClass = 300
    /// Seed of data, initialization and batch order.
    public var seed: UInt64 = 1

    /// Creates the experiment with the defaults above.
    public init() {}

    /// The homeostasis regularizers (SPEC §6 reference constants for Randman): lower bound per neuron (s 100,
    /// θ_r 1e-3 spikes) and upper bound on the population mean (s 0.1, θ_r 4 spikes).
    public static let homeostasis: [Regularizer] = [
        .lowerBound(strength: 100, threshold: 1e-3, per: .neuron),
        .upperBound(strength: 0.1, threshold: 4, per: .population),
    ]

    /// Runs every (depth, strategy) pair; `onRow` is called as each finishes.
    public func run(onRow: (Row) -> Void = { _ in }) throws -> [Row] {
        let data = try Randman.classification(classes: 10, units: 20, steps: 100, timeStep: .milliseconds(2), stepFraction: 0.5,
                                              samplesPerClass: samplesPerClass, seed: seed)
        let (train, validation, test) = try data.split(0.8, 0.1, 0.1)
        var rows: [Row] = []
        for depth in depths {
            for strategy in strategies {
                let row = try run(depth: depth, strategy: strategy, train: train, validation: validation, test: test)
                rows.append(row)
                onRow(row)
            }
        }
        return rows
    }

    func run(depth: Int, strategy: Strategy, train: SpikeDataset, validation: SpikeDataset, test: SpikeDataset) throws -> Row {
        let start = Date()
        var net = try SpikingNetwork(inputs: train.channels, timeStep: train.timeStep) {
            for _ in 0..<depth { LIFLayer(hidden) }
            LeakyReadout(train.classes, tauMembrane: .milliseconds(200), initialState: -1e-2)
        }
        var rng = Xoshiro256StarStar(seed: seed &+ UInt64(depth))
        let report: InitializationReport
        switch strategy {
        case .kaiming:
            report = try net.initialize(.kaimingNormal, rates: .measured(on: train, samples: 256, layerWise: false), using: &rng)
        case .fluctuationDriven:
            report = try net.initialize(.fluctuationDriven(sigmaU: sigmaU), rates: .measured(on: train, samples: 256, layerWise: false),
                                        using: &rng)
        case .layerWiseHomeostasis:
            report = try net.initialize(.fluctuationDriven(sigmaU: sigmaU), rates: .measured(on: train, samples: 256, layerWise: true),
                                        using: &rng)
        }
        let initialRates = report.populations.filter(\.isSpiking).map { $0.measuredRateHz ?? 0 }
        let regularizers = strategy == .layerWiseHomeostasis ? Self.homeostasis : []
        let trainer = try Trainer(network: net, optimizer: SMORMS3(learningRate: 5e-3), regularizers: regularizers)
        if strategy == .layerWiseHomeostasis && primingEpochs > 0 {
            try trainer.prime(train, epochs: primingEpochs, batchSize: batchSize, seed: seed)
        }
        try trainer.fit(train, validation: nil, epochs: epochs, batchSize: batchSize, seed: seed, progress: .silent)
        let result = try trainer.evaluate(test, batchSize: batchSize)
        return Row(depth: depth, strategy: strategy, initialRatesHz: initialRates, testAccuracy: result.accuracy,
                   finalRatesHz: result.firingRatesHz, seconds: Date().timeIntervalSince(start))
    }

    /// A text table of rows: depth, strategy, initial rate per hidden layer, test accuracy.
    public static func table(_ rows: [Row]) -> String {
        var lines = ["depth  init                    test acc   initial rate per hidden layer (Hz)"]
        for r in rows {
            let rates = r.initialRatesHz.map { String(format: "%.1f", $0) }.joined(separator: " ")
            let name = r.strategy.rawValue.padding(toLength: 22, withPad: " ", startingAt: 0)
            lines.append(String(format: "%5d  ", r.depth) + name + String(format: " %8.1f %%   ", 100 * r.testAccuracy) + rates)
        }
        return lines.joined(separator: "\n")
    }

    /// `{"rows": [{"depth", "init", "initial_rates_hz", "final_rates_hz", "test_accuracy", "seconds"}, …]}`.
    public static func jsonObject(_ rows: [Row]) -> [String: Any] {
        ["rows": rows.map { r in
            ["depth": r.depth, "init": r.strategy.rawValue, "initial_rates_hz": r.initialRatesHz, "final_rates_hz": r.finalRatesHz,
             "test_accuracy": r.testAccuracy, "seconds": r.seconds] as [String: Any]
        }]
    }
}
