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
        let spikes = FloatBuffer()         // S (spiking layers only), reserved when first written: a layer whose
                                           // spikes are events keeps them only as `events` until a reader needs them
        var spikesAreDense = true          // `spikes` holds the last pass's S (else only `events` does)
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
        // gradOutput is zero but not yet written (see zeroOutputGradients()): its first writer overwrites or zeroes it.
        var gradOutputIsPendingZero = false
        // ∂L/∂X and ∂L/∂Y reuse the buffers of X and Y: the backward pass never reads the inputs again (it works from
        // U, the recorded resets and drives), so one [T, B, N] buffer per current serves both passes.
        var gradInput: FloatBuffer { currents }
        var gradSecondInput: FloatBuffer { secondCurrents }
        let scratchA = FloatBuffer()
        let scratchB = FloatBuffer()
        let scratchC = FloatBuffer()
        var stepSpikes: FloatBuffer { scratchB }   // one step's S of a spiking layer that keeps its spikes as events
        let argmax = Int32Buffer()         // winners of a max-pooling projection
        var usesRecordedResets = false
        var emitsStepSpikes = true           // last forward used the Heaviside step (R derivable from U)
        let events = SpikeEventList()          // the layer's spikes as index lists (valid when binary)
        var hasEvents = false
        var prepared: [FloatBuffer] = []     // per afferent: padded Wᵀ (dense, event-driven) or packed kernels (convolution)
        // Time chunks (bounded-memory mode): the state at the start of chunks 1, 2, … (``ChunkState/count`` [B, N]
        // slices each), saved by the first forward pass; the reverse-time carries of the backward pass (see
        // ``BackwardCarry``); spike counts and totals summed over the chunks of the first pass, and the ∂L/∂cnt of
        // spike-count penalties, added to each chunk's output gradient.
        let checkpoints = FloatBuffer()
        let backwardCarry = FloatBuffer()
        let chunkCounts = FloatBuffer()
        let countGradient = FloatBuffer()
        var chunkSpikes = 0.0
        var noiseSeedUsed: UInt64 = 0       // the escape-noise seed of the last first pass (recomputation reuses it)
        var hasCountGradient = false        // countGradient holds a penalty's ∂L/∂cnt (bounded-memory mode)

        func preparedBuffer(_ j: Int) -> FloatBuffer {
            while prepared.count <= j { prepared.append(FloatBuffer()) }
            return prepared[j]
        }
    }

    /// Steps `T` of the current batch.
    public private(set) var steps = 0
    /// Steps held in the layer buffers: `T`, or the length of the current time chunk in bounded-memory mode.
    var window: Int { min(chunkLength, steps - chunkStart) }
    /// First step of the chunk in the layer buffers (0 without chunks).
    var chunkStart: Int { chunkIndex * chunkLength }
    /// Index of the chunk in the layer buffers.
    var chunkIndex = 0
    /// Steps per chunk (`T` without chunks).
    var chunkLength = 0
    /// Chunks of the current window (1 without chunks).
    var chunkCount: Int { chunkLength == 0 ? 1 : (steps + chunkLength - 1) / chunkLength }
    /// Whether the layer buffers hold time chunks rather than the whole window.
    var isChunked: Bool { chunkCount > 1 }
    /// Whether the running forward pass is the first over this batch (it saves the chunk states), not a recomputation.
    var isFirstPass = true
    /// The options of the last forward pass (chunks are recomputed with them).
    var lastOptions = ForwardOptions()
    /// The input events of the current chunk (rows rebased to the chunk).
    let chunkInputEvents = SpikeEventList()
    /// The last layer's output and its gradient over the whole window (bounded-memory mode).
    let fullOutput = FloatBuffer()
    let fullOutputGradient = FloatBuffer()

    /// The steps per time chunk in the bounded-memory mode, or nil (the default) to keep the whole window.
    ///
    /// With chunks of `C` steps the layer buffers hold `C` steps instead of `T`; the forward pass saves each layer's
    /// state at the chunk boundaries, and the backward pass recomputes each chunk's forward pass from its saved state
    /// before back-propagating through it (checkpointed BPTT: one extra forward pass, memory O(C) instead of O(T) for
    /// the hidden layers). Results equal the whole-window computation up to float summation order. Only the last
    /// layer's output and gradient span the whole window (``output(ofLayer:)``, ``outputGradient(ofLayer:)``); other
    /// layers' sequences are not kept, so ``output(ofLayer:)`` and ``membrane(ofLayer:)`` of hidden layers are
    /// unavailable, while ``accumulateSpikeCounts(ofLayer:into:)`` and ``spikeCount(ofLayer:)`` still cover the whole
    /// window. Gradient checks' reset replay (``ForwardOptions/replaysRecordedResets``) needs the whole window.
    public var timeChunkSteps: Int? {
        didSet { precondition(timeChunkSteps.map { $0 > 0 } ?? true, "timeChunkSteps must be positive") }
    }
    /// Batch size `B` of the current batch.
    public private(set) var batch = 0
    var inputChannels = 0
    let input = FloatBuffer()
    let inputEvents = SpikeEventList()
    let scanScratch = [SpikeEventList()]
    var partEventLists: [SpikeEventList] = []
    var fusedPartials: [FloatBuffer] = []   // gWᵀ partials of the weight gradients fused into backward scans
    let stackedWeights = FloatBuffer()      // [depth, N] weights of a backward scan's stacked products
    var stackedRows: [FloatBuffer] = []     // per part of the batch (or thread): the scratch of one stacked product
    let stackedPacked = FloatBuffer()       // the stacked weights packed for PackedGEMM
    var inputHasEvents = false
    var inputIsDense = true      // false while the input exists only as events (see setInput(from:samples:))
    let zeros = FloatBuffer()
    var gradientPartials: [FloatBuffer] = []

    /// How products with spike sources are computed (``ProductStrategy/automatic`` picks by measured density).
    public var productStrategy = ProductStrategy.automatic
    /// Accumulated wall time per phase (seconds) when ``isProfiling`` is on: `"input events"`, `"feed-forward"`,
    /// `"time loop"`, `"backward loop"`, `"weight gradients K.J"` (afferent J of layer K), `"input gradients"`,
    /// `"recomputation"` (time chunks), `"loss"` and `"optimizer"` (``Trainer``), and `"recurrent products"` — part of the
    /// time and backward loops, timed only when a loop runs on one thread.
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

    /// The least `steps · batch · units` of a layer for which its time loops split the batch across ``threadCount``
    /// threads (each thread runs the whole window for its samples: samples never interact, so there is no per-step
    /// synchronization). Smaller layers run on one thread; 0 splits every layer that can be split (layers with escape
    /// noise never are, nor, backward, layers learning their time constants). Results agree up to float rounding.
    public var batchSplitMinimumWork = 1 << 16

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
        chunkLength = min(timeChunkSteps ?? steps, steps)
        chunkIndex = 0
        inputChannels = network.inputs
        sizes = network.layers.map(\.size)
        isSpiking = network.layers.map(\.neuron.isSpiking)
        isPassThrough = network.layers.map { $0.neuron == .passThrough }
        while layers.count < network.layers.count { layers.append(LayerBuffers()) }
        let rows = chunkLength * batch
        zeros.reserve(batch * max(sizes.max() ?? 1, 1))
        for (k, layer) in network.layers.enumerated() {
            let n = rows * layer.size, slice = batch * layer.size
            let b = layers[k]
            b.state.reserve(n); b.currents.reserve(n); b.gradOutput.reserve(n)
            b.scratchA.reserve(slice); b.scratchB.reserve(slice); b.scratchC.reserve(slice)
            if layer.usesDualScan {
                b.secondCurrents.reserve(n)
            }
            b.backwardCarry.reserve(BackwardCarry.count * slice)
            if isChunked {
                b.checkpoints.reserve((chunkCount - 1) * ChunkState.count * slice)
                b.chunkCounts.reserve(slice)
                b.countGradient.reserve(slice)
            }
        }
        if isChunked, let last = sizes.last {
            fullOutput.reserve(steps * batch * last)
            fullOutputGradient.reserve(steps * batch * last)
        }
    }

    /// The input buffer `[T, B, N_in]` of the prepared shape, to be filled before ``forward(_:options:)``.
    public var inputBuffer: UnsafeMutableBufferPointer<Float> {
        inputIsDense = true
        input.reserve(steps * batch * inputChannels)   // only when the input is dense: event input never needs it
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
        input.reserve(steps * batch * inputChannels)
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
        precondition(!(isChunked && options.replaysRecordedResets), "replaying recorded resets needs the whole window (timeChunkSteps = nil)")
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
        lastOptions = options
        isFirstPass = true
        guard isChunked else {
            for k in network.layers.indices { forwardLayer(k, of: network, options: options) }
            return
        }
        for k in sizes.indices {
            layers[k].chunkCounts.zero(batch * sizes[k])
            layers[k].chunkSpikes = 0
        }
        let last = sizes.count - 1, width = batch * sizes[last]
        for c in 0..<chunkCount {
            runChunk(c, network)
            (fullOutput.pointer + chunkStart * width).update(from: outputPointer(last, spiking: isSpiking[last]).baseAddress!, count: window * width)
            for k in sizes.indices where isSpiking[k] {
                addWindowSpikeCounts(ofLayer: k, into: layers[k].chunkCounts.pointer)
                layers[k].chunkSpikes += windowSpikeSum(ofLayer: k)
            }
        }
    }

    /// Selects time chunk `c` (its steps and input events) and runs every layer's forward pass over it.
    func runChunk(_ c: Int, _ network: SpikingNetwork) {
        chunkIndex = c
        if inputHasEvents {
            let first = chunkStart * batch, rows = window * batch
            let offsets = inputEvents.rowOffsets, indices = inputEvents.indices
            chunkInputEvents.build(rows: rows, width: inputChannels, count: Int(offsets[first + rows] - offsets[first])) { emit in
                for r in 0..<rows {
                    for e in Int(offsets[first + r])..<Int(offsets[first + r + 1]) { emit(r, indices[e]) }
                }
            }
        }
        for k in network.layers.indices { forwardLayer(k, of: network, options: lastOptions) }
    }

    /// The state a layer starts the current chunk from (``ChunkState``), or nil at the first chunk (rest state).
    func chunkInitialState(_ k: Int) -> UnsafeMutablePointer<Float>? {
        chunkIndex == 0 ? nil : layers[k].checkpoints.pointer + (chunkIndex - 1) * ChunkState.count * batch * sizes[k]
    }

    /// Where the first forward pass saves the state the next chunk starts from, or nil (last chunk, or a recomputation).
    func chunkFinalState(_ k: Int) -> UnsafeMutablePointer<Float>? {
        isFirstPass && chunkIndex + 1 < chunkCount ? layers[k].checkpoints.pointer + chunkIndex * ChunkState.count * batch * sizes[k] : nil
    }

    // MARK: - Results

    /// The output sequence `[T, B, N]` of layer `k`: spikes of a spiking layer, the trace of a readout.
    ///
    /// With ``timeChunkSteps`` set, only the last layer's output spans the whole window.
    public func output(ofLayer k: Int) -> UnsafeBufferPointer<Float> {
        guard isChunked else { return UnsafeBufferPointer(outputPointer(k, spiking: isSpiking[k])) }
        precondition(k == sizes.count - 1, "with time chunks only the last layer's output is kept (layer \(k) requested)")
        return UnsafeBufferPointer(fullOutput.buffer(steps * batch * sizes[k]))
    }

    /// The membrane sequence `[T, B, N]` of layer `k` (`U` of a spiking layer, `O` of a readout; unspecified for a
    /// pass-through layer, its output). Unavailable with ``timeChunkSteps`` set.
    public func membrane(ofLayer k: Int) -> UnsafeBufferPointer<Float> {
        precondition(!isChunked, "with time chunks membrane sequences are not kept")
        if isPassThrough[k] { return output(ofLayer: k) }
        return UnsafeBufferPointer(start: layers[k].state.pointer, count: steps * batch * sizes[k])
    }

    /// Spike counts `Σ_t S[t, b, n]` of layer `k` per sample and unit (`[B, N]`, added into `counts`), from the
    /// event list when the layer has one (O(spikes)), else by summing the dense output over time.
    public func accumulateSpikeCounts(ofLayer k: Int, into counts: UnsafeMutableBufferPointer<Float>) {
        precondition(counts.count >= batch * sizes[k], "counts buffer too small")
        if isChunked {
            addRow(layers[k].chunkCounts.pointer, into: counts.baseAddress!, count: batch * sizes[k])
        } else {
            addWindowSpikeCounts(ofLayer: k, into: counts.baseAddress!)
        }
    }

    /// Adds the spike counts of the steps in the layer buffers (the window or the current chunk) into `counts`.
    private func addWindowSpikeCounts(ofLayer k: Int, into counts: UnsafeMutablePointer<Float>) {
        let n = sizes[k], width = batch * n
        if layers[k].hasEvents {
            let events = layers[k].events
            for r in 0..<(window * batch) {
                let row = (r % batch) * n
                for e in Int(events.rowOffsets[r])..<Int(events.rowOffsets[r + 1]) { counts[row + Int(events.indices[e])] += 1 }
            }
        } else {
            let spikes = outputPointer(k, spiking: isSpiking[k]).baseAddress!
            for t in 0..<window { addRow(spikes + t * width, into: counts, count: width) }
        }
    }

    /// Number of spikes layer `k` emitted in the last forward pass (from its event list when it has one).
    /// (A dropout layer's transmitted spikes are scaled by 1/(1 − p): their sum, rounded, is what is counted.)
    public func spikeCount(ofLayer k: Int) -> Int {
        Int((isChunked ? layers[k].chunkSpikes : windowSpikeSum(ofLayer: k)).rounded())
    }

    /// The sum of the outputs of layer `k` over the steps in the layer buffers (its spike count for binary spikes).
    private func windowSpikeSum(ofLayer k: Int) -> Double {
        if layers[k].hasEvents { return Double(layers[k].events.count) }
        let out = outputPointer(k, spiking: isSpiking[k])
        return ActivityStatistics.rate(of: UnsafeBufferPointer(out), steps: window, timeStep: 1) * Double(out.count)
    }

    /// The gradient `∂L/∂output` of layer `k`, `[T, B, N]`: losses and regularizers add into it before ``backward(_:into:)``.
    ///
    /// With ``timeChunkSteps`` set, only the last layer's gradient spans the whole window; spike-count penalties on
    /// other layers go through ``addSpikeCountGradient(ofLayer:_:)``. After ``backward(_:into:)`` the buffer holds the
    /// pass's working values (the backward pass adds later layers' contributions into it, or overwrites it).
    public func outputGradient(ofLayer k: Int) -> UnsafeMutableBufferPointer<Float> {
        guard isChunked else { return materializedOutputGradient(k) }
        precondition(k == sizes.count - 1, "with time chunks only the last layer's output gradient is kept (layer \(k) requested)")
        return fullOutputGradient.buffer(steps * batch * sizes[k])
    }

    /// Adds `∂L/∂cnt` (`[B, N]`) of a penalty on the spike counts `cnt = Σ_t S[t]` of layer `k` to the output gradient
    /// of every step (with time chunks: to each chunk's steps when the backward pass reaches it).
    public func addSpikeCountGradient(ofLayer k: Int, _ gradient: UnsafeBufferPointer<Float>) {
        let width = batch * sizes[k]
        precondition(gradient.count >= width, "count gradient too small")
        if isChunked {
            addRow(gradient.baseAddress!, into: layers[k].countGradient.pointer, count: width)
            layers[k].hasCountGradient = true
        } else {
            let g = materializedOutputGradient(k).baseAddress!
            for t in 0..<steps { addRow(gradient.baseAddress!, into: g + t * width, count: width) }
        }
    }

    /// Sets every output gradient to zero (call before adding loss and regularizer gradients).
    ///
    /// Without time chunks the zeroing is deferred: a layer's gradient is written with zeros when first asked for
    /// (``outputGradient(ofLayer:)``, ``addSpikeCountGradient(ofLayer:_:)``, a later layer's input gradient), and a
    /// spiking layer whose backward scan computes `∂L/∂S` step by step (``StackedProducts``) overwrites it instead —
    /// the hidden layers' `[T, B, N]` gradients are then never zeroed in memory, only in cache.
    public func zeroOutputGradients() {
        guard isChunked else {
            for k in sizes.indices { layers[k].gradOutputIsPendingZero = true }
            return
        }
        fullOutputGradient.zero(steps * batch * (sizes.last ?? 0))
        for k in sizes.indices {
            layers[k].gradOutputIsPendingZero = false
            layers[k].countGradient.zero(batch * sizes[k])
            layers[k].hasCountGradient = false
        }
    }

    /// Layer `k`'s whole-window output gradient, zeroed first if its zeroing was deferred (see ``zeroOutputGradients()``).
    func materializedOutputGradient(_ k: Int) -> UnsafeMutableBufferPointer<Float> {
        let b = layers[k], n = window * batch * sizes[k]
        if b.gradOutputIsPendingZero {
            b.gradOutput.zero(n)
            b.gradOutputIsPendingZero = false
        }
        return b.gradOutput.buffer(n)
    }

    /// Fills the layer buffers' output gradients of the current chunk from the whole-window gradient of the last layer
    /// and the spike-count gradients (bounded-memory mode).
    func loadChunkOutputGradients() {
        for k in sizes.indices {
            let width = batch * sizes[k], b = layers[k]
            b.gradOutputIsPendingZero = false
            if k == sizes.count - 1 {
                b.gradOutput.pointer.update(from: fullOutputGradient.pointer + chunkStart * width, count: window * width)
            } else {
                b.gradOutput.zero(window * width)
            }
            if b.hasCountGradient {
                for t in 0..<window { addRow(b.countGradient.pointer, into: b.gradOutput.pointer + t * width, count: width) }
            }
        }
    }

    var isSpiking: [Bool] = []
    var isPassThrough: [Bool] = []

    /// The output of layer `k` in the layer buffers (the window, or the current chunk).
    func outputPointer(_ k: Int, spiking: Bool) -> UnsafeMutableBufferPointer<Float> {
        let n = window * batch * sizes[k]
        if isPassThrough[k] { return layers[k].currents.buffer(n) }
        guard spiking else { return layers[k].state.buffer(n) }
        let b = layers[k]
        if !b.spikesAreDense {   // written from the events when first read
            b.spikes.reserve(n)
            b.events.writeDense(into: b.spikes.pointer)
            b.spikesAreDense = true
        }
        return b.spikes.buffer(n)
    }

    func sourcePointer(_ source: LayerSource) -> (UnsafeMutablePointer<Float>, Int) {
        switch source {
        case .input:
            ensureDenseInput()
            return (input.pointer + chunkStart * batch * inputChannels, inputChannels)
        case let .layer(s): return (outputPointer(s, spiking: isSpiking[s]).baseAddress!, sizes[s])
        }
    }

    /// The event list of a source, if its activity is binary spikes.
    func sourceEvents(_ source: LayerSource) -> SpikeEventList? {
        switch source {
        case .input: return inputHasEvents ? (isChunked ? chunkInputEvents : inputEvents) : nil
        case let .layer(s): return layers[s].hasEvents && layers[s].events.isBinary ? layers[s].events : nil
        }
    }

    /// The events of a dense afferent's source when a spiking layer's scans use them step by step (feed-forward products
    /// in the time loop, weight gradients in the backward scan): event-driven and at least one event per row. With
    /// fewer, the per-step calls cost more than the cache they save (measured: Randman's 20 latency-coded inputs,
    /// ≈ 0.2 events per row, 8 % slower).
    func stepwiseEvents(_ p: Projection) -> SpikeEventList? {
        guard p.operation == .dense, let events = sourceEvents(p.source), usesEvents(events), events.count >= window * batch else { return nil }
        return events
    }

    /// The slices of a layer's state at a chunk boundary (`[B, N]` each): what the first step of a chunk reads from the
    /// step before it.
    enum ChunkState {
        /// Slices per saved state.
        static let count = 5
        /// `I[t−1]` (the current; a readout's too).
        static let current = 0
        /// `J[t−1]` (the subtracted current of two-current neurons).
        static let secondCurrent = 1
        /// `U[t−1]` (a readout's `O[t−1]`).
        static let membrane = 2
        /// `X[t−1]` (a leaky neuron's `S[t−1]`).
        static let input = 3
        /// `Y[t−1]`.
        static let secondInput = 4
    }

    /// The slices of a layer's reverse-time carry (`[B, N]` each), kept across chunks of the backward pass.
    enum BackwardCarry {
        /// Slices per layer.
        static let count = 7
        /// `gU` (a readout's `gO`).
        static let membrane = 0
        /// `gI`.
        static let current = 1
        /// `gJ`.
        static let secondCurrent = 2
        /// The later chunk's final `gS` of its first step.
        static let nextSpikeGradient = 3
        /// `gX` of the step before the later chunk (written by its first step).
        static let input = 4
        /// `gY` of the step before the later chunk.
        static let secondInput = 5
        /// The reset source (`S` or recorded `R`) of the later chunk's first step.
        static let nextReset = 6
    }

    /// The threads a layer's time loop splits the batch across: ``threadCount`` (at most one per sample) when the
    /// window holds enough work to pay for a dispatch, else 1.
    func batchParts(units: Int) -> Int {
        window * batch * units >= batchSplitMinimumWork ? max(1, min(threadCount, batch)) : 1
    }

    /// `parts` empty event lists of `width` columns, one per part of a batch-split time loop.
    func partEvents(_ parts: Int, width: Int) -> [SpikeEventList] {
        while partEventLists.count < parts { partEventLists.append(SpikeEventList()) }
        for list in partEventLists.prefix(parts) { list.reset(width: width) }
        return Array(partEventLists.prefix(parts))
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
