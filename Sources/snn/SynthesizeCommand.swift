import ArgumentParser
import Foundation
import SNNData

/// `snn synthesize-shd OUT.h5`: a synthetic data set in the exact SHD format, to run the SHD configurations without a
/// download (`snn train configs/shd-dale.yaml --data OUT.h5`).
struct SynthesizeSHD: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "synthesize-shd",
        abstract: "Write a synthetic SHD-format HDF5 file (700 channels, 20 classes, Randman spike timings, 0.7 s at 2 ms).")

    @Argument(help: "Output path (.h5).") var output: String
    @Option(name: .customLong("samples-per-class"), help: "Samples per class.") var samplesPerClass = 40
    @Option(name: .customLong("spikes-per-unit"), help: "Spikes per channel and sample (SHD averages about 11 per channel).")
    var spikesPerUnit = 1
    @Option(help: "Seed.") var seed: UInt64 = 1

    func run() throws {
        guard samplesPerClass > 0 else { throw ValidationError("--samples-per-class must be positive, found \(samplesPerClass)") }
        guard spikesPerUnit > 0 else { throw ValidationError("--spikes-per-unit must be positive, found \(spikesPerUnit)") }
        do {
            let data = try SyntheticSHD.write(to: output, samplesPerClass: samplesPerClass, spikesPerUnit: spikesPerUnit, seed: seed)
            print("wrote \(output): \(data.count) samples, \(data.classes) classes, \(data.channels) channels, \(data.steps) steps of 2 ms, "
                  + "\(data.eventSteps.count) events")
        } catch {
            fail(error)
        }
    }
}
