// Fused per-step scans of an LIF neuron driven by two synaptic currents, one of which is subtracted:
// the excitatory/inhibitory LIF of Dale's law (SPEC §1.4) and the adaptive LIF (SPEC §1.3, whose second
// current is the adaptation a·A driven by the neuron's own spikes).
// All buffers are one time step of a time-major sequence: a contiguous [B, N] slice of `count` floats.

/// Per-step constants of the two-current LIF.
public struct DualCurrentCoefficients: Sendable, Equatable {
    /// The membrane and first (excitatory) current constants: λ_m, λ_s (of the first current), κ_m, θ.
    public var primary: LIFCoefficients
    /// λ_j = exp(−Δt/τ_j), the decay of the second (subtracted) current: τ_inh, or τ_ada for adaptation.
    public var secondDecay: Float

    /// Creates the constants.
    @inlinable public init(primary: LIFCoefficients, secondDecay: Float) {
        self.primary = primary
        self.secondDecay = secondDecay
    }
}

/// Per-neuron decays λ_m[n], λ_s[n] (heterogeneous or learned time constants), broadcast over the batch: element
/// `e` of a `[B, N]` slice uses neuron `e % units`; κ_m[n] = 1 − λ_m[n].
public struct PerNeuronDecays {
    /// λ_m per neuron.
    public var membrane: UnsafePointer<Float>
    /// λ_s per neuron (the first current).
    public var synapse: UnsafePointer<Float>
    /// N.
    public var units: Int
    /// Wraps the arrays.
    @inlinable public init(membrane: UnsafePointer<Float>, synapse: UnsafePointer<Float>, units: Int) {
        self.membrane = membrane
        self.synapse = synapse
        self.units = units
    }
}

/// λ_m, λ_s, κ_m of element `e` of a `[B, N]` slice: per neuron when given, else the shared coefficients.
@inlinable @inline(__always)
func decays(_ c: LIFCoefficients, _ perNeuron: PerNeuronDecays?, _ e: Int) -> (Float, Float, Float) {
    guard let p = perNeuron else { return (c.membraneDecay, c.synapseDecay, c.membraneGain) }
    let lm = p.membrane[e % p.units]
    return (lm, p.synapse[e % p.units], 1 - lm)
}

/// One forward step of the two-current LIF in the reference (stork) order, over `count` neurons:
///
///     S[t] = f(U[t-1] − θ);  D = I[t-1] − J[t-1]
///     U[t] = (λ_m U[t-1] + κ_m D) · R[t];  I[t] = λ_s I[t-1] + X[t-1];  J[t] = λ_j J[t-1] + Y[t-1]
///
/// - Parameters:
///   - currents: in `I[t-1]`, `J[t-1]`; out `I[t]`, `J[t]`.
///   - previousInputs: `X[t-1]` (into I) and `Y[t-1]` (into J).
///   - drive: if given, receives `D = I[t-1] − J[t-1]` (needed to differentiate the reset).
///   - resetOut: if given, receives `R[t]`.
///   - perNeuron: per-neuron λ_m, λ_s replacing those of `c`.
///   - thresholdNoise: per-neuron threshold offsets η of escape noise (see ``lifForwardStep(count:coefficients:spike:reset:previousMembrane:current:previousInput:membrane:spikes:resetOut:thresholdNoise:)``).
@inlinable
public func dualCurrentForwardStep<F: SpikeNonlinearity>(
    count: Int, coefficients c: DualCurrentCoefficients, perNeuron: PerNeuronDecays? = nil, spike: F, reset: ResetSource,
    previousMembrane: UnsafePointer<Float>, currents: (UnsafeMutablePointer<Float>, UnsafeMutablePointer<Float>),
    previousInputs: (UnsafePointer<Float>, UnsafePointer<Float>), membrane: UnsafeMutablePointer<Float>,
    spikes: UnsafeMutablePointer<Float>, drive: UnsafeMutablePointer<Float>?, resetOut: UnsafeMutablePointer<Float>?,
    thresholdNoise: UnsafePointer<Float>? = nil
) {
    let th = c.primary.threshold, lj = c.secondDecay
    let (i, j) = currents, (x, y) = previousInputs
    for e in 0..<count {
        let (lm, ls, km) = decays(c.primary, perNeuron, e)
        let u = previousMembrane[e], d = i[e] - j[e]
        let s = spike(u - th - (thresholdNoise?[e] ?? 0))
        let r: Float
        switch reset {
        case .oneMinusSpike: r = 1 - s
        case .step: r = u - th > 0 ? 0 : 1
        case let .replay(recorded): r = recorded[e]
        }
        spikes[e] = s
        membrane[e] = (lm * u + km * d) * r
        i[e] = ls * i[e] + x[e]
        j[e] = lj * j[e] + y[e]
        drive?[e] = d
        resetOut?[e] = r
    }
}

