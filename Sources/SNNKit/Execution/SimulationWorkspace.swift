import Foundation
import SNNKernels

/// Buffers and the whole-window forward and backward passes of a ``SpikingNetwork`` for one batch shape.
///
/// All sequences are time-major `[T, B, N]` in one allocation each. The forward pass computes each layer's
/// feed-forward currents for all `T·B` rows with one GEMM, then runs the layer's time loop (with the recurrent
/// product per step); the backward pass is the exact reverse-time recurrence of the forward equations with the
/// surrogate derivative (BPTT), written by hand. Buffers are reused across batches: no allocation per step.
///
/// A workspace is a cache tied to one thread at a time; it is not `Sendable`.
public final class SimulationWorkspace {
    final class LayerBuffers {
        let state = FloatBuffer()          // U of a spiking layer, O of a readout
        let spikes = FloatBuffer()         // S (spiking layers only)
        let currents = FloatBuffer()       // X: input into the (excitatory) current, delivered at the end of each step;
                                           // the output of a pass-through layer
        let secondCurrents = FloatBuffer() // Y: input into the subtracted current (inhibitory / adaptation)
        let drive = FloatBuffer()          // I[t-1] − J[t-1] per step (differentiated reset, learned τ)
        let currentHistory = FloatBuffer() // I[t-1] per step (learned τ)
        let decays = FloatBuffer()         // per-neuron λ_m[N], λ_s[N]
        let decayGradients = FloatBuffer() // ∂L/∂λ_m[N], ∂L/∂λ_s[N]
        let dropoutScale = FloatBuffer()   // per element: 0 (dropped) or 1/(1 − p)
        var usesDropout = false
        let thresholdNoise = FloatBuffer() // escape-noise threshold offsets of one step
        var isStochastic = false           // last forward drew stochastic spikes (R must be read as recorded)
        let resets = FloatBuffer()         // recorded R[t] (smooth mode / replay)
        let gradOutput = FloatBuffer()     // ∂L/∂S, ∂L/∂O or ∂L/∂(pass-through output)
        // ∂L/∂X and ∂L/∂Y reuse the buffers of X and Y: the backward pass never reads the inputs again (it works from
        // U, the recorded resets and drives), so one [T, B, N] buffer per current serves both passes.
        var gradInput: FloatBuffer { currents }
        var gradSecondInput: FloatBuffer { secondCurrents }
        let scratchA = FloatBuffer()
        let scratchB = FloatBuffer()
        let scratchC = FloatBuffer()
        let argmax = Int32Buffer()         // winners of a max-pooling projection
        var usesRecordedResets = false
        var emitsStepSpikes = true           // last forward used the Heaviside step (R derivable from U)
        let events = SpikeEventList()          // the layer's spikes as index lists (valid when binary)
        var hasEvents = false
        var prepared: [FloatBuffer] = []     // per afferent: padded Wᵀ (dense, event-driven) or packed kernels (convolution)

        func preparedBuffer(_ j: Int) -> FloatBuffer {
            while prepared.count <= j { prepared.append(FloatBuffer()) }
            return prepared[j]
        }
    }

    /// Steps `T` of the current batch.
    public private(set) var steps = 0
    /// Batch size `B` of the current batch.
    public private(set) var batch = 0
    var inputChannels = 0
    let input = FloatBuffer()
    let inputEvents = SpikeEventList()
    let scanScratch = [SpikeEventList()]
    var inputHasEvents = false
    var inputIsDense = true      // false while the input exists only as events (see setInput(from:samples:))
    let zeros = FloatBuffer()
    let discard = FloatBuffer()
    var gradientPartials: [FloatBuffer] = []

    /// How products with spike sources are computed (``ProductStrategy/automatic`` picks by measured density).
    public var productStrategy = ProductStrategy.automatic
    /// Accumulated wall time per phase (seconds) when ``isProfiling`` is on: `"input events"`, `"feed-forward"`,
    /// `"time loop"`, `"backward loop"`, `"weight gradients"`, `"input gradients"`.
    public private(set) var phaseSeconds: [String: Double] = [:]
    /// Whether to time the phases of forward and backward passes (for benchmarks; off by default).
    public var isProfiling = false
    /// The seed of the next forward pass's escape noise when ``ForwardOptions/noiseSeed`` is nil; advanced by each such
    /// pass (the same sequence of calls gives the same spikes).
    public var noiseSeed: UInt64 = 0x5EED_0F_E5C4


