import SNNKit

/// The keys of `data` with `kind: shd`: Spiking Heidelberg Digits (or Spiking Speech Commands) HDF5 files
/// (SPEC §7), binned on the configuration's time step.
///
/// ```yaml
/// data:
///   kind: shd
///   timeStep: 2 ms
///   path: data/shd_train.h5      # required; relative paths are relative to the working directory
///   testPath: data/shd_test.h5   # optional: without it the test set is split off the training file
///   duration: 700 ms             # required: the window (0.7 s at 2 ms gives the reference's 349 steps)
///   channels: 700                # channels in the file (default 700)
///   downsample: 1                # channel downsampling factor: ⌈channels / downsample⌉ inputs
///   classes: 20                  # optional: default the largest label + 1
///   maxSamples: 1000             # optional: load only the first samples of each file
///   validationFraction: 0.1      # of the training file
///   testFraction: 0.1            # of the training file; only without testPath
///   seed: 1                      # shuffle of the training file before the split
///   streaming: false             # true: read each batch from the files instead of loading them (same results)
/// ```
///
/// With `streaming: true` the files stay open and every batch of training, validation and testing reads only its
/// samples (`StreamedSHDDataset`): memory holds the labels and one batch of events, not the data set. The splits,
/// the input rate ν (one streaming pass over the training samples) and the results are the same as without streaming.
public struct SHDDataConfiguration: Sendable, Hashable, Codable {
    /// The training file.
    public var path: String
    /// The test file, if separate.
    public var testPath: String?
    /// The window per sample.
    public var duration: DurationValue
    /// Channels in the file.
    public var channels: Int
    /// Channel downsampling factor.
    public var downsample: Int
    /// Number of classes; nil takes the largest label + 1.
    public var classes: Int?
    /// Load at most this many samples per file.
    public var maxSamples: Int?
    /// Fraction of the training file held out for validation.
    public var validationFraction: Double
    /// Fraction of the training file held out for testing when there is no `testPath`.
    public var testFraction: Double?
    /// Seed of the shuffle of the training file before the split.
    public var seed: UInt64
    /// Whether the files are read batch by batch (`StreamedSHDDataset`) instead of loaded whole.
    public var streaming: Bool

    /// The YAML keys.
    enum CodingKeys: String, CodingKey, CaseIterable {
        case path, testPath, duration, channels, downsample, classes, maxSamples, validationFraction, testFraction, seed, streaming
    }

    /// Creates the section.
    public init(path: String, testPath: String? = nil, duration: Duration = .milliseconds(700), channels: Int = 700, downsample: Int = 1,
                classes: Int? = nil, maxSamples: Int? = nil, validationFraction: Double = 0.1, testFraction: Double? = nil, seed: UInt64 = 1,
                streaming: Bool = false) {
        self.path = path
        self.testPath = testPath
        self.duration = DurationValue(duration)
        self.channels = channels
        self.downsample = downsample
        self.classes = classes
        self.maxSamples = maxSamples
        self.validationFraction = validationFraction
        self.testFraction = testFraction
        self.seed = seed
        self.streaming = streaming
    }

    /// Decodes a mapping.
    public init(from decoder: any Decoder) throws { try self.init(from: decoder, sharing: []) }

    /// Decodes the keys of a `data` mapping that also holds the `shared` keys.
    init(from decoder: any Decoder, sharing shared: [String]) throws {
        let c = try decoder.strictContainer(keyedBy: CodingKeys.self, sharing: shared)
        path = try c.decode(String.self, forKey: .path)
        testPath = try c.decodeIfPresent(String.self, forKey: .testPath)
        duration = try c.positiveDuration(.duration)
        channels = try c.positiveInteger(.channels, default: 700)
        downsample = try c.positiveInteger(.downsample, default: 1)
        classes = try c.optionalPositiveInteger(.classes)
        maxSamples = try c.optionalPositiveInteger(.maxSamples)
        validationFraction = try c.fraction(.validationFraction, default: 0.1)
        testFraction = try c.testFraction(.testFraction, hasTestFile: testPath != nil, validationFraction: validationFraction,
                                        validationKey: .validationFraction)
        seed = try c.decode(.seed, default: 1)
        streaming = try c.decode(.streaming, default: false)
    }

    /// The number of input channels after downsampling, `⌈channels / downsample⌉`.
    public var inputChannels: Int { (channels + downsample - 1) / downsample }
}
