import Foundation

/// How ``Trainer/fit(_:validation:epochs:batchSize:seed:progress:checkpoint:onEpoch:)`` shows progress.
public enum ProgressStyle: Sendable, Hashable {
    /// A live bar with ETA on a terminal (standard error), plain epoch lines otherwise.
    case automatic
    /// Plain epoch lines on standard output only.
    case lines
    /// Print nothing (use the epoch callback).
    case silent
}

/// Draws the live progress bar on standard error.
struct ProgressReporter {
    let style: ProgressStyle
    let epochs: Int
    /// The first epoch of this call (later than 1 when a run is continued from a checkpoint).
    var firstEpoch = 1
    let batchesPerEpoch: Int
    let start = Date()
    let isTerminal = isatty(STDERR_FILENO) != 0

    var showsBar: Bool { style == .automatic && isTerminal }
    var printsLines: Bool { style != .silent }

    func batchDone(epoch: Int, batch: Int, loss: Double) {
        guard showsBar else { return }
        let done = Double((epoch - firstEpoch) * batchesPerEpoch + batch) / Double(max(epochs - firstEpoch + 1, 1) * batchesPerEpoch)
        let elapsed = Date().timeIntervalSince(start)
        let eta = done > 0 ? elapsed * (1 - done) / done : 0
        let width = 24, filled = Int(Double(width) * Double(batch) / Double(batchesPerEpoch))
        let bar = String(repeating: "█", count: filled) + String(repeating: "·", count: width - filled)
        let line = String(format: "\r\u{1B}[2Kepoch %d/%d %@ %d/%d loss %.4f  ETA %@", epoch, epochs, bar, batch, batchesPerEpoch, loss,
                          Self.format(seconds: eta))
        FileHandle.standardError.write(Data(line.utf8))
    }

    func epochDone(_ metrics: EpochMetrics) {
        if showsBar { FileHandle.standardError.write(Data("\r\u{1B}[2K".utf8)) }
        if printsLines {
            print(metrics)
            fflush(nil)   // one line per epoch even when the output goes to a file (nil: every output stream)
        }
    }

    static func format(seconds: Double) -> String {
        let s = Int(seconds.rounded())
        return s >= 3600 ? String(format: "%dh%02dm", s / 3600, (s % 3600) / 60) : String(format: "%dm%02ds", s / 60, s % 60)
    }
}
