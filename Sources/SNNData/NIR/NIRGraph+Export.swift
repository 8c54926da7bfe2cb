import Foundation
import SNNKit

extension NIRGraph {
    /// The NIR graph of an SNNKit network (docs/nir.md describes the mapping).
    ///
    /// Nodes: `input` (`Input`), per layer k a `CubaLIF` (LIF layers; `LIF` when τ_syn = 0), `CubaLI` (readout; `LI`
    /// when τ_syn = 0), `SumPool2d` / `AvgPool2d` (pooling layers) named `layer<k>`, and per feed-forward projection j a weight node `layer<k>_afferent<j>`
    /// (`Affine` with a bias, else `Linear`; `Conv1d` / `Conv2d`), preceded by a `Flatten` when a dense projection reads
    /// a grid; `output` (`Output`). A layer with a recurrent projection becomes a nested `NIRGraph` `layer<k>` holding
    /// `input`, `neurons`, `recurrent<j>` and `output`, with edges neurons → recurrent<j> → neurons.
    ///
    /// Parameters: τ_mem and τ_syn in seconds, `r = 1`, `v_leak = 0`, `v_reset = 0`, `v_threshold = θ`,
    /// `w_in = 1/(1 − exp(−Δt/τ_syn))` (`LIF` and `LI`: `tau` = τ_mem, `r = 1`), so that the exponential-Euler update at
    /// Δt is SNNKit's; shapes and weights are
    /// permuted from SNNKit's channels-last units to NIR's channels-first arrays. NIR has no delays: SNNKit's one step
    /// of delay per projection is recorded in the graph's metadata (`snnkit_semantics`, `snnkit_time_step`), with the
    /// training settings NIR cannot hold (surrogate, reset gradient, dropout, readout initial state, layer names).
    ///
    /// - Parameters:
    ///   - network: The network.
    ///   - timeStep: The Δt the mapping assumes (default: the network's). Another Δt keeps the continuous time constants
    ///     and the weights, and gives the w_in with which an importer at that Δt makes an input jump by its weight.
    /// - Throws: ``NIRError/unsupportedLayer(layer:reason:)`` for what NIR cannot express: adaptive,
    ///   excitatory/inhibitory, stochastic (escape-noise) and leaky (subtractive-reset) neurons, max or 1-D pooling, projections onto part of a layer or from part of one, dense
    ///   projections into a grid, convolution biases that differ between positions of a channel.
    public init(network: SpikingNetwork, timeStep: Duration? = nil) throws(NIRError) {
        self = try NIRExporter(network: network, timeStep: (timeStep ?? network.timeStep).seconds).graph()
    }
}

/// Builds the NIR graph of a network.
private struct NIRExporter {
    let network: SpikingNetwork
    let dt: Double
    /// Flat activities read by a 1-D convolution, exported as `[1, N]`.
    let readAsGrid: Set<LayerSource>

    init(network: SpikingNetwork, timeStep: Double) {
        self.network = network
        self.dt = timeStep
        var grid = Set<LayerSource>()
        for (k, layer) in network.layers.enumerated() {
            for p in layer.afferents {
                if case .convolution = p.operation, Self.shape(of: p.source, in: network, layer: k).spatial.isEmpty { grid.insert(p.source) }
            }
        }
        readAsGrid = grid
    }

    static func shape(of source: LayerSource, in network: SpikingNetwork, layer: Int) -> ActivityShape {
        switch source {
        case .input: return network.inputShape
        case let .layer(s): return network.layers[s].shape
        }
    }

    /// The shape an activity has in the graph (a flat population read by a convolution is one channel × N positions).
    func exportShape(_ source: LayerSource) -> ActivityShape {
        let shape = Self.shape(of: source, in: network, layer: 0)
        return readAsGrid.contains(source) ? ActivityShape(channels: 1, spatial: [shape.count]) : shape
    }

    func nodeName(_ source: LayerSource) -> String {
        switch source {
        case .input: return "input"
        case let .layer(k): return "layer\(k)"
        }
    }

    func layoutMetadata(_ source: LayerSource) -> [String: NIRMetadataValue] {
        readAsGrid.contains(source) ? [NIRMetadataKey.layout: .string("flat")] : [:]
    }

