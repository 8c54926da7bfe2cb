import Foundation
import SNNKit

extension SpikingNetwork {
    /// The SNNKit network of a NIR graph: layers of `CubaLIF` (LIF), `CubaLI` (readout), `LIF` (LIF without synaptic
    /// filter, τ_syn = 0), `LI` (readout without synaptic filter) and `SumPool2d` / `AvgPool2d` (pooling) nodes, fed
    /// through `Affine`, `Linear`, `Conv1d` and `Conv2d` nodes (with `Flatten` before a dense weight that reads a grid),
    /// with recurrence as a cycle neuron → weight → same neuron, at the top level or in a nested graph.
    ///
    /// The mapping inverts ``NIRGraph/init(network:timeStep:)`` (docs/nir.md): λ = exp(−Δt/τ); `R·w_in·(1 − λ_s)`
    /// scales the weights into each neuron (`R` for `LIF` and `LI`, which are `CubaLIF` and `CubaLI` with τ_syn = 0 and
    /// w_in = 1; 1 for graphs SNNKit wrote); arrays are permuted from channels-first to
    /// SNNKit's channels-last units. The network has SNNKit's semantics, one step of delay per projection, whatever tool
    /// wrote the graph. Nested graphs are inlined; layers follow the graph's dependencies (ties in name order), and the
    /// layer that feeds `Output` must be last. SNNKit's metadata, when present, restores training settings, layer
    /// names and per-neuron time-constant parameters.
    ///
    /// - Parameters:
    ///   - graph: The graph (e.g. ``NIRGraph/init(readingFrom:)``).
    ///   - timeStep: Δt; defaults to the graph's `snnkit_time_step` metadata.
    /// - Throws: ``NIRError/unsupportedNode(path:node:reason:)`` naming the node SNNKit cannot express (non-zero
    ///   `v_leak` or `v_reset`, per-neuron thresholds, per-neuron τ of a readout, recurrence through several layers,
    ///   several inputs, …); ``NIRError/wrongShape(path:node:field:expected:found:)`` for shapes that do not
    ///   connect; ``NIRError/invalidGraph(path:reason:)``; ``NIRError/missingTimeStep(path:)``;
    ///   ``NIRError/invalidNetwork(path:reason:)`` when the result does not validate (e.g. Δt not below a τ).
    public init(nir graph: NIRGraph, timeStep: Duration? = nil) throws(NIRError) {
        var importer = try NIRImporter(graph: graph, timeStep: timeStep)
        self = try importer.network()
    }
}

/// One projection found in the graph: a weight node from an activity node (through flattens) into a neuron node.
private struct FoundProjection {
    let weight: String
    let source: String
    let flattens: [String]
}

/// Builds a network from a NIR graph.
private struct NIRImporter {
    let path: String
    let graph: NIRGraph
    let dt: Duration
    var nodes: [String: NIRNode] = [:]
    var edges: [NIREdge] = []

    init(graph: NIRGraph, timeStep: Duration?) throws(NIRError) {
        self.graph = graph
        self.path = graph.fileName
        if let timeStep {
            dt = timeStep
        } else if let seconds = graph.metadata[NIRMetadataKey.timeStep]?.number, seconds > 0, seconds <= NIRGraph.maximumSeconds {
            dt = NIRMapping.duration(seconds: seconds)
        } else {
            throw .missingTimeStep(path: path)
        }
    }

    // MARK: - Inlining nested graphs

    /// Copies `g`'s nodes under `prefix`, inlining nested graphs; returns the names of `g`'s own Input and Output nodes.
    private mutating func inline(_ g: NIRGraph, prefix: String, depth: Int) throws(NIRError) -> (inputs: [String], outputs: [String]) {
        var entry: [String: String] = [:], exit: [String: String] = [:]
        for name in g.nodes.keys.sorted() {
            let full = prefix + name
            if case let .graph(inner) = g.nodes[name]!.kind {
                guard depth < NIRGraph.maximumNesting else { throw .invalidGraph(path: path, reason: "graphs nested too deep at \(full)") }
                let (ins, outs) = try inline(inner, prefix: full + "/", depth: depth + 1)
                guard ins.count == 1, outs.count == 1 else {
                    throw .unsupportedNode(path: path, node: full, reason: "a nested graph needs exactly one Input and one Output node, found \(ins.count) and \(outs.count)")
                }
                entry[name] = ins[0]
                exit[name] = outs[0]
            } else {
                nodes[full] = g.nodes[name]!
            }
        }
        for edge in g.edges {
            edges.append(NIREdge(exit[edge.source] ?? prefix + edge.source, entry[edge.target] ?? prefix + edge.target))
        }
        let names = g.nodes.keys.sorted()
        return (names.filter { if case .input = g.nodes[$0]!.kind { return true } else { return false } }.map { prefix + $0 },
                names.filter { if case .output = g.nodes[$0]!.kind { return true } else { return false } }.map { prefix + $0 })
    }

