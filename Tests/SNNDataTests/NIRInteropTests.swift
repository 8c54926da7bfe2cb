import Foundation
import SNNData
import SNNKit
import Testing

/// The directory shared with `scripts/verify_nir.py`, if the script runs the tests.
private let nirInteropDirectory = ProcessInfo.processInfo.environment["SNNKIT_NIR_INTEROP_DIR"]

/// NIR files exchanged with the `nir` Python package. Enabled only when `SNNKIT_NIR_INTEROP_DIR` names a directory, as
/// `scripts/verify_nir.py` does; the default test run skips this suite and needs no Python.
@Suite("NIR interop with the nir package", .enabled(if: nirInteropDirectory != nil, "set SNNKIT_NIR_INTEROP_DIR (scripts/verify_nir.py)"))
struct NIRInteropTests {
    static var directory: String? { nirInteropDirectory }

    @Test("Writes the four test networks as NIR files (CubaLIF/CubaLI and LIF/LI), with a JSON record of what nir.read must find")
    func writeForPython() throws {
        let dir = try #require(Self.directory)
        var record: [String: Any] = [:]
        for (name, net) in [("dense_recurrent", try NIRFixtures.denseRecurrent()), ("conv1d_recurrent", try NIRFixtures.convolution1D()),
                            ("conv2d_sumpool", try NIRFixtures.convolution2D()), ("lif_li", try NIRFixtures.withoutSynapticFilter())] {
            let graph = try NIRGraph(network: net)
            try graph.write(to: "\(dir)/\(name).nir")
            record[name] = [
                "time_step_s": net.timeStep.seconds,
                "types": graph.nodes.mapValues(\.typeName),
                "edges": graph.edges.map { [$0.source, $0.target] },
                "input_shape": graph.nodes["input"].flatMap { if case let .input(s) = $0.kind { return s } else { return nil } } ?? [],
                "output_size": net.outputSize,
                // The first dense projection that reads a grid (else the readout's): SNNKit's weights (channels-last
                // columns) and the source grid, for checking the channels-first permutation in Python.
                "permuted_layer": permutedLayer(net),
                "permuted_weights": net.layers[permutedLayer(net)].afferents[0].weights.scalars.map(Double.init),
                "permuted_source_shape": [sourceShape(net, permutedLayer(net)).channels] + sourceShape(net, permutedLayer(net)).spatial,
                // Per layer with dynamics: the node path, τ_mem (per neuron, SNNKit order) and θ.
                "neurons": neuronRecord(net),
            ] as [String: Any]
        }
        let data = try JSONSerialization.data(withJSONObject: record, options: [.sortedKeys])
        try data.write(to: URL(fileURLWithPath: "\(dir)/snnkit_written.json"))
    }

    private func neuronRecord(_ net: SpikingNetwork) -> [[String: Any]] {
        net.layers.indices.compactMap { k -> [String: Any]? in
            let layer = net.layers[k]
            let path = layer.recurrentAfferents(layerIndex: k).isEmpty ? ["layer\(k)"] : ["layer\(k)", "neurons"]
            switch layer.neuron {
            case let .lif(d):
                let tau = layer.timeConstants?.effective(row: 0, base: d.tauMembrane) ?? Array(repeating: d.tauMembrane.seconds, count: layer.size)
                return ["path": path, "type": d.hasSynapticFilter ? "CubaLIF" : "LIF", "tau_mem": channelsFirst(tau, layer.shape),
                        "threshold": Double(d.threshold)]
            case let .readout(d):
                return ["path": path, "type": d.hasSynapticFilter ? "CubaLI" : "LI",
                        "tau_mem": Array(repeating: d.tauMembrane.seconds, count: layer.size)]
            default:
                return nil
            }
        }
    }

    /// SNNKit's unit order (position · C + channel) rearranged into NIR's channels-first order.
    private func channelsFirst(_ values: [Double], _ shape: ActivityShape) -> [Double] {
        let positions = shape.count / shape.channels
        var out = values
        for u in values.indices { out[(u % shape.channels) * positions + u / shape.channels] = values[u] }
        return out
    }

    private func sourceShape(_ net: SpikingNetwork, _ k: Int) -> ActivityShape {
        guard case let .layer(s) = net.layers[k].afferents[0].source else { return net.inputShape }
        return net.layers[s].shape
    }

    private func permutedLayer(_ net: SpikingNetwork) -> Int {
        net.layers.indices.first { net.layers[$0].afferents[0].operation == .dense && !sourceShape(net, $0).spatial.isEmpty }
            ?? net.layers.count - 1
    }