    func graph() throws(NIRError) -> NIRGraph {
        var nodes: [String: NIRNode] = ["input": NIRNode(.input(shape: exportShape(.input).nirShape), metadata: layoutMetadata(.input))]
        var edges: [NIREdge] = []
        for k in network.layers.indices { try addLayer(k, nodes: &nodes, edges: &edges) }
        let last = LayerSource.layer(network.layers.count - 1)
        nodes["output"] = NIRNode(.output(shape: exportShape(last).nirShape))
        edges.append(NIREdge(nodeName(last), "output"))
        return NIRGraph(nodes: nodes, edges: edges, metadata: [
            NIRMetadataKey.timeStep: .numbers(NIRTensor([dt], shape: [])),
            NIRMetadataKey.semantics: .string(NIRMetadataKey.semanticsText),
        ])
    }

    // MARK: - Layers

    private func addLayer(_ k: Int, nodes: inout [String: NIRNode], edges: inout [NIREdge]) throws(NIRError) {
        let layer = network.layers[k]
        let label = "\(k) (\(layer.name))"
        guard layer.outputUnits == nil else {
            throw .unsupportedLayer(layer: label, reason: "only part of its units project onward (a Dalian layer); NIR nodes send all units")
        }
        let name = nodeName(.layer(k))
        if layer.neuron == .passThrough {
            guard case let .pooling(kind, shape) = layer.afferents[0].operation else { return }
            guard shape.inputSize.count == 2 else { throw .unsupportedLayer(layer: label, reason: "NIR has only 2-D pooling (SumPool2d, AvgPool2d)") }
            let pooling = NIRPooling(kernelSize: shape.window, stride: shape.stride, padding: shape.padding)
            let node: NIRNode.Kind
            switch kind {
            case .sum: node = .sumPool2d(pooling)
            case .average: node = .avgPool2d(pooling)
            case .max: throw .unsupportedLayer(layer: label, reason: "NIR has no max pooling (only SumPool2d and AvgPool2d)")
            }
            nodes[name] = NIRNode(node, metadata: [NIRMetadataKey.layerName: .string(layer.name)])
            edges.append(NIREdge(nodeName(layer.afferents[0].source), name))
            return
        }
        let neuron = try neuronNode(k, label: label)
        let recurrent = layer.recurrentAfferents(layerIndex: k)
        if recurrent.isEmpty {
            nodes[name] = neuron
        } else {
            let shape = exportShape(.layer(k)).nirShape
            var inner: [String: NIRNode] = ["input": NIRNode(.input(shape: shape)), "neurons": neuron, "output": NIRNode(.output(shape: shape))]
            var innerEdges = [NIREdge("input", "neurons")]
            for j in recurrent {
                let weight = "recurrent\(j)"
                inner[weight] = try weightNode(k, j, label: label)
                innerEdges += [NIREdge("neurons", weight), NIREdge(weight, "neurons")]
            }
            innerEdges.append(NIREdge("neurons", "output"))
            nodes[name] = NIRNode(.graph(NIRGraph(nodes: inner, edges: innerEdges)))
        }
        for (j, p) in layer.afferents.enumerated() where !recurrent.contains(j) {
            let weight = "\(name)_afferent\(j)"
            var source = nodeName(p.source)
            if p.operation == .dense, exportShape(p.source).nirShape.count > 1 {
                let flatten = weight + "_flatten"
                nodes[flatten] = NIRNode(.flatten(NIRFlatten(inputShape: exportShape(p.source).nirShape, startDimension: 0, endDimension: -1)))
                edges.append(NIREdge(source, flatten))
                source = flatten
            }
            nodes[weight] = try weightNode(k, j, label: label)
            edges += [NIREdge(source, weight), NIREdge(weight, name)]
        }
    }

