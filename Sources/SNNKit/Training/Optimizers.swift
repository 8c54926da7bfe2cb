import Foundation
import SNNKernels

/// Updates a network's parameters from their gradients; keeps per-parameter state between steps.
public protocol Optimizer: Sendable {
    /// The current learning rate (schedules set it every step).
    var learningRate: Double { get set }
    /// Applies one update to every parameter of `network`.
    mutating func update(_ network: inout SpikingNetwork, gradients: NetworkGradients)
    /// Applies one update, with the elements of large parameters split across `threads` threads (the same result as
    /// ``update(_:gradients:)``; the default implementation calls it).
    mutating func update(_ network: inout SpikingNetwork, gradients: NetworkGradients, threads: Int)
    /// The optimizer's kind, hyper-parameters, update count and per-parameter moments for the parameters of
    /// `network` (the one being optimized), or `nil` when the optimizer cannot be checkpointed (the default).
    func exportState(for network: SpikingNetwork) -> OptimizerState?
    /// Continues from `state` (exported by an optimizer of the same kind for a network with the same parameters):
    /// takes its moments and update count, keeps this optimizer's own hyper-parameters. An empty state resets the
    /// optimizer to before its first step.
    ///
    /// - Throws: ``CheckpointError`` for another kind, a missing or misshapen moment (errors carry an empty path;
    ///   ``Trainer`` fills in the checkpoint's file). The default implementation throws
    ///   ``CheckpointError/incompatible(path:reason:)``.
    mutating func restoreState(_ state: OptimizerState, for network: SpikingNetwork) throws(CheckpointError)
}

extension Optimizer {
    /// One thread: ``update(_:gradients:)``.
    public mutating func update(_ network: inout SpikingNetwork, gradients: NetworkGradients, threads: Int) {
        update(&network, gradients: gradients)
    }

    /// Not checkpointable: `nil`.
    public func exportState(for network: SpikingNetwork) -> OptimizerState? { nil }

    /// Not checkpointable: throws ``CheckpointError/incompatible(path:reason:)``.
    public mutating func restoreState(_ state: OptimizerState, for network: SpikingNetwork) throws(CheckpointError) {
        throw .incompatible(path: "", reason: "\(type(of: self)) does not support restoring optimizer state")
    }
}

extension Optimizer {
    /// Visits each parameter, in place (no copy), with its gradient and its per-parameter state slot index.
    static func forEachParameter(_ network: inout SpikingNetwork, _ gradients: NetworkGradients,
                                 _ body: (Int, UnsafeMutableBufferPointer<Float>, UnsafeBufferPointer<Float>) -> Void) {
        for (i, id) in gradients.ids.enumerated() {
            gradients.tensors[i].scalars.withUnsafeBufferPointer { grad in
                network.withScalars(of: id) { p in body(i, p, grad) }
            }
        }
    }

    /// Runs `body` on `0..<count` split into at most `threads` contiguous ranges, in parallel (one range below 32 768
    /// elements: a dispatch costs more than it saves). Element-wise updates give the same result however it is split.
    static func forEachRange(_ count: Int, threads: Int, _ body: (Range<Int>) -> Void) {
        parallelChunks(count, parts: count >= 1 << 15 ? threads : 1) { range, _ in body(range) }
    }
}

/// SMORMS3 (Simon Funk), the reference optimizer of stork (SPEC §6), per parameter element:
///
///     r = 1/(mem+1); g = (1−r)g + r·grad; g2 = (1−r)g2 + r·grad²
///     x = g²/(g2+ε); mem = mem·(1 − x) + 1; p −= min(x, lr)·grad/(√g2 + ε)
///
/// with state `mem = 1, g = 0, g2 = 0` and ε = 1e-16.
public struct SMORMS3: Optimizer {
    /// Learning rate (the cap on the adaptive step factor); reference 5e-3.
    public var learningRate: Double
    /// ε.
    public var epsilon: Float
    private var memory: [[Float]] = [], mean: [[Float]] = [], meanSquare: [[Float]] = []
    private var step = 0

    /// The ``OptimizerState/kind`` of SMORMS3: `"smorms3"`.
    public static let kind = "smorms3"

    /// Creates the optimizer.
    public init(learningRate: Double = 5e-3, epsilon: Float = 1e-16) {
        self.learningRate = learningRate
        self.epsilon = epsilon
    }

    /// The state: hyper-parameters `learningRate`, `epsilon`; moments `mem`, `g`, `g2` (SPEC §6's names).
    public func exportState(for network: SpikingNetwork) -> OptimizerState? {
        OptimizerState(kind: Self.kind, hyperparameters: ["learningRate": learningRate, "epsilon": Double(epsilon)], step: step,
                       moments: ["mem": memory, "g": mean, "g2": meanSquare], network: network)
    }

    /// Continues from a SMORMS3 state (see ``Optimizer/restoreState(_:for:)``).
    public mutating func restoreState(_ state: OptimizerState, for network: SpikingNetwork) throws(CheckpointError) {
        let m = try state.moments(kind: Self.kind, names: ["mem", "g", "g2"], for: network)
        (memory, mean, meanSquare) = m.map { ($0[0], $0[1], $0[2]) } ?? ([], [], [])
        step = state.step
    }

