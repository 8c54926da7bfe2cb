import Foundation
import SNNKernels

extension SimulationWorkspace {
    func forwardLayer(_ k: Int, of network: SpikingNetwork, options: ForwardOptions) {
        let layer = network.layers[k]
        for (j, p) in layer.afferents.enumerated() { prepareWeights(k, j, p) }
        let stepInputs = stepFeedForward(k, layer)
        // 1. Feed-forward currents of all T·B rows: X = Σ op(src) (+ biases), into the current each projection drives
        //    (except the products the time loop does step by step).
        timed("feed-forward") { feedForward(k, layer, skipping: stepInputs) }
        // 2. The layer's time loop (recurrent products per step).
        timed("time loop") { timeLoop(k, network, layer, options, stepInputs) }
    }

    /// Feed-forward products a spiking layer's time loop computes step by step: each step's input rows are produced in
    /// cache right before they are used, never written to memory and read back. Event-driven dense afferents whose
    /// source has at least one event per row qualify; a current none of whose other feed-forward products is computed
    /// over the whole window is then owned by the time loop (it also adds that current's biases).
    struct StepFeedForward {
        struct Afferent {
            let index: Int
            let projection: Projection
            let events: SpikeEventList
            let transposed: UnsafePointer<Float>
            /// Sets rather than adds: the first product into an owned current.
            let overwrites: Bool
        }
        var afferents: [Afferent] = []
        var owned: Set<Synapse> = []
        /// The projections whose biases go into owned currents.
        var biased: [Projection] = []
    }

    private func stepFeedForward(_ k: Int, _ layer: Layer) -> StepFeedForward {
        var step = StepFeedForward()
        guard layer.neuron.spikingCore != nil else { return step }
        var wholeWindow: Set<Synapse> = [], candidates: [(Int, Projection, SpikeEventList)] = []
        for (j, p) in layer.afferents.enumerated() where !layer.isRecurrent(afferent: j, layerIndex: k) {
            if let events = stepwiseEvents(p) {
                candidates.append((j, p, events))
            } else {
                wholeWindow.insert(p.synapse)
            }
        }
        for (j, p, events) in candidates {
            let overwrites = !wholeWindow.contains(p.synapse) && !step.owned.contains(p.synapse)
            if overwrites { step.owned.insert(p.synapse) }
            step.afferents.append(.init(index: j, projection: p, events: events, transposed: preparedTransposedWeights(k, j, p),
                                        overwrites: overwrites))
        }
        step.biased = layer.afferents.filter { $0.bias != nil && step.owned.contains($0.synapse) }
        return step
    }

    private func feedForward(_ k: Int, _ layer: Layer, skipping step: StepFeedForward) {
        let b = layers[k], n = layer.size, rows = window * batch
        var written = step.owned
        for (j, p) in layer.afferents.enumerated() where !layer.isRecurrent(afferent: j, layerIndex: k) {
            if step.afferents.contains(where: { $0.index == j }) { continue }
            let x = currents(k, p.synapse)
            propagate(k, j, p, rows: 0..<rows, into: x, overwrite: !written.contains(p.synapse), transposed: nil, density: nil, parallel: true)
            written.insert(p.synapse)
        }
        if !written.contains(.excitatory) { b.currents.zero(rows * n) }
        if layer.usesDualScan, !written.contains(.inhibitory) { b.secondCurrents.zero(rows * n) }
        for p in layer.afferents where !step.owned.contains(p.synapse) {
            p.bias?.withUnsafeBufferPointer { addRowVector($0.baseAddress!, to: currents(k, p.synapse), rows: rows, columns: n) }
        }
        if layer.neuron == .passThrough {
            b.hasEvents = productStrategy != .dense
            if b.hasEvents {
                b.events.rebuild(from: b.currents.pointer, rows: rows, width: n, parts: threadCount, scratch: scanScratch)
                b.hasEvents = b.events.isBinary
            }
        }
    }

    /// The input buffer of the current a synapse drives in layer `k`.
    func currents(_ k: Int, _ synapse: Synapse) -> UnsafeMutablePointer<Float> {
        synapse == .inhibitory ? layers[k].secondCurrents.pointer : layers[k].currents.pointer
    }

    /// The gradient buffer of the input of the current a synapse drives in layer `k`.
    func gradientOfCurrents(_ k: Int, _ synapse: Synapse) -> UnsafeMutablePointer<Float> {
        if isPassThrough[k] { return layers[k].gradOutput.pointer }
        return synapse == .inhibitory ? layers[k].gradSecondInput.pointer : layers[k].gradInput.pointer
    }

