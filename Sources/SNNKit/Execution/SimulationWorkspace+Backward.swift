import Foundation
import SNNKernels

extension SimulationWorkspace {
    /// Back-propagates the output gradients (filled by losses and regularizers) through the whole window and
    /// accumulates the parameter gradients into `gradients` (which it does not zero).
    ///
    /// The gradient with respect to the network input is never computed. With ``timeChunkSteps`` set, the chunks are
    /// visited in reverse order, each recomputed from its saved state before back-propagating through it.
    public func backward(_ network: SpikingNetwork, into gradients: inout NetworkGradients) {
        precondition(sizes == network.layers.map(\.size), "workspace not prepared for this network")
        precondition(gradients.ids == network.parameterIDs, "gradients do not match the network's parameters")
        var index = [ParameterID: Int]()
        for (i, id) in gradients.ids.enumerated() { index[id] = i }
        for (k, layer) in network.layers.enumerated() {
            layers[k].backwardCarry.zero(BackwardCarry.count * batch * layer.size)
            if layer.timeConstants?.isLearned == true {
                layers[k].decayGradients.reserve(2 * layer.size)
                layers[k].decayGradients.zero(2 * layer.size)
            }
        }
        guard isChunked else {
            backwardWindow(network, index, into: &gradients)
            return
        }
        for c in (0..<chunkCount).reversed() {
            if c != chunkIndex {
                isFirstPass = false
                timed("recomputation") { runChunk(c, network) }
            }
            loadChunkOutputGradients()
            backwardWindow(network, index, into: &gradients)
        }
        isFirstPass = true
    }

    /// Back-propagates through the steps in the layer buffers (the window, or the current chunk).
    private func backwardWindow(_ network: SpikingNetwork, _ index: [ParameterID: Int], into gradients: inout NetworkGradients) {
        for k in network.layers.indices.reversed() {
            let layer = network.layers[k]
            let fused = fusedWeightGradients(k, layer, index)
            let stacked = stackedProducts(network, k, parts: backwardParts(k, layer))
            if layers[k].gradOutputIsPendingZero, stacked == nil { _ = materializedOutputGradient(k) }   // (stacked: overwritten)
            timed("backward loop") { backwardLoop(k, network, layer, fused: fused, stacked: stacked) }
            for f in fused {   // the scan's per-part sums of gWᵀ, into the gradient
                let (lower, count, _) = sourceRange(f.projection)
                timed("fused gradient sums") {
                    gradients.tensors[f.parameter].withUnsafeMutableBufferPointer {
                        addTransposed(f.partials.map { UnsafePointer($0 + lower * layer.size) }, into: $0.baseAddress!, rows: layer.size,
                                      columns: count, parts: threadCount)
                    }
                }
            }
            if let tc = layer.timeConstants, tc.isLearned, chunkIndex == 0, let ti = index[ParameterID(layer: k, afferent: 0, kind: .timeConstants)] {
                addTimeConstantGradient(k, layer, tc, timeStep: network.timeStep, into: &gradients.tensors[ti])
            }
            // Parameter gradients and the gradient into source layers.
            for (j, p) in layer.afferents.enumerated() {
                let gx = UnsafePointer(gradientOfCurrents(k, p.synapse))
                if let wi = index[ParameterID(layer: k, afferent: j, kind: .weights)], !fused.contains(where: { $0.afferent == j }) {
                    timed("weight gradients \(k).\(j)") { accumulateWeightGradient(p, gradInput: gx, into: &gradients.tensors[wi]) }
                }
                if let bi = index[ParameterID(layer: k, afferent: j, kind: .bias)] {
                    gradients.tensors[bi].withUnsafeMutableBufferPointer {
                        accumulateColumnSums(of: gx, rows: window * batch, columns: layer.size, into: $0.baseAddress!)
                    }
                }
                if case let .layer(s) = p.source, s != k, !foldsInputGradient(network, layer: k, afferent: j) {
                    timed("input gradients") {
                        accumulateInputGradient(k, j, p, gradInput: gx, rows: 0..<(window * batch), into: materializedOutputGradient(s).baseAddress!,
                                                parallel: true)
                    }
                }
            }
        }
    }

