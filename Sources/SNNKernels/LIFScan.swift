// Fused per-step scans of the current-based LIF and the leaky readout, forward and backward.
// All buffers are one time step of a time-major sequence: a contiguous [B, N] slice of `count` floats.
import CSNNKernels

/// Per-step constants of a current-based LIF population (SPEC §1.1).
public struct LIFCoefficients: Sendable, Equatable {
    /// λ_m = exp(−Δt/τ_mem).
    public var membraneDecay: Float
    /// λ_s = exp(−Δt/τ_syn).
    public var synapseDecay: Float
    /// κ_m = 1 − λ_m, the gain from current to membrane.
    public var membraneGain: Float
    /// Firing threshold θ.
    public var threshold: Float
    /// Creates the constants.
    @inlinable public init(membraneDecay: Float, synapseDecay: Float, membraneGain: Float, threshold: Float) {
        self.membraneDecay = membraneDecay
        self.synapseDecay = synapseDecay
        self.membraneGain = membraneGain
        self.threshold = threshold
    }
}

/// Where the backward pass reads the reset factor `R[t+1]`.
public enum BackwardReset: Sendable {
    /// `R[t+1] = 1 − H(U[t] − θ)`, derived from the membrane the step loads anyway (step spikes; no extra memory traffic).
    case fromMembrane
    /// `R[t+1] = 1 − S[t+1]` from the stored (possibly smooth) spikes.
    case oneMinusStoredSpike
    /// `R[t+1]` read from a recorded buffer.
    case stored
}

/// How a scan obtains the reset factor `R[t]` (the `(1 − S[t])` of SPEC §1.1).
public enum ResetSource {
    /// `R = 1 − S` (production; also the differentiated reset with a smooth spike).
    case oneMinusSpike
    /// `R = 1 − H(U − θ)`: the detached step even when the spike itself is smooth.
    case step
    /// `R` is read from a recorded buffer (replaying a detached reset as a constant in gradient checks).
    case replay(UnsafePointer<Float>)
}

/// The production LIF update (Heaviside spike, reset `R = 1 − S`) of neurons `e ..< e + 16`: writes `U[t]` and `I[t]`
/// and returns the spike mask `S[t] = U[t-1] > θ (+ η)`.
@inlinable @inline(__always)
func heavisideLIFUpdate16(at e: Int, _ c: LIFCoefficients, previousMembrane: UnsafePointer<Float>, current: UnsafeMutablePointer<Float>,
                          previousInput: UnsafePointer<Float>, membrane: UnsafeMutablePointer<Float>,
                          thresholdNoise: UnsafePointer<Float>?) -> SIMDMask<SIMD16<Int32>> {
    let threshold = SIMD16<Float>(repeating: c.threshold)
    let u = load16(previousMembrane + e), i = load16(current + e), x = load16(previousInput + e)
    let fired = u .> (thresholdNoise.map { threshold + load16($0 + e) } ?? threshold)
    store16((c.membraneDecay * u + c.membraneGain * i).replacing(with: SIMD16<Float>(repeating: 0), where: fired), membrane + e)
    store16(c.synapseDecay * i + x, current + e)
    return fired
}

/// ``heavisideLIFUpdate16(at:_:previousMembrane:current:previousInput:membrane:thresholdNoise:)`` for neuron `e` alone
/// (same floats); returns whether it spikes.
@inlinable @inline(__always)
func heavisideLIFUpdate(at e: Int, _ c: LIFCoefficients, previousMembrane: UnsafePointer<Float>, current: UnsafeMutablePointer<Float>,
                        previousInput: UnsafePointer<Float>, membrane: UnsafeMutablePointer<Float>, thresholdNoise: UnsafePointer<Float>?) -> Bool {
    let u = previousMembrane[e], i = current[e]
    let fired = u > c.threshold + (thresholdNoise?[e] ?? 0)
    membrane[e] = (c.membraneDecay * u + c.membraneGain * i) * (fired ? 0 : 1)
    current[e] = c.synapseDecay * i + previousInput[e]
    return fired
}

