import SNNKit

/// The keys of `data` with `kind: dvs`: DVS Gesture style event streams binned to frames and spatially downsampled
/// (SPEC §7). `path` and `testPath` are manifests listing one recording per line, `FILE LABEL` (event `.npy` files:
/// structured x, y, p, t or `[N, 4]` columns, t in µs; paths relative to the manifest).
///
/// ```yaml
/// data:
///   kind: dvs
///   timeStep: 2 ms
///   path: data/dvs_gesture/train.txt   # required: manifest of `FILE LABEL` lines
///   testPath: data/dvs_gesture/test.txt
///   duration: 1 s                     # required
///   sensorSize: [128, 128]            # height, width of the sensor
///   downsample: 4                     # spatial factor: 128 × 128 → 32 × 32
///   classes: 11
///   validationFraction: 0.1           # of the training file
///   testFraction: 0.1                 # of the training file; only without testPath
///   seed: 1                      # shuffle of the training file before the split
/// ```
/// The input is 2 polarities × ⌈height / downsample⌉ × ⌈width / downsample⌉ (`network.inputShape` `[2, 32, 32]`).
public struct DVSDataConfiguration: Sendable, Hashable, Codable {
    /// The training file.
    public var path: String
    /// The test file, if separate.
    public var testPath: String?
    /// The window per sample.
    public var duration: DurationValue
    /// Height and width of the sensor.
    public var sensorSize: [Int]
    /// Spatial downsampling factor.
    public var downsample: Int
    /// Number of classes.
    public var classes: Int
    /// Fraction of the training file held out for validation.
    public var validationFraction: Double
    /// Fraction of the training file held out for testing when there is no `testPath`.
    public var testFraction: Double?
    /// Seed of the shuffle of the training file before the split.
    public var seed: UInt64

    /// The YAML keys.
    enum CodingKeys: String, CodingKey, CaseIterable {
        case path, testPath, duration, sensorSize, downsample, classes, validationFraction, testFraction, seed
    }

    /// Creates the section.
    public init(path: String, testPath: String? = nil, duration: Duration = .seconds(1), sensorSize: [Int] = [128, 128], downsample: Int = 4,
                classes: Int = 11, validationFraction: Double = 0.1, testFraction: Double? = nil, seed: UInt64 = 1) {
        self.path = path
        self.testPath = testPath
        self.duration = DurationValue(duration)
        self.sensorSize = sensorSize
        self.downsample = downsample
        self.classes = classes
        self.validationFraction = validationFraction
        self.testFraction = testFraction
        self.seed = seed
    }

    /// Decodes a mapping.
    public init(from decoder: any Decoder) throws { try self.init(from: decoder, sharing: []) }

    /// Decodes the keys of a `data` mapping that also holds the `shared` keys.
    init(from decoder: any Decoder, sharing shared: [String]) throws {
        let c = try decoder.strictContainer(keyedBy: CodingKeys.self, sharing: shared)
        path = try c.decode(String.self, forKey: .path)
        testPath = try c.decodeIfPresent(String.self, forKey: .testPath)
        duration = try c.positiveDuration(.duration)
        sensorSize = try c.extents(.sensorSize, minimum: 1, count: 2) ?? [128, 128]
        downsample = try c.positiveInteger(.downsample, default: 4)
        classes = try c.positiveInteger(.classes, default: 11)
        validationFraction = try c.fraction(.validationFraction, default: 0.1)
        testFraction = try c.testFraction(.testFraction, hasTestFile: testPath != nil, validationFraction: validationFraction,
                                        validationKey: .validationFraction)
        seed = try c.decode(.seed, default: 1)
    }

    /// The input layout `[2, height, width]` after downsampling.
    public var inputShape: [Int] { [2] + sensorSize.map { ($0 + downsample - 1) / downsample } }
}
