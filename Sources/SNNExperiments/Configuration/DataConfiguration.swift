import SNNKit

/// The `data` section: the time step and where the samples come from, tagged by `kind` (`randman`, `shd`, `dvs`).
///
/// ```yaml
/// data:
///   kind: randman     # the other keys are those of the kind: RandmanDataConfiguration, SHDDataConfiguration,
///   timeStep: 2 ms    # DVSDataConfiguration; timeStep is the network's simulation step too
///   classes: 10
/// ```
public struct DataConfiguration: Sendable, Hashable, Codable {
    /// The simulation and binning time step Δt (the network's time step).
    public var timeStep: DurationValue
    /// Where the samples come from.
    public var source: DataSource

    /// Creates the section.
    public init(timeStep: Duration, source: DataSource) {
        self.timeStep = DurationValue(timeStep)
        self.source = source
    }

    /// Decodes the tagged mapping.
    public init(from decoder: any Decoder) throws {
        let kind = try decoder.variantName(tagKey: "kind", options: ["randman", "shd", "dvs"], what: "data kind", allowsShorthand: false).name
        let shared = ["kind", "timeStep"]
        let c = try decoder.container(keyedBy: AnyCodingKey.self)
        timeStep = try c.positiveDuration(AnyCodingKey("timeStep"))
        switch kind {
        case "randman": source = .randman(try RandmanDataConfiguration(from: decoder, sharing: shared))
        case "shd": source = .shd(try SHDDataConfiguration(from: decoder, sharing: shared))
        default: source = .dvs(try DVSDataConfiguration(from: decoder, sharing: shared))
        }
    }

    /// Encodes `kind`, `timeStep` and the kind's keys in one mapping.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: AnyCodingKey.self)
        try c.encode(source.kind, forKey: AnyCodingKey("kind"))
        try c.encode(timeStep, forKey: AnyCodingKey("timeStep"))
        switch source {
        case let .randman(r): try r.encode(to: encoder)
        case let .shd(s): try s.encode(to: encoder)
        case let .dvs(d): try d.encode(to: encoder)
        }
    }
}

/// Where the samples of an experiment come from.
public enum DataSource: Sendable, Hashable {
    /// Generated Randman samples (SPEC §7).
    case randman(RandmanDataConfiguration)
    /// Spiking Heidelberg Digits files.
    case shd(SHDDataConfiguration)
    /// DVS Gesture style event streams (not loadable in this build yet).
    case dvs(DVSDataConfiguration)

    /// The `kind` name.
    public var kind: String {
        switch self {
        case .randman: return "randman"
        case .shd: return "shd"
        case .dvs: return "dvs"
        }
    }

    /// The layout of one input sample `[channels, spatial...]` known from the configuration alone.
    public var inputShape: [Int] {
        switch self {
        case let .randman(r): return [r.units]
        case let .shd(s): return [s.inputChannels]
        case let .dvs(d): return d.inputShape
        }
    }

    /// The number of classes known from the configuration alone, if any.
    public var classes: Int? {
        switch self {
        case let .randman(r): return r.classes
        case let .shd(s): return s.classes
        case let .dvs(d): return d.classes
        }
    }
}