    /// One SMORMS3 step.
    public mutating func update(_ network: inout SpikingNetwork, gradients: NetworkGradients) {
        update(&network, gradients: gradients, threads: 1)
    }

    /// One SMORMS3 step on `threads` threads.
    public mutating func update(_ network: inout SpikingNetwork, gradients: NetworkGradients, threads: Int) {
        if memory.count != gradients.ids.count {
            memory = gradients.tensors.map { [Float](repeating: 1, count: $0.count) }
            mean = gradients.tensors.map { [Float](repeating: 0, count: $0.count) }
            meanSquare = mean
        }
        let lr = Float(learningRate), eps = epsilon
        var mem = memory, g1 = mean, g2 = meanSquare
        memory = []; mean = []; meanSquare = []  // keep the state uniquely referenced (no copy on write)
        Self.forEachParameter(&network, gradients) { i, p, grad in
            mem[i].withUnsafeMutableBufferPointer { mem in g1[i].withUnsafeMutableBufferPointer { g1 in g2[i].withUnsafeMutableBufferPointer { g2 in
                Self.forEachRange(p.count, threads: threads) { range in for e in range {
                    let gr = grad[e]
                    let r = 1 / (mem[e] + 1)
                    let a = (1 - r) * g1[e] + r * gr
                    let b = (1 - r) * g2[e] + r * gr * gr
                    let x = a * a / (b + eps)
                    mem[e] = mem[e] * (1 - x) + 1
                    g1[e] = a
                    g2[e] = b
                    p[e] -= min(x, lr) * gr / (b.squareRoot() + eps)
                } }
            } } }
        }
        memory = mem; mean = g1; meanSquare = g2
        step += 1
    }
}

/// Adam (Kingma & Ba 2015) with bias correction.
public struct Adam: Optimizer {
    /// Learning rate.
    public var learningRate: Double
    /// β₁, β₂.
    public var betas: (Float, Float)
    /// ε.
    public var epsilon: Float
    private var step = 0
    private var m: [[Float]] = [], v: [[Float]] = []

    /// The ``OptimizerState/kind`` of Adam: `"adam"`.
    public static let kind = "adam"

    /// Creates Adam (PyTorch defaults: β 0.9/0.999, ε 1e-8).
    public init(learningRate: Double = 1e-3, betas: (Float, Float) = (0.9, 0.999), epsilon: Float = 1e-8) {
        self.learningRate = learningRate
        self.betas = betas
        self.epsilon = epsilon
    }

    /// The state: hyper-parameters `learningRate`, `beta1`, `beta2`, `epsilon`; moments `m`, `v`; the step count
    /// (bias correction depends on it).
    public func exportState(for network: SpikingNetwork) -> OptimizerState? {
        OptimizerState(kind: Self.kind, hyperparameters: ["learningRate": learningRate, "beta1": Double(betas.0), "beta2": Double(betas.1),
                                                          "epsilon": Double(epsilon)],
                       step: step, moments: ["m": m, "v": v], network: network)
    }

    /// Continues from an Adam state (see ``Optimizer/restoreState(_:for:)``).
    public mutating func restoreState(_ state: OptimizerState, for network: SpikingNetwork) throws(CheckpointError) {
        let moments = try state.moments(kind: Self.kind, names: ["m", "v"], for: network)
        (m, v) = moments.map { ($0[0], $0[1]) } ?? ([], [])
        step = moments == nil ? 0 : state.step
    }

    /// One Adam step.
    public mutating func update(_ network: inout SpikingNetwork, gradients: NetworkGradients) {
        update(&network, gradients: gradients, threads: 1)
    }

    /// One Adam step on `threads` threads.
    public mutating func update(_ network: inout SpikingNetwork, gradients: NetworkGradients, threads: Int) {
        if m.count != gradients.ids.count {
            m = gradients.tensors.map { [Float](repeating: 0, count: $0.count) }
            v = m
            step = 0
        }
        step += 1
        let (b1, b2) = betas
        let c1 = 1 - Float(Double(b1).power(step)), c2 = 1 - Float(Double(b2).power(step))
        let lr = Float(learningRate), eps = epsilon
        var mm = m, vv = v
        m = []; v = []
        Self.forEachParameter(&network, gradients) { i, p, grad in
            mm[i].withUnsafeMutableBufferPointer { m in vv[i].withUnsafeMutableBufferPointer { v in
                // The same operations, 8 elements at a time (element-wise IEEE arithmetic: identical results).
                func step<V: SIMD>(_ g: V, _ m: inout V, _ v: inout V, _ p: inout V) where V.Scalar == Float {
                    m = b1 * m + (1 - b1) * g
                    v = b2 * v + (1 - b2) * g * g
                    p -= lr * (m / c1) / ((v / c2).squareRoot() + eps)
                }
                Self.forEachRange(p.count, threads: threads) { range in
                    var e = range.lowerBound
                    while e + 8 <= range.upperBound {
                        var (mv, vv, pv) = (load8(m, e), load8(v, e), load8(p, e))
                        step(load8(grad, e), &mv, &vv, &pv)
                        store8(mv, m, e); store8(vv, v, e); store8(pv, p, e)
                        e += 8
                    }
                    while e < range.upperBound {
                        var (ms, vs, ps) = (SIMD2(m[e], 0), SIMD2(v[e], 0), SIMD2(p[e], 0))
                        step(SIMD2(grad[e], 0), &ms, &vs, &ps)
                        (m[e], v[e], p[e]) = (ms[0], vs[0], ps[0])
                        e += 1
                    }
                }
            } }
        }
        m = mm; v = vv
    }
}

