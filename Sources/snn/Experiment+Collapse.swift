import ArgumentParser
import Foundation
import SNNExperiments

extension Experiment {
    /// `snn experiment collapse`: firing-rate collapse of IF neurons and its remedies (Perez-Nieves & Goodman 2023, SPEC §5).
    struct Collapse: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Mean rate over T = 100 / 1000 / 10000 steps of IF neurons driven by x_t ~ N(0, 0.5²) (θ = 1, subtractive "
                + "reset) vs the remedies: lower bound −1, drift 0.05, leak β = 0.9; with the theoretical rates.")

        @Option(help: "Comma-separated simulation lengths T.") var steps = "100,1000,10000"
        @Option(help: "Independent neurons per model.") var neurons = 10_000
        @Option(help: "Seed.") var seed: UInt64 = 1
        @Flag(help: "End the output with one JSON object of the results.") var json = false

        func run() throws {
            var experiment = CollapseExperiment()
            experiment.steps = steps.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
            guard !experiment.steps.isEmpty, experiment.steps.allSatisfy({ $0 > 0 }), Set(experiment.steps).count == experiment.steps.count else {
                throw ValidationError("--steps must be distinct positive integers separated by commas, found \(steps)")
            }
            guard neurons > 0 else { throw ValidationError("--neurons must be positive") }
            experiment.neurons = neurons
            experiment.seed = seed
            let rows = experiment.run()
            print(CollapseExperiment.table(rows))
            if json { printJSON(CollapseExperiment.jsonObject(rows)) }
        }
    }
}