    /// ∂L/∂p from the accumulated ∂L/∂λ: λ = exp(−Δt/τ_eff), τ_eff = 2τ·σ(p) ⇒ dλ/dp = λ·Δt/τ_eff² · 2τ·σ(p)(1 − σ(p)).
    private func addTimeConstantGradient(_ k: Int, _ layer: Layer, _ tc: NeuronTimeConstants, timeStep: Duration, into gradient: inout Tensor) {
        let n = layer.size, dt = timeStep.seconds
        let (tm, ts) = layer.neuron.timeConstants
        let g = layers[k].decayGradients.pointer, lambda = layers[k].decays.pointer
        for (row, base) in [(0, tm), (1, ts)] {
            for i in 0..<n {
                let e = row * n + i
                let sig = 1 / (1 + Foundation.exp(-Double(tc.parameters.scalars[e])))
                let tau = 2 * base.seconds * sig
                let derivative = Double(lambda[e]) * dt / (tau * tau) * 2 * base.seconds * sig * (1 - sig)
                gradient.scalars[e] += Float(Double(g[e]) * derivative)
            }
        }
    }

    /// A weight gradient the backward scan of a spiking layer accumulates step by step, while the step's `gX` rows are
    /// still in cache: an event-driven dense afferent (``accumulateEventGradients(_:rows:gradOutput:outputs:intoTransposed:blockRows:)``
    /// on each part's rows of each step, into one `gWᵀ` partial per part of the batch).
    struct FusedWeightGradient {
        let afferent: Int
        let projection: Projection
        /// Index of the weights in the gradients.
        let parameter: Int
        let events: SpikeEventList
        let gradInput: UnsafePointer<Float>
        /// One `gWᵀ` partial per part of the batch (`[source width, N]`), each zeroed by its part's scan before its first step.
        let partials: [UnsafeMutablePointer<Float>]
    }

    /// The parts a spiking layer's backward scan splits the batch into (see ``SpikingBackward``).
    func backwardParts(_ k: Int, _ layer: Layer) -> Int {
        let splits = layer.timeConstants?.isLearned != true
            && layer.recurrentAfferents(layerIndex: k).allSatisfy { layer.afferents[$0].operation.hasWeights }
        return splits ? batchParts(units: layer.size) : 1
    }

    /// The weight gradients of layer `k` its backward scan computes (event-driven dense afferents of a spiking layer).
    private func fusedWeightGradients(_ k: Int, _ layer: Layer, _ index: [ParameterID: Int]) -> [FusedWeightGradient] {
        guard layer.neuron.spikingCore != nil else { return [] }
        let parts = backwardParts(k, layer)
        var fused: [FusedWeightGradient] = []
        for (j, p) in layer.afferents.enumerated() {
            guard let wi = index[ParameterID(layer: k, afferent: j, kind: .weights)], let events = stepwiseEvents(p) else { continue }
            let size = sourceRange(p).width * layer.size
            while fusedPartials.count < (fused.count + 1) * parts { fusedPartials.append(FloatBuffer()) }
            let partials = (0..<parts).map { i in
                let buffer = fusedPartials[fused.count * parts + i]
                buffer.reserve(size)
                return buffer.pointer
            }
            fused.append(FusedWeightGradient(afferent: j, projection: p, parameter: wi, events: events,
                                             gradInput: UnsafePointer(gradientOfCurrents(k, p.synapse)), partials: partials))
        }
        return fused
    }

