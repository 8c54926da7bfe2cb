import ArgumentParser
import Foundation
import SNNData
import SNNExperiments

/// `snn data PATH`: summarizes a data file (SHD/SSC HDF5, NumPy dense or RAS, DVS events, IDX images).
struct DataCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "data",
        abstract: "Summarize a data file: samples, classes, channels, duration and input firing rates.",
        discussion: """
            The format is told from the file: SHD/SSC HDF5 (.h5), NumPy .npz with 'spikes' (dense 0/1) or 'times'/'units' \
            (RAS), .npy dense [samples, T, channels] or DVS events (x, y, p, t), or MNIST-style IDX images (latency-coded). \
            Event times are binned with --time-step over --duration. A bad file prints one line naming the file and field \
            and exits with status 1.
            """)

    @Argument(help: "The data file.") var path: String
    @Flag(help: "Print one JSON object (keys samples, classes, channels, duration_s, mean_rate_hz, …).") var json = false
    @Option(name: .customLong("time-step"), help: "The time step Δt, e.g. 2ms, 500us.") var timeStep = "2ms"
    @Option(help: "The window per sample for event times, e.g. 0.7s, 700ms.") var duration = "0.7s"

    func validate() throws {
        _ = try Self.parseDuration(timeStep, option: "--time-step")
        _ = try Self.parseDuration(duration, option: "--duration")
    }

    func run() throws {
        do {
            let summary = try DataSummary.load(path: path, timeStep: Self.parseDuration(timeStep, option: "--time-step"),
                                               duration: Self.parseDuration(duration, option: "--duration"))
            if json { printJSON(summary.jsonObject) } else { print(summary) }
        } catch {
            fail(error)
        }
    }

    /// A positive duration with a unit ("2ms", "0.7s", "500 us"), parsed exactly.
    static func parseDuration(_ text: String, option: String) throws -> Duration {
        let value: Duration
        do {
            value = try DurationValue(parsing: text).duration
        } catch {
            throw ValidationError("\(option): \(error.reason)")
        }
        guard value > .zero else { throw ValidationError("\(option) must be positive, found \(text)") }
        return value
    }
}
