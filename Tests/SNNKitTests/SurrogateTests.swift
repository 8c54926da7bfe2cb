import Foundation
import SNNKit
import Testing

/// The surrogate formulas of SPEC §2 at their default parameters.
@Suite("Surrogate derivatives")
struct SurrogateTests {
    @Test("Closed-form values at the SPEC defaults")
    func values() {
        #expect(abs(Surrogate.superSpike(beta: 20).derivative(0.1) - 1.0 / 9) < 1e-7)
        #expect(Surrogate.superSpike(beta: 20).derivative(0) == 1)
        #expect(abs(Surrogate.superSpike(beta: 10).derivative(-0.3) - 1.0 / 16) < 1e-7)
        #expect(abs(Surrogate.sigmoid(beta: 10).derivative(0) - 2.5) < 1e-6)
        let s = 1 / (1 + exp(-1.0))
        #expect(abs(Double(Surrogate.sigmoid(beta: 10).derivative(0.1)) - 10 * s * (1 - s)) < 1e-5)
        #expect(abs(Double(Surrogate.exponential(p0: 0.01, deltaU: 0.133).derivative(0.2)) - 0.01 / 0.133 * exp(0.2 / 0.133)) < 1e-6)
        #expect(abs(Surrogate.fastSigmoid(slope: 25).derivative(0.04) - 0.25) < 1e-7)
        let z = Double.pi * 2 * 0.3 / 2
        #expect(abs(Double(Surrogate.arcTangent(alpha: 2).derivative(0.3)) - 1 / (1 + z * z)) < 1e-6)
        #expect(abs(Surrogate.triangle(beta: 1).derivative(0.25) - 0.75) < 1e-7)
        #expect(Surrogate.triangle(beta: 1).derivative(1.5) == 0)
    }

    @Test("derivative = d/dx antiderivative at the default parameters (central differences away from kinks)", arguments: [
        Surrogate.superSpike(beta: 20), .superSpike(beta: 10), .sigmoid(beta: 10), .exponential(p0: 0.01, deltaU: 0.133),
        .fastSigmoid(slope: 25), .arcTangent(alpha: 2), .triangle(beta: 1),
    ])
    func antiderivative(surrogate: Surrogate) {
        let h: Float = 1e-3
        for x in stride(from: Float(-1.5), through: 0.5, by: 0.0731) where abs(x) > 10 * h && abs(abs(x) - 1) > 10 * h {
            let fd = (surrogate.antiderivative(x + h) - surrogate.antiderivative(x - h)) / (2 * h)
            let d = surrogate.derivative(x)
            #expect(abs(fd - d) <= 2e-2 * max(abs(d), 1e-3), "x = \(x): \(fd) vs \(d)")
        }
    }
}
