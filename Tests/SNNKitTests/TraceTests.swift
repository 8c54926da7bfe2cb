import Foundation
import SNNKit
import Testing

/// Traces of a tiny network against values computed by hand from SPEC §1.1–1.2 (reference update order and delays).
@Suite("Reference traces")
struct TraceTests {
    // Δt 1 ms, τ_mem 20 ms, τ_syn 10 ms.
    let lm = exp(-1.0 / 20), ls = exp(-1.0 / 10)
    var km: Double { 1 - lm }

    /// 1 input → 1 LIF (w = 30) → 1 readout (v = 2, O[-1] = −0.01); one input spike at step 2.
    func run(input spikeStep: Int = 2, steps: Int = 14) throws -> (u: [Double], s: [Double], o: [Double]) {
        var net = try SpikingNetwork(inputs: 1, timeStep: .milliseconds(1)) {
            LIFLayer(1)
            LeakyReadout(1, tauMembrane: .milliseconds(20), tauSynapse: .milliseconds(10), initialState: -0.01)
        }
        net[ParameterID(layer: 0, afferent: 0, kind: .weights)].scalars = [30]
        net[ParameterID(layer: 1, afferent: 0, kind: .weights)].scalars = [2]
        var x = Tensor(shape: [steps, 1, 1])
        x.scalars[spikeStep] = 1
        let ws = SimulationWorkspace()
        try ws.forward(net, input: x)
        return (ws.membrane(ofLayer: 0).map(Double.init), ws.output(ofLayer: 0).map(Double.init), ws.output(ofLayer: 1).map(Double.init))
    }