    /// Removes `name`, connecting each of its sources to each of its targets.
    private mutating func bypass(_ name: String) {
        let sources = edges.filter { $0.target == name && $0.source != name }.map(\.source)
        let targets = edges.filter { $0.source == name && $0.target != name }.map(\.target)
        edges.removeAll { $0.source == name || $0.target == name }
        for s in sources { for t in targets { edges.append(NIREdge(s, t)) } }
        nodes[name] = nil
    }

    private func predecessors(_ name: String) -> [String] { edges.filter { $0.target == name }.map(\.source) }
    private func successors(_ name: String) -> [String] { edges.filter { $0.source == name }.map(\.target) }

    // MARK: - The network

    mutating func network() throws(NIRError) -> SpikingNetwork {
        let (inputs, outputs) = try inline(graph, prefix: "", depth: 0)
        // Nested Input and Output nodes only pass data on.
        for name in nodes.keys.sorted() where name.contains("/") {
            switch nodes[name]!.kind {
            case .input, .output: bypass(name)
            default: break
            }
        }
        guard inputs.count == 1 else { throw .invalidGraph(path: path, reason: "SNNKit networks have one Input node, the graph has \(inputs.count)") }
        guard outputs.count == 1 else { throw .invalidGraph(path: path, reason: "SNNKit networks have one Output node, the graph has \(outputs.count)") }
        let input = inputs[0], output = outputs[0]

        // Classify the nodes and find every projection.
        var layerNodes: [String] = []
        var afferents: [String: [FoundProjection]] = [:]
        for name in nodes.keys.sorted() {
            let node = nodes[name]!
            switch node.kind {
            case .cubaLIF, .cubaLI, .lif, .li:
                layerNodes.append(name)
                for source in predecessors(name) where !isWeight(source) {
                    throw .unsupportedNode(path: path, node: name, reason: "it receives from \(source) (\(nodes[source]!.typeName)) without a weight node (Affine, Linear, Conv1d, Conv2d)")
                }
            case .sumPool2d, .avgPool2d:
                layerNodes.append(name)
                let sources = predecessors(name)
                guard sources.count == 1, isActivity(sources[0]) else {
                    throw .unsupportedNode(path: path, node: name, reason: "a pooling node needs one source, the input or a neuron or pooling node; found \(sources)")
                }
            case .affine, .linear, .convolution:
                let projection = try trace(weight: name)
                let targets = successors(name)
                guard !targets.isEmpty else { throw .unsupportedNode(path: path, node: name, reason: "the weight node feeds nothing") }
                for target in targets {
                    switch nodes[target]!.kind {
                    case .cubaLIF, .cubaLI, .lif, .li: afferents[target, default: []].append(projection)
                    default:
                        throw .unsupportedNode(path: path, node: name, reason: "a weight node must feed CubaLIF, CubaLI, LIF or LI nodes, it feeds \(target) (\(nodes[target]!.typeName))")
                    }
                }
            case .flatten:
                for target in successors(name) where !isDense(target) && !isFlatten(target) {
                    throw .unsupportedNode(path: path, node: name, reason: "a Flatten must feed an Affine or Linear node, it feeds \(target) (\(nodes[target]!.typeName))")
                }
            case .input, .output, .graph:
                break
            }
        }
        let outputSources = predecessors(output)
        guard outputSources.count == 1, let last = outputSources.first, layerNodes.contains(last) else {
            throw .unsupportedNode(path: path, node: output, reason: "the Output must receive from exactly one neuron or pooling node, found \(outputSources)")
        }

        let order = try layerOrder(layerNodes, afferents: afferents, last: last)
        var index: [String: Int] = [:]
        for (k, name) in order.enumerated() { index[name] = k }
        var shapes: [String: ActivityShape] = [input: try activityShape(nodes[input]!, dims: inputDims(input), node: input)]
        var layers: [Layer] = []
        for (k, name) in order.enumerated() {
            let layer = try makeLayer(name, k: k, afferents: afferents[name] ?? [], input: input, index: index, shapes: &shapes)
            layers.append(layer)
        }
        // The Output's shape must be the last layer's.
        if case let .output(dims) = nodes[output]!.kind, dims.reduce(1, *) != layers[layers.count - 1].size {
            throw .wrongShape(path: path, node: output, field: "shape", expected: "\(shapes[last]!.nirShape) (the output of \(last))", found: "\(dims)")
        }
        do {
            return try SpikingNetwork(inputs: shapes[input]!.count, inputShape: shapes[input]!, timeStep: dt, layers: layers)
        } catch {
            throw .invalidNetwork(path: path, reason: error.description)
        }
    }

