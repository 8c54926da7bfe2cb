import Foundation
import SNNKit
import Testing

extension Tag {
    /// Long statistical or end-to-end checks; run with `SNN_SLOW_TESTS=1` (`make test-slow`).
    @Tag static var slow: Self
}

/// Whether slow checks are enabled (`SNN_SLOW_TESTS=1`).
let slowTestsEnabled = ProcessInfo.processInfo.environment["SNN_SLOW_TESTS"] == "1"

/// Dense Bernoulli(p) spikes `[T, B, N]`.
func bernoulliInput(steps: Int, batch: Int, channels: Int, probability: Double, seed: UInt64) -> Tensor {
    var rng = Xoshiro256StarStar(seed: seed)
    var t = Tensor(shape: [steps, batch, channels])
    for e in 0..<t.count where rng.nextUniform() < probability { t.scalars[e] = 1 }
    return t
}

/// Relative difference `|a − b| / |b|`.
func relativeError(_ a: Double, _ b: Double) -> Double { abs(a - b) / abs(b) }

/// `x` rounded to `digits` significant digits.
func significant(_ x: Double, _ digits: Int) -> Double {
    guard x != 0 else { return 0 }
    let scale = Foundation.pow(10, Double(digits) - Foundation.ceil(Foundation.log10(abs(x))))
    return (x * scale).rounded() / scale
}
