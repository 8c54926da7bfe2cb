import SNNKit
import Testing

/// The bounded-memory mode (``SimulationWorkspace/timeChunkSteps``: checkpointed BPTT over time chunks) computes what
/// the whole-window pass computes: the last layer's output, spike counts, loss and every parameter gradient.
@Suite("Time chunks (bounded-memory mode)")
struct TimeChunkTests {
    enum Architecture: String, CaseIterable, Sendable {
        case recurrentStack, adaptiveSkip, dalianDifferentiated, convolutionalMaxPool, leaky, learnedTimeConstants,
             dropout, escapeNoise, emptyInput
    }

    static let inputs = 24, outputs = 4, steps = 37, batch = 5

    static func network(_ a: Architecture) throws -> SpikingNetwork {
        let dt = Duration.milliseconds(1)
        var net: SpikingNetwork
        switch a {
        case .recurrentStack, .emptyInput:
            net = try SpikingNetwork(inputs: inputs, timeStep: dt) {
                LIFLayer(19, isRecurrent: true, hasBias: true)
                LIFLayer(13, isRecurrent: true)
                LeakyReadout(outputs, tauMembrane: .milliseconds(20))
            }
        case .adaptiveSkip:
            net = try SpikingNetwork(inputs: inputs, timeStep: dt) {
                LIFLayer(21, isRecurrent: true, adaptation: (tau: .milliseconds(50), strength: 0.2))
                LIFLayer(17, skipSources: [.input])
                LeakyReadout(outputs, tauMembrane: .milliseconds(20))
            }
        case .dalianDifferentiated:
            net = try SpikingNetwork(inputs: inputs, timeStep: dt) {
                DalianLayer(excitatory: 15, inhibitory: 5)
                LIFLayer(11, isRecurrent: true, resetGradient: .differentiated)
                LeakyReadout(outputs, tauMembrane: .milliseconds(20))
            }
        case .convolutionalMaxPool:
            net = try SpikingNetwork(inputs: inputs, inputShape: ActivityShape(channels: 2, spatial: [12]), timeStep: dt) {
                ConvolutionalLIFLayer(channels: 5, kernel: [3], stride: [1], padding: [1], recurrentKernel: [3])
                PoolingLayer(.max, window: [2])
                LeakyReadout(outputs, tauMembrane: .milliseconds(20))
            }
        case .leaky:
            net = try SpikingNetwork(inputs: inputs, timeStep: dt) {
                LeakyLayer(18, dynamics: LeakyDynamics(beta: 0.9, threshold: 1))
                LeakyReadout(outputs, tauMembrane: .milliseconds(20))
            }
        case .learnedTimeConstants:
            net = try SpikingNetwork(inputs: inputs, timeStep: dt) {
                LIFLayer(16, isRecurrent: true, learnsTimeConstants: true, timeConstantSpread: 0.3)
                LeakyReadout(outputs, tauMembrane: .milliseconds(20))
            }
        case .dropout:
            net = try SpikingNetwork(inputs: inputs, timeStep: dt) {
                LIFLayer(20, isRecurrent: true, dropout: 0.3)
                LeakyReadout(outputs, tauMembrane: .milliseconds(20))
            }
        case .escapeNoise:
            net = try SpikingNetwork(inputs: inputs, timeStep: dt) {
                LIFLayer(20, isRecurrent: true, escapeNoise: .sigmoid(beta: 5))
                LeakyReadout(outputs, tauMembrane: .milliseconds(20))
            }
        }
        var rng = Xoshiro256StarStar(seed: 11)
        try net.initialize(.fluctuationDriven(sigmaU: 1.5), rates: .fixed(hertz: 150), using: &rng)
        return net
    }

    struct Result {
        var output: [Float], counts: [[Float]], spikes: [Int], loss: Double, gradients: [Tensor]
    }

    /// Forward, max-over-time loss, an activity regularizer on every spiking layer, backward.
    static func run(_ a: Architecture, chunk: Int?, loss: Loss = .maxOverTimeCrossEntropy, splitsBatch: Bool = false) throws -> Result {
        let net = try network(a)
        let ws = SimulationWorkspace()
        ws.timeChunkSteps = chunk
        ws.threadCount = splitsBatch ? 2 : 1
        ws.batchSplitMinimumWork = splitsBatch ? 0 : .max
        ws.productStrategy = .eventDriven   // the same kernels in both modes: results agree to float rounding
        let input = bernoulliInput(steps: steps, batch: batch, channels: inputs, probability: a == .emptyInput ? 0 : 0.15, seed: 3)
        try ws.forward(net, input: input, options: ForwardOptions(dropoutSeed: a == .dropout ? 5 : nil, noiseSeed: 7))
        ws.zeroOutputGradients()
        let last = net.layers.count - 1
        let (value, _) = loss.evaluate(output: ws.output(ofLayer: last), steps: steps, batch: batch, classes: outputs,
                                       labels: (0..<batch).map { $0 % outputs }, gradient: ws.outputGradient(ofLayer: last))
        var g = NetworkGradients(zerosFor: net)
        let spiking = net.layers.indices.filter { net.layers[$0].neuron.isSpiking }
        _ = Regularizer.twoSided(strength: 0.05, threshold: 2, per: .neuron).apply(network: net, workspace: ws, gradients: &g)
        let counts = spiking.map { k in
            var c = [Float](repeating: 0, count: batch * net.layers[k].size)
            c.withUnsafeMutableBufferPointer { ws.accumulateSpikeCounts(ofLayer: k, into: $0) }
            return c
        }
        ws.backward(net, into: &g)
        return Result(output: Array(ws.output(ofLayer: last)), counts: counts, spikes: spiking.map { ws.spikeCount(ofLayer: $0) },
                      loss: value, gradients: g.tensors)
    }