    private func inputDims(_ input: String) -> [Int] {
        if case let .input(dims) = nodes[input]!.kind { return dims }
        return []
    }

    private func isWeight(_ name: String) -> Bool {
        switch nodes[name]?.kind {
        case .affine, .linear, .convolution: return true
        default: return false
        }
    }

    private func isDense(_ name: String) -> Bool {
        switch nodes[name]?.kind {
        case .affine, .linear: return true
        default: return false
        }
    }

    private func isFlatten(_ name: String) -> Bool {
        if case .flatten = nodes[name]?.kind { return true }
        return false
    }

    /// The input or a layer: CubaLIF, CubaLI, LIF, LI, pooling.
    private func isActivity(_ name: String) -> Bool {
        switch nodes[name]?.kind {
        case .input, .cubaLIF, .cubaLI, .lif, .li, .sumPool2d, .avgPool2d: return true
        default: return false
        }
    }

    /// Follows a weight node's single source back through Flatten nodes to the input or a layer.
    private func trace(weight: String) throws(NIRError) -> FoundProjection {
        var flattens: [String] = []
        var current = weight
        while true {
            let sources = predecessors(current)
            guard sources.count == 1 else {
                throw .unsupportedNode(path: path, node: current, reason: "SNNKit needs exactly one source here, found \(sources.count) (\(sources.joined(separator: ", ")))")
            }
            let source = sources[0]
            if isFlatten(source) {
                guard isDense(weight) else {
                    throw .unsupportedNode(path: path, node: weight, reason: "a convolution cannot read a Flatten (\(source))")
                }
                guard !flattens.contains(source) else { throw .invalidGraph(path: path, reason: "a cycle of Flatten nodes at \(source)") }
                flattens.append(source)
                current = source
                continue
            }
            guard isActivity(source) else {
                throw .unsupportedNode(path: path, node: weight, reason: "a weight node must read the input or a neuron or pooling node, it reads \(source) (\(nodes[source]!.typeName))")
            }
            return FoundProjection(weight: weight, source: source, flattens: flattens.reversed())
        }
    }

    /// Layers in dependency order, ties broken by name (numbers compared as numbers), with `last` required last.
    private func layerOrder(_ layerNodes: [String], afferents: [String: [FoundProjection]], last: String) throws(NIRError) -> [String] {
        var dependencies: [String: Set<String>] = [:]
        for name in layerNodes {
            var sources = Set((afferents[name] ?? []).map(\.source))
            if case .sumPool2d = nodes[name]!.kind { sources.formUnion(predecessors(name)) }
            if case .avgPool2d = nodes[name]!.kind { sources.formUnion(predecessors(name)) }
            sources.remove(name)
            dependencies[name] = sources.filter { layerNodes.contains($0) }
        }
        var order: [String] = []
        var remaining = Set(layerNodes)
        while !remaining.isEmpty {
            let ready = remaining.filter { dependencies[$0]!.isSubset(of: Set(order)) }
            guard let next = ready.min(by: { a, b in
                if (a == last) != (b == last) { return b == last }
                return naturalLess(a, b)
            }) else {
                let cycle = remaining.sorted(by: naturalLess)
                throw .unsupportedNode(path: path, node: cycle[0], reason: "a recurrence through several nodes (\(cycle.joined(separator: ", "))); SNNKit's recurrent projections go from a layer to itself")
            }
            if !order.isEmpty, order.last == last {
                throw .unsupportedNode(path: path, node: next, reason: "it reads the output layer \(last); SNNKit's output is its last layer")
            }
            order.append(next)
            remaining.remove(next)
        }
        return order
    }

    // MARK: - Layers