    private func timeLoop(_ k: Int, _ network: SpikingNetwork, _ layer: Layer, _ options: ForwardOptions, _ stepInputs: StepFeedForward) {
        let b = layers[k], n = layer.size, rows = window * batch
        switch layer.neuron {
        case .lif, .adaptiveLIF, .excitatoryInhibitory:
            let dynamics = layer.neuron.spikingCore!
            let isFree = options.freeMembraneLayers.contains(k)
            var constants = scanConstants(k, layer, timeStep: network.timeStep)
            let learns = layer.timeConstants?.isLearned == true
            if isFree { constants.coefficients.threshold = .infinity; constants.dual?.primary.threshold = .infinity }
            let smooth = options.spikeMode == .smoothSurrogate && !isFree
            let replay = options.replaysRecordedResets && !isFree && dynamics.resetGradient == .detached
            b.usesRecordedResets = replay || (smooth && dynamics.resetGradient == .detached)
            b.usesDropout = layer.dropout > 0 && options.dropoutSeed != nil && !isFree
            b.isStochastic = dynamics.escapeNoise != nil && !smooth && !isFree
            if b.isStochastic {
                b.thresholdNoise.reserve(batch * n)
                if isFirstPass && chunkIndex == 0 {   // one seed per pass over the batch (chunk recomputations reuse it)
                    var seed: UInt64
                    if let s = options.noiseSeed { seed = s } else { seed = noiseSeed; noiseSeed &+= 1 }
                    b.noiseSeedUsed = seed ^ (0x9E37_79B9_7F4A_7C15 &* UInt64(k + 1))
                }
            }
            let recordsResets = b.usesRecordedResets || options.recordsResets || learns || b.usesDropout || b.isStochastic
            if recordsResets { b.resets.reserve(rows * n) }
            if dynamics.resetGradient == .differentiated || learns { b.drive.reserve(rows * n) }
            if learns { b.currentHistory.reserve(rows * n) }
            if b.usesDropout { fillDropoutScale(k, probability: layer.dropout, seed: options.dropoutSeed!) }
            b.hasEvents = !smooth && productStrategy != .dense && !b.usesDropout   // dropped, scaled spikes are not binary
            b.emitsStepSpikes = !smooth
            b.events.reset(width: n)
            let recurrent = layer.recurrentAfferents(layerIndex: k).map { j in
                let p = layer.afferents[j]
                let wt: UnsafePointer<Float>? = b.hasEvents && p.operation == .dense ? preparedTransposedWeights(k, j, p) : nil
                return RecurrentAfferent(index: j, projection: p, transposed: wt)
            }
            let run = SpikingForward(workspace: self, k: k, constants: constants, replay: replay, smooth: smooth,
                                     recordsResets: recordsResets, escapeNoise: b.isStochastic ? dynamics.escapeNoise : nil,
                                     noiseSeed: b.noiseSeedUsed,
                                     keepsDrive: dynamics.resetGradient == .differentiated || learns, keepsCurrents: learns,
                                     recurrent: recurrent, stepInputs: stepInputs)
            if smooth { dynamics.effectiveSurrogate.visit(run) } else { run.run(HeavisideSpike()) }
        case let .readout(dynamics):
            let c = dynamics.coefficients(timeStep: network.timeStep)
            let slice = batch * n
            let current = b.scratchA.pointer
            let o = b.state.pointer, x = b.currents.pointer
            zeros.zero(slice)
            let initial: UnsafeMutablePointer<Float>, initialInput: UnsafeMutablePointer<Float>
            if let state = chunkInitialState(k) {
                current.update(from: state + ChunkState.current * slice, count: slice)
                (initial, initialInput) = (state + ChunkState.membrane * slice, state + ChunkState.input * slice)
            } else {
                b.scratchA.zero(slice)
                b.scratchB.fill(slice, with: dynamics.initialState)
                (initial, initialInput) = (b.scratchB.pointer, zeros.pointer)
            }
            for t in 0..<window {
                readoutForwardStep(count: slice, coefficients: c,
                                   previousOutput: t == 0 ? initial : o + (t - 1) * slice, current: current,
                                   previousInput: t == 0 ? initialInput : x + (t - 1) * slice, output: o + t * slice)
            }
            if let save = chunkFinalState(k) {
                (save + ChunkState.current * slice).update(from: current, count: slice)
                (save + ChunkState.membrane * slice).update(from: o + (window - 1) * slice, count: slice)
                (save + ChunkState.input * slice).update(from: x + (window - 1) * slice, count: slice)
            }
        case let .leaky(dynamics):
            // U[t] = β U[t−1] + X[t] − θ S[t−1]: the input acts in the same step.
            let slice = batch * n
            b.spikes.reserve(rows * n)
            b.spikesAreDense = true
            let u = b.state.pointer, s = b.spikes.pointer, x = b.currents.pointer
            zeros.zero(slice)
            let smooth = options.spikeMode == .smoothSurrogate && !options.freeMembraneLayers.contains(k)
            // A free membrane never spikes; the largest finite threshold (not ∞) keeps the reset term θ·S[t−1] = 0, not NaN.
            let threshold = options.freeMembraneLayers.contains(k) ? Float.greatestFiniteMagnitude : dynamics.threshold
            b.hasEvents = !smooth && productStrategy != .dense
            b.emitsStepSpikes = !smooth
            // The detached reset term θ·S[t−1] is recorded (step pass) and replayed as a constant (gradient checks).
            let replay = options.replaysRecordedResets && !options.freeMembraneLayers.contains(k)
            b.usesRecordedResets = replay
            if options.recordsResets || replay { b.resets.reserve(window * slice) }
            b.events.reset(width: n)
            struct Scan: SurrogateVisitor {
                let run: (any SpikeNonlinearity) -> Void
                func visit<K: SurrogateKernel>(_ kernel: K) { run(SmoothSpike(kernel)) }
            }
            let state = chunkInitialState(k)
            let initialMembrane = state.map { $0 + ChunkState.membrane * slice } ?? zeros.pointer
            let initialSpikes = state.map { $0 + ChunkState.input * slice } ?? zeros.pointer
            func scan<F: SpikeNonlinearity>(_ spike: F) {
                for t in 0..<window {
                    leakyForwardStep(count: slice, beta: dynamics.beta, threshold: threshold, spike: spike,
                                     previousMembrane: t == 0 ? initialMembrane : u + (t - 1) * slice,
                                     previousSpikes: t == 0 ? initialSpikes : (replay ? b.resets.pointer : s) + (t - 1) * slice,
                                     input: x + t * slice,
                                     membrane: u + t * slice, spikes: s + t * slice)
                }
                if b.hasEvents { b.events.append(from: s, rows: window * batch) }
                if options.recordsResets && !replay { b.resets.pointer.update(from: s, count: window * slice) }
                if let save = chunkFinalState(k) {
                    (save + ChunkState.membrane * slice).update(from: u + (window - 1) * slice, count: slice)
                    (save + ChunkState.input * slice).update(from: s + (window - 1) * slice, count: slice)
                }
            }
            if smooth { dynamics.surrogate.visit(Scan { scan($0) }) } else { scan(HeavisideSpike()) }
        case .passThrough:
            break   // the output is the feed-forward result itself
        }
    }