    /// The products into `∂L/∂S[t]` of a spiking layer with dense recurrence, stacked into one GEMM per step:
    ///
    ///     gS[t] += [gX₁[t] | … | gXᵣ[t] | gX'₁[t] | …] · [W₁; …; Wᵣ; W'₁; …]
    ///
    /// over its recurrent afferents (`gXᵢ`, `Wᵢ`) and the dense afferents of later layers it drives (`gX'`, `W'`), whose
    /// gradients are final when its scan runs. The later layers' input gradients are so computed step by step in cache,
    /// at the GEMM rate of the recurrent product, instead of in a whole-window pass that writes `gS` and reads it back
    /// (a readout's `k` = 20 product is memory-bound). Built only when at least one later afferent folds in.
    struct StackedProducts {
        /// Each stacked gradient (`[T·B, width]`) and its width, in stacking order.
        let gradients: [(pointer: UnsafePointer<Float>, width: Int)]
        /// `[depth, N]`: the weights in the same order.
        let weights: UnsafePointer<Float>
        /// Σ widths.
        let depth: Int
        /// Per part of the batch (at least one per thread), a scratch for one product: the stacked rows (`[2B, depth]`)
        /// for BLAS, the packed tiles for ``PackedGEMM``.
        let rows: [UnsafeMutablePointer<Float>]
        /// The weights packed for ``PackedGEMM`` (nil where it is unavailable: one BLAS product of the stacked rows).
        let packed: UnsafePointer<Float>?
    }

    /// Whether the input gradient of afferent `j` of layer `m` is folded into its source's backward scan (see
    /// ``StackedProducts``) instead of being computed over the whole window after layer `m`'s scan: a dense afferent
    /// reading the whole source, into at most ``foldedInputGradientMaximumWidth`` units.
    func foldsInputGradient(_ network: SpikingNetwork, layer m: Int, afferent j: Int) -> Bool {
        let p = network.layers[m].afferents[j]
        guard case let .layer(s) = p.source, s < m, p.operation == .dense, p.targetSize <= Self.foldedInputGradientMaximumWidth,
              sourceRange(p).count == sizes[s] else { return false }
        return stacksProducts(network.layers[s], s)
    }

    /// The widest afferent whose input gradient is folded into its source's scan. A whole-window product of depth `k`
    /// does 2k FLOPs per element of `gS` it reads and writes: memory-bound for a readout's k ≈ 20, compute-bound for
    /// k = 256 (measured: folding a 256-unit hidden layer's input gradient into the previous layer's scan was no faster).
    static let foldedInputGradientMaximumWidth = 64

    /// Whether the backward scan of layer `k` can stack its products: a spiking layer whose recurrent afferents are
    /// all dense and read the whole layer.
    private func stacksProducts(_ layer: Layer, _ k: Int) -> Bool {
        guard layer.neuron.spikingCore != nil else { return false }
        let recurrent = layer.recurrentAfferents(layerIndex: k).map { layer.afferents[$0] }
        return !recurrent.isEmpty && recurrent.allSatisfy { $0.operation == .dense && sourceRange($0).count == layer.size }
    }

    /// The projections whose products layer `k`'s backward scan stacks, in order (its recurrent afferents, then the later
    /// afferents that fold in); nil when no later afferent folds in.
    private func stackedMembers(_ network: SpikingNetwork, _ k: Int) -> [(layer: Int, projection: Projection)]? {
        let layer = network.layers[k]
        guard stacksProducts(layer, k) else { return nil }
        var members = layer.recurrentAfferents(layerIndex: k).map { (layer: k, projection: layer.afferents[$0]) }
        let recurrentCount = members.count
        for m in (k + 1)..<network.layers.count {
            for (j, p) in network.layers[m].afferents.enumerated() where p.source == .layer(k) && foldsInputGradient(network, layer: m, afferent: j) {
                members.append((m, p))
            }
        }
        return members.count > recurrentCount ? members : nil
    }