    /// SNNKit's shape of an activity with NIR shape `dims` (`[N]`, `[C, L]`, `[C, H, W]`; `[1, N]` marked flat is flat).
    private func activityShape(_ node: NIRNode, dims: [Int], node name: String) throws(NIRError) -> ActivityShape {
        switch dims.count {
        case 1: return .flat(dims[0])
        case 2 where node.metadata[NIRMetadataKey.layout]?.string == "flat" && dims[0] == 1: return .flat(dims[1])
        case 2, 3: return ActivityShape(channels: dims[0], spatial: Array(dims.dropFirst()))
        default:
            throw .unsupportedNode(path: path, node: name, reason: "shape \(dims): SNNKit activities are [N], [C, L] or [C, H, W]")
        }
    }

    private func layerName(_ node: NIRNode, _ name: String) -> String { node.metadata[NIRMetadataKey.layerName]?.string ?? name }

    private func makeLayer(_ name: String, k: Int, afferents found: [FoundProjection], input: String, index: [String: Int],
                           shapes: inout [String: ActivityShape]) throws(NIRError) -> Layer {
        let node = nodes[name]!
        func source(_ s: String) -> LayerSource { s == input ? .input : .layer(index[s]!) }
        switch node.kind {
        case let .sumPool2d(p), let .avgPool2d(p):
            let from = predecessors(name)[0]
            let grid = shapes[from]!
            guard grid.spatial.count == 2 else {
                throw .unsupportedNode(path: path, node: name, reason: "2-D pooling needs a [C, H, W] source, \(from) is \(grid.nirShape)")
            }
            let shape = PoolingShape(channels: grid.channels, inputSize: grid.spatial, window: p.kernelSize, stride: p.stride, padding: p.padding)
            if let reason = shape.validate() { throw .invalidValue(path: path, node: name, field: "kernel_size", reason: reason) }
            let out = ActivityShape(channels: grid.channels, spatial: shape.outputSize)
            shapes[name] = out
            let kind: PoolingKind
            if case .sumPool2d = node.kind { kind = .sum } else { kind = .average }
            return Layer(name: layerName(node, name), size: out.count, neuron: .passThrough,
                         afferents: [Projection(source: source(from), pooling: kind, shape: shape)], shape: out)
        case .cubaLIF, .cubaLI, .lif, .li:
            break
        default:
            throw .unsupportedNode(path: path, node: name, reason: "not a layer")
        }
        // The layer's shape: what its feed-forward weights produce.
        let feedForward = found.filter { $0.source != name }
        guard !feedForward.isEmpty else { throw .unsupportedNode(path: path, node: name, reason: "it has no feed-forward input") }
        var dims: [Int]?
        for projection in feedForward {
            let produced = try outputDims(projection, sourceShape: shapes[projection.source]!)
            if let dims, dims != produced {
                throw .wrongShape(path: path, node: name, field: "input", expected: "\(dims)", found: "\(produced) from \(projection.weight)")
            }
            dims = produced
        }
        let shape = try activityShape(node, dims: dims!, node: name)
        shapes[name] = shape
        let (neuron, timeConstants, scales) = try neuronModel(name, node, shape: shape)
        var projections: [(order: Int?, name: String, recurrent: Bool, projection: Projection)] = []
        for f in found {
            let weightNode = nodes[f.weight]!
            let projection = try makeProjection(f, from: source(f.source), sourceShape: shapes[f.source]!, target: name, targetShape: shape,
                                                scales: scales)
            let order = weightNode.metadata[NIRMetadataKey.afferent]?.number.flatMap { Int(exactly: $0) }
            projections.append((order, f.weight, f.source == name, projection))
        }
        if projections.allSatisfy({ $0.order != nil }) {
            projections.sort { $0.order! < $1.order! }
        } else {
            projections.sort { a, b in a.recurrent != b.recurrent ? !a.recurrent : naturalLess(a.name, b.name) }
        }
        var layer = Layer(name: layerName(node, name), size: shape.count, neuron: neuron, afferents: projections.map(\.projection), shape: shape)
        layer.timeConstants = timeConstants
        if let p = node.metadata[NIRMetadataKey.dropout]?.number { layer.dropout = p }
        return layer
    }

    /// The NIR shape a weight node produces from a source of `sourceShape`.
    private func outputDims(_ f: FoundProjection, sourceShape: ActivityShape) throws(NIRError) -> [Int] {
        switch nodes[f.weight]!.kind {
        case let .affine(weight, _), let .linear(weight): return [weight.shape[0]]
        case .convolution:
            let shape = try convolutionShape(f, sourceShape: sourceShape)
            return [shape.outputChannels] + shape.outputSize
        default: return []
        }
    }