    /// Draws the inverted-dropout scale of every element of layer `k`: 0 with probability p, else 1/(1 − p).
    private func fillDropoutScale(_ k: Int, probability p: Double, seed: UInt64) {
        let slice = batch * sizes[k]
        let b = layers[k]
        b.dropoutScale.reserve(window * slice)
        let kept = Float(1 / (1 - p))
        for t in 0..<window {
            var rng = stepRandomGenerator(seed: seed ^ (0x9E37_79B9_7F4A_7C15 &* UInt64(k + 1)), step: t)
            let scale = b.dropoutScale.pointer + t * slice
            for e in 0..<slice { scale[e] = rng.nextUniform() < p ? 0 : kept }
        }
    }

    /// The generator of a pass's random draws at step `t` of the layer buffers: one stream of `seed` per step of the
    /// window, so that the draws do not depend on how the window is cut into chunks (a recomputed chunk draws what its
    /// first pass drew, and chunked passes draw what whole-window passes draw).
    func stepRandomGenerator(seed: UInt64, step t: Int) -> Xoshiro256StarStar {
        Xoshiro256StarStar(seed: seed, stream: UInt64(chunkStart + t))
    }

    /// The constants of a spiking layer's scan, shared by the forward and backward passes.
    struct SpikingScanConstants {
        /// λ_m, λ_s, κ_m, θ.
        var coefficients: LIFCoefficients
        /// Two-current constants (adaptive, E/I, or any layer with per-neuron τ); nil runs the one-current LIF scan.
        var dual: DualCurrentCoefficients?
        /// Per-neuron decays, if the layer has per-neuron time constants.
        var perNeuron: PerNeuronDecays?
        /// a of an adaptive LIF (0 otherwise).
        var adaptation: Float
    }

