import Foundation

/// xoshiro256** (Blackman & Vigna), seeded through SplitMix64: SNNKit's one seeded generator.
///
/// The same seed gives the same weights, batches and results on the same machine. Pass it explicitly
/// (`using: &rng`); SNNKit keeps no global random state.
public struct Xoshiro256StarStar: RandomNumberGenerator, Sendable, Hashable, Codable {
    private var s0, s1, s2, s3: UInt64

    /// A generator whose stream is determined by `seed`.
    public init(seed: UInt64) {
        var sm = seed
        func splitMix() -> UInt64 {
            sm &+= 0x9E37_79B9_7F4A_7C15
            var z = sm
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        s0 = splitMix(); s1 = splitMix(); s2 = splitMix(); s3 = splitMix()
    }

    /// A generator for stream `stream` of `seed`: one of many independent, reproducible streams derived from one
    /// seed (e.g. one per epoch or per sample), so that the stream of epoch `e` does not depend on earlier epochs.
    ///
    /// Distinct `(seed, stream)` pairs give distinct starting states (the pair is combined by bijective mixing).
    public init(seed: UInt64, stream: UInt64) {
        func mix(_ value: UInt64) -> UInt64 {   // SplitMix64's finalizer, a bijection
            var z = value
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        self.init(seed: mix(seed ^ mix(stream &* 0x9E37_79B9_7F4A_7C15 &+ 0xD1B5_4A32_D192_ED03)))
    }

    /// The next 64 random bits.
    public mutating func next() -> UInt64 {
        let result = rotl(s1 &* 5, 7) &* 9
        let t = s1 << 17
        s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3
        s2 ^= t
        s3 = rotl(s3, 45)
        return result
    }

    private func rotl(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 - k)) }

    /// An independent generator for a sub-task, derived from this one's stream (advances `self`).
    public mutating func fork() -> Xoshiro256StarStar { Xoshiro256StarStar(seed: next()) }
}

extension RandomNumberGenerator {
    /// A uniform sample in `[0, 1)` with 53 random bits.
    @inlinable
    public mutating func nextUniform() -> Double {
        Double(next() >> 11) * 0x1.0p-53
    }

    /// A standard normal sample (Box–Muller on two uniforms, one value used).
    @inlinable
    public mutating func nextStandardNormal() -> Double {
        var u1 = nextUniform()
        while u1 <= 0 { u1 = nextUniform() }
        let u2 = nextUniform()
        return (-2 * Foundation.log(u1)).squareRoot() * Foundation.cos(2 * Double.pi * u2)
    }

    /// An exponential sample with the given rate λ (mean 1/λ).
    @inlinable
    public mutating func nextExponential(rate: Double) -> Double {
        var u = nextUniform()
        while u <= 0 { u = nextUniform() }
        return -Foundation.log(u) / rate
    }
}