    /// The stacked products of layer `k`'s backward scan (see ``stackedMembers(_:_:)``), with `parts` scratch rows.
    private func stackedProducts(_ network: SpikingNetwork, _ k: Int, parts: Int) -> StackedProducts? {
        guard let members = stackedMembers(network, k) else { return nil }
        let n = network.layers[k].size, depth = members.reduce(0) { $0 + $1.projection.targetSize }
        stackedWeights.reserve(depth * n)
        var row = 0
        for (_, p) in members {
            p.weights.withUnsafeBufferPointer { (stackedWeights.pointer + row * n).update(from: $0.baseAddress!, count: $0.count) }
            row += p.targetSize
        }
        let packs = PackedGEMM.isAvailable
        if packs {
            stackedPacked.reserve(PackedGEMM.packedCount(k: depth, n: n))
            PackedGEMM.pack(stackedWeights.pointer, k: depth, n: n, ldb: n, into: stackedPacked.pointer)
        }
        // One scratch per part, or per thread when a single part's two-step product is split across threads.
        let scratches = max(parts, threadCount)
        while stackedRows.count < scratches { stackedRows.append(FloatBuffer()) }
        for buffer in stackedRows.prefix(scratches) {
            buffer.reserve(packs ? PackedGEMM.scratchCount(m: 2 * batch, k: depth) : 2 * batch * depth)
        }
        return StackedProducts(gradients: members.map { (UnsafePointer(gradientOfCurrents($0.layer, $0.projection.synapse)), $0.projection.targetSize) },
                               weights: stackedWeights.pointer, depth: depth, rows: stackedRows.prefix(scratches).map(\.pointer),
                               packed: packs ? UnsafePointer(stackedPacked.pointer) : nil)
    }

    private func backwardLoop(_ k: Int, _ network: SpikingNetwork, _ layer: Layer, fused: [FusedWeightGradient], stacked: StackedProducts?) {
        let b = layers[k]
        let n = layer.size, slice = batch * n
        switch layer.neuron {
        case .lif, .adaptiveLIF, .excitatoryInhibitory:
            let dynamics = layer.neuron.spikingCore!
            let parts = backwardParts(k, layer)
            let run = SpikingBackward(workspace: self, k: k, constants: scanConstants(k, layer, timeStep: network.timeStep),
                                      learnsTimeConstants: layer.timeConstants?.isLearned == true,
                                      differentiatesReset: dynamics.resetGradient == .differentiated,
                                      recurrent: layer.recurrentAfferents(layerIndex: k).map { ($0, layer.afferents[$0]) },
                                      stacked: stacked, overwritesOutputGradient: stacked != nil && b.gradOutputIsPendingZero,
                                      fused: fused, parts: parts)
            b.gradOutputIsPendingZero = false
            dynamics.effectiveSurrogate.visit(run)
        case let .readout(dynamics):
            let c = dynamics.coefficients(timeStep: network.timeStep)
            let carry = b.backwardCarry.pointer
            let go = carry + BackwardCarry.membrane * slice, gi = carry + BackwardCarry.current * slice
            let gs = b.gradOutput.pointer, gx = b.gradInput.pointer
            for t in (0..<window).reversed() {
                readoutBackwardStep(count: slice, coefficients: c, outputGradient: gs + t * slice,
                                    gradOutput: go, gradCurrent: gi, gradInput: gx + t * slice)
            }
        case let .leaky(dynamics):
            struct Scan: SurrogateVisitor {
                let ws: SimulationWorkspace, k: Int, dynamics: LeakyDynamics
                func visit<K: SurrogateKernel>(_ kernel: K) {
                    let b = ws.layers[k], slice = ws.batch * ws.sizes[k]
                    let gu = b.backwardCarry.pointer + BackwardCarry.membrane * slice
                    for t in (0..<ws.window).reversed() {
                        leakyBackwardStep(count: slice, beta: dynamics.beta, threshold: dynamics.threshold, surrogate: kernel,
                                          membrane: b.state.pointer + t * slice, spikeGradient: b.gradOutput.pointer + t * slice,
                                          gradMembrane: gu, gradInput: b.gradInput.pointer + t * slice)
                    }
                }
            }
            dynamics.surrogate.visit(Scan(ws: self, k: k, dynamics: dynamics))
        case .passThrough:
            break   // ∂L/∂X is the output gradient itself (see gradientOfCurrents)
        }
    }