    @inline(__always)
    func timed<R>(_ phase: String, _ body: () -> R) -> R {
        guard isProfiling else { return body() }
        let start = DispatchTime.now().uptimeNanoseconds
        let result = body()
        phaseSeconds[phase, default: 0] += Double(DispatchTime.now().uptimeNanoseconds - start) * 1e-9
        return result
    }

    /// Threads of SNNKit's own kernels (event-driven products); BLAS never runs at the same time.
    public var threadCount = min(ProcessInfo.processInfo.activeProcessorCount, 2)
    var layers: [LayerBuffers] = []
    var sizes: [Int] = []

    /// An empty workspace; buffers grow on first use.
    public init() {
        configureDefaultBLASThreads()
    }

    /// Sizes the buffers for `network` and a `[steps, batch, inputs]` batch.
    public func prepare(for network: SpikingNetwork, steps: Int, batch: Int) {
        precondition(steps > 0 && batch > 0, "steps and batch must be positive")
        self.steps = steps
        self.batch = batch
        inputChannels = network.inputs
        sizes = network.layers.map(\.size)
        isSpiking = network.layers.map(\.neuron.isSpiking)
        isPassThrough = network.layers.map { $0.neuron == .passThrough }
        while layers.count < network.layers.count { layers.append(LayerBuffers()) }
        let rows = steps * batch
        input.reserve(rows * network.inputs)
        zeros.reserve(batch * max(sizes.max() ?? 1, 1))
        discard.reserve(2 * batch * max(sizes.max() ?? 1, 1))
        for (k, layer) in network.layers.enumerated() {
            let n = rows * layer.size, slice = batch * layer.size
            let b = layers[k]
            b.state.reserve(n); b.currents.reserve(n); b.gradOutput.reserve(n)
            b.scratchA.reserve(slice); b.scratchB.reserve(slice); b.scratchC.reserve(slice)
            if layer.neuron.isSpiking { b.spikes.reserve(n) }
            if layer.usesDualScan {
                b.secondCurrents.reserve(n)
            }
        }
    }

    /// The input buffer `[T, B, N_in]` of the prepared shape, to be filled before ``forward(_:options:)``.
    public var inputBuffer: UnsafeMutableBufferPointer<Float> {
        inputIsDense = true
        return input.buffer(steps * batch * inputChannels)
    }

    /// Sets the input to samples of a data set directly from their events (no dense `[T, B, N]` fill and rescan);
    /// after ``prepare(for:steps:batch:)`` with `steps = data.steps`, `batch = samples.count`. The dense input is only
    /// materialized if a product needs it (density above the crossover, or ``ProductStrategy/dense``).
    public func setInput(from data: SpikeDataset, samples: [Int]) {
        precondition(samples.count == batch && data.steps == steps && data.channels == inputChannels, "input does not match the prepared shape")
        let total = samples.reduce(0) { $0 + data.eventOffsets[$1 + 1] - data.eventOffsets[$1] }
        let b = batch
        inputEvents.build(rows: steps * batch, width: inputChannels, count: total) { emit in
            for (slot, i) in samples.enumerated() {
                for k in data.eventOffsets[i]..<data.eventOffsets[i + 1] { emit(Int(data.eventSteps[k]) * b + slot, data.eventChannels[k]) }
            }
        }
        inputIsDense = false
    }

    /// Writes the dense input from its events when a product needs it.
    func ensureDenseInput() {
        guard !inputIsDense else { return }
        inputEvents.writeDense(into: input.pointer)
        inputIsDense = true
    }

    /// Runs the forward pass on `input` (`[T, B, N_in]`).
    /// - Throws: ``ConfigurationError/shapeMismatch(what:expected:found:)`` if the input does not fit the network.
    public func forward(_ network: SpikingNetwork, input tensor: Tensor, options: ForwardOptions = .init()) throws(ConfigurationError) {
        guard tensor.shape.count == 3, tensor.shape[2] == network.inputs, tensor.shape[0] > 0, tensor.shape[1] > 0 else {
            throw .shapeMismatch(what: "network input", expected: "[T, B, \(network.inputs)] with T, B > 0", found: "\(tensor.shape)")
        }
        prepare(for: network, steps: tensor.shape[0], batch: tensor.shape[1])
        tensor.withUnsafeBufferPointer { src in _ = inputBuffer.update(fromContentsOf: src) }
        forward(network, options: options)
    }

