import SNNKit
import Testing

/// The event-driven products give the same forward traces and gradients as the dense (BLAS) reference path.
@Suite("Event-driven vs dense products")
struct ProductStrategyTests {
    struct Case: Sendable, CustomStringConvertible {
        var inputs: Int, hidden: Int, outputs: Int, steps: Int, batch: Int, probability: Double, recurrent: Bool, layers: Int
        var description: String { "\(inputs)→\(layers)×\(hidden)\(recurrent ? "r" : "")→\(outputs), T \(steps), B \(batch), p \(probability)" }
    }

    static let cases: [Case] = [
        .init(inputs: 37, hidden: 17, outputs: 3, steps: 30, batch: 5, probability: 0.05, recurrent: true, layers: 1),
        .init(inputs: 70, hidden: 33, outputs: 5, steps: 25, batch: 7, probability: 0.2, recurrent: true, layers: 2),
        .init(inputs: 16, hidden: 1, outputs: 2, steps: 20, batch: 3, probability: 0.3, recurrent: false, layers: 1),
        .init(inputs: 23, hidden: 15, outputs: 4, steps: 20, batch: 4, probability: 0, recurrent: true, layers: 1),
        .init(inputs: 29, hidden: 259, outputs: 7, steps: 12, batch: 3, probability: 0.1, recurrent: true, layers: 1),
    ]

    func run(_ c: Case, strategy: ProductStrategy, threads: Int, architecture: Architecture? = nil) throws -> (outputs: [[Float]], gradients: [Tensor]) {
        var net = try architecture?.network() ?? SpikingNetwork(inputs: c.inputs, timeStep: .milliseconds(1)) {
            for _ in 0..<c.layers { LIFLayer(c.hidden, isRecurrent: c.recurrent, hasBias: true) }
            LeakyReadout(c.outputs, tauMembrane: .milliseconds(20))
        }
        var rng = Xoshiro256StarStar(seed: 4)
        try net.initialize(.fluctuationDriven(sigmaU: 2), rates: .fixed(hertz: max(c.probability, 0.01) * 1000), using: &rng)
        let input = bernoulliInput(steps: c.steps, batch: c.batch, channels: c.inputs, probability: c.probability, seed: 5)
        let ws = SimulationWorkspace()
        ws.productStrategy = strategy
        ws.threadCount = threads
        ws.batchSplitMinimumWork = 0   // with 2 threads every time loop that can split the batch does
        try ws.forward(net, input: input)
        ws.zeroOutputGradients()
        let last = net.layers.count - 1
        _ = Loss.maxOverTimeCrossEntropy.evaluate(output: ws.output(ofLayer: last), steps: c.steps, batch: c.batch,
                                                  classes: c.outputs, labels: (0..<c.batch).map { $0 % c.outputs },
                                                  gradient: ws.outputGradient(ofLayer: last))
        var g = NetworkGradients(zerosFor: net)
        var penalty = NetworkGradients(zerosFor: net)
        _ = Regularizer.upperBound(strength: 0.1, threshold: 0.5).apply(network: net, workspace: ws, gradients: &penalty)
        ws.backward(net, into: &g)
        return (net.layers.indices.map { Array(ws.output(ofLayer: $0)) + Array(ws.membrane(ofLayer: $0)) }, g.tensors)
    }

    /// Architectures beyond dense LIF stacks, on 40 inputs (a 2 × 20 grid for the convolutional ones).
    enum Architecture: String, CaseIterable, Sendable {
        case convolutional1d, convolutional2d, dalian, adaptiveSkip

