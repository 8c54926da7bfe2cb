import SNNKit

/// A synthetic data set in the SHD format: 700 channels, 20 classes, Randman spike timings (Zenke & Vogels 2021).
///
/// Each class is one random manifold (per spike); every channel fires `spikesPerUnit` times per sample and
/// only the timing carries the class (see ``Randman/classification(classes:units:steps:timeStep:stepFraction:offsetFraction:spikesPerUnit:samplesPerClass:alpha:manifoldDimension:seed:)``).
/// It exercises the SHD loader and the training pipeline without a download.
public enum SyntheticSHD {
    /// Number of input channels, as in SHD.
    public static let channels = 700
    /// Number of classes, as in SHD.
    public static let classes = 20

    /// The synthetic data set in memory.
    ///
    /// - Parameters:
    ///   - samplesPerClass: Samples per class (SHD has about 400 per class in its training set).
    ///   - steps: Number of time steps `T`; 350 steps of 2 ms span SHD's usual 0.7 s window.
    ///   - timeStep: The time step Δt.
    ///   - stepFraction: Spikes fall in the first `stepFraction` of the window.
    ///   - spikesPerUnit: Spikes per channel and sample.
    ///   - seed: The random seed; equal seeds give identical data sets.
    /// - Throws: ``ConfigurationError`` for invalid parameters.
    public static func dataset(samplesPerClass: Int = 20, steps: Int = 350, timeStep: Duration = .milliseconds(2),
                               stepFraction: Double = 0.5, spikesPerUnit: Int = 1, seed: UInt64 = 1) throws(ConfigurationError) -> SpikeDataset {
        try Randman.classification(classes: classes, units: channels, steps: steps, timeStep: timeStep, stepFraction: stepFraction,
                                   spikesPerUnit: spikesPerUnit, samplesPerClass: samplesPerClass, seed: seed)
    }

    /// Generates the synthetic data set and writes it as an SHD-format HDF5 file at `path` (atomically).
    ///
    /// Read it back with ``SpikeDataset/loadSHD(path:timeStep:duration:channels:downsample:classes:maxSamples:)``
    /// (e.g. Δt 2 ms, duration 0.7 s) like a real SHD file.
    ///
    /// - Parameters: As ``dataset(samplesPerClass:steps:timeStep:stepFraction:spikesPerUnit:seed:)``.
    /// - Returns: The data set that was written.
    /// - Throws: ``DataError/invalidValue(path:field:reason:)`` for invalid parameters, or the errors of
    ///   ``SpikeDataset/writeSHD(to:)``.
    @discardableResult
    public static func write(to path: String, samplesPerClass: Int = 20, steps: Int = 350, timeStep: Duration = .milliseconds(2),
                             stepFraction: Double = 0.5, spikesPerUnit: Int = 1, seed: UInt64 = 1) throws(DataError) -> SpikeDataset {
        let data: SpikeDataset
        do throws(ConfigurationError) {
            data = try dataset(samplesPerClass: samplesPerClass, steps: steps, timeStep: timeStep, stepFraction: stepFraction,
                               spikesPerUnit: spikesPerUnit, seed: seed)
        } catch {
            throw .invalidValue(path: path, field: "synthetic SHD parameters", reason: error.description)
        }
        try data.writeSHD(to: path)
        return data
    }
}
