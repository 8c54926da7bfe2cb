import Foundation
import SNNData

/// The file-based data loaders behind ``ExperimentConfiguration/makeData(dataOverride:)``.
///
/// Each loader has exactly one call site here, so that linking a loader into this build is a one-line change.
enum DataLoaders {
    /// Loads one SHD/SSC HDF5 file (SPEC §7) binned at `timeStep` over `duration`.
    static func loadSHD(path: String, timeStep: Duration, duration: Duration, channels: Int, downsample: Int, classes: Int?,
                        maxSamples: Int?) throws -> SpikeDataset {
        try SpikeDataset.loadSHD(path: path, timeStep: timeStep, duration: duration, channels: channels, downsample: downsample,
                                 classes: classes, maxSamples: maxSamples)
    }

    /// Opens one SHD/SSC HDF5 file for streaming (SPEC §7), binned at `timeStep` over `duration`.
    static func streamSHD(path: String, timeStep: Duration, duration: Duration, channels: Int, downsample: Int, classes: Int?,
                          maxSamples: Int?) throws -> StreamedSHDDataset {
        try StreamedSHDDataset(path: path, timeStep: timeStep, duration: duration, channels: channels, downsample: downsample,
                               classes: classes, maxSamples: maxSamples)
    }

    /// Loads DVS Gesture style event streams binned to frames: `path` is a manifest, one recording per line,
    /// `FILE LABEL` (FILE an event `.npy` — structured x, y, p, t or `[N, 4]` columns, t in µs — relative to the
    /// manifest's folder; blank lines and `#` comments skipped).
    static func loadDVS(path: String, timeStep: Duration, duration: Duration, sensorSize: [Int], downsample: Int, classes: Int) throws -> SpikeDataset {
        let text: String
        do { text = try String(contentsOfFile: path, encoding: .utf8) } catch {
            throw DataError.cannotOpen(path: path, reason: "cannot read the DVS manifest (\(error.localizedDescription))")
        }
        let folder = (path as NSString).deletingLastPathComponent
        var files: [String] = [], labels: [Int] = []
        for (number, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? ""
            let fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "," })
            if fields.isEmpty { continue }
            guard fields.count == 2, let label = Int(fields[1]) else {
                throw DataError.invalidValue(path: path, field: "line \(number + 1)", reason: "expected `FILE LABEL`, found `\(line)`")
            }
            let file = String(fields[0])
            files.append(file.hasPrefix("/") ? file : (folder as NSString).appendingPathComponent(file))
            labels.append(label)
        }
        guard !files.isEmpty else { throw DataError.invalidValue(path: path, field: "manifest", reason: "lists no recordings") }
        let size = sensorSize.count == 2 ? (height: sensorSize[0], width: sensorSize[1]) : nil
        return try SpikeDataset.loadDVSEvents(files: files, labels: labels, timeStep: timeStep, duration: duration, sensorSize: size,
                                              downsample: downsample, classes: classes)
    }
}