        func network() throws -> SpikingNetwork {
            let dt = Duration.milliseconds(1)
            switch self {
            case .convolutional1d:
                return try SpikingNetwork(inputs: 40, inputShape: ActivityShape(channels: 2, spatial: [20]), timeStep: dt) {
                    ConvolutionalLIFLayer(channels: 5, kernel: [5], stride: [2], padding: [1], recurrentKernel: [3])
                    PoolingLayer(.max, window: [2])
                    ConvolutionalLIFLayer(channels: 4, kernel: [3], groups: 1, recurrentKernel: [3])
                    LeakyReadout(4, tauMembrane: .milliseconds(20))
                }
            case .convolutional2d:
                return try SpikingNetwork(inputs: 40, inputShape: ActivityShape(channels: 2, spatial: [4, 5]), timeStep: dt) {
                    ConvolutionalLIFLayer(channels: 6, kernel: [3, 3], padding: [2, 2], recurrentKernel: [3, 3])
                    PoolingLayer(.sum, window: [2, 2])
                    ConvolutionalLIFLayer(channels: 4, kernel: [2, 2], groups: 2)
                    LeakyReadout(4, tauMembrane: .milliseconds(20))
                }
            case .dalian:
                return try SpikingNetwork(inputs: 40, timeStep: dt) {
                    DalianLayer(excitatory: 19, inhibitory: 6)
                    LeakyReadout(4, tauMembrane: .milliseconds(20))
                }
            case .adaptiveSkip:
                return try SpikingNetwork(inputs: 40, timeStep: dt) {
                    LIFLayer(21, isRecurrent: true, adaptation: (tau: .milliseconds(50), strength: 0.2))
                    LIFLayer(17, skipSources: [.input])
                    LeakyReadout(4, tauMembrane: .milliseconds(20))
                }
            }
        }
    }

    @Test("Convolution, pooling, Dalian, adaptive and skip architectures: event-driven = dense (1 and 2 threads)",
          arguments: Architecture.allCases)
    func architectures(architecture: Architecture) throws {
        let c = Case(inputs: 40, hidden: 0, outputs: 4, steps: 30, batch: 5, probability: 0.1, recurrent: true, layers: 0)
        try compare(c, architecture: architecture)
        // not vacuous: every hidden layer spikes
        let net = try architecture.network()
        let outputs = try run(c, strategy: .eventDriven, threads: 1, architecture: architecture).outputs
        for k in 0..<(net.layers.count - 1) {
            let n = c.steps * c.batch * net.layers[k].size
            #expect(outputs[k].prefix(n).contains { $0 != 0 }, "layer \(k) is silent")
        }
    }

    @Test("Forward traces and gradients agree (1 and 2 threads)", arguments: cases)
    func agree(c: Case) throws {
        try compare(c, architecture: nil)
    }

    func compare(_ c: Case, architecture: Architecture?) throws {
        let dense = try run(c, strategy: .dense, threads: 1, architecture: architecture)
        for threads in [1, 2] {
            let events = try run(c, strategy: .eventDriven, threads: threads, architecture: architecture)
            for (a, b) in zip(dense.outputs, events.outputs) {
                let worst = zip(a, b).map { abs($0 - $1) / max(1, abs($0)) }.max() ?? 0
                #expect(worst < 1e-4, "forward differs by \(worst)")
            }
            for (a, b) in zip(dense.gradients, events.gradients) {
                // (The floor matters where a gradient cancels: with p = 0 every sample is the same and the labels cover
                // each class once, so the hidden bias gradient sums to float rounding, ≈ 1e-9, in any summation order.)
                let scale = max(a.scalars.map(abs).max() ?? 0, 1e-4)
                let worst = zip(a.scalars, b.scalars).map { abs($0 - $1) }.max() ?? 0
                #expect(worst <= 1e-4 * scale, "gradient differs by \(worst) (scale \(scale))")
            }
        }
    }

