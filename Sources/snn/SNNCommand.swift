import ArgumentParser
import Foundation
import SNNData
import SNNExperiments
import SNNKit

@main
struct SNNCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "snn",
        abstract: "Train spiking neural networks with surrogate gradients and fluctuation-driven initialization.",
        discussion: """
            With no arguments, `snn train` reproduces the shallow Randman experiment of Rossbroich et al. 2022; \
            `snn train CONFIG` runs a YAML experiment configuration (configs/*.yaml).
            """,
        subcommands: [Train.self, Initialize.self, Experiment.self, DataCommand.self, Export.self, SynthesizeSHD.self],
        defaultSubcommand: Train.self
    )
}

/// The architecture and initialization shared by `train` and `init`: the reference shallow Randman experiment.
struct ExperimentOptions: ParsableArguments {
    @Option(help: "Hidden LIF neurons.") var hidden = 128
    @Flag(help: "Make the hidden layer all-to-all recurrent.") var recurrent = false
    @Option(name: .customLong("sigma-u"), help: "Target σ_U of the free membrane (fluctuation-driven, centered).") var sigmaU = 1.0
    @Option(help: "Seed of initialization and batch order.") var seed: UInt64 = 1
    @Option(name: .customLong("data-seed"), help: "Seed of the Randman data set.") var dataSeed: UInt64 = 1
    @Option(help: "Randman classes.") var classes = 10
    @Option(help: "Randman input units.") var units = 20
    @Option(name: .customLong("samples-per-class"), help: "Randman samples per class.") var samplesPerClass = 1000
    @Option(name: .customLong("superspike-beta"), help: "SuperSpike surrogate steepness β.") var beta: Float = 20
    @Option(name: .customLong("escape-noise-beta"),
            help: "Stochastic hidden neurons (paper 4): spikes Bernoulli(σ(β·(U − θ))), surrogate σ′ (reference β 10, with --sigma-u 1.3).")
    var escapeNoiseBeta: Float?

    static let steps = 100
    static let timeStep = Duration.milliseconds(2)

    func makeData() throws -> (train: SpikeDataset, validation: SpikeDataset, test: SpikeDataset) {
        let data = try Randman.classification(classes: classes, units: units, steps: Self.steps, timeStep: Self.timeStep,
                                              stepFraction: 0.5, samplesPerClass: samplesPerClass, alpha: 1, seed: dataSeed)
        return try data.split(0.8, 0.1, 0.1)
    }

    func makeNetwork() throws -> SpikingNetwork {
        let duration = Duration.milliseconds(2 * Self.steps)
        return try SpikingNetwork(inputs: units, timeStep: Self.timeStep) {
            LIFLayer(hidden, tauMembrane: .milliseconds(20), tauSynapse: .milliseconds(10), isRecurrent: recurrent,
                     surrogate: .superSpike(beta: beta), escapeNoise: escapeNoiseBeta.map { .sigmoid(beta: $0) })
            LeakyReadout(classes, tauMembrane: duration, tauSynapse: .milliseconds(10), initialState: -1e-2)
        }
    }

    func initialize(_ net: inout SpikingNetwork, on train: SpikeDataset) throws -> InitializationReport {
        var rng = Xoshiro256StarStar(seed: seed)
        return try net.initialize(.fluctuationDriven(sigmaU: sigmaU), rates: .measured(on: train, samples: 256), using: &rng)
    }
}

/// Prints a failure as one line on standard error and exits with status 1.
func fail(_ error: Error) -> Never {
    FileHandle.standardError.write(Data("snn: error: \(error)\n".utf8))
    Foundation.exit(1)
}

func printJSON(_ object: [String: Any]) {
    let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data("{}".utf8)
    print(String(decoding: data, as: UTF8.self))
}

