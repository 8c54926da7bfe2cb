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

    /// Loads DVS Gesture style event streams binned to frames (not written yet).
    static func loadDVS(path: String, timeStep: Duration, duration: Duration, sensorSize: [Int], downsample: Int, classes: Int) throws -> SpikeDataset {
        throw LoaderUnavailable(reason: "DVS event-stream loading not available in this build (cannot read \(path))")
    }
}

/// A data loader that is not part of this build.
struct LoaderUnavailable: Error {
    /// Which loader and which file.
    var reason: String
}