    @Test("Repeated passes on one workspace give the same gradients (lazily zeroed output gradients are re-zeroed)",
          arguments: [false, true])
    func repeatedPasses(recurrent: Bool) throws {
        // Recurrent (no penalty on the hidden layers): the last hidden ∂L/∂S is overwritten by the stacked products;
        // feed-forward with a spike penalty: zeroed on first use. A different input in between leaves other values in
        // every buffer.
        let c = Case(inputs: 31, hidden: 19, outputs: 3, steps: 16, batch: 6, probability: 0.2, recurrent: recurrent, layers: 2)
        var net = try SpikingNetwork(inputs: c.inputs, timeStep: .milliseconds(1)) {
            for _ in 0..<c.layers { LIFLayer(c.hidden, isRecurrent: c.recurrent, hasBias: true) }
            LeakyReadout(c.outputs, tauMembrane: .milliseconds(20))
        }
        var rng = Xoshiro256StarStar(seed: 4)
        try net.initialize(.fluctuationDriven(sigmaU: 2), rates: .fixed(hertz: 200), using: &rng)
        let ws = SimulationWorkspace()
        ws.threadCount = 2
        ws.batchSplitMinimumWork = 0
        func gradients(seed: UInt64) throws -> [Tensor] {
            try ws.forward(net, input: bernoulliInput(steps: c.steps, batch: c.batch, channels: c.inputs, probability: c.probability, seed: seed))
            ws.zeroOutputGradients()
            _ = Loss.maxOverTimeCrossEntropy.evaluate(output: ws.output(ofLayer: c.layers), steps: c.steps, batch: c.batch, classes: c.outputs,
                                                      labels: (0..<c.batch).map { $0 % c.outputs }, gradient: ws.outputGradient(ofLayer: c.layers))
            var g = NetworkGradients(zerosFor: net)
            if !recurrent { _ = Regularizer.upperBound(strength: 0.1, threshold: 0.5).apply(network: net, workspace: ws, gradients: &g) }
            ws.backward(net, into: &g)
            return g.tensors
        }
        let first = try gradients(seed: 5)
        _ = try gradients(seed: 6)
        let again = try gradients(seed: 5)
        #expect(first.contains { $0.scalars.contains { $0 != 0 } })
        for (a, b) in zip(first, again) { #expect(a.scalars == b.scalars) }
    }

    @Test("Spike trains are identical, not only close")
    func identicalSpikes() throws {
        let c = Self.cases[1]
        let dense = try run(c, strategy: .dense, threads: 1), events = try run(c, strategy: .automatic, threads: 2)
        for k in 0..<c.layers {
            let n = c.steps * c.batch * c.hidden
            #expect(Array(dense.outputs[k].prefix(n)) == Array(events.outputs[k].prefix(n)))
        }
    }

    @Test("Input straight from data-set events equals the dense input (event-driven and forced-dense products)",
          arguments: [ProductStrategy.automatic, .dense, .eventDriven])
    func inputFromEvents(strategy: ProductStrategy) throws {
        // 3 samples, 40 channels, 20 steps; sample 1 repeats events in one bin, sample 2 is dense (≈ 50 %).
        var offsets = [0], steps = [Int32](), channels = [Int32]()
        var rng = Xoshiro256StarStar(seed: 8)
        for sample in 0..<3 {
            let n = sample == 2 ? 400 : 30
            for _ in 0..<n { steps.append(Int32(rng.next() % 20)); channels.append(Int32(rng.next() % 40)) }
            if sample == 1 { steps += [3, 3, 3]; channels += [7, 7, 7] }
            offsets.append(steps.count)
        }
        let data = try SpikeDataset(channels: 40, steps: 20, timeStep: .milliseconds(1), classes: 2, eventOffsets: offsets,
                                    eventSteps: steps, eventChannels: channels, labels: [0, 1, 0])
        var net = try SpikingNetwork(inputs: 40, timeStep: .milliseconds(1)) {
            LIFLayer(19, isRecurrent: true, hasBias: true)
            LeakyReadout(2, tauMembrane: .milliseconds(20))
        }
        var seeded = Xoshiro256StarStar(seed: 2)
        try net.initialize(.fluctuationDriven(sigmaU: 2), rates: .measured(on: data), using: &seeded)
        func run(fromEvents: Bool) -> ([Float], [Tensor]) {
            let ws = SimulationWorkspace()
            ws.productStrategy = strategy
            ws.prepare(for: net, steps: 20, batch: 3)
            if fromEvents { ws.setInput(from: data, samples: [2, 0, 1]) } else { data.fillDense([2, 0, 1], into: ws.inputBuffer) }
            ws.forward(net)
            ws.zeroOutputGradients()
            _ = Loss.sumOverTimeCrossEntropy.evaluate(output: ws.output(ofLayer: 1), steps: 20, batch: 3, classes: 2, labels: [0, 0, 1],
                                                      gradient: ws.outputGradient(ofLayer: 1))
            var g = NetworkGradients(zerosFor: net)
            ws.backward(net, into: &g)
            return (Array(ws.output(ofLayer: 0)) + Array(ws.output(ofLayer: 1)), g.tensors)
        }
        let dense = run(fromEvents: false), events = run(fromEvents: true)
        #expect(dense.0 == events.0)
        for (a, b) in zip(dense.1, events.1) {
            let scale = max(a.scalars.map(abs).max() ?? 0, 1e-6)
            #expect(zip(a.scalars, b.scalars).allSatisfy { abs($0 - $1) <= 1e-5 * scale })
        }
    }
}
