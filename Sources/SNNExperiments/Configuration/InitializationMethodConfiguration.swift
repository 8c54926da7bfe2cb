import SNNKit

/// `initialization.method`: the weight initialization rule.
///
/// ```yaml
/// method: {type: fluctuationDriven, sigmaU: 1, feedForwardShare: 0.9}   # centered (every reference example)
/// method: {type: fluctuationDriven, meanU: 0.2, xi: 2}                  # mean μ_U and ξ = (θ − μ_U)/σ_U instead
/// method: {type: fluctuationDriven, sigmaU: 1, integration: analytic}   # closed-form ε̄, ε̂ (default numerical)
/// method: {type: kaiming, gain: 1.4142}                                 # N(0, gain/√n); gain default √2
/// method: pytorchDefault                                                # U(±1/√n)
/// method: fluctuationDriven                                             # σ_U = 1, α = 0.9
/// ```
/// Layers obeying Dale's law get the balanced exponential weights of SPEC §3.3 under `fluctuationDriven`.
public enum InitializationMethodConfiguration: Sendable, Hashable, Codable {
    /// Fluctuation-driven initialization (Rossbroich et al. 2022) with its target, α and the ε integration.
    case fluctuationDriven(target: FluctuationDrivenInitializer.Target, feedForwardShare: Double, integration: KernelIntegration)
    /// Kaiming normal `N(0, gain/√n)`.
    case kaiming(gain: Double)
    /// PyTorch's default `U(±1/√n)`.
    case pytorchDefault

    /// The SNNKit rule.
    public var value: WeightInitialization {
        switch self {
        case let .fluctuationDriven(target, share, integration):
            return .fluctuationDriven(FluctuationDrivenInitializer(target: target, feedForwardShare: share, integration: integration))
        case let .kaiming(gain): return .kaimingNormal(gain: gain)
        case .pytorchDefault: return .scaled(distribution: .uniform, scaling: .inverseSqrtFanIn, gain: 1)
        }
    }

    /// Decodes the plain name or the tagged mapping.
    public init(from decoder: any Decoder) throws {
        let (name, isShorthand) = try decoder.variantName(options: ["fluctuationDriven", "kaiming", "pytorchDefault"],
                                                          what: "initialization method", allowsShorthand: true)
        switch name {
        case "fluctuationDriven":
            guard !isShorthand else {
                self = .fluctuationDriven(target: .centered(sigmaU: 1), feedForwardShare: 0.9, integration: .numerical)
                return
            }
            let c = try decoder.strictContainer(allowing: ["type", "sigmaU", "meanU", "xi", "feedForwardShare", "integration"])
            let (sigmaU, meanU, xi) = (AnyCodingKey("sigmaU"), AnyCodingKey("meanU"), AnyCodingKey("xi"))
            let target: FluctuationDrivenInitializer.Target
            if c.contains(meanU) || c.contains(xi) {
                if c.contains(sigmaU) { throw c.issue(sigmaU, "give either sigmaU (centered, μ_U = 0) or meanU and xi, not both") }
                target = .meanAndThresholdDistance(meanU: try c.finiteNumber(meanU), xi: try c.positiveNumber(xi))
            } else {
                target = .centered(sigmaU: try c.positiveNumber(sigmaU, default: 1))
            }
            let share = try c.fraction(AnyCodingKey("feedForwardShare"), default: 0.9, allowsZero: false)
            let integration = try c.keyword(AnyCodingKey("integration"), [("numerical", KernelIntegration.numerical), ("analytic", .analytic)],
                                            default: .numerical, what: "kernel integration")
            self = .fluctuationDriven(target: target, feedForwardShare: share, integration: integration)
        case "kaiming":
            let c = isShorthand ? nil : try decoder.strictContainer(allowing: ["type", "gain"])
            self = .kaiming(gain: try c?.positiveNumber(AnyCodingKey("gain"), default: 2.0.squareRoot()) ?? 2.0.squareRoot())
        default:
            if !isShorthand { _ = try decoder.strictContainer(allowing: ["type"]) }
            self = .pytorchDefault
        }
    }

    /// Encodes the tagged mapping.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: AnyCodingKey.self)
        switch self {
        case let .fluctuationDriven(target, share, integration):
            try c.encode("fluctuationDriven", forKey: AnyCodingKey("type"))
            switch target {
            case let .centered(sigmaU): try c.encode(sigmaU, forKey: AnyCodingKey("sigmaU"))
            case let .meanAndThresholdDistance(meanU, xi):
                try c.encode(meanU, forKey: AnyCodingKey("meanU"))
                try c.encode(xi, forKey: AnyCodingKey("xi"))
            }
            try c.encode(share, forKey: AnyCodingKey("feedForwardShare"))
            try c.encode(integration.rawValue, forKey: AnyCodingKey("integration"))
        case let .kaiming(gain):
            try c.encode("kaiming", forKey: AnyCodingKey("type"))
            try c.encode(gain, forKey: AnyCodingKey("gain"))
        case .pytorchDefault:
            try c.encode("pytorchDefault", forKey: AnyCodingKey("type"))
        }
    }
}