    /// Reverse-time recurrence of a spiking layer (LIF, or the two-current scan of adaptive and E/I neurons).
    private struct SpikingBackward: SurrogateVisitor {
        unowned let workspace: SimulationWorkspace
        let k: Int
        let constants: SpikingScanConstants
        let learnsTimeConstants: Bool
        let differentiatesReset: Bool
        let recurrent: [(index: Int, projection: Projection)]
        /// The recurrent products and folded later input gradients as one product per step (nil: recurrent products only).
        let stacked: StackedProducts?
        /// `gS` is zero but not written (``zeroOutputGradients()``): the stacked products set it (β = 0) rather than add,
        /// and step 0, which none computes at the window's start, is zeroed.
        let overwritesOutputGradient: Bool
        let fused: [FusedWeightGradient]
        /// Parts of the batch (``backwardParts(_:_:)``: 1 with learned time constants, whose gradients sum over the batch).
        let parts: Int

        func visit<K: SurrogateKernel>(_ kernel: K) {
            let ws = workspace, b = ws.layers[k]
            let n = ws.sizes[k], slice = ws.batch * n, window = ws.window
            let gs = b.gradOutput.pointer, gx = b.gradInput.pointer, gy = b.gradSecondInput.pointer
            let carry = b.backwardCarry.pointer
            ws.zeros.zero(slice)
            if overwritesOutputGradient { gs.update(repeating: 0, count: slice) }   // (never chunked: step 0 starts the window)
            let isWindowEnd = ws.chunkIndex == ws.chunkCount - 1   // the chunk's last step is the window's last
            // gX[T−1] = 0 at the window's end (X[T−1] would only reach I[T]); at a chunk's end it is what the later
            // chunk's first step wrote.
            let lastInput = (gx + (window - 1) * slice, gy + (window - 1) * slice)
            if isWindowEnd {
                lastInput.0.update(repeating: 0, count: slice)
                if constants.dual != nil { lastInput.1.update(repeating: 0, count: slice) }
            } else {
                lastInput.0.update(from: carry + BackwardCarry.input * slice, count: slice)
                if constants.dual != nil { lastInput.1.update(from: carry + BackwardCarry.secondInput * slice, count: slice) }
            }
            if b.usesDropout, isWindowEnd, stacked == nil {   // (stacked: the scan's products reach step T−1, then scale it)
                multiply(count: slice, gs + (window - 1) * slice, by: b.dropoutScale.pointer + (window - 1) * slice)
            }
            // Samples never interact: the batch is split across threads for the whole window.
            if parts == 1 {
                scan(kernel, samples: 0..<ws.batch, part: 0)
            } else {
                parallelChunks(ws.batch, parts: parts) { samples, i in scan(kernel, samples: samples, part: i) }
            }
            if ws.chunkStart != 0 {   // what the earlier chunk's last step reads
                let recorded = b.usesRecordedResets || b.usesDropout || b.isStochastic
                (carry + BackwardCarry.nextSpikeGradient * slice).update(from: gs, count: slice)
                // (Unused when the reset is derived from the membrane, as it is whenever S is kept as events only.)
                if recorded || b.spikesAreDense {
                    (carry + BackwardCarry.nextReset * slice).update(from: recorded ? b.resets.pointer : b.spikes.pointer, count: slice)
                }
            }
        }

