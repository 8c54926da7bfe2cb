import SNNKit

/// `training.optimizer`.
///
/// ```yaml
/// optimizer: {type: smorms3, learningRate: 5e-3}                        # the reference (default; ε 1e-16)
/// optimizer: {type: adam, learningRate: 1e-3, betas: [0.9, 0.999], epsilon: 1e-8}
/// optimizer: {type: sgd, learningRate: 0.1, momentum: 0.9, nesterov: false}
/// optimizer: adam                                                       # defaults (SGD needs learningRate)
/// ```
public enum OptimizerConfiguration: Sendable, Hashable, Codable {
    /// SMORMS3 (SPEC §6).
    case smorms3(learningRate: Double, epsilon: Double)
    /// Adam with bias correction.
    case adam(learningRate: Double, beta1: Double, beta2: Double, epsilon: Double)
    /// SGD with optional (Nesterov) momentum.
    case sgd(learningRate: Double, momentum: Double, nesterov: Bool)

    /// The base learning rate.
    public var learningRate: Double {
        switch self {
        case let .smorms3(lr, _), let .adam(lr, _, _, _), let .sgd(lr, _, _): return lr
        }
    }

    /// A fresh SNNKit optimizer.
    public func makeOptimizer() -> any Optimizer {
        switch self {
        case let .smorms3(lr, epsilon): return SMORMS3(learningRate: lr, epsilon: Float(epsilon))
        case let .adam(lr, b1, b2, epsilon): return Adam(learningRate: lr, betas: (Float(b1), Float(b2)), epsilon: Float(epsilon))
        case let .sgd(lr, momentum, nesterov): return SGD(learningRate: lr, momentum: Float(momentum), isNesterov: nesterov)
        }
    }

    /// Decodes the plain name or the tagged mapping.
    public init(from decoder: any Decoder) throws {
        let (name, isShorthand) = try decoder.variantName(options: ["smorms3", "adam", "sgd"], what: "optimizer", allowsShorthand: true)
        let keys: [String] = ["smorms3": ["learningRate", "epsilon"], "adam": ["learningRate", "betas", "epsilon"],
                              "sgd": ["learningRate", "momentum", "nesterov"]][name]!
        let c = isShorthand ? nil : try decoder.strictContainer(allowing: ["type"] + keys)
        let (lr, eps) = (AnyCodingKey("learningRate"), AnyCodingKey("epsilon"))
        switch name {
        case "smorms3":
            self = .smorms3(learningRate: try c?.positiveNumber(lr, default: 5e-3) ?? 5e-3, epsilon: try c?.positiveNumber(eps, default: 1e-16) ?? 1e-16)
        case "adam":
            let betas = try c?.decode(AnyCodingKey("betas"), default: [0.9, 0.999]) ?? [0.9, 0.999]
            guard betas.count == 2, betas.allSatisfy({ $0 >= 0 && $0 < 1 }) else {
                throw c!.issue(AnyCodingKey("betas"), "expected [β1, β2] in [0, 1), found \(betas)")
            }
            self = .adam(learningRate: try c?.positiveNumber(lr, default: 1e-3) ?? 1e-3, beta1: betas[0], beta2: betas[1],
                         epsilon: try c?.positiveNumber(eps, default: 1e-8) ?? 1e-8)
        default:
            guard let c else { throw ConfigurationIssue(at: decoder.codingPath, "sgd needs a learning rate: write {type: sgd, learningRate: 0.1}") }
            self = .sgd(learningRate: try c.positiveNumber(lr), momentum: try c.fraction(AnyCodingKey("momentum"), default: 0),
                        nesterov: try c.decode(AnyCodingKey("nesterov"), default: false))
        }
    }

    /// Encodes the tagged mapping.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: AnyCodingKey.self)
        switch self {
        case let .smorms3(lr, epsilon):
            try c.encode("smorms3", forKey: AnyCodingKey("type"))
            try c.encode(lr, forKey: AnyCodingKey("learningRate"))
            try c.encode(epsilon, forKey: AnyCodingKey("epsilon"))
        case let .adam(lr, b1, b2, epsilon):
            try c.encode("adam", forKey: AnyCodingKey("type"))
            try c.encode(lr, forKey: AnyCodingKey("learningRate"))
            try c.encode([b1, b2], forKey: AnyCodingKey("betas"))
            try c.encode(epsilon, forKey: AnyCodingKey("epsilon"))
        case let .sgd(lr, momentum, nesterov):
            try c.encode("sgd", forKey: AnyCodingKey("type"))
            try c.encode(lr, forKey: AnyCodingKey("learningRate"))
            try c.encode(momentum, forKey: AnyCodingKey("momentum"))
            try c.encode(nesterov, forKey: AnyCodingKey("nesterov"))
        }
    }
}