    @Test("LIF: an input spike at t reaches the membrane at t+2 and causes a spike at t+3; multiplicative reset to 0")
    func lifLatencyAndReset() throws {
        let (u, s, _) = try run()
        // X[2] = 30 → I[3] = 30 → U[4] = κ·30 (U[3] still used I[2] = 0)
        for t in 0...3 { #expect(u[t] == 0, "U[\(t)]") }
        #expect(abs(u[4] - km * 30) < 1e-5)
        // S[5] = H(U[4] − 1) = 1 (κ·30 ≈ 1.463), so U[5] = 0 (reset), no spike before step 5
        for t in 0...4 { #expect(s[t] == 0, "S[\(t)]") }
        #expect(s[5] == 1)
        #expect(u[5] == 0)
        // U[6] = λ_m·0 + κ·I[5] = κ·30·λ_s² ≈ 1.198 > 1 → S[7] = 1, U[7] = 0
        #expect(s[6] == 0)
        #expect(abs(u[6] - km * 30 * ls * ls) < 1e-5)
        #expect(s[7] == 1)
        #expect(u[7] == 0)
        // U[8] = κ·30·λ_s⁴ ≈ 0.980 < 1: no more spikes
        #expect(abs(u[8] - km * 30 * pow(ls, 4)) < 1e-5)
        #expect(s[8] == 0 && s[9] == 0)
        // U[9] = λ_m U[8] + κ·30·λ_s⁵ ≈ 1.82 → S[10] = 1 again
        let i8 = 30 * pow(ls, 5)
        #expect(abs(u[9] - (lm * u[8] + km * i8)) < 1e-5)
        #expect(s[10] == 1)
        #expect(u[10] == 0)
    }

    @Test("Readout: decays from its initial state; a hidden spike at t reaches it at t+2")
    func readoutTrace() throws {
        let (_, _, o) = try run()
        // Before any input: O[t] = −0.01·λ_m^(t+1)
        for t in 0...6 { #expect(abs(o[t] - (-0.01 * pow(lm, Double(t + 1)))) < 1e-7, "O[\(t)]") }
        // Hidden spike at 5 → X_ro[5] = 2 → I_ro[6] = 2 → O[7] = λ_m O[6] + κ·2
        #expect(abs(o[7] - (lm * o[6] + km * 2)) < 1e-6)
        // Second hidden spike at 7 → I_ro[8] = 2λ_s + 2; O[8] = λ_m O[7] + κ·I_ro[7] with I_ro[7] = 2λ_s
        #expect(abs(o[8] - (lm * o[7] + km * 2 * ls)) < 1e-6)
        #expect(abs(o[9] - (lm * o[8] + km * (2 * ls * ls + 2))) < 1e-6)
    }

    @Test("A spike at the last step has no effect (it would land after the window)")
    func lastStep() throws {
        let (u, s, o) = try run(input: 13, steps: 14)
        #expect(u.allSatisfy { $0 == 0 })
        #expect(s.allSatisfy { $0 == 0 })
        #expect(abs(o[13] - (-0.01 * pow(lm, 14))) < 1e-7)
    }

    @Test("Recurrent projection adds one step of delay: a hidden spike at t feeds back into U at t+2")
    func recurrentDelay() throws {
        var net = try SpikingNetwork(inputs: 1, timeStep: .milliseconds(1)) {
            LIFLayer(2, isRecurrent: true)
            LeakyReadout(1, tauMembrane: .milliseconds(20))
        }
        // input drives neuron 0 only; neuron 0 drives neuron 1 through the recurrent weight 40
        net[ParameterID(layer: 0, afferent: 0, kind: .weights)].scalars = [30, 0]
        net[ParameterID(layer: 0, afferent: 1, kind: .weights)].scalars = [0, 0, 40, 0]
        var x = Tensor(shape: [12, 1, 1])
        x.scalars[0] = 1
        let ws = SimulationWorkspace()
        try ws.forward(net, input: x)
        let s = ws.output(ofLayer: 0), u = ws.membrane(ofLayer: 0)
        // neuron 0 spikes at 3 (0 + 3); recurrent X[3] → I₁[4] → U₁[5] = κ·40 → S₁[6]
        #expect(s[3 * 2 + 0] == 1)
        #expect(u[4 * 2 + 1] == 0)
        #expect(abs(Double(u[5 * 2 + 1]) - km * 40) < 1e-5)
        #expect(s[5 * 2 + 1] == 0)
        #expect(s[6 * 2 + 1] == 1)
    }
}

@Suite("Leaky neuron trace (SPEC §1.6)")
struct LeakyTraceTests {
    @Test("U[t] = 0.5 U[t−1] + w·S_in[t] − θ S[t−1]; spike in the same step as the input that crosses θ")
    func trace() throws {
        let layer = Layer(name: "leaky", size: 1, neuron: .leaky(LeakyDynamics(beta: 0.5)),
                          afferents: [Projection(source: .input, targetSize: 1, sourceSize: 1)])
        var net = try SpikingNetwork(inputs: 1, timeStep: .milliseconds(1), layers: [layer])
        net[ParameterID(layer: 0, afferent: 0, kind: .weights)] = try Tensor(shape: [1, 1], scalars: [0.8])
        let input = try Tensor(shape: [5, 1, 1], scalars: [1, 1, 0, 0, 0])
        let ws = SimulationWorkspace()
        try ws.forward(net, input: input)
        // U: 0.8, 0.4 + 0.8 = 1.2 (spike), 0.6 − 1 = −0.4, −0.2, −0.1
        let expected: [Float] = [0.8, 1.2, -0.4, -0.2, -0.1]
        for (a, b) in zip(Array(ws.membrane(ofLayer: 0)), expected) { #expect(abs(a - b) < 1e-6) }
        #expect(Array(ws.output(ofLayer: 0)) == [0, 1, 0, 0, 0])
    }
}

/// τ_syn = 0 removes the synaptic filter (λ_s = 0): the LIF and the readout integrate their input directly, with the
/// delays of the current-based neurons (NIR's `LIF` and `LI`, docs/nir.md).
@Suite("No synaptic filter (τ_syn = 0)")
struct NoSynapticFilterTests {
    // Δt 1 ms, τ_mem 20 ms.
    let lm = exp(-1.0 / 20)
    var km: Double { 1 - lm }

    @Test("LIF and readout with τ_syn = 0: I[t] = X[t−1], so an input moves U once, two steps later; reset to 0")
    func trace() throws {
        var net = try SpikingNetwork(inputs: 1, timeStep: .milliseconds(1)) {
            LIFLayer(1, tauSynapse: .zero)
            LeakyReadout(1, tauMembrane: .milliseconds(20), tauSynapse: .zero, initialState: -0.01)
        }
        net[ParameterID(layer: 0, afferent: 0, kind: .weights)].scalars = [30]
        net[ParameterID(layer: 1, afferent: 0, kind: .weights)].scalars = [2]
        var x = Tensor(shape: [12, 1, 1])
        x.scalars[2] = 1
        x.scalars[8] = 1
        let ws = SimulationWorkspace()
        try ws.forward(net, input: x)
        let u = ws.membrane(ofLayer: 0).map(Double.init), s = ws.output(ofLayer: 0).map(Double.init)
        let o = ws.output(ofLayer: 1).map(Double.init)
        // X[2] = 30 → I[3] = 30 → U[4] = κ·30 ≈ 1.463; I[4] = 0 (no filter) → S[5] = 1 and U[5] = 0.
        for t in 0...3 { #expect(u[t] == 0, "U[\(t)]") }
        #expect(abs(u[4] - km * 30) < 1e-5)
        #expect(s[5] == 1 && u[5] == 0)
        // Nothing left in the current: U stays 0 until the second input (X[8] → U[10] = κ·30, S[11] = 1).
        for t in 6...9 { #expect(u[t] == 0 && s[t] == 0, "step \(t)") }
        #expect(abs(u[10] - km * 30) < 1e-5)
        #expect(s[11] == 1)
        // Readout: hidden spike at 5 → I_ro[6] = 2 → O[7] = λ O[6] + 2κ; I_ro[7] = 0 → O[8] = λ O[7].
        for t in 0...6 { #expect(abs(o[t] - (-0.01 * pow(lm, Double(t + 1)))) < 1e-7, "O[\(t)]") }
        #expect(abs(o[7] - (lm * o[6] + km * 2)) < 1e-6)
        #expect(abs(o[8] - lm * o[7]) < 1e-7)
    }

    @Test("τ_syn = 0 is refused for adaptive LIF and with learned time constants; τ_syn < 0 stays refused")
    func validation() throws {
        #expect(throws: ConfigurationError.self) {
            try SpikingNetwork(inputs: 2, timeStep: .milliseconds(1)) {
                LIFLayer(3, tauSynapse: .zero, adaptation: (tau: .milliseconds(100), strength: 0.1))
                LeakyReadout(1, tauMembrane: .milliseconds(20))
            }
        }
        #expect(throws: ConfigurationError.self) {
            try SpikingNetwork(inputs: 2, timeStep: .milliseconds(1)) {
                LIFLayer(3, tauSynapse: .zero, learnsTimeConstants: true)
                LeakyReadout(1, tauMembrane: .milliseconds(20))
            }
        }
        #expect(throws: ConfigurationError.self) {
            try SpikingNetwork(inputs: 2, timeStep: .milliseconds(1)) {
                LIFLayer(3, tauSynapse: .milliseconds(-1))
                LeakyReadout(1, tauMembrane: .milliseconds(20))
            }
        }
        // Heterogeneous (not learned) τ_mem with τ_syn = 0 is fine: every effective τ_syn is 0.
        _ = try SpikingNetwork(inputs: 2, timeStep: .milliseconds(1)) {
            LIFLayer(3, tauSynapse: .zero, timeConstantSpread: 0.3)
            LeakyReadout(1, tauMembrane: .milliseconds(20), tauSynapse: .zero)
        }
    }

    @Test("PSP-kernel integrals with τ_syn = 0: numerical Δt·(1, (1 − λ)/(1 + λ)) up to truncation; analytic Δt, Δt²/(2τ_mem)")
    func kernelIntegrals() {
        // Discrete kernel k[0] = 0, k[i] = κ λ^(i−1): ε̄ = Δt Σk = Δt (1 − λ^L), ε̂ = Δt κ²(1 − λ^2L)/(1 − λ²).
        let numerical = PSPKernelIntegrals(tauMembrane: 0.02, tauSynapse: 0, timeStep: 0.001, integration: .numerical)
        let length = 200.0   // ⌊10·τ_mem/Δt⌋ = 200 steps, of which 199 after k[0] = 0
        #expect(abs(numerical.mean - 0.001 * (1 - pow(lm, length - 1))) < 1e-12)
        #expect(abs(numerical.meanSquare - 0.001 * km * km * (1 - pow(lm, 2 * (length - 1))) / (1 - lm * lm)) < 1e-12)
        let analytic = PSPKernelIntegrals(tauMembrane: 0.02, tauSynapse: 0, timeStep: 0.001, integration: .analytic)
        #expect(analytic.mean == 0.001)
        #expect(abs(analytic.meanSquare - 0.001 * 0.001 / 0.04) < 1e-15)
    }
}
