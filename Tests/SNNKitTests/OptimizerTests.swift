import Foundation
import SNNKit
import Testing

/// Single optimizer steps against values computed by hand from SPEC §6 and the Adam paper.
@Suite("Optimizers")
struct OptimizerTests {
    /// A network with exactly one trainable weight, and gradients holding `g` for it.
    static func single(weight: Float) throws -> SpikingNetwork {
        var net = try SpikingNetwork(inputs: 1, timeStep: .milliseconds(1)) { LeakyReadout(1, tauMembrane: .milliseconds(20)) }
        net[ParameterID(layer: 0, afferent: 0, kind: .weights)].scalars = [weight]
        return net
    }

    static func gradient(_ g: Float, for net: SpikingNetwork) -> NetworkGradients {
        var grads = NetworkGradients(zerosFor: net)
        grads.tensors[0].scalars = [g]
        return grads
    }

    static func weight(_ net: SpikingNetwork) -> Double { Double(net[ParameterID(layer: 0, afferent: 0, kind: .weights)].scalars[0]) }

    @Test("SMORMS3: two steps with grad 0.5 at lr 5e-3 (step capped by lr) and at lr 1 (step factor g²/g2)")
    func smorms3() throws {
        // step 1: r = 1/2, g = 0.25, g2 = 0.125, x = 0.5, mem = 1.5; Δp = −min(x, lr)·0.5/√0.125
        // step 2: r = 0.4, g = 0.35, g2 = 0.175, x = 0.7, mem = 1.5·0.3 + 1; Δp = −min(x, lr)·0.5/√0.175
        var net = try Self.single(weight: 1)
        var opt = SMORMS3(learningRate: 5e-3)
        opt.update(&net, gradients: Self.gradient(0.5, for: net))
        #expect(abs(Self.weight(net) - (1 - 5e-3 * 0.5 / 0.125.squareRoot())) < 1e-7)
        opt.update(&net, gradients: Self.gradient(0.5, for: net))
        #expect(abs(Self.weight(net) - (1 - 5e-3 * 0.5 / 0.125.squareRoot() - 5e-3 * 0.5 / 0.175.squareRoot())) < 1e-7)

        var big = try Self.single(weight: 1)
        var opt2 = SMORMS3(learningRate: 1)
        opt2.update(&big, gradients: Self.gradient(0.5, for: big))
        #expect(abs(Self.weight(big) - (1 - 0.5 * 0.5 / 0.125.squareRoot())) < 1e-6)
        opt2.update(&big, gradients: Self.gradient(-0.2, for: big))
        // step 2 with grad −0.2: r = 0.4, g = 0.6·0.25 − 0.08 = 0.07, g2 = 0.6·0.125 + 0.4·0.04 = 0.091, x = 0.0049/0.091
        let x = 0.0049 / 0.091
        #expect(abs(Self.weight(big) - (1 - 0.5 * 0.5 / 0.125.squareRoot() + x * 0.2 / 0.091.squareRoot())) < 1e-6)
    }

    @Test("Adam: the first step is lr·sign(g); the second follows the bias-corrected moments")
    func adam() throws {
        var net = try Self.single(weight: 0)
        var opt = Adam(learningRate: 0.1)
        opt.update(&net, gradients: Self.gradient(2, for: net))
        #expect(abs(Self.weight(net) - (-0.1 * 2 / (2 + 1e-8))) < 1e-7)
        opt.update(&net, gradients: Self.gradient(-1, for: net))
        let m = (0.9 * 0.1 * 2 + 0.1 * -1) / (1 - 0.81)
        let v = (0.999 * 0.001 * 4 + 0.001 * 1) / (1 - 0.998001)
        #expect(abs(Self.weight(net) - (-0.1 - 0.1 * m / (v.squareRoot() + 1e-8))) < 1e-6)
    }

    @Test("SGD with momentum 0.9 and Nesterov")
    func sgd() throws {
        var net = try Self.single(weight: 1)
        var opt = SGD(learningRate: 0.1, momentum: 0.9)
        opt.update(&net, gradients: Self.gradient(1, for: net))
        opt.update(&net, gradients: Self.gradient(1, for: net))
        #expect(abs(Self.weight(net) - (1 - 0.1 - 0.1 * 1.9)) < 1e-6)
        var n2 = try Self.single(weight: 1)
        var nesterov = SGD(learningRate: 0.1, momentum: 0.9, isNesterov: true)
        nesterov.update(&n2, gradients: Self.gradient(1, for: n2))
        #expect(abs(Self.weight(n2) - (1 - 0.1 * 1.9)) < 1e-6)
    }

    @Test("Two threads update exactly as one (a 300 × 211 weight, split at an element that is not a multiple of 8)",
          arguments: ["smorms3", "adam", "sgd"])
    func threads(kind: String) throws {
        func optimizer() -> any Optimizer {
            switch kind {
            case "smorms3": return SMORMS3(learningRate: 5e-3)
            case "adam": return Adam(learningRate: 1e-3)
            default: return SGD(learningRate: 1e-2, momentum: 0.9, isNesterov: true)
            }
        }
        var net = try SpikingNetwork(inputs: 211, timeStep: .milliseconds(1)) { LeakyReadout(300, tauMembrane: .milliseconds(20)) }
        var rng = Xoshiro256StarStar(seed: 3)
        let id = ParameterID(layer: 0, afferent: 0, kind: .weights)
        net[id].scalars = (0..<net[id].count).map { _ in Float(rng.nextUniform() - 0.5) }
        var one = net, two = net
        var a = optimizer(), b = optimizer()
        for step in 0..<3 {
            var g = NetworkGradients(zerosFor: net)
            g.tensors[0].scalars = (0..<net[id].count).map { Float(sin(Double($0 * (step + 1)))) }
            a.update(&one, gradients: g, threads: 1)
            b.update(&two, gradients: g, threads: 2)
        }
        #expect(one[id].scalars == two[id].scalars)
        #expect(one[id].scalars != net[id].scalars)
    }

    @Test("Schedules: cosine from base to minimum, step decay per epoch")
    func schedules() {
        let c = LearningRateSchedule.cosine(minimum: 0.1)
        #expect(c.rate(base: 1, progress: 0, epoch: 0) == 1)
        #expect(abs(c.rate(base: 1, progress: 0.5, epoch: 0) - 0.55) < 1e-12)
        #expect(abs(c.rate(base: 1, progress: 1, epoch: 0) - 0.1) < 1e-12)
        let s = LearningRateSchedule.step(epochs: 10, factor: 0.5)
        #expect(s.rate(base: 1, progress: 0, epoch: 9) == 1)
        #expect(s.rate(base: 1, progress: 0, epoch: 10) == 0.5)
        #expect(s.rate(base: 1, progress: 0, epoch: 25) == 0.25)
    }

    @Test("Constraints: non-negative weights are clamped after a step")
    func constraints() throws {
        var net = try Self.single(weight: 0.01)
        var p = net.layers[0].afferents[0]
        p.constraint = .nonNegative
        try net.setProjection(p, layer: 0, afferent: 0)
        var opt = SGD(learningRate: 1)
        opt.update(&net, gradients: Self.gradient(1, for: net))
        #expect(Self.weight(net) < 0)
        net.applyConstraints()
        #expect(Self.weight(net) == 0)
    }
}
