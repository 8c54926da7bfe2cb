/// The shape of a weight distribution.
public enum WeightDistribution: String, Sendable, Hashable, Codable {
    /// Gaussian with the given mean and standard deviation.
    case normal
    /// Uniform on `[mean − scale, mean + scale]`.
    case uniform

    /// Draws `count` weights. `scale` is the standard deviation (normal) or the half-width (uniform).
    public func sample(count: Int, mean: Double, scale: Double, using rng: inout some RandomNumberGenerator) -> [Float] {
        var out = [Float](repeating: 0, count: count)
        switch self {
        case .normal:
            for k in 0..<count { out[k] = Float(mean + scale * rng.nextStandardNormal()) }
        case .uniform:
            for k in 0..<count { out[k] = Float(mean + scale * (2 * rng.nextUniform() - 1)) }
        }
        return out
    }
}

/// How a scale shrinks with the fan-in `n`.
public enum FanInScaling: String, Sendable, Hashable, Codable {
    /// `gain / √n`.
    case inverseSqrtFanIn
    /// `gain / n`.
    case inverseFanIn

    /// The scale for fan-in `n`.
    public func scale(fanIn n: Int, gain: Double) -> Double {
        switch self {
        case .inverseSqrtFanIn: return gain / Double(n).squareRoot()
        case .inverseFanIn: return gain / Double(n)
        }
    }
}