    private func convolutionShape(_ f: FoundProjection, sourceShape: ActivityShape) throws(NIRError) -> ConvolutionShape {
        guard case let .convolution(c) = nodes[f.weight]!.kind else { preconditionFailure("not a convolution") }
        let name = f.weight, dims = c.spatialDimensions
        let grid = sourceShape.spatial.isEmpty && dims == 1 ? ActivityShape(channels: 1, spatial: [sourceShape.count]) : sourceShape
        guard grid.spatial.count == dims else {
            throw .wrongShape(path: path, node: name, field: "input", expected: "\(dims) spatial dimensions", found: "\(grid.nirShape) from \(f.source)")
        }
        let inputChannels = c.weight.shape[1] * c.groups
        guard inputChannels == grid.channels else {
            throw .wrongShape(path: path, node: name, field: "weight", expected: "C_in/groups · groups = \(grid.channels) channels of \(f.source)",
                              found: "\(c.weight.shape) with groups \(c.groups)")
        }
        if let inputShape = c.inputShape, inputShape != grid.spatial {
            throw .wrongShape(path: path, node: name, field: "input_shape", expected: "\(grid.spatial) (the extent of \(f.source))", found: "\(inputShape)")
        }
        let kernel = Array(c.weight.shape.dropFirst(2))
        var padding: [Int]
        switch c.padding {
        case let .explicit(p): padding = p
        case .valid: padding = Array(repeating: 0, count: dims)
        case .same:
            padding = []
            for d in 0..<dims {
                let total = c.dilation[d] * (kernel[d] - 1)
                guard c.stride[d] == 1, total % 2 == 0 else {
                    throw .unsupportedNode(path: path, node: name, reason: "padding \"same\" with stride \(c.stride) and an even dilated kernel pads asymmetrically")
                }
                padding.append(total / 2)
            }
        }
        let shape = ConvolutionShape(inputChannels: inputChannels, outputChannels: c.weight.shape[0], inputSize: grid.spatial, kernelSize: kernel,
                                     stride: c.stride, padding: padding, dilation: c.dilation, groups: c.groups)
        if let reason = shape.validate() { throw .invalidValue(path: path, node: name, field: "weight", reason: reason) }
        guard HDF5File.elementCount([shape.outputChannels] + shape.outputSize) <= NIRGraph.maximumElements else {
            throw .invalidValue(path: path, node: name, field: "weight",
                                reason: "the output \([shape.outputChannels] + shape.outputSize) has more than \(NIRGraph.maximumElements) units")
        }
        return shape
    }

    // MARK: - Neurons