/// One reverse-time step of the two-current LIF backward pass over `count` neurons:
///
///     gU[t] = gS[t+1] · σ′(U[t] − θ) + gU[t+1] · λ_m · R[t+1]
///     gI[t] = λ_s gI[t+1] + κ_m R[t+1] gU[t+1];   gJ[t] = λ_j gJ[t+1] − κ_m R[t+1] gU[t+1]
///     gX[t−1] = gI[t];   gY[t−1] = gJ[t]
///
/// Arguments as in ``lifBackwardStep(count:coefficients:surrogate:membrane:nextSpikeGradient:nextReset:reset:gradMembrane:gradCurrent:previousGradInput:)``,
/// with the gradients of both currents and both inputs, and optional per-neuron decays.
@inlinable
public func dualCurrentBackwardStep<K: SurrogateKernel>(
    count: Int, coefficients c: DualCurrentCoefficients, perNeuron: PerNeuronDecays? = nil, surrogate: K,
    membrane: UnsafePointer<Float>, nextSpikeGradient: UnsafePointer<Float>,
    nextReset: UnsafePointer<Float>, reset: BackwardReset,
    gradMembrane: UnsafeMutablePointer<Float>, gradCurrents: (UnsafeMutablePointer<Float>, UnsafeMutablePointer<Float>),
    previousGradInputs: (UnsafeMutablePointer<Float>, UnsafeMutablePointer<Float>)
) {
    let th = c.primary.threshold, lj = c.secondDecay
    let (gi, gj) = gradCurrents, (gx, gy) = previousGradInputs
    for e in 0..<count {
        let (lm, ls, km) = decays(c.primary, perNeuron, e)
        let r: Float
        switch reset {
        case .fromMembrane: r = membrane[e] > th ? 0 : 1
        case .oneMinusStoredSpike: r = 1 - nextReset[e]
        case .stored: r = nextReset[e]
        }
        let gu = gradMembrane[e]
        let toCurrent = km * r * gu
        gradMembrane[e] = nextSpikeGradient[e] * surrogate.derivative(membrane[e] - th) + gu * lm * r
        let newGI = ls * gi[e] + toCurrent, newGJ = lj * gj[e] - toCurrent
        gi[e] = newGI; gj[e] = newGJ
        gx[e] = newGI; gy[e] = newGJ
    }
}

/// Accumulates the gradients of per-neuron decays for one step `t` (sums over the batch):
///
///     gλ_m[n] += gU[t] · R[t] · (U[t−1] − D[t]);   gλ_s[n] += gI[t] · I[t−1]
///
/// with `D[t] = I[t−1] − J[t−1]` the drive and `I[t−1]` the current the forward pass recorded at step t.
@inlinable
public func accumulateDecayGradients(
    count: Int, units: Int, gradMembrane: UnsafePointer<Float>, gradCurrent: UnsafePointer<Float>,
    reset: UnsafePointer<Float>, previousMembrane: UnsafePointer<Float>, drive: UnsafePointer<Float>,
    previousCurrent: UnsafePointer<Float>, membraneDecayGradient: UnsafeMutablePointer<Float>,
    synapseDecayGradient: UnsafeMutablePointer<Float>
) {
    for e in 0..<count {
        let n = e % units
        membraneDecayGradient[n] += gradMembrane[e] * reset[e] * (previousMembrane[e] - drive[e])
        synapseDecayGradient[n] += gradCurrent[e] * previousCurrent[e]
    }
}