    func scanConstants(_ k: Int, _ layer: Layer, timeStep: Duration) -> SpikingScanConstants {
        let c = layer.neuron.coefficients(timeStep: timeStep)
        let perNeuron = prepareDecays(k, layer, timeStep: timeStep)
        let dual = layer.neuron.dualCoefficients(timeStep: timeStep)
            ?? (perNeuron != nil ? DualCurrentCoefficients(primary: c, secondDecay: 0) : nil)
        return SpikingScanConstants(coefficients: c, dual: dual, perNeuron: perNeuron, adaptation: layer.neuron.adaptationStrength)
    }

    /// Computes per-neuron λ_m, λ_s from a layer's ``NeuronTimeConstants`` (nil when the layer has none).
    func prepareDecays(_ k: Int, _ layer: Layer, timeStep: Duration) -> PerNeuronDecays? {
        guard let tc = layer.timeConstants else { return nil }
        let n = layer.size, b = layers[k]
        b.decays.reserve(2 * n)
        let (tm, ts) = layer.neuron.timeConstants
        for (row, base) in [(0, tm), (1, ts)] {
            for (i, tau) in tc.effective(row: row, base: base).enumerated() {
                b.decays.pointer[row * n + i] = Float(Foundation.exp(-timeStep.seconds / tau))
            }
        }
        return PerNeuronDecays(membrane: b.decays.pointer, synapse: b.decays.pointer + n, units: n)
    }

    /// A recurrent projection of a layer onto itself, with its padded `Wᵀ` when event-driven.
    struct RecurrentAfferent {
        let index: Int
        let projection: Projection
        let transposed: UnsafePointer<Float>?
    }

    /// The time loop of a spiking layer (LIF, or the two-current scan of adaptive and E/I neurons), generic over the
    /// spike non-linearity (visited with the surrogate kernel in smooth mode).
    private struct SpikingForward: SurrogateVisitor {
        unowned let workspace: SimulationWorkspace
        let k: Int
        let constants: SpikingScanConstants
        let replay: Bool
        let smooth: Bool
        let recordsResets: Bool
        let escapeNoise: EscapeNoise?
        let noiseSeed: UInt64
        let keepsDrive: Bool
        let keepsCurrents: Bool
        let recurrent: [RecurrentAfferent]
        let stepInputs: StepFeedForward

        func visit<K: SurrogateKernel>(_ kernel: K) { run(SmoothSpike(kernel)) }

        func run<F: SpikeNonlinearity>(_ spike: F) {
            let ws = workspace, b = ws.layers[k]
            let n = ws.sizes[k], slice = ws.batch * n
            ws.zeros.zero(slice)
            if let state = ws.chunkInitialState(k) {
                b.scratchA.pointer.update(from: state + ChunkState.current * slice, count: slice)
                b.scratchC.pointer.update(from: state + ChunkState.secondCurrent * slice, count: slice)
            } else {
                b.scratchA.zero(slice)
                b.scratchC.zero(slice)
            }
            // Samples never interact: the batch is split across threads for the whole window (no per-step
            // synchronization), unless the step's random draws tie the samples together. (Recurrent products are dense
            // or convolutions: row by row.)
            let splits = escapeNoise == nil && recurrent.allSatisfy { $0.projection.operation.hasWeights }
            let parts = splits ? ws.batchParts(units: n) : 1
            // Binary spikes listed as events need no dense S: each step's S goes to a scratch slice, the events keep it
            // (``outputPointer(_:spiking:)`` writes S from them if a reader needs it).
            b.spikesAreDense = !b.hasEvents || recurrent.contains { $0.projection.operation != .dense }   // (convolutions read S[t])
            if b.spikesAreDense { b.spikes.reserve(ws.window * slice) }
            if parts == 1 {
                scan(spike, samples: 0..<ws.batch, events: b.events)
            } else {
                let lists = ws.partEvents(parts, width: n)
                parallelChunks(ws.batch, parts: parts) { samples, i in scan(spike, samples: samples, events: lists[i]) }
                if b.hasEvents {
                    b.events.interleaveSteps(of: lists, rowsPerStep: (0..<parts).map { ($0 + 1) * ws.batch / parts - $0 * ws.batch / parts },
                                             steps: ws.window)
                }
            }
            if let save = ws.chunkFinalState(k) {
                let last = ws.window - 1
                (save + ChunkState.current * slice).update(from: b.scratchA.pointer, count: slice)
                (save + ChunkState.membrane * slice).update(from: b.state.pointer + last * slice, count: slice)
                (save + ChunkState.input * slice).update(from: b.currents.pointer + last * slice, count: slice)
                if constants.dual != nil {
                    (save + ChunkState.secondCurrent * slice).update(from: b.scratchC.pointer, count: slice)
                    (save + ChunkState.secondInput * slice).update(from: b.secondCurrents.pointer + last * slice, count: slice)
                }
            }
        }