/// One forward step of the current-based LIF in the reference (stork) order, over `count` neurons:
///
///     S[t] = f(U[t-1] − θ);  I[t] = λ_s I[t-1] + X[t-1];  U[t] = (λ_m U[t-1] + κ_m I[t-1]) · R[t]
///
/// - Parameters:
///   - previousMembrane: `U[t-1]`. - current: in `I[t-1]`, out `I[t]`. - previousInput: `X[t-1]`.
///   - membrane: out `U[t]` (may alias `previousMembrane`). - spikes: out `S[t]`.
///   - resetOut: if given, receives `R[t]`.
///   - thresholdNoise: if given, a per-neuron threshold offset η for this step: the spike is `f(U[t-1] − θ − η)`
///     (escape noise: with η drawn from the right distribution, `H(x − η)` is a Bernoulli spike of probability f(x)).
@inlinable
public func lifForwardStep<F: SpikeNonlinearity>(
    count: Int, coefficients c: LIFCoefficients, spike: F, reset: ResetSource,
    previousMembrane: UnsafePointer<Float>, current: UnsafeMutablePointer<Float>,
    previousInput: UnsafePointer<Float>, membrane: UnsafeMutablePointer<Float>,
    spikes: UnsafeMutablePointer<Float>, resetOut: UnsafeMutablePointer<Float>?,
    thresholdNoise: UnsafePointer<Float>? = nil
) {
    let lm = c.membraneDecay, ls = c.synapseDecay, km = c.membraneGain, th = c.threshold
    switch reset {
    case .oneMinusSpike where F.self == HeavisideSpike.self:
        // Production path: 16 neurons at a time.
        var e = 0
        let zero = SIMD16<Float>(repeating: 0), one = SIMD16<Float>(repeating: 1)
        while e + 16 <= count {
            let fired = heavisideLIFUpdate16(at: e, c, previousMembrane: previousMembrane, current: current, previousInput: previousInput,
                                            membrane: membrane, thresholdNoise: thresholdNoise)
            store16(zero.replacing(with: one, where: fired), spikes + e)
            if let resetOut { store16(one.replacing(with: zero, where: fired), resetOut + e) }
            e += 16
        }
        while e < count {
            let s: Float = heavisideLIFUpdate(at: e, c, previousMembrane: previousMembrane, current: current, previousInput: previousInput,
                                              membrane: membrane, thresholdNoise: thresholdNoise) ? 1 : 0
            spikes[e] = s
            resetOut?[e] = 1 - s
            e += 1
        }
    case .oneMinusSpike:
        for e in 0..<count {
            let u = previousMembrane[e], i = current[e]
            let s = spike(u - th - (thresholdNoise?[e] ?? 0))
            let r = 1 - s
            spikes[e] = s
            membrane[e] = (lm * u + km * i) * r
            current[e] = ls * i + previousInput[e]
            resetOut?[e] = r
        }
    case .step:
        for e in 0..<count {
            let u = previousMembrane[e], i = current[e]
            let x = u - th
            let r: Float = x > 0 ? 0 : 1
            spikes[e] = spike(x)
            membrane[e] = (lm * u + km * i) * r
            current[e] = ls * i + previousInput[e]
            resetOut?[e] = r
        }
    case .replay(let recorded):
        for e in 0..<count {
            let u = previousMembrane[e], i = current[e]
            let r = recorded[e]
            spikes[e] = spike(u - th)
            membrane[e] = (lm * u + km * i) * r
            current[e] = ls * i + previousInput[e]
            resetOut?[e] = r
        }
    }
}