/// Stochastic gradient descent with (optionally Nesterov) momentum, PyTorch convention: `v = μv + g; p −= lr·v`.
public struct SGD: Optimizer {
    /// Learning rate.
    public var learningRate: Double
    /// Momentum μ (0 for plain SGD).
    public var momentum: Float
    /// Whether to use Nesterov momentum (`p −= lr·(g + μv)`).
    public var isNesterov: Bool
    private var velocity: [[Float]] = []
    private var step = 0

    /// The ``OptimizerState/kind`` of SGD: `"sgd"`.
    public static let kind = "sgd"

    /// Creates SGD.
    public init(learningRate: Double, momentum: Float = 0, isNesterov: Bool = false) {
        self.learningRate = learningRate
        self.momentum = momentum
        self.isNesterov = isNesterov
    }

    /// The state: hyper-parameters `learningRate`, `momentum`, `nesterov` (1 or 0); moment `velocity`.
    public func exportState(for network: SpikingNetwork) -> OptimizerState? {
        OptimizerState(kind: Self.kind, hyperparameters: ["learningRate": learningRate, "momentum": Double(momentum), "nesterov": isNesterov ? 1 : 0],
                       step: step, moments: ["velocity": velocity], network: network)
    }

    /// Continues from an SGD state (see ``Optimizer/restoreState(_:for:)``).
    public mutating func restoreState(_ state: OptimizerState, for network: SpikingNetwork) throws(CheckpointError) {
        velocity = try state.moments(kind: Self.kind, names: ["velocity"], for: network)?[0] ?? []
        step = state.step
    }

    /// One SGD step.
    public mutating func update(_ network: inout SpikingNetwork, gradients: NetworkGradients) {
        update(&network, gradients: gradients, threads: 1)
    }

    /// One SGD step on `threads` threads.
    public mutating func update(_ network: inout SpikingNetwork, gradients: NetworkGradients, threads: Int) {
        if velocity.count != gradients.ids.count { velocity = gradients.tensors.map { [Float](repeating: 0, count: $0.count) } }
        let lr = Float(learningRate), mu = momentum, nesterov = isNesterov
        var vel = velocity
        velocity = []
        Self.forEachParameter(&network, gradients) { i, p, grad in
            vel[i].withUnsafeMutableBufferPointer { v in
                Self.forEachRange(p.count, threads: threads) { range in
                    for e in range {
                        let g = grad[e]
                        v[e] = mu * v[e] + g
                        p[e] -= lr * (nesterov ? g + mu * v[e] : v[e])
                    }
                }
            }
        }
        velocity = vel
        step += 1
    }
}

/// Elements `e ..< e + 8` of a buffer.
@inline(__always) private func load8(_ b: UnsafeBufferPointer<Float>, _ e: Int) -> SIMD8<Float> {
    UnsafeRawPointer(b.baseAddress! + e).loadUnaligned(as: SIMD8<Float>.self)
}
@inline(__always) private func load8(_ b: UnsafeMutableBufferPointer<Float>, _ e: Int) -> SIMD8<Float> { load8(UnsafeBufferPointer(b), e) }
@inline(__always) private func store8(_ x: SIMD8<Float>, _ b: UnsafeMutableBufferPointer<Float>, _ e: Int) {
    UnsafeMutableRawPointer(b.baseAddress! + e).storeBytes(of: x, as: SIMD8<Float>.self)
}

extension Double {
    fileprivate func power(_ n: Int) -> Double {
        var r = 1.0
        for _ in 0..<n { r *= self }
        return r
    }
}

/// How the learning rate changes during training.
public enum LearningRateSchedule: Sendable, Hashable, Codable {
    /// The base rate throughout.
    case constant
    /// Cosine annealing from the base rate to `minimum` over the whole run, updated every optimizer step.
    case cosine(minimum: Double)
    /// Multiply by `factor` every `epochs` epochs.
    case step(epochs: Int, factor: Double)

    /// The rate at `progress ∈ [0, 1]` of the run, in epoch `epoch` (0-based).
    public func rate(base: Double, progress: Double, epoch: Int) -> Double {
        switch self {
        case .constant: return base
        case let .cosine(minimum):
            return minimum + (base - minimum) * (1 + Foundation.cos(Double.pi * min(max(progress, 0), 1))) / 2
        case let .step(epochs, factor):
            var r = base
            for _ in 0..<(epoch / max(epochs, 1)) { r *= factor }
            return r
        }
    }
}