        /// The window's steps in reverse for the samples `samples` (elements `samples·N` of each `[B, N]` slice), part
        /// `part` of the batch.
        private func scan<K: SurrogateKernel>(_ kernel: K, samples: Range<Int>, part: Int) {
            let ws = workspace, b = ws.layers[k]
            let (coefficients, dual, perNeuron, adaptation) = (constants.coefficients, constants.dual, constants.perNeuron, constants.adaptation)
            let n = ws.sizes[k], slice = ws.batch * n, window = ws.window
            let offset = samples.lowerBound * n, count = samples.count * n
            // Pointers to element 0 of this part in step 0 (step t adds t·slice).
            let u = b.state.pointer + offset
            let gs = b.gradOutput.pointer + offset, gx = b.gradInput.pointer + offset, gy = b.gradSecondInput.pointer + offset
            // The reverse-time state gU, gI, gJ and what the later chunk left for this one (zeros after the window).
            let carry = b.backwardCarry.pointer + offset
            let gu = carry + BackwardCarry.membrane * slice, gi = carry + BackwardCarry.current * slice
            let gj = carry + BackwardCarry.secondCurrent * slice
            let zero = UnsafePointer(ws.zeros.pointer)
            let isWindowEnd = ws.chunkIndex == ws.chunkCount - 1
            let isWindowStart = ws.chunkStart == 0
            let initialMembrane = ws.chunkInitialState(k).map { UnsafePointer($0 + offset + ChunkState.membrane * slice) } ?? zero
            // Dropped or stochastic spikes: R cannot be derived from U, read it as recorded.
            let recorded = b.usesRecordedResets || b.usesDropout || b.isStochastic
            // (S is read only when the reset cannot be derived from U: then it is dense.)
            let resetSource = (recorded ? b.resets.pointer : b.spikes.pointer) + offset
            let lm = coefficients.membraneDecay, km = coefficients.membraneGain
            // Step 0 writes gX, gY of the step before the chunk there, for the earlier chunk.
            let before = (carry + BackwardCarry.input * slice, carry + BackwardCarry.secondInput * slice)
            // Lowest step whose products into gS[t] are done (at the window's end gX[T−1] is zero: nothing to do, unless
            // later layers' input gradients are stacked with the recurrent ones).
            var productDone = isWindowEnd && stacked == nil ? window - 1 : window
            // Dropout: ∂L/∂S_internal = ∂L/∂S_transmitted · scale, applied once a step's transmitted gradient is final
            // (before the differentiated reset adds the internal spike's own term).
            let scale = b.usesDropout ? b.dropoutScale.pointer + offset : nil
            // gWᵀ += Σ events(step)ᵀ · gX[step] for this part's rows, once the step's gX is final.
            func addWeightGradients(step: Int) {
                let rows = (step * ws.batch + samples.lowerBound)..<(step * ws.batch + samples.upperBound)
                for f in fused {
                    accumulateEventGradients(f.events, rows: rows, gradOutput: f.gradInput, outputs: n, intoTransposed: f.partials[part])
                }
            }
            for f in fused { f.partials[part].update(repeating: 0, count: ws.sourceRange(f.projection).width * n) }
            addWeightGradients(step: window - 1)
            for t in (0..<window).reversed() {
                let at = t * slice, last = t + 1 == window
                let nextSpikeGradient = !last ? UnsafePointer(gs + at + slice)
                    : (isWindowEnd ? zero : UnsafePointer(carry + BackwardCarry.nextSpikeGradient * slice))
                let nextReset = !last ? UnsafePointer(resetSource + at + slice)
                    : (isWindowEnd ? zero : UnsafePointer(carry + BackwardCarry.nextReset * slice))
                let reset: BackwardReset = last && isWindowEnd ? .stored : (recorded ? .stored : (b.emitsStepSpikes ? .fromMembrane : .oneMinusStoredSpike))
                if let dual {
                    dualCurrentBackwardStep(count: count, coefficients: dual, perNeuron: perNeuron, surrogate: kernel, membrane: u + at,
                                            nextSpikeGradient: nextSpikeGradient, nextReset: nextReset, reset: reset,
                                            gradMembrane: gu, gradCurrents: (gi, gj),
                                            previousGradInputs: t > 0 ? (gx + at - slice, gy + at - slice) : before)
                } else {
                    lifBackwardStep(count: count, coefficients: coefficients, surrogate: kernel, membrane: u + at,
                                    nextSpikeGradient: nextSpikeGradient, nextReset: nextReset, reset: reset,
                                    gradMembrane: gu, gradCurrent: gi, previousGradInput: t > 0 ? gx + at - slice : before.0)
                }
                if t > 0 { addWeightGradients(step: t - 1) }
                if learnsTimeConstants {   // one part (see visit): the sums over the batch are not split
                    accumulateDecayGradients(count: count, units: n, gradMembrane: gu, gradCurrent: gi, reset: b.resets.pointer + offset + at,
                                             previousMembrane: t == 0 ? initialMembrane : UnsafePointer(u + at - slice),
                                             drive: b.drive.pointer + offset + at, previousCurrent: b.currentHistory.pointer + offset + at,
                                             membraneDecayGradient: b.decayGradients.pointer, synapseDecayGradient: b.decayGradients.pointer + n)
                }
                // gS[t] is read by step t−1: its products must be done now; gX[t−1] is already known, so do both steps
                // at once (one product of 2B rows when the slices t−1, t are adjacent, i.e. the batch is not split). At
                // a chunk's first step gS[0] is read by the earlier chunk (at the window's start S[0] is a constant).
                if productDone > t, t > 0 || !isWindowStart {
                    let first = max(t - 1, 0)
                    if samples.count == ws.batch {
                        ws.timed("recurrent products") { recurrentProducts(steps: first..<productDone, samples: samples, part: part) }
                    } else {
                        for step in first..<productDone { recurrentProducts(steps: step..<(step + 1), samples: samples, part: part) }
                    }
                    for step in first..<productDone {
                        if let scale { multiply(count: count, gs + step * slice, by: scale + step * slice) }
                        // The adaptation current is driven by the neuron's own (internal) spikes.
                        if adaptation != 0 { axpy(count: count, adaptation, gy + step * slice, gs + step * slice) }
                    }
                    productDone = first
                }
                if differentiatesReset {
                    // ∂U[t]/∂S[t] = −(λ_m U[t-1] + κ_m D[t]) with the drive D = I[t-1] − J[t-1] recorded by the forward pass.
                    let uPrev = t == 0 ? initialMembrane : UnsafePointer(u + at - slice)
                    let drive = b.drive.pointer + offset + at
                    let g = gs + at
                    if let p = perNeuron {
                        for e in 0..<count {
                            let l = p.membrane[e % n]
                            g[e] -= gu[e] * (l * uPrev[e] + (1 - l) * drive[e])
                        }
                    } else {
                        for e in 0..<count { g[e] -= gu[e] * (lm * uPrev[e] + km * drive[e]) }
                    }
                }
            }
        }

