import Foundation
import SNNData
import SNNKit
import Testing

/// Networks, weights and simulations shared by the NIR tests.
enum NIRFixtures {
    /// 20 inputs → 32 recurrent LIF (bias, sigmoid surrogate, dropout) → 16 LIF with heterogeneous learned τ and a skip
    /// connection from the input → 5 readout.
    static func denseRecurrent() throws -> SpikingNetwork {
        var net = try SpikingNetwork(inputs: 20, timeStep: .milliseconds(1)) {
            LIFLayer(32, tauMembrane: .milliseconds(20), tauSynapse: .milliseconds(5), threshold: 1, isRecurrent: true,
                     surrogate: .sigmoid(beta: 10), dropout: 0.1, hasBias: true, name: "recurrent")
            LIFLayer(16, tauMembrane: .milliseconds(15), tauSynapse: .milliseconds(8), threshold: 0.8, resetGradient: .differentiated,
                     learnsTimeConstants: true, timeConstantSpread: 0.3, skipSources: [.input])
            LeakyReadout(5, tauMembrane: .milliseconds(200), tauSynapse: .milliseconds(10), initialState: -1e-2)
        }
        randomize(&net, seed: 11)
        return net
    }

    /// A flat 40-channel input read as 1 × 40 → conv1d 4 × 18 with a recurrent conv → conv1d 6 × 8 with a recurrent
    /// conv → 3 readout.
    static func convolution1D() throws -> SpikingNetwork {
        var net = try SpikingNetwork(inputs: 40, timeStep: .milliseconds(2)) {
            ConvolutionalLIFLayer(channels: 4, kernel: [5], stride: [2], recurrentKernel: [3])
            ConvolutionalLIFLayer(channels: 6, kernel: [3], stride: [2], padding: [0], recurrentKernel: [3],
                                  dynamics: LIFDynamics(tauMembrane: .milliseconds(25), tauSynapse: .milliseconds(6), threshold: 1.2))
            LeakyReadout(3, tauMembrane: .milliseconds(100))
        }
        randomize(&net, seed: 12)
        return net
    }

    /// 2 × 8 × 8 frames → conv2d 4 × 8 × 8 (padding 1) → sum pool 2 × 2 → 4 × 4 × 4 → 10 LIF (through Flatten) → 3 readout.
    static func convolution2D(pooling: PoolingKind = .sum) throws -> SpikingNetwork {
        var net = try SpikingNetwork(inputs: 128, inputShape: ActivityShape(channels: 2, spatial: [8, 8]), timeStep: .milliseconds(1)) {
            ConvolutionalLIFLayer(channels: 4, kernel: [3, 3], padding: [1, 1])
            PoolingLayer(pooling, window: [2, 2])
            LIFLayer(10, hasBias: true)
            LeakyReadout(3, tauMembrane: .milliseconds(50), initialState: 0)
        }
        randomize(&net, seed: 13)
        return net
    }

    /// Neurons without synaptic filter (τ_syn = 0; NIR's LIF and LI): 2 × 6 × 6 frames → conv2d LIF 3 × 6 × 6 (padding 1)
    /// → 12 recurrent LIF (bias, heterogeneous τ_mem, θ 0.8, skip connection from the input through Flatten) → 3
    /// readout without synaptic filter.
    static func withoutSynapticFilter() throws -> SpikingNetwork {
        var net = try SpikingNetwork(inputs: 72, inputShape: ActivityShape(channels: 2, spatial: [6, 6]), timeStep: .milliseconds(1)) {
            ConvolutionalLIFLayer(channels: 3, kernel: [3, 3], padding: [1, 1],
                                  dynamics: LIFDynamics(tauMembrane: .milliseconds(15), tauSynapse: .zero, surrogate: .fastSigmoid(slope: 25)))
            LIFLayer(12, tauMembrane: .milliseconds(20), tauSynapse: .zero, threshold: 0.8, isRecurrent: true, timeConstantSpread: 0.3,
                     hasBias: true, skipSources: [.input], name: "recurrent")
            LeakyReadout(3, tauMembrane: .milliseconds(100), tauSynapse: .zero, initialState: -1e-2)
        }
        randomize(&net, seed: 14)
        return net
    }

    /// "Trained-like" weights: uniform in ±4/√n, biases in ±0.1.
    static func randomize(_ net: inout SpikingNetwork, seed: UInt64) {
        var rng = Xoshiro256StarStar(seed: seed)
        for id in net.parameterIDs {
            var t = net[id]
            switch id.kind {
            case .weights:
                let scale = 4 / Double(max(net.layers[id.layer].afferents[id.afferent].fanIn, 1)).squareRoot()
                t.scalars = (0..<t.count).map { _ in Float((2 * rng.nextUniform() - 1) * scale) }
            case .bias:
                t.scalars = (0..<t.count).map { _ in Float((2 * rng.nextUniform() - 1) * 0.1) }
            case .timeConstants:
                continue
            }
            net[id] = t
        }
    }

    /// Bernoulli spikes `[T, B, N]`.
    static func input(steps: Int, batch: Int, channels: Int, probability: Double, seed: UInt64) -> Tensor {
        var rng = Xoshiro256StarStar(seed: seed)
        var t = Tensor(shape: [steps, batch, channels])
        for e in 0..<t.count where rng.nextUniform() < probability { t.scalars[e] = 1 }
        return t
    }

    /// Every layer's output `[T, B, N]` (spikes or readout trace) for `input`.
    static func simulate(_ net: SpikingNetwork, _ input: Tensor) throws -> [[Float]] {
        let ws = SimulationWorkspace()
        try ws.forward(net, input: input)
        return net.layers.indices.map { Array(ws.output(ofLayer: $0)) }
    }
}

/// The ``NIRError`` `body` throws, or `nil` (recorded as a test issue) when it throws nothing or another error.
func captureNIR<T>(_ body: () throws -> T, sourceLocation: SourceLocation = #_sourceLocation) -> NIRError? {
    do {
        _ = try body()
        Issue.record("expected a NIRError, none was thrown", sourceLocation: sourceLocation)
        return nil
    } catch let error as NIRError {
        return error
    } catch {
        Issue.record("expected a NIRError, got \(error)", sourceLocation: sourceLocation)
        return nil
    }
}

/// Checks that the error's message names every string in `names` (the file, the node, …).
func expectNames(_ error: NIRError?, _ names: String..., sourceLocation: SourceLocation = #_sourceLocation) {
    guard let error else { return }
    for name in names {
        #expect(error.description.contains(name), "message \"\(error.description)\" does not name \(name)", sourceLocation: sourceLocation)
    }
}