    /// The CubaLIF, CubaLI, LIF or LI node of layer `k`.
    private func neuronNode(_ k: Int, label: String) throws(NIRError) -> NIRNode {
        let layer = network.layers[k]
        let shape = exportShape(.layer(k))
        let dims = shape.nirShape
        var metadata = layoutMetadata(.layer(k))
        metadata[NIRMetadataKey.layerName] = .string(layer.name)
        func uniform(_ value: Double) -> NIRTensor { NIRTensor(repeating: value, shape: dims) }
        switch layer.neuron {
        case let .lif(d):
            if d.escapeNoise != nil {
                throw .unsupportedLayer(layer: label, reason: "NIR has no stochastic (escape-noise) neuron")
            }
            // Per-neuron time constants (SNNKit order), or the layer's.
            var tauMembrane = Array(repeating: d.tauMembrane.seconds, count: layer.size)
            var tauSynapse = Array(repeating: d.tauSynapse.seconds, count: layer.size)
            if let tc = layer.timeConstants {
                tauMembrane = tc.effective(row: 0, base: d.tauMembrane)
                tauSynapse = tc.effective(row: 1, base: d.tauSynapse)
                metadata[NIRMetadataKey.timeConstantParameters] = .numbers(NIRTensor(tc.parameters.scalars.map(Double.init),
                                                                                     shape: [2, layer.size], precision: .float32))
                metadata[NIRMetadataKey.learnsTimeConstants] = .numbers(NIRTensor([tc.isLearned ? 1 : 0], shape: [], precision: .int64))
                metadata[NIRMetadataKey.tauMembraneBase] = .numbers(NIRTensor([d.tauMembrane.seconds], shape: []))
                metadata[NIRMetadataKey.tauSynapseBase] = .numbers(NIRTensor([d.tauSynapse.seconds], shape: []))
            }
            if let json = try? JSONEncoder().encode(d.surrogate) { metadata[NIRMetadataKey.surrogate] = .string(String(decoding: json, as: UTF8.self)) }
            metadata[NIRMetadataKey.resetGradient] = .string(d.resetGradient == .detached ? "detached" : "differentiated")
            if layer.dropout > 0 { metadata[NIRMetadataKey.dropout] = .numbers(NIRTensor([layer.dropout], shape: [])) }
            guard d.hasSynapticFilter else {
                // No synaptic filter (τ_syn = 0): NIR's LIF, a CubaLIF with τ_syn → 0 and w_in = 1.
                return NIRNode(.lif(NIRLIF(tau: NIRTensor(shape.channelsFirst(tauMembrane), shape: dims), resistance: uniform(1),
                                           leakPotential: uniform(0), threshold: uniform(Double(d.threshold)), resetPotential: uniform(0))),
                               metadata: metadata)
            }
            let inputWeight = tauSynapse.map { NIRMapping.inputWeight(tauSynapse: $0, timeStep: dt) }
            return NIRNode(.cubaLIF(NIRCubaLIF(
                tauMembrane: NIRTensor(shape.channelsFirst(tauMembrane), shape: dims),
                tauSynapse: NIRTensor(shape.channelsFirst(tauSynapse), shape: dims),
                resistance: uniform(1), leakPotential: uniform(0), threshold: uniform(Double(d.threshold)), resetPotential: uniform(0),
                inputWeight: NIRTensor(shape.channelsFirst(inputWeight), shape: dims))), metadata: metadata)
        case let .readout(d):
            metadata[NIRMetadataKey.initialState] = .numbers(NIRTensor([Double(d.initialState)], shape: []))
            guard d.hasSynapticFilter else {
                // No synaptic filter (τ_syn = 0): NIR's LI, a CubaLI with τ_syn → 0 and w_in = 1.
                return NIRNode(.li(NIRLI(tau: uniform(d.tauMembrane.seconds), resistance: uniform(1), leakPotential: uniform(0))), metadata: metadata)
            }
            return NIRNode(.cubaLI(NIRCubaLI(
                tauMembrane: uniform(d.tauMembrane.seconds), tauSynapse: uniform(d.tauSynapse.seconds), resistance: uniform(1),
                leakPotential: uniform(0), inputWeight: uniform(NIRMapping.inputWeight(tauSynapse: d.tauSynapse.seconds, timeStep: dt)))),
                metadata: metadata)
        case .adaptiveLIF:
            throw .unsupportedLayer(layer: label, reason: "NIR has no adaptive LIF neuron (adaptation current)")
        case .excitatoryInhibitory:
            throw .unsupportedLayer(layer: label, reason: "NIR has no neuron with separate excitatory and inhibitory currents")
        case .leaky:
            throw .unsupportedLayer(layer: label, reason: "the leaky neuron (LeakyLayer) resets by subtracting θ and takes its input in the same "
                + "step; NIR's LIF resets v to v_reset and no NIR 1.0 node subtracts (an LIFLayer with tauSynapse .zero is NIR's LIF)")
        case .passThrough:
            throw .unsupportedLayer(layer: label, reason: "a pass-through layer without pooling")
        }
    }

