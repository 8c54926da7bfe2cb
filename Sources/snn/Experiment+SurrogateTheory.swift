import ArgumentParser
import SNNExperiments

extension Experiment {
    /// `snn experiment surrogate-theory`: paper 4's two checks (see ``SurrogateTheoryExperiment``).
    struct SurrogateTheory: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "surrogate-theory",
            abstract: "Surrogate gradient = derivative of the expected output of a stochastic neuron; the surrogate-gradient "
                + "field has a non-zero loop integral where a true gradient's is zero (Gygax & Zenke 2024).")

        @Option(help: "Monte-Carlo samples per weight.") var samples = 200_000
        @Option(help: "Seed.") var seed: UInt64 = 1
        @Flag(help: "End the output with one JSON object of the results.") var json = false

        func run() throws {
            var e = SurrogateTheoryExperiment()
            guard samples > 0 else { throw ValidationError("--samples must be positive, found \(samples)") }
            e.samples = samples
            e.seed = seed
            let rows = e.derivativeRows(), loop = e.loop()
            print(SurrogateTheoryExperiment.table(rows, loop))
            if json { printJSON(SurrogateTheoryExperiment.jsonObject(rows, loop)) }
        }
    }
}