    /// The neuron model, per-neuron time constants and, per unit (SNNKit order), the factor R·w_in·(1 − λ_s) that scales
    /// the weights into the layer.
    private func neuronModel(_ name: String, _ node: NIRNode, shape: ActivityShape) throws(NIRError)
        -> (NeuronModel, NeuronTimeConstants?, [Double]) {
        let n = shape.count, dt = self.dt.seconds
        /// Per-unit values in SNNKit order (a one-element array is broadcast).
        func units(_ t: NIRTensor, _ field: String) throws(NIRError) -> [Double] {
            if t.count == 1 { return Array(repeating: t.values[0], count: n) }
            guard t.count == n else {
                throw .wrongShape(path: path, node: name, field: field, expected: "\(shape.nirShape) (the shape of its input)", found: "\(t.shape)")
            }
            return shape.channelsLast(t.values)
        }
        func requireZero(_ t: NIRTensor, _ field: String, _ meaning: String) throws(NIRError) {
            if let v = t.values.first(where: { $0 != 0 }) {
                throw .unsupportedNode(path: path, node: name, reason: "\(field) = \(v); \(meaning)")
            }
        }
        func positive(_ values: [Double], _ field: String) throws(NIRError) {
            if let v = values.first(where: { !($0 > 0 && $0 <= NIRGraph.maximumSeconds) }) {
                throw .invalidValue(path: path, node: name, field: field,
                                    reason: "time constants must be positive and at most \(NIRGraph.maximumSeconds) s, found \(v)")
            }
        }
        func scales(_ resistance: [Double], _ inputWeight: [Double], _ tauSynapse: [Double]) -> [Double] {
            (0..<n).map { NIRMapping.weightScale(resistance: resistance[$0], inputWeight: inputWeight[$0], tauSynapse: tauSynapse[$0], timeStep: dt) }
        }
        // LIF and LI are CubaLIF and CubaLI without synaptic filter: τ_syn = 0 (λ_s = 0) and w_in = 1.
        let spiking: Bool, filtered: Bool
        let tauMembrane: [Double], tauSynapse: [Double], resistance: [Double], inputWeight: [Double], leak: NIRTensor
        var threshold: [Double] = [], reset: NIRTensor?
        let zeros = [Double](repeating: 0, count: n), ones = [Double](repeating: 1, count: n)
        switch node.kind {
        case let .cubaLIF(p):
            (spiking, filtered, leak, reset) = (true, true, p.leakPotential, p.resetPotential)
            tauMembrane = try units(p.tauMembrane, "tau_mem")
            tauSynapse = try units(p.tauSynapse, "tau_syn")
            resistance = try units(p.resistance, "r")
            inputWeight = try units(p.inputWeight, "w_in")
            threshold = try units(p.threshold, "v_threshold")
        case let .lif(p):
            (spiking, filtered, leak, reset) = (true, false, p.leakPotential, p.resetPotential)
            tauMembrane = try units(p.tau, "tau")
            (tauSynapse, inputWeight) = (zeros, ones)
            resistance = try units(p.resistance, "r")
            threshold = try units(p.threshold, "v_threshold")
        case let .cubaLI(p):
            (spiking, filtered, leak) = (false, true, p.leakPotential)
            tauMembrane = try units(p.tauMembrane, "tau_mem")
            tauSynapse = try units(p.tauSynapse, "tau_syn")
            resistance = try units(p.resistance, "r")
            inputWeight = try units(p.inputWeight, "w_in")
        case let .li(p):
            (spiking, filtered, leak) = (false, false, p.leakPotential)
            tauMembrane = try units(p.tau, "tau")
            (tauSynapse, inputWeight) = (zeros, ones)
            resistance = try units(p.resistance, "r")
        default:
            throw .unsupportedNode(path: path, node: name, reason: "not a neuron node")
        }
        try requireZero(leak, "v_leak", spiking ? "SNNKit's neurons start and rest at 0" : "SNNKit's readouts rest at 0")
        if let reset { try requireZero(reset, "v_reset", "SNNKit's neurons start at 0 and reset to 0") }
        try positive(tauMembrane, filtered ? "tau_mem" : "tau")
        if filtered { try positive(tauSynapse, "tau_syn") }
        for (values, field) in [(resistance, "r"), (inputWeight, "w_in")] {
            if let v = values.first(where: { !$0.isFinite }) {
                throw .invalidValue(path: path, node: name, field: field, reason: "must be finite, found \(v)")
            }
        }
        let tauSynapseBase = filtered ? tauSynapse.max()! : 0

        guard spiking else {
            guard tauMembrane.allSatisfy({ $0 == tauMembrane[0] }), tauSynapse.allSatisfy({ $0 == tauSynapse[0] }) else {
                throw .unsupportedNode(path: path, node: name,
                                       reason: "per-neuron time constants; SNNKit's readouts share one τ_mem\(filtered ? " and one τ_syn" : "")")
            }
            let initial = node.metadata[NIRMetadataKey.initialState]?.number ?? 0
            let d = ReadoutDynamics(tauMembrane: NIRMapping.duration(seconds: tauMembrane[0]), tauSynapse: NIRMapping.duration(seconds: tauSynapseBase),
                                    initialState: Float(initial))
            return (.readout(d), nil, scales(resistance, inputWeight, Array(repeating: d.tauSynapse.seconds, count: n)))
        }
        guard threshold.allSatisfy({ $0 == threshold[0] }) else {
            throw .unsupportedNode(path: path, node: name, reason: "per-neuron thresholds; SNNKit's layers have one θ")
        }
        var surrogate = Surrogate.default
        if let json = node.metadata[NIRMetadataKey.surrogate]?.string {
            guard let decoded = try? JSONDecoder().decode(Surrogate.self, from: Data(json.utf8)) else {
                throw .invalidValue(path: path, node: name, field: "metadata/\(NIRMetadataKey.surrogate)", reason: "not a surrogate: \(json)")
            }
            surrogate = decoded
        }
        let resetGradient: ResetGradient = node.metadata[NIRMetadataKey.resetGradient]?.string == "differentiated" ? .differentiated : .detached
        func dynamics(_ tm: Double, _ ts: Double) -> LIFDynamics {
            LIFDynamics(tauMembrane: NIRMapping.duration(seconds: tm), tauSynapse: NIRMapping.duration(seconds: ts),
                        threshold: Float(threshold[0]), surrogate: surrogate, resetGradient: resetGradient)
        }
        if let restored = restoredTimeConstants(node, units: n, tauMembrane: tauMembrane, tauSynapse: tauSynapse, filtered: filtered) {
            let d = dynamics(restored.tauMembraneBase, restored.tauSynapseBase)
            return (.lif(d), restored.constants, scales(resistance, inputWeight, restored.constants.effective(row: 1, base: d.tauSynapse)))
        }
        if tauMembrane.allSatisfy({ $0 == tauMembrane[0] }) && tauSynapse.allSatisfy({ $0 == tauSynapse[0] }) {
            let d = dynamics(tauMembrane[0], tauSynapseBase)
            return (.lif(d), nil, scales(resistance, inputWeight, Array(repeating: d.tauSynapse.seconds, count: n)))
        }
        // Heterogeneous τ: SNNKit's τ_eff = 2τ·sigmoid(p) around the largest τ of each row (τ_syn = 0 stays 0).
        let d = dynamics(tauMembrane.max()!, tauSynapseBase)
        var constants = NeuronTimeConstants(units: n, isLearned: false)
        for (row, (taus, base)) in [(tauMembrane, d.tauMembrane.seconds), (tauSynapse, d.tauSynapse.seconds)].enumerated() where base > 0 {
            for i in 0..<n {
                let half = taus[i] / (2 * base)
                constants.parameters.scalars[row * n + i] = Float(Foundation.log(half / (1 - half)))
            }
        }
        return (.lif(d), constants, scales(resistance, inputWeight, constants.effective(row: 1, base: d.tauSynapse)))
    }