    @Test("Chunked = whole window: output, counts, loss and gradients (T = 37 in chunks of 1, 6, 10 and 36 steps)",
          arguments: Architecture.allCases)
    func chunkedEqualsWholeWindow(architecture: Architecture) throws {
        let whole = try Self.run(architecture, chunk: nil)
        if architecture != .emptyInput { #expect(whole.spikes.reduce(0, +) > 0, "the network should spike") }
        #expect(whole.gradients.contains { $0.scalars.contains { $0 != 0 } }, "gradients should not vanish")
        for chunk in [1, 6, 10, 36] {   // 37, 7, 4 (last one short) and 2 (last one a single step) chunks
            let chunked = try Self.run(architecture, chunk: chunk)
            #expect(maxRelativeDifference(chunked.output, whole.output) < 1e-5, "output, chunk \(chunk)")
            #expect(chunked.counts == whole.counts, "spike counts, chunk \(chunk)")
            #expect(chunked.spikes == whole.spikes, "spike totals, chunk \(chunk)")
            #expect(abs(chunked.loss - whole.loss) <= 1e-6 * abs(whole.loss), "loss, chunk \(chunk)")
            for (i, (c, w)) in zip(chunked.gradients, whole.gradients).enumerated() {
                let d = maxRelativeDifference(c.scalars, w.scalars)
                #expect(d < 1e-4, "gradient \(i), chunk \(chunk): relative difference \(d)")
            }
        }
    }

    @Test("Time loops with the batch split across two threads = one thread (whole window and chunks of 6 steps)",
          arguments: Architecture.allCases)
    func splitBatchEqualsOneThread(architecture: Architecture) throws {
        let single = try Self.run(architecture, chunk: nil)
        for chunk in [nil, 6] as [Int?] {
            let split = try Self.run(architecture, chunk: chunk, splitsBatch: true)
            #expect(maxRelativeDifference(split.output, single.output) < 1e-5, "output, chunk \(String(describing: chunk))")
            #expect(split.counts == single.counts && split.spikes == single.spikes, "spike counts, chunk \(String(describing: chunk))")
            #expect(abs(split.loss - single.loss) <= 1e-6 * abs(single.loss))
            for (i, (s, w)) in zip(split.gradients, single.gradients).enumerated() {
                let d = maxRelativeDifference(s.scalars, w.scalars)
                #expect(d < 1e-4, "gradient \(i), chunk \(String(describing: chunk)): relative difference \(d)")
            }
        }
    }

    @Test("Sum-over-time and every-step losses spread their gradient over all chunks")
    func otherLosses() throws {
        for loss in [Loss.sumOverTimeCrossEntropy, .everyStepCrossEntropy, .meanSquaredError] {
            let whole = try Self.run(.recurrentStack, chunk: nil, loss: loss)
            let chunked = try Self.run(.recurrentStack, chunk: 8, loss: loss)
            for (c, w) in zip(chunked.gradients, whole.gradients) {
                #expect(maxRelativeDifference(c.scalars, w.scalars) < 1e-4, "\(loss)")
            }
        }
    }

    @Test("A trainer with time chunks takes the same steps as one without (3 Adam steps)")
    func trainerSteps() throws {
        func train(_ chunk: Int?) throws -> [Tensor] {
            let trainer = try Trainer(network: Self.network(.recurrentStack), optimizer: Adam(learningRate: 1e-3),
                                      regularizers: [.upperBound(strength: 0.1, threshold: 3)])
            trainer.timeChunkSteps = chunk
            trainer.productStrategy = .eventDriven
            let input = bernoulliInput(steps: Self.steps, batch: Self.batch, channels: Self.inputs, probability: 0.15, seed: 8)
            for _ in 0..<3 {
                _ = trainer.prepareBatch(steps: Self.steps, batch: Self.batch).update(fromContentsOf: input.scalars)
                try trainer.step(labels: (0..<Self.batch).map { $0 % Self.outputs })
            }
            return trainer.network.parameterIDs.map { trainer.network[$0] }
        }
        let whole = try train(nil), chunked = try train(10)
        for (c, w) in zip(chunked, whole) { #expect(maxRelativeDifference(c.scalars, w.scalars) < 1e-4) }
    }
}

/// `max |a − b| / max(max |b|, tiny)`.
func maxRelativeDifference(_ a: [Float], _ b: [Float]) -> Double {
    precondition(a.count == b.count)
    var diff = 0.0, scale = 1e-30
    for (x, y) in zip(a, b) {
        diff = max(diff, abs(Double(x) - Double(y)))
        scale = max(scale, abs(Double(y)))
    }
    return diff / scale
}