    // MARK: - Projections

    /// The weight node of projection `j` of layer `k`.
    private func weightNode(_ k: Int, _ j: Int, label: String) throws(NIRError) -> NIRNode {
        let layer = network.layers[k], p = layer.afferents[j]
        guard p.sourceUnits == nil else { throw .unsupportedLayer(layer: label, reason: "projection \(j) reads part of its source's units") }
        guard p.synapse == .excitatory else { throw .unsupportedLayer(layer: label, reason: "projection \(j) drives an inhibitory current") }
        var metadata: [String: NIRMetadataValue] = [NIRMetadataKey.afferent: .numbers(NIRTensor([Double(j)], shape: [], precision: .int64))]
        if let lo = p.constraint.minimum { metadata[NIRMetadataKey.minimum] = .numbers(NIRTensor([Double(lo)], shape: [], precision: .float32)) }
        if let hi = p.constraint.maximum { metadata[NIRMetadataKey.maximum] = .numbers(NIRTensor([Double(hi)], shape: [], precision: .float32)) }
        switch p.operation {
        case .dense:
            guard exportShape(.layer(k)).nirShape.count == 1 else {
                if readAsGrid.contains(.layer(k)) {
                    throw .unsupportedLayer(layer: label, reason: "projection \(j) is dense into a flat layer that a convolution reads as 1 × \(layer.size); NIR has no reshape between Affine and Conv1d")
                }
                throw .unsupportedLayer(layer: label, reason: "projection \(j) is dense into a grid of \(layer.shape) units; NIR has no reshape after Affine")
            }
            let source = exportShape(p.source)
            let (rows, columns) = (p.weights.shape[0], p.weights.shape[1])
            var values = [Double](repeating: 0, count: rows * columns)
            for o in 0..<rows {
                for i in 0..<columns { values[o * columns + source.channelsFirstIndex(ofUnit: i)] = Double(p.weights.scalars[o * columns + i]) }
            }
            let weight = NIRTensor(values, shape: [rows, columns], precision: .float32)
            guard let bias = p.bias else { return NIRNode(.linear(weight: weight), metadata: metadata) }
            return NIRNode(.affine(weight: weight, bias: NIRTensor(bias.scalars.map(Double.init), shape: [rows], precision: .float32)),
                           metadata: metadata)
        case let .convolution(c):
            var bias = [Double](repeating: 0, count: c.outputChannels)
            if let b = p.bias {
                metadata[NIRMetadataKey.hasBias] = .numbers(NIRTensor([1], shape: [], precision: .int64))
                for u in 0..<b.count {
                    let channel = u % c.outputChannels
                    if u < c.outputChannels { bias[channel] = Double(b.scalars[u]) }
                    guard Double(b.scalars[u]) == bias[channel] else {
                        throw .unsupportedLayer(layer: label, reason: "projection \(j) has a convolution bias that differs between positions of channel \(channel); NIR's is per channel")
                    }
                }
            }
            return NIRNode(.convolution(NIRConvolution(
                weight: NIRTensor(p.weights.scalars.map(Double.init), shape: p.weights.shape, precision: .float32),
                bias: NIRTensor(bias, shape: [c.outputChannels], precision: .float32), stride: c.stride, padding: .explicit(c.padding),
                dilation: c.dilation, groups: c.groups, inputShape: c.inputSize)), metadata: metadata)
        case .pooling:
            throw .unsupportedLayer(layer: label, reason: "projection \(j) is a pooling projection into a layer with dynamics")
        }
    }
}
