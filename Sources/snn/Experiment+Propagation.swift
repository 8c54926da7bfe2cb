import ArgumentParser
import Foundation
import SNNExperiments

extension Experiment {
    /// `snn experiment propagation`: the 100-layer binary threshold network of Micheli et al. 2024 (SPEC §4).
    struct Propagation: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Fraction of active units at layers 1, 2, 5, 10, 50, 100 of a binary threshold network (T = 1, θ = 1, "
                + "batch 256) for Kaiming, Micheli et al. 2024 (n·Var[W] = 1/(1 − Φ(θ))), its finite-width variant and "
                + "fluctuation-driven initialization, widths 1000 and 100.")

        @Option(help: "Comma-separated layer widths.") var widths = "1000,100"
        @Option(help: "Number of layers.") var depth = 100
        @Option(help: "Samples per batch.") var batch = 256
        @Option(help: "Threshold θ (standardized units).") var threshold = 1.0
        @Option(help: "Seed.") var seed: UInt64 = 1
        @Flag(help: "End the output with one JSON object of the results.") var json = false

        func run() throws {
            var experiment = PropagationExperiment()
            experiment.widths = widths.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
            guard !experiment.widths.isEmpty, experiment.widths.allSatisfy({ $0 > 0 }) else {
                throw ValidationError("--widths must be positive integers separated by commas, found \(widths)")
            }
            guard depth > 0, batch > 0 else { throw ValidationError("--depth and --batch must be positive") }
            guard threshold.isFinite else { throw ValidationError("--threshold must be finite") }
            experiment.depth = depth
            experiment.batch = batch
            experiment.threshold = threshold
            experiment.seed = seed
            experiment.reportedLayers = [1, 2, 5, 10, 50, 100].filter { $0 <= depth }
            if !experiment.reportedLayers.contains(depth) { experiment.reportedLayers.append(depth) }
            var first = true
            let rows = experiment.run { row in
                let lines = PropagationExperiment.table([row]).split(separator: "\n")
                if first { print(lines[0]) }
                first = false
                print(lines.last!, String(format: "  (%.1f s)", row.seconds))
            }
            print("\n" + PropagationExperiment.table(rows))
            if json { printJSON(PropagationExperiment.jsonObject(rows)) }
        }
    }
}