/// The production forward step of ``lifForwardStep(count:coefficients:spike:reset:previousMembrane:current:previousInput:membrane:spikes:resetOut:thresholdNoise:)``
/// (Heaviside spike, reset `R = 1 − S`) over `rows` rows of `units` neurons, appending each row's spikes to `events`
/// instead of writing `S`: the spikes are listed while the step's mask is in registers, with no `[rows, units]` spike
/// matrix written and scanned again. `U` and `I` are the same as that function's, bit for bit. On AVX2 hosts each row
/// runs the C kernel `snn_f32_lif_forward_list__avx2_u8` (same operations; a movemask, not a lane-by-lane sum, turns the
/// comparisons into the bits to list).
public func lifForwardStep(rows: Int, units n: Int, coefficients c: LIFCoefficients,
                           previousMembrane: UnsafePointer<Float>, current: UnsafeMutablePointer<Float>,
                           previousInput: UnsafePointer<Float>, membrane: UnsafeMutablePointer<Float>,
                           events: SpikeEventList, thresholdNoise: UnsafePointer<Float>? = nil) {
    precondition(events.width == n, "event list width \(events.width) ≠ \(n) units")
    events.reserveRows(events.rows + rows)
    var listed = events.count
    if CPUFeatures.hasAVX2FMA {   // the same floats from the C kernel, whose movemask lists the spikes
        for r in 0..<rows {
            events.reserveIndices(listed + n)
            let base = r * n
            listed += snn_f32_lif_forward_list__avx2_u8(n, c.membraneDecay, c.synapseDecay, c.membraneGain, c.threshold,
                                                        previousMembrane + base, current + base, previousInput + base, membrane + base,
                                                        thresholdNoise.map { $0 + base }, events.indices + listed)
            events.rows += 1
            events.rowOffsets[events.rows] = Int32(listed)
        }
        return
    }
    for r in 0..<rows {
        events.reserveIndices(listed + n)
        let indices = events.indices, base = r * n
        var j = 0
        while j + 16 <= n {
            let fired = heavisideLIFUpdate16(at: base + j, c, previousMembrane: previousMembrane, current: current, previousInput: previousInput,
                                            membrane: membrane, thresholdNoise: thresholdNoise)
            if any(fired) { listLanes(fired, from: j, into: indices, count: &listed) }
            j += 16
        }
        while j < n {
            if heavisideLIFUpdate(at: base + j, c, previousMembrane: previousMembrane, current: current, previousInput: previousInput,
                                  membrane: membrane, thresholdNoise: thresholdNoise) {
                indices[listed] = Int32(j)
                listed += 1
            }
            j += 1
        }
        events.rows += 1
        events.rowOffsets[events.rows] = Int32(listed)
    }
}

/// One reverse-time step of the LIF backward pass (BPTT through SPEC §1.1) over `count` neurons:
///
///     gU[t] = gS[t+1] · σ′(U[t] − θ) + gU[t+1] · λ_m · R[t+1]
///     gI[t] = gI[t+1] · λ_s + gU[t+1] · κ_m · R[t+1]
///     gX[t−1] = gI[t]            (X[t−1] enters I[t] with coefficient 1)
///
/// Writing `gX[t−1]` in step t (one step early) lets the caller batch the recurrent products of two steps.
///
/// - Parameters:
///   - membrane: `U[t]`. - nextSpikeGradient: total `∂L/∂S[t+1]` (zeros at the last step).
///   - nextReset: `S[t+1]` or recorded `R[t+1]` per `reset` (unused with ``BackwardReset/fromMembrane``).
///   - gradMembrane, gradCurrent: in `gU[t+1]`, `gI[t+1]`; out `gU[t]`, `gI[t]`.
///   - previousGradInput: out `gX[t−1]` (a scratch slice at t = 0).
@inlinable
public func lifBackwardStep<K: SurrogateKernel>(
    count: Int, coefficients c: LIFCoefficients, surrogate: K,
    membrane: UnsafePointer<Float>, nextSpikeGradient: UnsafePointer<Float>,
    nextReset: UnsafePointer<Float>, reset: BackwardReset,
    gradMembrane: UnsafeMutablePointer<Float>, gradCurrent: UnsafeMutablePointer<Float>,
    previousGradInput: UnsafeMutablePointer<Float>
) {
    let lm = c.membraneDecay, ls = c.synapseDecay, km = c.membraneGain, th = c.threshold
    var e = 0
    let threshold = SIMD16<Float>(repeating: th)
    let one = SIMD16<Float>(repeating: 1), zero = SIMD16<Float>(repeating: 0)
    while e + 16 <= count {
        let u = load16(membrane + e)
        let r: SIMD16<Float>
        switch reset {
        case .fromMembrane: r = one.replacing(with: zero, where: u .> threshold)
        case .oneMinusStoredSpike: r = 1 - load16(nextReset + e)
        case .stored: r = load16(nextReset + e)
        }
        let gu = load16(gradMembrane + e), gi = load16(gradCurrent + e)
        store16(load16(nextSpikeGradient + e) * surrogate.derivative(u - threshold) + gu * lm * r, gradMembrane + e)
        let newGI = gi * ls + gu * km * r
        store16(newGI, gradCurrent + e)
        store16(newGI, previousGradInput + e)
        e += 16
    }
    for e in e..<count {
        let r: Float
        switch reset {
        case .fromMembrane: r = membrane[e] > th ? 0 : 1
        case .oneMinusStoredSpike: r = 1 - nextReset[e]
        case .stored: r = nextReset[e]
        }
        let gu = gradMembrane[e], gi = gradCurrent[e]
        gradMembrane[e] = nextSpikeGradient[e] * surrogate.derivative(membrane[e] - th) + gu * lm * r
        let newGI = gi * ls + gu * km * r
        gradCurrent[e] = newGI
        previousGradInput[e] = newGI
    }
}