struct Train: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Train a network (default: 20 → 128 LIF → 10 readout on Randman, SMORMS3 5e-3, 200 epochs).",
        discussion: """
            With CONFIG, runs that YAML experiment configuration (see configs/); then only --data, --streaming, --epochs, --time-chunk, \
            --checkpoint, --resume, --json and --quiet apply, and the architecture and training flags are rejected. \
            --checkpoint writes a safetensors checkpoint (network, optimizer state, epoch, seeds, metrics) after every \
            epoch; --resume continues a run from one: give the same flags or configuration as the interrupted run, \
            --epochs counting the whole run, and the result equals the uninterrupted run's.
            """)

    @Argument(help: "A YAML experiment configuration (e.g. configs/randman.yaml); without one, the shallow Randman experiment.")
    var config: String?
    @Option(help: "With a configuration: the training data file, replacing data.path (shd, dvs).") var data: String?
    @Flag(help: "With an SHD configuration: read each batch from the files instead of loading them (sets data.streaming).")
    var streaming = false
    @OptionGroup var experiment: ExperimentOptions
    @Option(help: "Epochs (default 200; with a configuration, replaces training.epochs).") var epochs: Int?
    @Option(name: .customLong("batch-size"), help: "Batch size.") var batchSize = 250
    @Option(name: .customLong("learning-rate"), help: "SMORMS3 learning rate.") var learningRate = 5e-3
    @Option(help: "Write a checkpoint here after every epoch (safetensors, atomic; with CONFIG, replaces training.checkpoint).")
    var checkpoint: String?
    @Option(help: "Continue the run saved in this checkpoint (same flags or CONFIG as that run; --epochs is the total).")
    var resume: String?
    @Option(help: "Threads of SNNKit's own kernels (BLAS stays single-threaded).") var threads = 2
    @Option(name: .customLong("time-chunk"),
            help: "Bounded-memory mode: back-propagate through time in chunks of this many steps (with CONFIG, replaces training.timeChunkSteps).")
    var timeChunk: Int?
    @Flag(help: "End the output with one JSON object of the results.") var json = false
    @Flag(help: "Print only the final result (and the JSON object).") var quiet = false

    func validate() throws {
        if let epochs, epochs <= 0 { throw ValidationError("--epochs must be positive, found \(epochs)") }
        if config == nil, data != nil { throw ValidationError("--data replaces the data file of a configuration: give CONFIG too") }
        if config == nil, streaming { throw ValidationError("--streaming reads the SHD files of a configuration batch by batch: give CONFIG too") }
        if config != nil {
            let flags = try flagsWithoutEffect()
            guard flags.isEmpty else {
                throw ValidationError("\(flags.joined(separator: ", ")) \(flags.count == 1 ? "does" : "do") not apply with a configuration; set the value in the configuration file")
            }
        }
        guard batchSize > 0 else { throw ValidationError("--batch-size must be positive, found \(batchSize)") }
        guard learningRate > 0, learningRate.isFinite else { throw ValidationError("--learning-rate must be positive, found \(learningRate)") }
        guard experiment.sigmaU > 0 else { throw ValidationError("--sigma-u must be positive, found \(experiment.sigmaU)") }
        guard experiment.hidden > 0 else { throw ValidationError("--hidden must be positive, found \(experiment.hidden)") }
        guard threads > 0 else { throw ValidationError("--threads must be positive, found \(threads)") }
        if let timeChunk, timeChunk <= 0 { throw ValidationError("--time-chunk must be positive, found \(timeChunk)") }
    }

    /// The architecture and training flags given with a configuration (they would be ignored, so they are errors).
    private func flagsWithoutEffect() throws -> [String] {
        let defaults = try Train.parse([])
        let (e, d) = (experiment, defaults.experiment)
        let checks: [(Bool, String)] = [
            (e.hidden != d.hidden, "--hidden"), (e.recurrent, "--recurrent"), (e.sigmaU != d.sigmaU, "--sigma-u"), (e.seed != d.seed, "--seed"),
            (e.dataSeed != d.dataSeed, "--data-seed"), (e.classes != d.classes, "--classes"), (e.units != d.units, "--units"),
            (e.samplesPerClass != d.samplesPerClass, "--samples-per-class"), (e.beta != d.beta, "--superspike-beta"),
            (e.escapeNoiseBeta != nil, "--escape-noise-beta"),
            (batchSize != defaults.batchSize, "--batch-size"), (learningRate != defaults.learningRate, "--learning-rate"),
            (threads != defaults.threads, "--threads"),
        ]
        return checks.filter(\.0).map(\.1)
    }

    func run() throws {
        if let config { return runConfiguration(at: config) }
        let epochs = self.epochs ?? 200
        do {
            let start = Date()
            let (train, validation, test) = try experiment.makeData()
            var net = try experiment.makeNetwork()
            let report = try experiment.initialize(&net, on: train)
            if !quiet { print(report) }
            let trainer = try Trainer(network: net, loss: .maxOverTimeCrossEntropy, optimizer: SMORMS3(learningRate: learningRate),
                                      regularizers: [.lowerBound(strength: 100, threshold: 1e-3, per: .neuron),
                                                     .upperBound(strength: 0.1, threshold: 4, per: .population)])
            trainer.threadCount = threads
            trainer.timeChunkSteps = timeChunk
            if let resume {
                try trainer.restore(from: URL(fileURLWithPath: resume))
                if !quiet { print("resuming after epoch \(trainer.completedEpochs) of \(epochs) from \(resume)") }
            }
            let summary = try trainer.fit(train, validation: validation, epochs: epochs, batchSize: batchSize, seed: experiment.seed,
                                          progress: quiet ? .silent : .automatic, checkpoint: checkpoint.map { URL(fileURLWithPath: $0) })
            let result = try trainer.evaluate(test, batchSize: batchSize)
            let seconds = Date().timeIntervalSince(start)
            print("test: \(result)")
            print(String(format: "wall time %.1f s", seconds))
            if json {
                let initRates = report.populations.filter(\.isSpiking).map { $0.measuredRateHz ?? 0 }
                printJSON(["test_accuracy": result.accuracy, "test_loss": result.loss, "epochs": epochs, "init_rate_hz": initRates,
                           "seconds": seconds, "train_seconds": summary.seconds,
                           "final_validation_accuracy": summary.epochs.last?.validation?.accuracy ?? NSNull()])
            }
        } catch {
            fail(error)
        }
    }
}