    /// SNNKit's own per-neuron time-constant parameters from the metadata, if present and consistent with the τ arrays.
    /// `filtered` is false for a `LIF` node, whose τ_syn base must be 0.
    private func restoredTimeConstants(_ node: NIRNode, units n: Int, tauMembrane: [Double], tauSynapse: [Double], filtered: Bool)
        -> (constants: NeuronTimeConstants, tauMembraneBase: Double, tauSynapseBase: Double)? {
        guard case let .numbers(p)? = node.metadata[NIRMetadataKey.timeConstantParameters], p.shape == [2, n],
              let tm = node.metadata[NIRMetadataKey.tauMembraneBase]?.number, let ts = node.metadata[NIRMetadataKey.tauSynapseBase]?.number,
              tm > 0, filtered ? ts > 0 : ts == 0, tm <= NIRGraph.maximumSeconds, ts <= NIRGraph.maximumSeconds,
              p.values.allSatisfy(\.isFinite) else { return nil }
        var constants = NeuronTimeConstants(units: n, isLearned: node.metadata[NIRMetadataKey.learnsTimeConstants]?.number == 1)
        constants.parameters.scalars = p.values.map { Float($0) }
        for (row, (taus, base)) in [(tauMembrane, tm), (tauSynapse, ts)].enumerated() where base > 0 {
            let effective = constants.effective(row: row, base: NIRMapping.duration(seconds: base))
            for i in 0..<n where abs(effective[i] - taus[i]) > 1e-9 * taus[i] { return nil }
        }
        return (constants, tm, ts)
    }

    // MARK: - Projections

