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
@inlinable
public func dualCurrentForwardStep<F: SpikeNonlinearity>(
    count: Int, coefficients c: DualCurrentCoefficients, spike: F, reset: ResetSource,
    previousMembrane: UnsafePointer<Float>, currents: (UnsafeMutablePointer<Float>, UnsafeMutablePointer<Float>),
    previousInputs: (UnsafePointer<Float>, UnsafePointer<Float>), membrane: UnsafeMutablePointer<Float>,
    spikes: UnsafeMutablePointer<Float>, drive: UnsafeMutablePointer<Float>?, resetOut: UnsafeMutablePointer<Float>?
) {
    let lm = c.primary.membraneDecay, ls = c.primary.synapseDecay, km = c.primary.membraneGain
    let th = c.primary.threshold, lj = c.secondDecay
    let (i, j) = currents, (x, y) = previousInputs
    for e in 0..<count {
        let u = previousMembrane[e], d = i[e] - j[e]
        let s = spike(u - th)
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
/// with the gradients of both currents and both inputs.
@inlinable
public func dualCurrentBackwardStep<K: SurrogateKernel>(
    count: Int, coefficients c: DualCurrentCoefficients, surrogate: K,
    membrane: UnsafePointer<Float>, nextSpikeGradient: UnsafePointer<Float>,
    nextReset: UnsafePointer<Float>, reset: BackwardReset,
    gradMembrane: UnsafeMutablePointer<Float>, gradCurrents: (UnsafeMutablePointer<Float>, UnsafeMutablePointer<Float>),
    previousGradInputs: (UnsafeMutablePointer<Float>, UnsafeMutablePointer<Float>)
) {
    let lm = c.primary.membraneDecay, ls = c.primary.synapseDecay, km = c.primary.membraneGain
    let th = c.primary.threshold, lj = c.secondDecay
    let (gi, gj) = gradCurrents, (gx, gy) = previousGradInputs
    for e in 0..<count {
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
