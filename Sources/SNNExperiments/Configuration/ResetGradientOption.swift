import SNNKit

/// `resetGradient:` of a spiking layer — how the reset term `(1 − S[t])` enters the gradient (``ResetGradient``).
public enum ResetGradientOption: String, Sendable, Hashable, Codable, CaseIterable {
    /// The reset factor is a constant (the reference default).
    case detached
    /// Differentiate through the reset with the surrogate.
    case differentiated

    /// The SNNKit value.
    public var value: ResetGradient {
        switch self {
        case .detached: return .detached
        case .differentiated: return .differentiated
        }
    }
}