        /// The window's steps for the samples `samples` (elements `samples·N` of each `[B, N]` slice); their spikes
        /// are appended to `events`, `|samples|` rows per step.
        private func scan<F: SpikeNonlinearity>(_ spike: F, samples: Range<Int>, events: SpikeEventList) {
            let ws = workspace, b = ws.layers[k]
            let (coefficients, dual, perNeuron, adaptation) = (constants.coefficients, constants.dual, constants.perNeuron, constants.adaptation)
            let n = ws.sizes[k], slice = ws.batch * n, offset = samples.lowerBound * n, count = samples.count * n
            // Pointers to element 0 of this part in step 0 (step t adds t·slice).
            let u = b.state.pointer + offset, x = b.currents.pointer + offset
            let dense = b.spikesAreDense, s = (dense ? b.spikes.pointer : b.stepSpikes.pointer) + offset
            let sliceStride = dense ? slice : 0   // S[t] is s + t·sliceStride
            let y = b.secondCurrents.pointer + offset
            let current = b.scratchA.pointer + offset, second = b.scratchC.pointer + offset
            let zero = UnsafePointer(ws.zeros.pointer)
            let state = ws.chunkInitialState(k).map { $0 + offset }
            let initialMembrane = state.map { UnsafePointer($0 + ChunkState.membrane * slice) } ?? zero
            let initialInputs = state.map { (UnsafePointer($0 + ChunkState.input * slice), UnsafePointer($0 + ChunkState.secondInput * slice)) }
                ?? (zero, zero)
            let noise: UnsafePointer<Float>? = escapeNoise != nil ? UnsafePointer(b.thresholdNoise.pointer) : nil
            let single = samples.count == ws.batch
            // The production LIF step lists its spikes itself (no S[t] written and scanned again) when S is kept as
            // events only and nothing else is recorded per step.
            let listsSpikes = F.self == HeavisideSpike.self && dual == nil && !dense && b.hasEvents && !replay && !smooth && !recordsResets
            for t in 0..<ws.window {
                let at = t * slice
                if let escapeNoise {
                    var rng = ws.stepRandomGenerator(seed: noiseSeed, step: t)
                    escapeNoise.fillThresholdOffsets(b.thresholdNoise.pointer, count: slice, using: &rng)
                }
                let reset: ResetSource
                if replay { reset = .replay(b.resets.pointer + offset + at) }
                else if smooth && !keepsDrive { reset = .step }
                else { reset = .oneMinusSpike }
                let previousMembrane = t == 0 ? initialMembrane : UnsafePointer(u + at - slice)
                let resetOut = recordsResets && !replay ? b.resets.pointer + offset + at : nil
                if let dual {
                    if keepsCurrents { (b.currentHistory.pointer + offset + at).update(from: current, count: count) }
                    dualCurrentForwardStep(count: count, coefficients: dual, perNeuron: perNeuron, spike: spike, reset: reset, previousMembrane: previousMembrane,
                                           currents: (current, second),
                                           previousInputs: t == 0 ? initialInputs : (UnsafePointer(x + at - slice), UnsafePointer(y + at - slice)),
                                           membrane: u + at, spikes: s + t * sliceStride,
                                           drive: keepsDrive ? b.drive.pointer + offset + at : nil, resetOut: resetOut,
                                           thresholdNoise: noise)
                    if adaptation != 0 { axpy(count: count, adaptation, s + t * sliceStride, y + at) }
                } else {
                    if keepsDrive { (b.drive.pointer + offset + at).update(from: current, count: count) }
                    let previousInput = t == 0 ? initialInputs.0 : UnsafePointer(x + at - slice)
                    if listsSpikes {
                        lifForwardStep(rows: samples.count, units: n, coefficients: coefficients, previousMembrane: previousMembrane,
                                       current: current, previousInput: previousInput, membrane: u + at, events: events, thresholdNoise: noise)
                    } else {
                        lifForwardStep(count: count, coefficients: coefficients, spike: spike, reset: reset,
                                       previousMembrane: previousMembrane, current: current, previousInput: previousInput, membrane: u + at,
                                       spikes: s + t * sliceStride, resetOut: resetOut, thresholdNoise: noise)
                    }
                }
                if b.usesDropout { multiply(count: count, s + t * sliceStride, by: b.dropoutScale.pointer + offset + at) }
                var density = 1.0
                if b.hasEvents {
                    if !listsSpikes { events.append(from: s + t * sliceStride, rows: samples.count) }
                    let stepRows = (events.rows - samples.count)..<events.rows   // this step's rows of the list
                    density = Double(events.rowOffsets[stepRows.upperBound] - events.rowOffsets[stepRows.lowerBound]) / Double(count)
                    // A dense recurrent product (above the crossover density) reads S[t]: after a listing step, written from the list.
                    if listsSpikes, !recurrent.isEmpty, !ws.usesEvents(events, density: density) {
                        events.writeDense(rows: stepRows, into: s + t * sliceStride)
                    }
                }
                if !stepInputs.afferents.isEmpty { feedForward(step: t, samples: samples) }
                let stepSpikes = UnsafePointer(s + t * sliceStride)
                if single {
                    ws.timed("recurrent products") { propagateRecurrent(step: t, samples: samples, spikes: stepSpikes, events: events, density: density) }
                } else {
                    propagateRecurrent(step: t, samples: samples, spikes: stepSpikes, events: events, density: density)
                }
            }
        }