extension Train {
    /// `snn train CONFIG`: loads, applies --epochs, --checkpoint, --streaming, --data and --resume, runs, prints the test result (and the JSON object).
    func runConfiguration(at path: String) {
        do {
            var configuration = try ExperimentConfiguration.load(from: path)
            if let epochs { configuration = configuration.overridingEpochs(epochs) }
            if let checkpoint { configuration = configuration.overridingCheckpoint(checkpoint) }
            if let timeChunk { configuration = configuration.overridingTimeChunk(timeChunk) }
            if streaming { configuration = try configuration.overridingStreaming() }
            let result = try configuration.run(progress: quiet ? .silent : .automatic, dataOverride: data,
                                               resumingFrom: resume.map { URL(fileURLWithPath: $0) },
                                               log: { line in if !quiet { print(line) } })
            print("test: \(result.test)")
            print(String(format: "wall time %.1f s", result.seconds))
            if json { printJSON(result.jsonObject) }
        } catch {
            fail(error)
        }
    }
}

struct Initialize: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init",
        abstract: "Initialize the network from the data and report per projection and population what it produced.")

    @OptionGroup var experiment: ExperimentOptions
    @Flag(help: "Print the report as one JSON object.") var json = false

    func run() throws {
        do {
            let (train, _, _) = try experiment.makeData()
            var net = try experiment.makeNetwork()
            let report = try experiment.initialize(&net, on: train)
            if json { printJSON(report.jsonObject) } else { print(report) }
        } catch {
            fail(error)
        }
    }
}
