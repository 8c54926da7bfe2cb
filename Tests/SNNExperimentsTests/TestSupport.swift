import Foundation
import Testing
import SNNExperiments

/// The repository root, found from this file's path.
let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

/// Every `configs/*.yaml` file, by name.
let configurationFiles: [String] = {
    let folder = repositoryRoot.appendingPathComponent("configs")
    let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
    return names.filter { $0.hasSuffix(".yaml") }.sorted()
}()

/// Loads `configs/<name>`.
func loadConfiguration(_ name: String) throws -> ExperimentConfiguration {
    try ExperimentConfiguration.load(from: repositoryRoot.appendingPathComponent("configs").appendingPathComponent(name).path)
}

/// A small valid configuration: 3-class Randman, 20 units, 50 steps → 32 LIF → 3 readout.
let tinyRandman = """
    data:
      kind: randman
      timeStep: 2 ms
      classes: 3
      units: 20
      steps: 50
      samplesPerClass: 100
      seed: 1
    network:
      layers:
        - {type: lif, size: 32}
        - {type: readout, size: 3, tauMembrane: 100 ms, initialState: -1e-2}
    training:
      epochs: 2
      batchSize: 20
      optimizer: {type: smorms3, learningRate: 2e-2}
      regularizers:
        - {type: lowerBound, strength: 100, threshold: 1e-3, per: neuron}
        - {type: upperBound, strength: 0.1, threshold: 4, per: population}
    """

/// `tinyRandman` with one line replaced (the replaced text must occur).
func tinyRandman(replacing old: String, with new: String) -> String {
    precondition(tinyRandman.contains(old), "the tiny configuration has no \(old)")
    return tinyRandman.replacingOccurrences(of: old, with: new)
}

/// Parses `yaml` as `configs/bad.yaml` and returns the error it must raise.
func configurationError(_ yaml: String, sourceLocation: SourceLocation = #_sourceLocation) -> ConfigurationFileError? {
    do {
        _ = try ExperimentConfiguration.parse(yaml: yaml, file: "configs/bad.yaml")
        Issue.record("expected an error", sourceLocation: sourceLocation)
        return nil
    } catch let error as ConfigurationFileError {
        return error
    } catch {
        Issue.record("expected a ConfigurationFileError, got \(error)", sourceLocation: sourceLocation)
        return nil
    }
}