    @Test("Reads the graphs the nir package wrote (nested recurrent CubaLIF and LIF graphs, Conv2d → SumPool2d → Flatten → Affine, LI; v_reset ≠ 0 refused)")
    func readFromPython() throws {
        let dir = try #require(Self.directory)
        let expected = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: "\(dir)/python_written.json")))
            as? [String: Any])

        // Dense: Input [3] → Affine → nested graph (CubaLIF + recurrent Linear) → Linear → CubaLI → Output, Δt 1 ms.
        let dense = try SpikingNetwork(nir: NIRGraph(readingFrom: "\(dir)/from_nir_dense.nir"), timeStep: .milliseconds(1))
        #expect(dense.inputs == 3 && dense.layers.map(\.size) == [4, 2])
        #expect(dense.layers[0].afferents.map(\.source) == [.input, .layer(0)])
        let lambda = Foundation.exp(-0.001 / 0.005)
        let affine = try #require(expected["dense_affine_weight"] as? [Double])
        for (e, w) in affine.enumerated() {
            #expect(abs(Double(dense.layers[0].afferents[0].weights.scalars[e]) - w * (1 - lambda)) < 1e-6)
        }
        let recurrent = try #require(expected["dense_recurrent_weight"] as? [Double])
        for (e, w) in recurrent.enumerated() {
            #expect(abs(Double(dense.layers[0].afferents[1].weights.scalars[e]) - w * (1 - lambda)) < 1e-6)
        }
        let input = NIRFixtures.input(steps: 30, batch: 2, channels: 3, probability: 0.5, seed: 3)
        _ = try NIRFixtures.simulate(dense, input)

        // Conv: Input [2, 6, 6] → Conv2d → CubaLIF [3, 6, 6] → SumPool2d → Flatten → Affine → CubaLI → Output.
        let conv = try SpikingNetwork(nir: NIRGraph(readingFrom: "\(dir)/from_nir_conv.nir"), timeStep: .milliseconds(1))
        #expect(conv.inputShape == ActivityShape(channels: 2, spatial: [6, 6]))
        #expect(conv.layers.map(\.shape) == [ActivityShape(channels: 3, spatial: [6, 6]), ActivityShape(channels: 3, spatial: [3, 3]), .flat(2)])
        let flat = try #require(expected["conv_affine_weight"] as? [Double])   // [2, 27], columns channels-first
        let readout = conv.layers[2].afferents[0].weights.scalars               // [2, 27], columns position · 3 + channel
        for o in 0..<2 {
            for c in 0..<3 {
                for p in 0..<9 {
                    #expect(abs(Double(readout[o * 27 + p * 3 + c]) - flat[o * 27 + c * 9 + p] * (1 - Foundation.exp(-0.001 / 0.01))) < 1e-6)
                }
            }
        }
        _ = try NIRFixtures.simulate(conv, NIRFixtures.input(steps: 20, batch: 2, channels: 72, probability: 0.3, seed: 4))

        // LIF/LI: Input [3] → Linear → nested graph (LIF τ 20 ms, r 2, θ 1 + recurrent Linear) → Linear → LI (τ 100 ms,
        // r 0.5) → Output: LIF and readout with τ_syn = 0, weights scaled by R (docs/nir.md).
        let lif = try SpikingNetwork(nir: NIRGraph(readingFrom: "\(dir)/from_nir_lif.nir"), timeStep: .milliseconds(1))
        #expect(lif.inputs == 3 && lif.layers.map(\.size) == [4, 2])
        #expect(lif.layers[0].afferents.map(\.source) == [.input, .layer(0)])
        guard case let .lif(d) = lif.layers[0].neuron, case let .readout(r) = lif.layers[1].neuron else { Issue.record("wrong neurons"); return }
        #expect(d.tauMembrane == .milliseconds(20) && d.tauSynapse == .zero && d.threshold == 1)
        #expect(r.tauMembrane == .milliseconds(100) && r.tauSynapse == .zero)
        for (key, k, j, scale) in [("lif_input_weight", 0, 0, 2.0), ("lif_recurrent_weight", 0, 1, 2.0), ("li_weight", 1, 0, 0.5)] {
            let weights = try #require(expected[key] as? [Double])
            for (e, w) in weights.enumerated() {
                #expect(abs(Double(lif.layers[k].afferents[j].weights.scalars[e]) - w * scale) < 1e-6, "\(key)[\(e)]")
            }
        }
        let spikes = try NIRFixtures.simulate(lif, NIRFixtures.input(steps: 30, batch: 2, channels: 3, probability: 0.5, seed: 6))
        #expect(spikes[0].reduce(0, +) > 0, "the imported LIF layer is silent")

        // A LIF with v_reset ≠ 0 is refused, naming the node and the field.
        let reset = captureNIR { try SpikingNetwork(nir: NIRGraph(readingFrom: "\(dir)/from_nir_lif_reset.nir"), timeStep: .milliseconds(1)) }
        expectNames(reset, "from_nir_lif_reset.nir", "lif", "v_reset")
    }
}