    private func makeProjection(_ f: FoundProjection, from source: LayerSource, sourceShape: ActivityShape, target: String,
                                targetShape: ActivityShape, scales: [Double]) throws(NIRError) -> Projection {
        let node = nodes[f.weight]!, name = f.weight
        var projection: Projection
        switch node.kind {
        case let .affine(weight, _), let .linear(weight):
            let (rows, columns) = (weight.shape[0], weight.shape[1])
            guard targetShape.spatial.isEmpty, rows == targetShape.count else {
                throw .wrongShape(path: path, node: name, field: "weight", expected: "[\(targetShape.count), …] into the flat units of \(target)",
                                  found: "\(weight.shape)")
            }
            guard columns == sourceShape.count else {
                throw .wrongShape(path: path, node: name, field: "weight", expected: "[\(rows), \(sourceShape.count)] (\(f.source) has \(sourceShape.count) units)",
                                  found: "\(weight.shape)")
            }
            try checkFlattens(f, sourceShape: sourceShape)
            var hasBias = false
            if case .affine = node.kind { hasBias = true }
            projection = Projection(source: source, targetSize: rows, sourceSize: columns, hasBias: hasBias)
            for o in 0..<rows {
                let scale = scales[o]
                for i in 0..<columns {
                    let value = weight.values[o * columns + sourceShape.channelsFirstIndex(ofUnit: i)]
                    projection.weights.scalars[o * columns + i] = Float(scale == 1 ? value : value * scale)
                }
            }
            if case let .affine(_, bias) = node.kind {
                projection.bias!.scalars = (0..<rows).map { Float(scales[$0] == 1 ? bias.values[$0] : bias.values[$0] * scales[$0]) }
            }
        case let .convolution(c):
            let shape = try convolutionShape(f, sourceShape: sourceShape)
            guard [shape.outputChannels] + shape.outputSize == targetShape.nirShape else {
                throw .wrongShape(path: path, node: name, field: "weight", expected: "an output of \(targetShape.nirShape) (the shape of \(target))",
                                  found: "\([shape.outputChannels] + shape.outputSize)")
            }
            let channels = shape.outputChannels
            var channelScale = [Double](repeating: 1, count: channels)
            for u in 0..<shape.outputUnits {
                let ch = u % channels
                if u < channels { channelScale[ch] = scales[u] }
                guard scales[u] == channelScale[ch] else {
                    throw .unsupportedNode(path: path, node: target, reason: "r·w_in·(1 − exp(−Δt/τ_syn)) differs between positions of channel \(ch), which a convolution cannot absorb")
                }
            }
            let hasBias = node.metadata[NIRMetadataKey.hasBias]?.number == 1 || c.bias.values.contains { $0 != 0 }
            projection = Projection(source: source, convolution: shape, hasBias: hasBias)
            let perChannel = projection.weights.count / channels
            for e in 0..<projection.weights.count {
                let scale = channelScale[e / perChannel], value = c.weight.values[e]
                projection.weights.scalars[e] = Float(scale == 1 ? value : value * scale)
            }
            if hasBias {
                projection.bias!.scalars = (0..<shape.outputUnits).map { u in
                    let ch = u % channels
                    return Float(channelScale[ch] == 1 ? c.bias.values[ch] : c.bias.values[ch] * channelScale[ch])
                }
            }
        default:
            throw .unsupportedNode(path: path, node: name, reason: "not a weight node")
        }
        let lo = node.metadata[NIRMetadataKey.minimum]?.number, hi = node.metadata[NIRMetadataKey.maximum]?.number
        projection.constraint = WeightConstraint(minimum: lo.map { Float($0) }, maximum: hi.map { Float($0) })
        return projection
    }

    /// A dense weight reads a grid only through Flatten nodes that flatten all of it.
    private func checkFlattens(_ f: FoundProjection, sourceShape: ActivityShape) throws(NIRError) {
        var dims = sourceShape.nirShape
        if !sourceShape.spatial.isEmpty, f.flattens.isEmpty {
            throw .unsupportedNode(path: path, node: f.weight, reason: "it reads the \(dims) output of \(f.source) without a Flatten")
        }
        for flatten in f.flattens {
            guard case let .flatten(spec) = nodes[flatten]!.kind else { continue }
            if let declared = spec.inputShape, declared != dims, !(declared.reduce(1, *) == dims.reduce(1, *) && declared.count == 1 && dims.count == 1) {
                throw .wrongShape(path: path, node: flatten, field: "input_type", expected: "\(dims) (the output of \(f.source))", found: "\(declared)")
            }
            let rank = dims.count
            let start = spec.startDimension < 0 ? spec.startDimension + rank : spec.startDimension
            let end = spec.endDimension < 0 ? spec.endDimension + rank : spec.endDimension
            guard rank == 1 || (start == 0 && end == rank - 1) else {
                throw .unsupportedNode(path: path, node: flatten, reason: "it flattens dimensions \(spec.startDimension)…\(spec.endDimension) of \(dims); SNNKit reads grids flattened whole")
            }
            dims = [dims.reduce(1, *)]
        }
    }
}

/// Name order with runs of digits compared as numbers (`layer2` before `layer10`).
func naturalLess(_ a: String, _ b: String) -> Bool {
    func parts(_ s: String) -> [(String, Int?)] {
        var result: [(String, Int?)] = []
        var current = "", isDigits = false
        for ch in s {
            let digit = ch.isASCII && ch.isNumber
            if !current.isEmpty && digit != isDigits {
                result.append((current, isDigits ? Int(current) : nil))
                current = ""
            }
            current.append(ch)
            isDigits = digit
        }
        if !current.isEmpty { result.append((current, isDigits ? Int(current) : nil)) }
        return result
    }
    let (pa, pb) = (parts(a), parts(b))
    for (x, y) in zip(pa, pb) {
        if let nx = x.1, let ny = y.1, nx != ny { return nx < ny }
        if x.0 != y.0 { return x.0 < y.0 }
    }
    return pa.count < pb.count
}