/// One forward step of the non-spiking leaky readout (SPEC §1.2):
/// `O[t] = λ_m O[t-1] + κ_m I[t-1];  I[t] = λ_s I[t-1] + X[t-1]`.
@inlinable
public func readoutForwardStep(
    count: Int, coefficients c: LIFCoefficients,
    previousOutput: UnsafePointer<Float>, current: UnsafeMutablePointer<Float>,
    previousInput: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>
) {
    let lm = c.membraneDecay, ls = c.synapseDecay, km = c.membraneGain
    for e in 0..<count {
        let i = current[e]
        output[e] = lm * previousOutput[e] + km * i
        current[e] = ls * i + previousInput[e]
    }
}

/// One reverse-time step of the readout backward pass:
/// `gX[t] = gI[t+1];  gO[t] = ∂L/∂O[t] + λ_m gO[t+1];  gI[t] = λ_s gI[t+1] + κ_m gO[t+1]`.
@inlinable
public func readoutBackwardStep(
    count: Int, coefficients c: LIFCoefficients, outputGradient: UnsafePointer<Float>,
    gradOutput: UnsafeMutablePointer<Float>, gradCurrent: UnsafeMutablePointer<Float>,
    gradInput: UnsafeMutablePointer<Float>
) {
    let lm = c.membraneDecay, ls = c.synapseDecay, km = c.membraneGain
    for e in 0..<count {
        let go = gradOutput[e], gi = gradCurrent[e]
        gradInput[e] = gi
        gradOutput[e] = outputGradient[e] + lm * go
        gradCurrent[e] = ls * gi + km * go
    }
}

/// Loads 16 floats (unaligned).
@inlinable func load16(_ p: UnsafePointer<Float>) -> SIMD16<Float> { UnsafeRawPointer(p).loadUnaligned(as: SIMD16<Float>.self) }
/// Loads 16 floats (unaligned).
@inlinable func load16(_ p: UnsafeMutablePointer<Float>) -> SIMD16<Float> { UnsafeRawPointer(p).loadUnaligned(as: SIMD16<Float>.self) }
/// Stores 16 floats (unaligned).
@inlinable func store16(_ v: SIMD16<Float>, _ p: UnsafeMutablePointer<Float>) { UnsafeMutableRawPointer(p).storeBytes(of: v, as: SIMD16<Float>.self) }

/// One forward step of the leaky delta-synapse neuron with subtractive reset (paper 2, SPEC §1.6):
/// `U[t] = β U[t−1] + X[t] − θ S[t−1]`, `S[t] = f(U[t] − θ)` (the reset term is detached).
@inlinable
public func leakyForwardStep<F: SpikeNonlinearity>(
    count: Int, beta: Float, threshold: Float, spike: F, previousMembrane: UnsafePointer<Float>,
    previousSpikes: UnsafePointer<Float>, input: UnsafePointer<Float>, membrane: UnsafeMutablePointer<Float>,
    spikes: UnsafeMutablePointer<Float>
) {
    for e in 0..<count {
        let u = beta * previousMembrane[e] + input[e] - threshold * previousSpikes[e]
        membrane[e] = u
        spikes[e] = spike(u - threshold)
    }
}

/// One reverse-time step of the leaky neuron: `gU[t] = gS[t]·σ′(U[t] − θ) + β gU[t+1]`, `gX[t] = gU[t]`.
@inlinable
public func leakyBackwardStep<K: SurrogateKernel>(
    count: Int, beta: Float, threshold: Float, surrogate: K, membrane: UnsafePointer<Float>,
    spikeGradient: UnsafePointer<Float>, gradMembrane: UnsafeMutablePointer<Float>, gradInput: UnsafeMutablePointer<Float>
) {
    for e in 0..<count {
        let g = spikeGradient[e] * surrogate.derivative(membrane[e] - threshold) + beta * gradMembrane[e]
        gradMembrane[e] = g
        gradInput[e] = g
    }
}
