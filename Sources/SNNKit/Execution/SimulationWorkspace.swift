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
        let state = FloatBuffer()          // U of an LIF layer, O of a readout
        let spikes = FloatBuffer()         // S (LIF only)
        let currents = FloatBuffer()       // X: input currents delivered at the end of each step
        let previousCurrent = FloatBuffer() // I[t-1] per step (differentiated reset only)
        let resets = FloatBuffer()         // recorded R[t] (smooth mode / replay)
        let gradOutput = FloatBuffer()     // ∂L/∂S or ∂L/∂O
        let gradInput = FloatBuffer()      // ∂L/∂X
        let scratchA = FloatBuffer()
        let scratchB = FloatBuffer()
        var usesRecordedResets = false
        var emitsStepSpikes = true           // last forward used the Heaviside step (R derivable from U)
        let events = SpikeEventList()          // the layer's spikes as index lists (valid when binary)
        var hasEvents = false
        var transposedWeights: [FloatBuffer] = []   // Wᵀ per afferent, for event-driven products
    }

    /// Steps `T` of the current batch.
    public private(set) var steps = 0
    /// Batch size `B` of the current batch.
    public private(set) var batch = 0
    private var inputChannels = 0
    private let input = FloatBuffer()
    private let inputEvents = SpikeEventList()
    private let scanScratch = [SpikeEventList()]
    private var inputHasEvents = false
    private var inputIsDense = true      // false while the input exists only as events (see setInput(from:samples:))
    private let zeros = FloatBuffer()
    private let discard = FloatBuffer()
    private var gradientPartials: [FloatBuffer] = []

    /// How products with spike sources are computed (``ProductStrategy/automatic`` picks by measured density).
    public var productStrategy = ProductStrategy.automatic
    /// Accumulated wall time per phase (seconds) when ``isProfiling`` is on: `"input events"`, `"feed-forward"`,
    /// `"time loop"`, `"backward loop"`, `"weight gradients"`, `"input gradients"`.
    public private(set) var phaseSeconds: [String: Double] = [:]
    /// Whether to time the phases of forward and backward passes (for benchmarks; off by default).
    public var isProfiling = false

    @inline(__always)
    private func timed<R>(_ phase: String, _ body: () -> R) -> R {
        guard isProfiling else { return body() }
        let start = DispatchTime.now().uptimeNanoseconds
        let result = body()
        phaseSeconds[phase, default: 0] += Double(DispatchTime.now().uptimeNanoseconds - start) * 1e-9
        return result
    }

    /// Threads of SNNKit's own kernels (event-driven products); BLAS never runs at the same time.
    public var threadCount = min(ProcessInfo.processInfo.activeProcessorCount, 2)
    private var layers: [LayerBuffers] = []
    private var sizes: [Int] = []

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
        while layers.count < network.layers.count { layers.append(LayerBuffers()) }
        let rows = steps * batch
        input.reserve(rows * network.inputs)
        zeros.reserve(batch * max(sizes.max() ?? 1, 1))
        for (k, layer) in network.layers.enumerated() {
            let n = rows * layer.size, slice = batch * layer.size
            let b = layers[k]
            b.state.reserve(n); b.currents.reserve(n); b.gradOutput.reserve(n); b.gradInput.reserve(n)
            b.scratchA.reserve(slice); b.scratchB.reserve(slice)
            if layer.neuron.isSpiking { b.spikes.reserve(n) }
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
    private func ensureDenseInput() {
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

    /// The membrane sequence `[T, B, N]` of layer `k` (`U` of an LIF layer, `O` of a readout).
    public func membrane(ofLayer k: Int) -> UnsafeBufferPointer<Float> {
        UnsafeBufferPointer(start: layers[k].state.pointer, count: steps * batch * sizes[k])
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

    private var isSpiking: [Bool] = []

    private func outputPointer(_ k: Int, spiking: Bool) -> UnsafeMutableBufferPointer<Float> {
        let n = steps * batch * sizes[k]
        return spiking ? layers[k].spikes.buffer(n) : layers[k].state.buffer(n)
    }

    private func sourcePointer(_ source: LayerSource) -> (UnsafeMutablePointer<Float>, Int) {
        switch source {
        case .input:
            ensureDenseInput()
            return (input.pointer, inputChannels)
        case let .layer(s): return (outputPointer(s, spiking: isSpiking[s]).baseAddress!, sizes[s])
        }
    }

    /// The event list of a source, if its activity is binary spikes.
    private func sourceEvents(_ source: LayerSource) -> SpikeEventList? {
        switch source {
        case .input: return inputHasEvents ? inputEvents : nil
        case let .layer(s): return layers[s].hasEvents ? layers[s].events : nil
        }
    }

    /// Whether a product with this source should be event-driven.
    private func usesEvents(_ events: SpikeEventList?, density: Double? = nil) -> Bool {
        guard let events else { return false }
        switch productStrategy {
        case .dense: return false
        case .eventDriven: return true
        case .automatic: return (density ?? events.density) < ProductStrategy.crossoverDensity
        }
    }

    private func transposedWeights(_ k: Int, _ j: Int, _ weights: Tensor) -> UnsafeMutablePointer<Float> {
        let b = layers[k]
        while b.transposedWeights.count <= j { b.transposedWeights.append(FloatBuffer()) }
        let out = b.transposedWeights[j]
        out.reserve(weights.count)
        weights.withUnsafeBufferPointer { transposeMatrix($0.baseAddress!, rows: weights.shape[0], columns: weights.shape[1], into: out.pointer) }
        return out.pointer
    }

    // MARK: - Forward

    private func forwardLayer(_ k: Int, of network: SpikingNetwork, options: ForwardOptions) {
        let layer = network.layers[k]
        let rows = steps * batch
        let x = layers[k].currents.pointer
        // 1. Feed-forward currents of all T·B rows: X = Σ src · Wᵀ (+ biases).
        timed("feed-forward") { feedForward(k, layer, x, rows) }
        // 2. The layer's time loop.
        timed("time loop") { timeLoop(k, network, layer, options, x, rows) }
    }

    private func feedForward(_ k: Int, _ layer: Layer, _ x: UnsafeMutablePointer<Float>, _ rows: Int) {
        let b = layers[k], n = layer.size
        var first = true
        for (j, p) in layer.afferents.enumerated() where !layer.isRecurrent(afferent: j, layerIndex: k) {
            if let events = sourceEvents(p.source), usesEvents(events) {
                let wt = UnsafePointer(transposedWeights(k, j, p.weights))
                let overwrite = first
                parallelChunks(rows, parts: threadCount) { chunk, _ in
                    accumulateEvents(events, rows: chunk, transposedWeights: wt, outputs: n, into: x, overwrite: overwrite)
                }
            } else {
                let (src, ns) = sourcePointer(p.source)
                p.weights.withUnsafeBufferPointer { w in
                    parallelSGEMM(parts: threadCount, .none, .transposed, m: rows, n: n, k: ns, alpha: 1, a: src, lda: ns,
                                  b: w.baseAddress!, ldb: ns, beta: first ? 0 : 1, c: x, ldc: n)
                }
            }
            first = false
        }
        if first { b.currents.zero(rows * n) }
        for p in layer.afferents {
            p.bias?.withUnsafeBufferPointer { addRowVector($0.baseAddress!, to: x, rows: rows, columns: n) }
        }
    }

    private func timeLoop(_ k: Int, _ network: SpikingNetwork, _ layer: Layer, _ options: ForwardOptions,
                          _ x: UnsafeMutablePointer<Float>, _ rows: Int) {
        let b = layers[k], n = layer.size
        switch layer.neuron {
        case let .lif(dynamics):
            let recurrent = layer.afferents.indices.first { layer.isRecurrent(afferent: $0, layerIndex: k) }
            let isFree = options.freeMembraneLayers.contains(k)
            var c = dynamics.coefficients(timeStep: network.timeStep)
            if isFree { c.threshold = .infinity }
            let smooth = options.spikeMode == .smoothSurrogate && !isFree
            let replay = options.replaysRecordedResets && !isFree && dynamics.resetGradient == .detached
            b.usesRecordedResets = replay || (smooth && dynamics.resetGradient == .detached)
            if b.usesRecordedResets || options.recordsResets { b.resets.reserve(rows * n) }
            if dynamics.resetGradient == .differentiated { b.previousCurrent.reserve(rows * n) }
            b.hasEvents = !smooth && productStrategy != .dense
            b.emitsStepSpikes = !smooth
            b.events.reset(width: n)
            let run = LIFForward(workspace: self, k: k, coefficients: c, replay: replay, smooth: smooth,
                                 recordsResets: b.usesRecordedResets || options.recordsResets,
                                 keepsCurrents: dynamics.resetGradient == .differentiated,
                                 recurrentWeights: recurrent.map { layer.afferents[$0].weights },
                                 transposedRecurrentWeights: recurrent.flatMap { j in
                                     b.hasEvents ? UnsafePointer(transposedWeights(k, j, layer.afferents[j].weights)) : nil
                                 })
            if smooth { dynamics.surrogate.visit(run) } else { run.run(HeavisideSpike()) }
        case let .readout(dynamics):
            let c = dynamics.coefficients(timeStep: network.timeStep)
            let slice = batch * n
            let current = b.scratchA.pointer, initial = b.scratchB.pointer
            b.scratchA.zero(slice)
            b.scratchB.fill(slice, with: dynamics.initialState)
            let o = b.state.pointer
            zeros.zero(slice)
            for t in 0..<steps {
                readoutForwardStep(count: slice, coefficients: c,
                                   previousOutput: t == 0 ? initial : o + (t - 1) * slice, current: current,
                                   previousInput: t == 0 ? zeros.pointer : x + (t - 1) * slice, output: o + t * slice)
            }
        }
    }

    /// The LIF time loop, generic over the spike non-linearity (visited with the surrogate kernel in smooth mode).
    private struct LIFForward: SurrogateVisitor {
        unowned let workspace: SimulationWorkspace
        let k: Int
        let coefficients: LIFCoefficients
        let replay: Bool
        let smooth: Bool
        let recordsResets: Bool
        let keepsCurrents: Bool
        let recurrentWeights: Tensor?
        let transposedRecurrentWeights: UnsafePointer<Float>?

        func visit<K: SurrogateKernel>(_ kernel: K) { run(SmoothSpike(kernel)) }

        func run<F: SpikeNonlinearity>(_ spike: F) {
            let ws = workspace, b = ws.layers[k]
            let n = ws.sizes[k], slice = ws.batch * n
            let u = b.state.pointer, s = b.spikes.pointer, x = b.currents.pointer
            let current = b.scratchA.pointer
            b.scratchA.zero(slice)
            ws.zeros.zero(slice)
            let zero = UnsafePointer(ws.zeros.pointer)
            for t in 0..<ws.steps {
                let reset: ResetSource
                if replay { reset = .replay(b.resets.pointer + t * slice) }
                else if smooth && !keepsCurrents { reset = .step }
                else { reset = .oneMinusSpike }
                if keepsCurrents { (b.previousCurrent.pointer + t * slice).update(from: current, count: slice) }
                lifForwardStep(count: slice, coefficients: coefficients, spike: spike, reset: reset,
                               previousMembrane: t == 0 ? zero : UnsafePointer(u + (t - 1) * slice), current: current,
                               previousInput: t == 0 ? zero : UnsafePointer(x + (t - 1) * slice), membrane: u + t * slice,
                               spikes: s + t * slice, resetOut: recordsResets && !replay ? b.resets.pointer + t * slice : nil)
                if b.hasEvents {
                    let before = b.events.count
                    b.events.append(from: s + t * slice, rows: ws.batch)
                    if let vt = transposedRecurrentWeights,
                       ws.usesEvents(b.events, density: Double(b.events.count - before) / Double(slice)) {
                        accumulateEvents(b.events, rows: (t * ws.batch)..<((t + 1) * ws.batch), transposedWeights: vt,
                                         outputs: n, into: x, overwrite: false)
                        continue
                    }
                }
                recurrentWeights?.withUnsafeBufferPointer { v in
                    parallelSGEMM(parts: ws.threadCount, .none, .transposed, m: ws.batch, n: n, k: n, alpha: 1, a: s + t * slice, lda: n,
                                  b: v.baseAddress!, ldb: n, beta: 1, c: x + t * slice, ldc: n)
                }
            }
        }
    }

    // MARK: - Backward

    /// Back-propagates the output gradients (filled by losses and regularizers) through the whole window and
    /// accumulates the parameter gradients into `gradients` (which it does not zero).
    ///
    /// The gradient with respect to the network input is never computed.
    public func backward(_ network: SpikingNetwork, into gradients: inout NetworkGradients) {
        precondition(sizes == network.layers.map(\.size), "workspace not prepared for this network")
        precondition(gradients.ids == network.parameterIDs, "gradients do not match the network's parameters")
        var index = [ParameterID: Int]()
        for (i, id) in gradients.ids.enumerated() { index[id] = i }
        for k in network.layers.indices.reversed() {
            let layer = network.layers[k]
            let b = layers[k]
            let n = layer.size, rows = steps * batch, slice = batch * n
            let gx = b.gradInput.pointer, gs = b.gradOutput.pointer
            timed("backward loop") {
            switch layer.neuron {
            case let .lif(dynamics):
                let recurrent = layer.afferents.indices.first { layer.isRecurrent(afferent: $0, layerIndex: k) }
                let run = LIFBackward(workspace: self, k: k, coefficients: dynamics.coefficients(timeStep: network.timeStep),
                                      differentiatesReset: dynamics.resetGradient == .differentiated,
                                      recurrentWeights: recurrent.map { layer.afferents[$0].weights })
                dynamics.surrogate.visit(run)
            case let .readout(dynamics):
                let c = dynamics.coefficients(timeStep: network.timeStep)
                let go = b.scratchA.pointer, gi = b.scratchB.pointer
                b.scratchA.zero(slice); b.scratchB.zero(slice)
                for t in (0..<steps).reversed() {
                    readoutBackwardStep(count: slice, coefficients: c, outputGradient: gs + t * slice,
                                        gradOutput: go, gradCurrent: gi, gradInput: gx + t * slice)
                }
            }
            }
            // Parameter gradients and the gradient into source layers.
            for (j, p) in layer.afferents.enumerated() {
                let (src, ns) = sourcePointer(p.source)
                let wi = index[ParameterID(layer: k, afferent: j, kind: .weights)]!
                timed("weight gradients") {
                    if let events = sourceEvents(p.source), usesEvents(events) {
                        eventWeightGradient(events, gradInput: gx, rows: rows, outputs: n, inputs: ns, into: &gradients.tensors[wi])
                    } else {
                        gradients.tensors[wi].withUnsafeMutableBufferPointer { gw in
                            parallelSGEMM(parts: threadCount, .transposed, .none, m: n, n: ns, k: rows, alpha: 1, a: gx, lda: n, b: src, ldb: ns,
                                          beta: 1, c: gw.baseAddress!, ldc: ns)
                        }
                    }
                }
                if p.bias != nil {
                    let bi = index[ParameterID(layer: k, afferent: j, kind: .bias)]!
                    gradients.tensors[bi].withUnsafeMutableBufferPointer { accumulateColumnSums(of: gx, rows: rows, columns: n, into: $0.baseAddress!) }
                }
                if case let .layer(s) = p.source, s != k {
                    timed("input gradients") {
                    p.weights.withUnsafeBufferPointer { w in
                        parallelSGEMM(parts: threadCount, .none, .none, m: rows, n: ns, k: n, alpha: 1, a: gx, lda: n, b: w.baseAddress!,
                                      ldb: ns, beta: 1, c: layers[s].gradOutput.pointer, ldc: ns)
                    }
                    }
                }
            }
        }
    }

    /// `gW += (Σ over events of gX rows)ᵀ`, with one partial `gWᵀ` per thread summed afterwards.
    private func eventWeightGradient(_ events: SpikeEventList, gradInput gx: UnsafeMutablePointer<Float>, rows: Int,
                                     outputs n: Int, inputs ns: Int, into gradient: inout Tensor) {
        let parts = max(1, min(threadCount, rows))
        while gradientPartials.count < parts { gradientPartials.append(FloatBuffer()) }
        for i in 0..<parts {
            gradientPartials[i].reserve(ns * n)
            gradientPartials[i].zero(ns * n)
        }
        let partials = gradientPartials.map(\.pointer)
        parallelChunks(rows, parts: parts) { chunk, i in
            accumulateEventGradients(events, rows: chunk, gradOutput: gx, outputs: n, intoTransposed: partials[i])
        }
        for i in 1..<parts { addRow(partials[i], into: partials[0], count: ns * n) }
        gradient.withUnsafeMutableBufferPointer { addTransposed(partials[0], into: $0.baseAddress!, rows: n, columns: ns) }
    }

    private struct LIFBackward: SurrogateVisitor {
        unowned let workspace: SimulationWorkspace
        let k: Int
        let coefficients: LIFCoefficients
        let differentiatesReset: Bool
        let recurrentWeights: Tensor?

        func visit<K: SurrogateKernel>(_ kernel: K) {
            let ws = workspace, b = ws.layers[k]
            let n = ws.sizes[k], slice = ws.batch * n, steps = ws.steps
            let u = b.state.pointer, s = b.spikes.pointer
            let gs = b.gradOutput.pointer, gx = b.gradInput.pointer
            let gu = b.scratchA.pointer, gi = b.scratchB.pointer
            b.scratchA.zero(slice); b.scratchB.zero(slice)
            ws.zeros.zero(slice)
            let zero = UnsafePointer(ws.zeros.pointer)
            let recorded = b.usesRecordedResets
            let lm = coefficients.membraneDecay, km = coefficients.membraneGain
            // gX[T−1] = 0: X[T−1] would only reach I[T], past the window.
            (gx + (steps - 1) * slice).update(repeating: 0, count: slice)
            ws.discard.reserve(slice)
            let discard = ws.discard.pointer   // gX[−1] does not exist: step 0 writes there
            var productDone = steps - 1         // lowest step whose product gS[t] += gX[t]·V is done (gX[T−1] is zero)
            for t in (0..<steps).reversed() {
                let last = t + 1 == steps
                lifBackwardStep(count: slice, coefficients: coefficients, surrogate: kernel, membrane: u + t * slice,
                                nextSpikeGradient: last ? zero : UnsafePointer(gs + (t + 1) * slice),
                                nextReset: last ? zero : UnsafePointer((recorded ? b.resets.pointer : s) + (t + 1) * slice),
                                reset: last ? .stored : (recorded ? .stored : (b.emitsStepSpikes ? .fromMembrane : .oneMinusStoredSpike)),
                                gradMembrane: gu, gradCurrent: gi, previousGradInput: t > 0 ? gx + (t - 1) * slice : discard)
                // gS[t] is read by step t−1: its product must be done now; gX[t−1] is already known, so do both steps
                // in one GEMM of 2B rows (gX and gS slices t−1, t are adjacent).
                if let v = recurrentWeights, productDone > t, t > 0 {
                    let first = t - 1
                    v.withUnsafeBufferPointer { vp in
                        parallelSGEMM(parts: ws.threadCount, .none, .none, m: 2 * ws.batch, n: n, k: n, alpha: 1, a: gx + first * slice,
                                      lda: n, b: vp.baseAddress!, ldb: n, beta: 1, c: gs + first * slice, ldc: n)
                    }
                    productDone = first
                }
                if differentiatesReset {
                    // ∂U[t]/∂S[t] = −(λ_m U[t-1] + κ_m I[t-1]).
                    let uPrev = t == 0 ? zero : UnsafePointer(u + (t - 1) * slice)
                    let iPrev = b.previousCurrent.pointer + t * slice
                    let g = gs + t * slice
                    for e in 0..<slice { g[e] -= gu[e] * (lm * uPrev[e] + km * iPrev[e]) }
                }
            }
        }
    }
}