        /// `X[t, samples] (=|+=) W·src[t, samples]` (+ biases of owned currents) for the step-by-step feed-forward products.
        private func feedForward(step t: Int, samples: Range<Int>) {
            let ws = workspace, n = ws.sizes[k]
            let rows = (t * ws.batch + samples.lowerBound)..<(t * ws.batch + samples.upperBound)
            for a in stepInputs.afferents {
                accumulateEvents(a.events, rows: rows, transposedWeights: a.transposed, outputs: n,
                                 into: ws.currents(k, a.projection.synapse), overwrite: a.overwrites)
            }
            for p in stepInputs.biased {
                p.bias!.withUnsafeBufferPointer {
                    addRowVector($0.baseAddress!, to: ws.currents(k, p.synapse) + rows.lowerBound * n, rows: rows.count, columns: n)
                }
            }
        }

        /// `X[t, samples] += op(S[t, samples])` for each recurrent afferent; `spikes` is `S[t, samples]` and `events`
        /// lists this part's spikes.
        private func propagateRecurrent(step t: Int, samples: Range<Int>, spikes: UnsafePointer<Float>, events: SpikeEventList, density: Double) {
            let ws = workspace
            let rows = (t * ws.batch + samples.lowerBound)..<(t * ws.batch + samples.upperBound)
            let listed = ws.layers[k].hasEvents && events.isBinary ? events : nil
            let local = (t * samples.count)..<((t + 1) * samples.count)   // this step's rows in `events`
            for r in recurrent {
                let x = ws.currents(k, r.projection.synapse)
                switch r.projection.operation {
                case .dense:
                    ws.propagateDense(r.projection, rows: rows, into: x, overwrite: false, transposed: r.transposed, density: density,
                                      events: listed, eventRows: local, parts: 1, sourceRows: spikes)
                case let .convolution(shape):   // S is dense here (see run)
                    let packed = UnsafePointer(ws.layers[k].preparedBuffer(r.index).pointer)
                    if ws.usesEvents(listed, density: density), let listed {
                        convolutionForward(shape: shape, events: listed, rows: local, packedWeights: packed,
                                           into: x + (rows.lowerBound - local.lowerBound) * shape.outputUnits, overwrite: false)
                    } else {
                        convolutionForward(shape: shape, source: ws.sourcePointer(r.projection.source).0, rows: rows, packedWeights: packed,
                                           into: x, overwrite: false)
                    }
                case .pooling:   // one part (see run): the list's rows are the window's
                    ws.propagate(k, r.index, r.projection, rows: rows, into: x, overwrite: false, transposed: r.transposed,
                                 density: density, parallel: false)
                }
            }
        }
    }
}
