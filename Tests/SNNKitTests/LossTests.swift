import SNNKit
import Testing

/// Loss values and gradients against direct evaluation in Double.
@Suite("Losses")
struct LossTests {
    static let steps = 5, batch = 3, classes = 4

    static func output(seed: UInt64) -> [Float] {
        var rng = Xoshiro256StarStar(seed: seed)
        return (0..<(steps * batch * classes)).map { _ in Float(rng.nextStandardNormal()) }
    }

    @Test("Gradient of every loss matches central differences", arguments: Loss.allCases)
    func gradient(loss: Loss) {
        var o = Self.output(seed: 1)
        let labels = [1, 3, 0]
        var g = [Float](repeating: .nan, count: o.count)
        _ = o.withUnsafeBufferPointer { out in
            g.withUnsafeMutableBufferPointer { loss.evaluate(output: out, steps: Self.steps, batch: Self.batch, classes: Self.classes, labels: labels, gradient: $0) }
        }
        #expect(g.allSatisfy { $0.isFinite })
        let h: Float = 1e-3
        for e in o.indices {
            let x = o[e]
            o[e] = x + h
            let lp = o.withUnsafeBufferPointer { loss.evaluate(output: $0, steps: Self.steps, batch: Self.batch, classes: Self.classes, labels: labels, gradient: nil).loss }
            o[e] = x - h
            let lm = o.withUnsafeBufferPointer { loss.evaluate(output: $0, steps: Self.steps, batch: Self.batch, classes: Self.classes, labels: labels, gradient: nil).loss }
            o[e] = x
            let fd = (lp - lm) / Double(2 * h)
            #expect(abs(fd - Double(g[e])) < 2e-3 * max(1, abs(fd)), "element \(e): fd \(fd) vs \(g[e])")
        }
    }

    @Test("Max-over-time cross-entropy value and prediction by hand")
    func maxOverTime() {
        // one sample, 2 steps, 2 classes: O = [[0, 3], [2, 1]] → m = [2, 3]; label 0: −log(e²/(e²+e³)) = log(1 + e)
        let o: [Float] = [0, 3, 2, 1]
        let r = o.withUnsafeBufferPointer { Loss.maxOverTimeCrossEntropy.evaluate(output: $0, steps: 2, batch: 1, classes: 2, labels: [0], gradient: nil) }
        #expect(abs(r.loss - log(1 + exp(1.0))) < 1e-9)
        #expect(r.predictions == [1])
    }
}

import Foundation
