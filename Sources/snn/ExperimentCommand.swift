import ArgumentParser
import Foundation
import SNNExperiments

/// `snn experiment …`: the experiments of the papers, each printing a table and optionally one JSON object.
struct Experiment: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run a reference experiment and print its table (and, with --json, one JSON object).",
        subcommands: [Depth.self, Propagation.self, Collapse.self, SurrogateTheory.self])

    struct Depth: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Firing rates at initialization and test accuracy vs depth (1–8 hidden layers, Randman) for Kaiming, "
                + "fluctuation-driven, and fluctuation-driven with layer-wise ν + homeostasis + priming.")

        @Option(help: "Comma-separated depths.") var depths = "1,2,4,6,8"
        @Option(help: "Training epochs per run.") var epochs = 30
        @Option(name: .customLong("priming-epochs"), help: "Priming epochs (homeostasis strategy).") var primingEpochs = 5
        @Option(help: "Neurons per hidden layer.") var hidden = 128
        @Option(name: .customLong("samples-per-class"), help: "Randman samples per class.") var samplesPerClass = 300
        @Option(help: "Seed.") var seed: UInt64 = 1
        @Flag(help: "End the output with one JSON object of the results.") var json = false

        func run() throws {
            var experiment = DepthExperiment()
            experiment.depths = depths.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
            guard !experiment.depths.isEmpty, experiment.depths.allSatisfy({ $0 > 0 }) else {
                throw ValidationError("--depths must be positive integers separated by commas, found \(depths)")
            }
            experiment.epochs = epochs
            experiment.primingEpochs = primingEpochs
            experiment.hidden = hidden
            experiment.samplesPerClass = samplesPerClass
            experiment.seed = seed
            do {
                let rows = try experiment.run { row in
                    print(DepthExperiment.table([row]).split(separator: "\n").last!, "  (\(String(format: "%.0f", row.seconds)) s)")
                }
                print("\n" + DepthExperiment.table(rows))
                if json { printJSON(DepthExperiment.jsonObject(rows)) }
            } catch {
                fail(error)
            }
        }
    }
}
