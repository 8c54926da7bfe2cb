import SNNKit

/// `training.schedule`: how the learning rate changes (``LearningRateSchedule``).
///
/// ```yaml
/// schedule: constant                           # default
/// schedule: {type: cosine, minimum: 0}         # cosine annealing to `minimum` over the run
/// schedule: {type: step, epochs: 30, factor: 0.1}   # multiply by `factor` every `epochs` epochs
/// ```
public struct ScheduleConfiguration: Sendable, Hashable, Codable {
    /// The schedule.
    public var schedule: LearningRateSchedule

    /// Wraps a schedule.
    public init(_ schedule: LearningRateSchedule = .constant) { self.schedule = schedule }

    /// Decodes the plain name or the tagged mapping.
    public init(from decoder: any Decoder) throws {
        let (name, isShorthand) = try decoder.variantName(options: ["constant", "cosine", "step"], what: "schedule", allowsShorthand: true)
        switch name {
        case "constant":
            if !isShorthand { _ = try decoder.strictContainer(allowing: ["type"]) }
            schedule = .constant
        case "cosine":
            let c = isShorthand ? nil : try decoder.strictContainer(allowing: ["type", "minimum"])
            schedule = .cosine(minimum: try c?.nonNegativeNumber(AnyCodingKey("minimum"), default: 0) ?? 0)
        default:
            guard !isShorthand else {
                throw ConfigurationIssue(at: decoder.codingPath, "a step schedule needs its period and factor: write {type: step, epochs: 30, factor: 0.1}")
            }
            let c = try decoder.strictContainer(allowing: ["type", "epochs", "factor"])
            schedule = .step(epochs: try c.positiveInteger(AnyCodingKey("epochs")), factor: try c.positiveNumber(AnyCodingKey("factor")))
        }
    }

    /// Encodes the tagged mapping.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: AnyCodingKey.self)
        switch schedule {
        case .constant:
            try c.encode("constant", forKey: AnyCodingKey("type"))
        case let .cosine(minimum):
            try c.encode("cosine", forKey: AnyCodingKey("type"))
            try c.encode(minimum, forKey: AnyCodingKey("minimum"))
        case let .step(epochs, factor):
            try c.encode("step", forKey: AnyCodingKey("type"))
            try c.encode(epochs, forKey: AnyCodingKey("epochs"))
            try c.encode(factor, forKey: AnyCodingKey("factor"))
        }
    }
}
