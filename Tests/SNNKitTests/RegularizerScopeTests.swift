import SNNKit
import Testing

@Suite("Activity regularizer scopes")
struct RegularizerScopeTests {
    /// Spike counts of 3 samples × (4 positions × 3 channels), channels-last.
    static let counts: [Float] = (0..<36).map { Float(($0 * 7) % 5) }

    static func penalty(_ scope: ActivityScope, channels: Int) -> (Double, [Float]) {
        let r = Regularizer.twoSided(strength: 0.7, threshold: 1.5, per: scope)
        guard case let .activity(bound, norm, strength, threshold, _, _) = r else { return (0, []) }
        var gradient = [Float](repeating: 0, count: 36 * 2)   // 2 steps
        let value = gradient.withUnsafeMutableBufferPointer { g in
            Regularizer.activityPenalty(bound: bound, norm: norm, strength: strength, threshold: threshold, scope: scope, counts: counts,
                                        steps: 2, batch: 3, units: 12, channels: channels, gradient: g)
        }
        return (value, gradient)
    }

    @Test("Per channel: the mean over positions of each channel; per position: the mean over channels (Float64 reference)")
    func groupedMeans() {
        let c = 3, positions = 4
        func reference(channelWise: Bool) -> Double {
            var total = 0.0, groups = 0
            for b in 0..<3 {
                for g in 0..<(channelWise ? c : positions) {
                    let members = channelWise ? (0..<positions).map { $0 * c + g } : (0..<c).map { g * c + $0 }
                    let mean = members.reduce(0.0) { $0 + Double(Self.counts[b * 12 + $1]) } / Double(members.count)
                    total += (mean - 1.5) * (mean - 1.5)
                    groups += 1
                }
            }
            return 0.7 * total / Double(groups)
        }
        #expect(abs(Self.penalty(.channel, channels: c).0 - reference(channelWise: true)) < 1e-9)
        #expect(abs(Self.penalty(.position, channels: c).0 - reference(channelWise: false)) < 1e-9)
    }

    @Test("Gradient of the grouped penalty matches finite differences of the counts")
    func gradient() {
        for scope in [ActivityScope.channel, .position] {
            let (_, g) = Self.penalty(scope, channels: 3)
            for e in [0, 5, 17, 35] {
                var plus = Self.counts, minus = Self.counts
                plus[e] += 1e-2; minus[e] -= 1e-2
                func value(_ c: [Float]) -> Double {
                    guard case let .activity(bound, norm, strength, threshold, _, _) = Regularizer.twoSided(strength: 0.7, threshold: 1.5, per: scope) else { return 0 }
                    return Regularizer.activityPenalty(bound: bound, norm: norm, strength: strength, threshold: threshold, scope: scope,
                                                       counts: c, steps: 2, batch: 3, units: 12, channels: 3, gradient: nil)
                }
                let numeric = (value(plus) - value(minus)) / 2e-2
                #expect(abs(Double(g[e]) - numeric) < 1e-4 * max(1, abs(numeric)), "\(scope) element \(e)")
                #expect(g[e] == g[36 + e])   // ∂cnt/∂S[t] = 1 at every step
            }
        }
    }

    @Test("On a flat layer, per channel equals per neuron and per position equals per population")
    func flatEquivalence() {
        #expect(Self.penalty(.channel, channels: 12).0 == Self.penalty(.neuron, channels: 12).0)
        #expect(abs(Self.penalty(.position, channels: 12).0 - Self.penalty(.population, channels: 12).0) < 1e-12)
    }
}