        /// `gS[steps, samples] += Σ_recurrent opᵀ(gX[steps, samples])` (and the stacked later input gradients): one
        /// product for contiguous rows.
        private func recurrentProducts(steps: Range<Int>, samples: Range<Int>, part: Int) {
            let ws = workspace, gs = ws.layers[k].gradOutput.pointer
            let rows = (steps.lowerBound * ws.batch + samples.lowerBound)..<((steps.upperBound - 1) * ws.batch + samples.upperBound)
            if let stacked, let packed = stacked.packed {
                let n = ws.sizes[k], beta: Float = overwritesOutputGradient ? 0 : 1
                let threads = productParts(m: rows.count, n: n, k: stacked.depth, parts: samples.count == ws.batch ? ws.threadCount : 1)
                parallelChunks(rows.count, parts: threads) { chunk, i in
                    PackedGEMM.multiply(rows: (rows.lowerBound + chunk.lowerBound)..<(rows.lowerBound + chunk.upperBound), n: n,
                                        segments: stacked.gradients, packed: packed, beta: beta, c: gs, ldc: n,
                                        scratch: stacked.rows[threads == 1 ? part : i])
                }
                return
            }
            if let stacked {
                let n = ws.sizes[k], scratch = stacked.rows[part]
                var column = 0
                for g in stacked.gradients {
                    for r in rows {
                        (scratch + (r - rows.lowerBound) * stacked.depth + column).update(from: g.pointer + r * g.width, count: g.width)
                    }
                    column += g.width
                }
                parallelSGEMM(parts: samples.count == ws.batch ? ws.threadCount : 1, .none, .none, m: rows.count, n: n, k: stacked.depth,
                              alpha: 1, a: scratch, lda: stacked.depth, b: stacked.weights, ldb: n, beta: overwritesOutputGradient ? 0 : 1,
                              c: gs + rows.lowerBound * n, ldc: n)
                return
            }
            for (j, p) in recurrent {
                ws.accumulateInputGradient(k, j, p, gradInput: UnsafePointer(ws.gradientOfCurrents(k, p.synapse)), rows: rows,
                                           into: gs, parallel: false, gemmParts: samples.count == ws.batch ? ws.threadCount : 1)
            }
        }
    }
}
