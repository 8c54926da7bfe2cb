import SNNKit

/// The keys of `data` with `kind: randman`: the parameters of ``Randman/classification(classes:units:steps:timeStep:stepFraction:offsetFraction:spikesPerUnit:samplesPerClass:alpha:manifoldDimension:seed:)``
/// and the split.
///
/// ```yaml
/// data:
///   kind: randman
///   timeStep: 2 ms
///   classes: 10               # defaults: the reference set of SPEC §7
///   units: 20
///   steps: 100
///   stepFraction: 0.5
///   offsetFraction: 0
///   spikesPerUnit: 1
///   samplesPerClass: 1000
///   alpha: 1
///   manifoldDimension: 1
///   seed: 1
///   split: [0.8, 0.1, 0.1]    # train, validation, test (consecutive; summing to 1)
/// ```
public struct RandmanDataConfiguration: Sendable, Hashable, Codable {
    /// Classes (one manifold per class and spike).
    public var classes: Int
    /// Input units (embedding dimension).
    public var units: Int
    /// Time steps per sample.
    public var steps: Int
    /// Fraction of the window the spikes spread over.
    public var stepFraction: Double
    /// Fraction of the window before the first possible spike.
    public var offsetFraction: Double
    /// Spikes per unit and sample.
    public var spikesPerUnit: Int
    /// Samples per class.
    public var samplesPerClass: Int
    /// Smoothness α of the manifolds.
    public var alpha: Double
    /// Manifold dimension d.
    public var manifoldDimension: Int
    /// Seed of the manifolds and samples.
    public var seed: UInt64
    /// Train, validation and test fractions.
    public var split: [Double]

    /// The YAML keys.
    enum CodingKeys: String, CodingKey, CaseIterable {
        case classes, units, steps, stepFraction, offsetFraction, spikesPerUnit, samplesPerClass, alpha, manifoldDimension, seed, split
    }

    /// Creates the section; the defaults are the reference set of SPEC §7.
    public init(classes: Int = 10, units: Int = 20, steps: Int = 100, stepFraction: Double = 0.5, offsetFraction: Double = 0,
                spikesPerUnit: Int = 1, samplesPerClass: Int = 1000, alpha: Double = 1, manifoldDimension: Int = 1, seed: UInt64 = 1,
                split: [Double] = [0.8, 0.1, 0.1]) {
        self.classes = classes
        self.units = units
        self.steps = steps
        self.stepFraction = stepFraction
        self.offsetFraction = offsetFraction
        self.spikesPerUnit = spikesPerUnit
        self.samplesPerClass = samplesPerClass
        self.alpha = alpha
        self.manifoldDimension = manifoldDimension
        self.seed = seed
        self.split = split
    }

    /// Decodes a mapping.
    public init(from decoder: any Decoder) throws { try self.init(from: decoder, sharing: []) }

    /// Decodes the keys of a `data` mapping that also holds the `shared` keys.
    init(from decoder: any Decoder, sharing shared: [String]) throws {
        let c = try decoder.strictContainer(keyedBy: CodingKeys.self, sharing: shared)
        classes = try c.positiveInteger(.classes, default: 10)
        units = try c.positiveInteger(.units, default: 20)
        steps = try c.positiveInteger(.steps, default: 100)
        stepFraction = try c.fraction(.stepFraction, default: 0.5)
        offsetFraction = try c.fraction(.offsetFraction, default: 0)
        spikesPerUnit = try c.positiveInteger(.spikesPerUnit, default: 1)
        samplesPerClass = try c.positiveInteger(.samplesPerClass, default: 1000)
        alpha = try c.positiveNumber(.alpha, default: 1)
        manifoldDimension = try c.positiveInteger(.manifoldDimension, default: 1)
        seed = try c.decode(.seed, default: 1)
        split = try c.decode(.split, default: [0.8, 0.1, 0.1])
        guard split.count == 3, split.allSatisfy({ $0 >= 0 && $0.isFinite }), abs(split.reduce(0, +) - 1) < 1e-6, split[0] > 0, split[2] > 0 else {
            throw c.issue(.split, "expected [train, validation, test] fractions, non-negative and summing to 1 with positive train and test, found \(split)")
        }
    }
}
