/// A network, initializer, training or data configuration that SNNKit rejects before doing any work.
///
/// Every case names the offending field and what was expected versus found.
public enum ConfigurationError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A size (units, batch, steps, epochs, …) that must be positive was not.
    case nonPositiveSize(field: String, value: Int)
    /// A time constant τ that must be positive was not (seconds).
    case nonPositiveTimeConstant(field: String, seconds: Double)
    /// The time step is not smaller than a time constant (Δt ≥ τ makes the Euler-exponential scheme meaningless).
    case timeStepNotBelowTimeConstant(field: String, timeStep: Double, timeConstant: Double)
    /// A parameter that must be positive and finite was not.
    case nonPositiveParameter(field: String, value: Double)
    /// A parameter lies outside its allowed range.
    case outOfRange(field: String, value: Double, range: String)
    /// Two shapes that must agree do not.
    case shapeMismatch(what: String, expected: String, found: String)
    /// A structural problem with the network (e.g. no layers, a spiking layer where a readout is needed).
    case invalidNetwork(reason: String)

    /// A one-line explanation naming the field, the expectation and what was found.
    public var description: String {
        switch self {
        case let .nonPositiveSize(field, value):
            return "\(field) must be a positive size, found \(value)"
        case let .nonPositiveTimeConstant(field, seconds):
            return "\(field) must be a positive time constant, found \(seconds) s"
        case let .timeStepNotBelowTimeConstant(field, dt, tau):
            return "\(field) = \(tau) s must be larger than the time step \(dt) s"
        case let .nonPositiveParameter(field, value):
            return "\(field) must be positive and finite, found \(value)"
        case let .outOfRange(field, value, range):
            return "\(field) must lie in \(range), found \(value)"
        case let .shapeMismatch(what, expected, found):
            return "\(what): expected \(expected), found \(found)"
        case let .invalidNetwork(reason):
            return "invalid network: \(reason)"
        }
    }
}

extension ConfigurationError {
    static func requirePositive(_ value: Int, _ field: String) throws(ConfigurationError) {
        guard value > 0 else { throw .nonPositiveSize(field: field, value: value) }
    }

    static func requirePositive(_ value: Double, _ field: String) throws(ConfigurationError) {
        guard value > 0, value.isFinite else { throw .nonPositiveParameter(field: field, value: value) }
    }
}

extension Duration {
    /// The duration in seconds as a `Double`.
    public var seconds: Double {
        let c = components
        return Double(c.seconds) + Double(c.attoseconds) * 1e-18
    }
}