    /// Runs the forward pass on the contents of ``inputBuffer`` (after ``prepare(for:steps:batch:)``).
    public func forward(_ network: SpikingNetwork, options: ForwardOptions = .init()) {
        precondition(sizes == network.layers.map(\.size) && inputChannels == network.inputs, "workspace not prepared for this network")
        inputHasEvents = false
        if !inputIsDense {
            inputHasEvents = true   // built by setInput(from:samples:)
            if productStrategy == .dense { ensureDenseInput() }
        } else if productStrategy != .dense {
            timed("input events") {
                inputEvents.rebuild(from: input.pointer, rows: steps * batch, width: inputChannels, parts: threadCount, scratch: scanScratch)
            }
            inputHasEvents = inputEvents.isBinary
        }
        for k in network.layers.indices { forwardLayer(k, of: network, options: options) }
    }

    // MARK: - Results

    /// The output sequence `[T, B, N]` of layer `k`: spikes of a spiking layer, the trace of a readout.
    public func output(ofLayer k: Int) -> UnsafeBufferPointer<Float> {
        UnsafeBufferPointer(outputPointer(k, spiking: isSpiking[k]))
    }

    /// The membrane sequence `[T, B, N]` of layer `k` (`U` of a spiking layer, `O` of a readout; unspecified for a
    /// pass-through layer, its output).
    public func membrane(ofLayer k: Int) -> UnsafeBufferPointer<Float> {
        if isPassThrough[k] { return output(ofLayer: k) }
        return UnsafeBufferPointer(start: layers[k].state.pointer, count: steps * batch * sizes[k])
    }

    /// Spike counts `Σ_t S[t, b, n]` of layer `k` per sample and unit (`[B, N]`, added into `counts`), from the
    /// event list when the layer has one (O(spikes)), else by summing the dense output over time.
    public func accumulateSpikeCounts(ofLayer k: Int, into counts: UnsafeMutableBufferPointer<Float>) {
        let n = sizes[k], width = batch * n
        precondition(counts.count >= width, "counts buffer too small")
        if layers[k].hasEvents {
            let events = layers[k].events
            for r in 0..<(steps * batch) {
                let row = (r % batch) * n
                for e in Int(events.rowOffsets[r])..<Int(events.rowOffsets[r + 1]) { counts[row + Int(events.indices[e])] += 1 }
            }
        } else {
            let spikes = output(ofLayer: k).baseAddress!
            for t in 0..<steps { addRow(spikes + t * width, into: counts.baseAddress!, count: width) }
        }
    }

    /// Number of spikes layer `k` emitted in the last forward pass (from its event list when it has one).
    public func spikeCount(ofLayer k: Int) -> Int {
        if layers[k].hasEvents { return layers[k].events.count }
        let out = output(ofLayer: k)
        return Int(ActivityStatistics.rate(of: out, steps: steps, timeStep: 1) * Double(out.count))
    }

    /// The gradient `∂L/∂output` of layer `k`, `[T, B, N]`: losses and regularizers add into it before ``backward(_:into:)``.
    public func outputGradient(ofLayer k: Int) -> UnsafeMutableBufferPointer<Float> {
        layers[k].gradOutput.buffer(steps * batch * sizes[k])
    }

    /// Sets every output gradient to zero (call before adding loss and regularizer gradients).
    public func zeroOutputGradients() {
        for k in sizes.indices { layers[k].gradOutput.zero(steps * batch * sizes[k]) }
    }

    var isSpiking: [Bool] = []
    var isPassThrough: [Bool] = []

    func outputPointer(_ k: Int, spiking: Bool) -> UnsafeMutableBufferPointer<Float> {
        let n = steps * batch * sizes[k]
        if isPassThrough[k] { return layers[k].currents.buffer(n) }
        return spiking ? layers[k].spikes.buffer(n) : layers[k].state.buffer(n)
    }

    func sourcePointer(_ source: LayerSource) -> (UnsafeMutablePointer<Float>, Int) {
        switch source {
        case .input:
            ensureDenseInput()
            return (input.pointer, inputChannels)
        case let .layer(s): return (outputPointer(s, spiking: isSpiking[s]).baseAddress!, sizes[s])
        }
    }

    /// The event list of a source, if its activity is binary spikes.
    func sourceEvents(_ source: LayerSource) -> SpikeEventList? {
        switch source {
        case .input: return inputHasEvents ? inputEvents : nil
        case let .layer(s): return layers[s].hasEvents && layers[s].events.isBinary ? layers[s].events : nil
        }
    }

    /// Whether a product with this source should be event-driven.
    func usesEvents(_ events: SpikeEventList?, density: Double? = nil) -> Bool {
        guard let events else { return false }
        switch productStrategy {
        case .dense: return false
        case .eventDriven: return true
        case .automatic: return (density ?? events.density) < ProductStrategy.crossoverDensity
        }
    }


}
