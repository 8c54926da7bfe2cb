import Foundation
import SNNData
import SNNKit
import Testing

/// NIR export and import: round trips through the HDF5 file with identical simulations, the graph's structure and
/// parameter mapping, foreign graphs, and typed errors for bad files and inexpressible networks.
@Suite("NIR")
struct NIRTests {
    // MARK: - Round trips

    /// Exports, writes, reads and imports `net`; checks the graph survives the file, the network is equal and every
    /// layer's output on random input is identical. Returns the exported graph.
    @discardableResult
    private func roundTrip(_ net: SpikingNetwork, steps: Int = 60, probability: Double = 0.2,
                           sourceLocation: SourceLocation = #_sourceLocation) throws -> NIRGraph {
        let dir = try TemporaryDirectory()
        defer { dir.cleanUp() }
        let graph = try NIRGraph(network: net)
        try graph.write(to: dir.file("net.nir"))
        let read = try NIRGraph(readingFrom: dir.file("net.nir"))
        #expect(read == graph, "the graph read back differs from the one written", sourceLocation: sourceLocation)
        #expect(read.origin == dir.file("net.nir"), sourceLocation: sourceLocation)
        let imported = try SpikingNetwork(nir: read)
        #expect(imported == net, "the imported network differs from the exported one", sourceLocation: sourceLocation)
        let input = NIRFixtures.input(steps: steps, batch: 3, channels: net.inputs, probability: probability, seed: 5)
        let before = try NIRFixtures.simulate(net, input), after = try NIRFixtures.simulate(imported, input)
        for k in net.layers.indices {
            #expect(before[k] == after[k], "layer \(k) (\(net.layers[k].name)) differs after the round trip", sourceLocation: sourceLocation)
            if net.layers[k].neuron.isSpiking {
                #expect(before[k].reduce(0, +) > 0, "layer \(k) is silent: the comparison would be empty", sourceLocation: sourceLocation)
            }
        }
        return graph
    }

    @Test("Dense recurrent LIF + readout: export → file → import gives the same network and identical spikes and outputs")
    func denseRecurrentRoundTrip() throws {
        try roundTrip(try NIRFixtures.denseRecurrent())
    }

    @Test("Conv1d with recurrent convolutions: export → file → import gives identical spikes and outputs")
    func convolution1DRoundTrip() throws {
        try roundTrip(try NIRFixtures.convolution1D(), probability: 0.3)
    }

    @Test("Conv2d + sum pooling + dense through Flatten: export → file → import gives identical spikes and outputs")
    func convolution2DRoundTrip() throws {
        try roundTrip(try NIRFixtures.convolution2D(), probability: 0.3)
    }

    @Test("Average pooling exports as AvgPool2d and round-trips")
    func averagePoolingRoundTrip() throws {
        let graph = try roundTrip(try NIRFixtures.convolution2D(pooling: .average), probability: 0.3)
        #expect(graph.nodes["layer1"]?.typeName == "AvgPool2d")
    }

    // MARK: - Structure and parameter mapping

    @Test("Dense recurrent network: node types, nested recurrent graph, edges and CubaLIF/CubaLI parameters")
    func denseStructure() throws {
        let net = try NIRFixtures.denseRecurrent()
        let graph = try NIRGraph(network: net)
        let types = graph.nodes.mapValues(\.typeName)
        #expect(types == ["input": "Input", "layer0": "NIRGraph", "layer0_afferent0": "Affine", "layer1": "CubaLIF",
                          "layer1_afferent0": "Linear", "layer1_afferent1": "Linear", "layer2": "CubaLI", "layer2_afferent0": "Linear",
                          "output": "Output"])
        #expect(Set(graph.edges) == Set([
            NIREdge("input", "layer0_afferent0"), NIREdge("layer0_afferent0", "layer0"),
            NIREdge("layer0", "layer1_afferent0"), NIREdge("layer1_afferent0", "layer1"),
            NIREdge("input", "layer1_afferent1"), NIREdge("layer1_afferent1", "layer1"),
            NIREdge("layer1", "layer2_afferent0"), NIREdge("layer2_afferent0", "layer2"), NIREdge("layer2", "output"),
        ]))
        guard case let .graph(inner)? = graph.nodes["layer0"]?.kind else { Issue.record("layer0 is not a graph"); return }
        #expect(inner.nodes.mapValues(\.typeName) == ["input": "Input", "neurons": "CubaLIF", "recurrent1": "Linear", "output": "Output"])
        #expect(Set(inner.edges) == Set([NIREdge("input", "neurons"), NIREdge("neurons", "recurrent1"), NIREdge("recurrent1", "neurons"),
                                         NIREdge("neurons", "output")]))
        guard case let .cubaLIF(lif)? = inner.nodes["neurons"]?.kind else { Issue.record("no CubaLIF"); return }
        #expect(lif.tauMembrane.shape == [32] && lif.tauMembrane.values.allSatisfy { $0 == 0.02 })
        #expect(lif.tauSynapse.values.allSatisfy { $0 == 0.005 })
        #expect(lif.resistance.values.allSatisfy { $0 == 1 } && lif.leakPotential.values.allSatisfy { $0 == 0 })
        #expect(lif.resetPotential.values.allSatisfy { $0 == 0 } && lif.threshold.values.allSatisfy { $0 == 1 })
        let wIn = 1 / (1 - Foundation.exp(-0.001 / 0.005))   // 1/(1 − λ_s): I jumps by w per input spike
        #expect(lif.inputWeight.values.allSatisfy { abs($0 - wIn) < 1e-12 })
        #expect(inner.nodes["neurons"]?.metadata["snnkit_layer_name"] == .string("recurrent"))
        #expect(inner.nodes["neurons"]?.metadata["snnkit_reset_gradient"] == .string("detached"))
        #expect(graph.metadata["snnkit_time_step"]?.number == 0.001)
        guard case let .affine(weight, bias)? = graph.nodes["layer0_afferent0"]?.kind else { Issue.record("no Affine"); return }
        #expect(weight.shape == [32, 20] && weight.precision == .float32 && bias.shape == [32])
        #expect(weight.values == net.layers[0].afferents[0].weights.scalars.map(Double.init))
        // Heterogeneous τ: per-neuron arrays, and SNNKit's raw parameters in the metadata.
        guard case let .cubaLIF(hetero)? = graph.nodes["layer1"]?.kind else { Issue.record("no CubaLIF layer1"); return }
        #expect(!hetero.tauMembrane.isUniform && hetero.threshold.values.allSatisfy { $0 == Double(Float(0.8)) })
        #expect(hetero.tauMembrane.values == net.layers[1].timeConstants!.effective(row: 0, base: .milliseconds(15)))
        guard case let .cubaLI(readout)? = graph.nodes["layer2"]?.kind else { Issue.record("no CubaLI"); return }
        #expect(readout.tauMembrane.values.allSatisfy { $0 == 0.2 } && readout.tauSynapse.values.allSatisfy { $0 == 0.01 })
        #expect(graph.nodes["layer2"]?.metadata["snnkit_initial_state"]?.number == Double(Float(-1e-2)))
        guard case let .output(shape)? = graph.nodes["output"]?.kind else { Issue.record("no Output"); return }
        #expect(shape == [5])
    }

    @Test("Conv1d network: a flat input read by a convolution is [1, N]; recurrent Conv1d in a nested graph; Flatten before the readout")
    func convolution1DStructure() throws {
        let net = try NIRFixtures.convolution1D()
        let graph = try NIRGraph(network: net)
        #expect(graph.nodes["input"]?.kind == .input(shape: [1, 40]))
        #expect(graph.nodes["input"]?.metadata["snnkit_layout"] == .string("flat"))
        guard case let .convolution(conv)? = graph.nodes["layer0_afferent0"]?.kind else { Issue.record("no Conv1d"); return }
        #expect(graph.nodes["layer0_afferent0"]?.typeName == "Conv1d")
        #expect(conv.weight.shape == [4, 1, 5] && conv.stride == [2] && conv.padding == .explicit([0]) && conv.inputShape == [40])
        guard case let .graph(inner)? = graph.nodes["layer0"]?.kind, case let .convolution(recurrent)? = inner.nodes["recurrent1"]?.kind,
              case let .cubaLIF(lif)? = inner.nodes["neurons"]?.kind else { Issue.record("no recurrent conv graph"); return }
        #expect(recurrent.weight.shape == [4, 4, 3] && recurrent.padding == .explicit([1]) && recurrent.inputShape == [18])
        #expect(lif.threshold.shape == [4, 18])
        guard case let .flatten(flatten)? = graph.nodes["layer2_afferent0_flatten"]?.kind else { Issue.record("no Flatten"); return }
        #expect(flatten.inputShape == [6, 8] && flatten.startDimension == 0 && flatten.endDimension == -1)
        #expect(graph.edges.contains(NIREdge("layer1", "layer2_afferent0_flatten")))
        #expect(graph.edges.contains(NIREdge("layer2_afferent0_flatten", "layer2_afferent0")))
    }

    @Test("Flatten → Linear weights are permuted from SNNKit's channels-last units to NIR's channels-first order")
    func channelsFirstPermutation() throws {
        let net = try NIRFixtures.convolution2D()
        let graph = try NIRGraph(network: net)
        #expect(graph.nodes["input"]?.kind == .input(shape: [2, 8, 8]))
        guard case let .sumPool2d(pool)? = graph.nodes["layer1"]?.kind else { Issue.record("no SumPool2d"); return }
        #expect(pool == NIRPooling(kernelSize: [2, 2], stride: [2, 2], padding: [0, 0]))
        guard case let .affine(weight, _)? = graph.nodes["layer2_afferent0"]?.kind else { Issue.record("no Affine"); return }
        let snn = net.layers[2].afferents[0].weights   // [10, 64]: column = position · 4 + channel
        let (channels, positions) = (4, 16)
        for o in [0, 3, 9] {
            for c in 0..<channels {
                for p in [0, 5, 15] {
                    #expect(weight.values[o * 64 + c * positions + p] == Double(snn.scalars[o * 64 + p * channels + c]))
                }
            }
        }
        guard case let .flatten(flatten)? = graph.nodes["layer2_afferent0_flatten"]?.kind else { Issue.record("no Flatten"); return }
        #expect(flatten.inputShape == [4, 4, 4])
    }

    // MARK: - Graphs from other tools

    @Test("A foreign graph (forward-Euler w_in = τ_syn/Δt, r = 2, no SNNKit metadata) imports with R·w_in·(1 − λ_s) folded into the weights")
    func foreignGraphScaling() throws {
        let dt = 0.001, tauSyn = 0.005, tauMem = 0.01
        func tensor(_ v: Double, _ n: Int) -> NIRTensor { NIRTensor(repeating: v, shape: [n]) }
        let w1 = NIRTensor((0..<12).map { Double($0) / 10 - 0.5 }, shape: [4, 3], precision: .float32)
        let w2 = NIRTensor((0..<8).map { Double($0) / 8 }, shape: [2, 4], precision: .float32)
        let graph = NIRGraph(nodes: [
            "in": NIRNode(.input(shape: [3])),
            "fc1": NIRNode(.affine(weight: w1, bias: NIRTensor([0.1, 0, -0.1, 0.2], precision: .float32))),
            "lif1": NIRNode(.cubaLIF(NIRCubaLIF(tauMembrane: tensor(tauMem, 4), tauSynapse: tensor(tauSyn, 4), resistance: tensor(2, 4),
                                                 leakPotential: tensor(0, 4), threshold: tensor(1, 4), resetPotential: tensor(0, 4),
                                                 inputWeight: tensor(tauSyn / dt, 4)))),
            "fc2": NIRNode(.linear(weight: w2)),
            "li": NIRNode(.cubaLI(NIRCubaLI(tauMembrane: tensor(0.1, 2), tauSynapse: tensor(tauSyn, 2), resistance: tensor(1, 2),
                                            leakPotential: tensor(0, 2), inputWeight: tensor(1, 2)))),
            "out": NIRNode(.output(shape: [2])),
        ], edges: [NIREdge("in", "fc1"), NIREdge("fc1", "lif1"), NIREdge("lif1", "fc2"), NIREdge("fc2", "li"), NIREdge("li", "out")])
        #expect(captureNIR { try SpikingNetwork(nir: graph) } == .missingTimeStep(path: "NIR graph"))
        let net = try SpikingNetwork(nir: graph, timeStep: .milliseconds(1))
        #expect(net.inputs == 3 && net.layers.map(\.size) == [4, 2] && net.layers.map(\.name) == ["lif1", "li"])
        let lambda = Foundation.exp(-dt / tauSyn)
        let hiddenScale = 2 * (tauSyn / dt) * (1 - lambda), readoutScale = 1 - lambda
        for e in 0..<12 { #expect(abs(Double(net.layers[0].afferents[0].weights.scalars[e]) - w1.values[e] * hiddenScale) < 1e-6) }
        #expect(abs(Double(net.layers[0].afferents[0].bias!.scalars[3]) - 0.2 * hiddenScale) < 1e-6)
        for e in 0..<8 { #expect(abs(Double(net.layers[1].afferents[0].weights.scalars[e]) - w2.values[e] * readoutScale) < 1e-6) }
        guard case let .lif(d) = net.layers[0].neuron, case let .readout(r) = net.layers[1].neuron else { Issue.record("wrong neurons"); return }
        #expect(d.tauMembrane == .milliseconds(10) && d.tauSynapse == .milliseconds(5) && d.surrogate == .default)
        #expect(r.tauMembrane == .milliseconds(100) && r.initialState == 0)
    }

    @Test("A recurrent cycle at the top level (CubaLIF → Linear → same CubaLIF) imports as a recurrent projection")
    func topLevelRecurrence() throws {
        func tensor(_ v: Double, _ n: Int) -> NIRTensor { NIRTensor(repeating: v, shape: [n]) }
        let lif = NIRCubaLIF(tauMembrane: tensor(0.02, 3), tauSynapse: tensor(0.01, 3), resistance: tensor(1, 3), leakPotential: tensor(0, 3),
                             threshold: tensor(1, 3), resetPotential: tensor(0, 3), inputWeight: tensor(1 / (1 - Foundation.exp(-0.1)), 3))
        let graph = NIRGraph(nodes: [
            "input": NIRNode(.input(shape: [2])), "ff": NIRNode(.linear(weight: NIRTensor(repeating: 0.5, shape: [3, 2]))),
            "lif": NIRNode(.cubaLIF(lif)), "rec": NIRNode(.linear(weight: NIRTensor(repeating: -0.25, shape: [3, 3]))),
            "output": NIRNode(.output(shape: [3])),
        ], edges: [NIREdge("input", "ff"), NIREdge("ff", "lif"), NIREdge("lif", "rec"), NIREdge("rec", "lif"), NIREdge("lif", "output")])
        let net = try SpikingNetwork(nir: graph, timeStep: .milliseconds(1))
        #expect(net.layers.count == 1 && net.layers[0].afferents.map(\.source) == [.input, .layer(0)])
        #expect(net.layers[0].afferents[1].weights.scalars.allSatisfy { $0 == -0.25 })
    }

    // MARK: - Bad files

    /// Writes a file whose root graph holds `input` → `node` → `output`, with `node` built by `body`.
    private func writeFile(_ path: String, nodeType: String?, edges: [[String]] = [["input", "x"], ["x", "output"]],
                           _ body: (HDF5File, String) throws -> Void) throws {
        let file = try HDF5File(creatingAt: path)
        try file.write(string: "1.0.0", to: "version")
        try file.write(string: "NIRGraph", to: "node/type")
        try file.write(string: "Input", to: "node/nodes/input/type")
        try file.write([Int64(3)], to: "node/nodes/input/shape")
        try file.write(string: "Output", to: "node/nodes/output/type")
        try file.write([Int64(2)], to: "node/nodes/output/shape")
        try file.createGroup("node/nodes/x")
        if let nodeType { try file.write(string: nodeType, to: "node/nodes/x/type") }
        try body(file, "node/nodes/x/")
        try file.write(strings: edges.flatMap { $0 }, shape: [edges.count, edges.first?.count ?? 2], to: "node/edges")
        file.close()
    }

    @Test("A node without a type dataset is a missingField error naming the file and the node")
    func missingNodeType() throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanUp() }
        try writeFile(dir.file("bad.nir"), nodeType: nil) { file, x in try file.write([Float](repeating: 1, count: 6), shape: [2, 3], to: x + "weight") }
        let error = captureNIR { try NIRGraph(readingFrom: dir.file("bad.nir")) }
        #expect(error == .missingField(path: dir.file("bad.nir"), node: "x", field: "type"))
        expectNames(error, dir.file("bad.nir"), "x", "type")
    }

    @Test("Unknown node types, and NIR primitives SNNKit does not read, are unknownNodeType errors")
    func unknownNodeType() throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanUp() }
        try writeFile(dir.file("foo.nir"), nodeType: "Foo") { _, _ in }
        let error = captureNIR { try NIRGraph(readingFrom: dir.file("foo.nir")) }
        #expect(error == .unknownNodeType(path: dir.file("foo.nir"), node: "x", type: "Foo"))
        expectNames(error, dir.file("foo.nir"), "x", "\"Foo\"")
        try writeFile(dir.file("delay.nir"), nodeType: "Delay") { file, x in try file.write([Double](arrayLiteral: 0.001, 0.002), to: x + "delay") }
        let delay = captureNIR { try NIRGraph(readingFrom: dir.file("delay.nir")) }
        #expect(delay == .unknownNodeType(path: dir.file("delay.nir"), node: "x", type: "Delay"))
        expectNames(delay, "NIR primitive Delay")
    }

    @Test("Wrong shapes: an Affine bias of the wrong length, mismatched CubaLIF arrays, a Conv2d weight of rank 3, edges of 3 columns")
    func wrongShapes() throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanUp() }
        try writeFile(dir.file("bias.nir"), nodeType: "Affine") { file, x in
            try file.write([Float](repeating: 1, count: 6), shape: [2, 3], to: x + "weight")
            try file.write([Float](repeating: 0, count: 3), to: x + "bias")
        }
        let bias = captureNIR { try NIRGraph(readingFrom: dir.file("bias.nir")) }
        #expect(bias == .wrongShape(path: dir.file("bias.nir"), node: "x", field: "bias", expected: "[2]", found: "[3]"))
        expectNames(bias, dir.file("bias.nir"), "x", "bias")

        try writeFile(dir.file("lif.nir"), nodeType: "CubaLIF") { file, x in
            for field in ["tau_syn", "tau_mem", "r", "v_leak"] { try file.write([Double](repeating: 0.01, count: 4), to: x + field) }
            try file.write([Double](repeating: 1, count: 3), to: x + "v_threshold")
        }
        let lif = captureNIR { try NIRGraph(readingFrom: dir.file("lif.nir")) }
        guard case let .wrongShape(_, node, field, _, found)? = lif else { Issue.record("expected wrongShape, got \(String(describing: lif))"); return }
        #expect(node == "x" && field == "v_threshold" && found == "[3]")

        try writeFile(dir.file("conv.nir"), nodeType: "Conv2d") { file, x in
            try file.write([Float](repeating: 1, count: 12), shape: [2, 2, 3], to: x + "weight")
        }
        let conv = captureNIR { try NIRGraph(readingFrom: dir.file("conv.nir")) }
        guard case let .wrongShape(_, _, convField, _, _)? = conv else { Issue.record("expected wrongShape, got \(String(describing: conv))"); return }
        #expect(convField == "weight")

        try writeFile(dir.file("edges.nir"), nodeType: "Linear", edges: [["input", "x", "output"]]) { file, x in
            try file.write([Float](repeating: 1, count: 6), shape: [2, 3], to: x + "weight")
        }
        let edges = captureNIR { try NIRGraph(readingFrom: dir.file("edges.nir")) }
        #expect(edges == .wrongShape(path: dir.file("edges.nir"), node: "(root graph)", field: "edges", expected: "[E, 2] (source, target)", found: "[1, 3]"))
    }

    @Test("Files that are not NIR graphs: no file, no /node group, an edge to a missing node, a missing weight")
    func notNIR() throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanUp() }
        guard case .file(.cannotOpen)? = captureNIR({ try NIRGraph(readingFrom: dir.file("absent.nir")) }) else {
            Issue.record("a missing file is not a cannotOpen error"); return
        }
        let plain = try HDF5File(creatingAt: dir.file("plain.h5"))
        try plain.write([Float](arrayLiteral: 1), to: "labels")
        plain.close()
        let notGraph = captureNIR { try NIRGraph(readingFrom: dir.file("plain.h5")) }
        #expect(notGraph == .invalidGraph(path: dir.file("plain.h5"), reason: "no /node group (not a NIR file)"))

        try writeFile(dir.file("dangling.nir"), nodeType: "Linear", edges: [["input", "x"], ["x", "nowhere"]]) { file, x in
            try file.write([Float](repeating: 1, count: 6), shape: [2, 3], to: x + "weight")
        }
        let dangling = captureNIR { try NIRGraph(readingFrom: dir.file("dangling.nir")) }
        guard case .invalidGraph? = dangling else { Issue.record("expected invalidGraph, got \(String(describing: dangling))"); return }
        expectNames(dangling, dir.file("dangling.nir"), "nowhere")

        try writeFile(dir.file("noweight.nir"), nodeType: "Linear") { _, _ in }
        #expect(captureNIR { try NIRGraph(readingFrom: dir.file("noweight.nir")) }
            == .missingField(path: dir.file("noweight.nir"), node: "x", field: "weight"))
    }

    @Test("Huge declared sizes (an Input of 2⁴⁰ units, a stride of 2³⁰) are invalidValue errors, never allocations")
    func hugeDeclaredSizes() throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanUp() }
        try writeFile(dir.file("input.nir"), nodeType: "Input") { file, x in try file.write([Int64(1) << 40], to: x + "shape") }
        guard case .invalidValue(_, "x", "shape", _)? = captureNIR({ try NIRGraph(readingFrom: dir.file("input.nir")) }) else {
            Issue.record("a 2⁴⁰-unit input was accepted"); return
        }
        try writeFile(dir.file("pool.nir"), nodeType: "SumPool2d") { file, x in
            try file.write([Int64](arrayLiteral: 2, 2), to: x + "kernel_size")
            try file.write([Int64](arrayLiteral: 1 << 30, 1), to: x + "stride")
            try file.write([Int64](arrayLiteral: 0, 0), to: x + "padding")
        }
        let stride = captureNIR { try NIRGraph(readingFrom: dir.file("pool.nir")) }
        guard case .invalidValue(_, "x", "stride", _)? = stride else { Issue.record("a 2³⁰ stride was accepted: \(String(describing: stride))"); return }
        expectNames(stride, dir.file("pool.nir"))
    }

    // MARK: - Graphs SNNKit cannot express

    /// A valid chain input [3] → Linear → `neuron` → output, for import errors.
    private func chain(_ neuron: NIRNode.Kind, size: Int = 2, columns: Int = 3) -> NIRGraph {
        NIRGraph(nodes: [
            "input": NIRNode(.input(shape: [3])), "fc": NIRNode(.linear(weight: NIRTensor(repeating: 1, shape: [size, columns]))),
            "neurons": NIRNode(neuron), "output": NIRNode(.output(shape: [size])),
        ], edges: [NIREdge("input", "fc"), NIREdge("fc", "neurons"), NIREdge("neurons", "output")], metadata: ["snnkit_time_step": .numbers(NIRTensor([0.001], shape: []))])
    }

    private func cubaLIF(leak: Double = 0, thresholds: [Double] = [1, 1]) -> NIRNode.Kind {
        let n = thresholds.count
        func t(_ v: Double) -> NIRTensor { NIRTensor(repeating: v, shape: [n]) }
        return .cubaLIF(NIRCubaLIF(tauMembrane: t(0.02), tauSynapse: t(0.01), resistance: t(1), leakPotential: t(leak), threshold: NIRTensor(thresholds),
                                   resetPotential: t(0), inputWeight: t(1)))
    }

    @Test("Import refuses non-zero v_leak, per-neuron thresholds, weights that do not fit and recurrence through two layers, naming the node")
    func unsupportedImports() throws {
        let leak = captureNIR { try SpikingNetwork(nir: chain(cubaLIF(leak: -0.1))) }
        guard case let .unsupportedNode(path, node, _)? = leak else { Issue.record("expected unsupportedNode, got \(String(describing: leak))"); return }
        #expect(path == "NIR graph" && node == "neurons")
        expectNames(leak, "neurons", "v_leak")
        guard case .unsupportedNode(_, "neurons", _)? = captureNIR({ try SpikingNetwork(nir: chain(cubaLIF(thresholds: [1, 2]))) }) else {
            Issue.record("per-neuron thresholds were accepted"); return
        }
        let columns = captureNIR { try SpikingNetwork(nir: chain(cubaLIF(), columns: 4)) }
        guard case .wrongShape(_, "fc", "weight", _, _)? = columns else { Issue.record("expected wrongShape of fc, got \(String(describing: columns))"); return }

        // Recurrence through two layers.
        var cycle = chain(cubaLIF())
        cycle.nodes["second"] = NIRNode(cubaLIF())
        cycle.nodes["fc2"] = NIRNode(.linear(weight: NIRTensor(repeating: 1, shape: [2, 2])))
        cycle.nodes["back"] = NIRNode(.linear(weight: NIRTensor(repeating: 1, shape: [2, 2])))
        cycle.edges += [NIREdge("neurons", "fc2"), NIREdge("fc2", "second"), NIREdge("second", "back"), NIREdge("back", "neurons")]
        let loop = captureNIR { try SpikingNetwork(nir: cycle) }
        guard case .unsupportedNode? = loop else { Issue.record("expected unsupportedNode, got \(String(describing: loop))"); return }
        expectNames(loop, "recurrence")

        var twoInputs = chain(cubaLIF())
        twoInputs.nodes["input2"] = NIRNode(.input(shape: [3]))
        twoInputs.edges.append(NIREdge("input2", "fc"))
        guard case .invalidGraph? = captureNIR({ try SpikingNetwork(nir: twoInputs) }) else { Issue.record("two inputs were accepted"); return }
    }

    // MARK: - LIF and LI: neurons without synaptic filter

    @Test("LIF and readout layers with τ_syn = 0 export as NIR LIF and LI and round-trip with identical spikes and outputs")
    func noSynapticFilterRoundTrip() throws {
        let net = try NIRFixtures.withoutSynapticFilter()
        let graph = try roundTrip(net, probability: 0.3)
        #expect(graph.nodes["layer0"]?.typeName == "LIF" && graph.nodes["layer2"]?.typeName == "LI")
        guard case let .graph(inner)? = graph.nodes["layer1"]?.kind, case let .lif(hidden)? = inner.nodes["neurons"]?.kind else {
            Issue.record("layer1 is not a nested graph around a LIF node"); return
        }
        #expect(inner.nodes["recurrent2"]?.typeName == "Linear")
        guard case let .lif(conv)? = graph.nodes["layer0"]?.kind, case let .li(readout)? = graph.nodes["layer2"]?.kind else { return }
        // LIF: tau = τ_mem, r = 1, v_leak = 0, v_reset = 0, v_threshold = θ, in the layer's channels-first shape.
        #expect(conv.tau.shape == [3, 6, 6] && conv.tau.values.allSatisfy { $0 == Duration.milliseconds(15).seconds })
        #expect(conv.resistance.values.allSatisfy { $0 == 1 } && conv.leakPotential.values.allSatisfy { $0 == 0 })
        #expect(conv.resetPotential.values.allSatisfy { $0 == 0 } && conv.threshold.values.allSatisfy { $0 == 1 })
        // Heterogeneous τ_mem: the effective per-neuron values.
        let effective = net.layers[1].timeConstants!.effective(row: 0, base: .milliseconds(20))
        #expect(hidden.tau.values == effective && Set(effective).count > 1)
        #expect(hidden.threshold.values.allSatisfy { $0 == Double(Float(0.8)) })
        #expect(readout.tau.values == [0.1, 0.1, 0.1] && readout.resistance.values == [1, 1, 1] && readout.leakPotential.values == [0, 0, 0])
        // Another Δt changes nothing in LIF and LI (no w_in).
        #expect(try NIRGraph(network: net, timeStep: .milliseconds(2)).nodes["layer0"] == graph.nodes["layer0"])
    }

    /// Input [3] → Linear → `LIF` [2] → Linear → `LI` [2] → Output, as another tool would write it (no SNNKit metadata).
    private func lifChain(tau: [Double] = [0.02, 0.01], resistance: [Double] = [2.5, 0.5], leak: Double = 0, thresholds: [Double] = [0.7, 0.7],
                          reset: Double = 0, readoutTau: [Double] = [0.1, 0.1], readoutLeak: Double = 0) -> NIRGraph {
        func t(_ v: Double) -> NIRTensor { NIRTensor(repeating: v, shape: [2]) }
        let w1 = NIRTensor([0.3, 0, 0, 0.2, 0, 0], shape: [2, 3], precision: .float32)
        let w2 = NIRTensor([1, -0.5, 0.25, 2], shape: [2, 2], precision: .float32)
        return NIRGraph(nodes: [
            "input": NIRNode(.input(shape: [3])), "fc1": NIRNode(.linear(weight: w1)),
            "lif": NIRNode(.lif(NIRLIF(tau: NIRTensor(tau), resistance: NIRTensor(resistance), leakPotential: t(leak), threshold: NIRTensor(thresholds),
                                       resetPotential: t(reset)))),
            "fc2": NIRNode(.linear(weight: w2)),
            "li": NIRNode(.li(NIRLI(tau: NIRTensor(readoutTau), resistance: t(4), leakPotential: t(readoutLeak)))),
            "output": NIRNode(.output(shape: [2])),
        ], edges: [NIREdge("input", "fc1"), NIREdge("fc1", "lif"), NIREdge("lif", "fc2"), NIREdge("fc2", "li"), NIREdge("li", "output")])
    }

    @Test("A foreign LIF/LI graph imports as LIF and readout with τ_syn = 0, R folded into the weights, per-neuron τ_mem around the largest")
    func foreignLIFAndLI() throws {
        // NIR's LIF, τ dv/dt = (v_leak − v) + R·x, is CubaLIF with τ_syn → 0 and w_in = 1. Its exponential-Euler step,
        // v ← λ v + (1 − λ)(v_leak + R·x) with λ = exp(−Δt/τ), is SNNKit's U ← λ U + κ I with I = X (τ_syn = 0), when
        // X = R·W·s: the weights into neuron i are scaled by R_i (the factor R·w_in·(1 − λ_s) with w_in = 1, λ_s = 0).
        // Δt 1 ms. LIF: τ = [20, 10] ms → base τ_mem 20 ms, p = [log(0.5/0.5), log(0.25/0.75)] = [0, −ln 3]
        // (τ_eff = 2·20 ms·sigmoid(p) = [20, 10] ms); R = [2.5, 0.5] → fc1 rows × 2.5 and × 0.5; θ = 0.7.
        // LI: τ = 100 ms, R = 4 → fc2 × 4; initial state 0.
        let net = try SpikingNetwork(nir: lifChain(), timeStep: .milliseconds(1))
        guard case let .lif(d) = net.layers[0].neuron, case let .readout(r) = net.layers[1].neuron else { Issue.record("wrong neurons"); return }
        #expect(d.tauMembrane == .milliseconds(20) && d.tauSynapse == .zero && d.threshold == 0.7 && d.surrogate == .default)
        #expect(r.tauMembrane == .milliseconds(100) && r.tauSynapse == .zero && r.initialState == 0)
        let p = try #require(net.layers[0].timeConstants)
        #expect(!p.isLearned && p.parameters.scalars[0] == 0 && abs(Double(p.parameters.scalars[1]) + Foundation.log(3)) < 1e-6)
        #expect(p.parameters.scalars[2] == 0 && p.parameters.scalars[3] == 0)
        #expect(net.layers[0].afferents[0].weights.scalars == [Float(0.3 * 2.5), 0, 0, Float(0.2 * 0.5), 0, 0])
        #expect(net.layers[1].afferents[0].weights.scalars == [4, -2, 1, 8])

        // One input spike on channel 0 at step 0: X[0] = R·W·s = [0.75, 0.1] → I[1] = X[0] → U[2] = (1 − λ)·X[0]:
        // [(1 − e^(−1/20))·0.75, (1 − e^(−1/10))·0.1] = [0.0365783, 0.0095163]; I[2] = 0, so U[3] = λ·U[2].
        var input = Tensor(shape: [6, 1, 3])
        input.scalars[0] = 1
        let ws = SimulationWorkspace()
        try ws.forward(net, input: input)
        let u = ws.membrane(ofLayer: 0)
        #expect(Array(u[0..<4]) == [0, 0, 0, 0])
        #expect(abs(Double(u[4]) - 0.0365783) < 1e-6 && abs(Double(u[5]) - 0.0095163) < 1e-6)
        #expect(abs(Double(u[6]) - Foundation.exp(-0.05) * 0.0365783) < 1e-6 && abs(Double(u[7]) - Foundation.exp(-0.1) * 0.0095163) < 1e-6)
    }

    @Test("LIF with v_reset ≠ 0 or v_leak ≠ 0 or per-neuron thresholds, LI with v_leak ≠ 0 or per-neuron τ: specific unsupportedNode errors")
    func refusedLIFAndLI() throws {
        func refused(_ graph: NIRGraph, node: String, _ names: String..., sourceLocation: SourceLocation = #_sourceLocation) {
            let error = captureNIR({ try SpikingNetwork(nir: graph, timeStep: .milliseconds(1)) }, sourceLocation: sourceLocation)
            guard case .unsupportedNode(_, node, _)? = error else {
                Issue.record("expected unsupportedNode of \(node), got \(String(describing: error))", sourceLocation: sourceLocation); return
            }
            for name in names { expectNames(error, name, sourceLocation: sourceLocation) }
        }
        refused(lifChain(reset: -0.2), node: "lif", "v_reset = -0.2", "reset to 0")
        refused(lifChain(leak: 0.1), node: "lif", "v_leak = 0.1", "rest at 0")
        refused(lifChain(thresholds: [0.7, 1]), node: "lif", "per-neuron thresholds")
        refused(lifChain(readoutLeak: -0.5), node: "li", "v_leak = -0.5")
        refused(lifChain(readoutTau: [0.1, 0.2]), node: "li", "per-neuron time constants")
        let tau = captureNIR { try SpikingNetwork(nir: lifChain(tau: [0.02, 0]), timeStep: .milliseconds(1)) }
        guard case .invalidValue(_, "lif", "tau", _)? = tau else { Issue.record("τ = 0 was accepted: \(String(describing: tau))"); return }
        let r = captureNIR { try SpikingNetwork(nir: lifChain(resistance: [1, .infinity]), timeStep: .milliseconds(1)) }
        guard case .invalidValue(_, "lif", "r", _)? = r else { Issue.record("R = ∞ was accepted: \(String(describing: r))"); return }
        // A LIF whose τ is not above Δt: the network does not validate.
        let slow = captureNIR { try SpikingNetwork(nir: lifChain(), timeStep: .milliseconds(10)) }
        guard case .invalidNetwork? = slow else { Issue.record("Δt = τ was accepted: \(String(describing: slow))"); return }
    }

    @Test("Import errors name the file a graph was read from")
    func importErrorNamesFile() throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanUp() }
        try chain(cubaLIF(leak: 0.5)).write(to: dir.file("leak.nir"))
        let error = captureNIR { try SpikingNetwork(nir: NIRGraph(readingFrom: dir.file("leak.nir"))) }
        expectNames(error, dir.file("leak.nir"), "neurons", "v_leak")
    }

    @Test("Export refuses max pooling and adaptive LIF layers with unsupportedLayer errors naming the layer")
    func unsupportedExports() throws {
        let maxPool = try NIRFixtures.convolution2D(pooling: .max)
        let pool = captureNIR { try NIRGraph(network: maxPool) }
        guard case .unsupportedLayer(let layer, _)? = pool else { Issue.record("expected unsupportedLayer, got \(String(describing: pool))"); return }
        #expect(layer.hasPrefix("1 "))
        expectNames(pool, "max pooling")
        let adaptive = try SpikingNetwork(inputs: 4, timeStep: .milliseconds(1)) {
            LIFLayer(8, adaptation: (tau: .milliseconds(100), strength: 0.1))
            LeakyReadout(2, tauMembrane: .milliseconds(50))
        }
        let error = captureNIR { try NIRGraph(network: adaptive) }
        guard case .unsupportedLayer? = error else { Issue.record("expected unsupportedLayer, got \(String(describing: error))"); return }
        expectNames(error, "hidden1", "adaptive")
    }

    @Test("Export refuses leaky (subtractive reset), stochastic and Dalian layers, naming the layer and the reason")
    func unsupportedNeuronExports() throws {
        func refused(_ net: SpikingNetwork, _ names: String..., sourceLocation: SourceLocation = #_sourceLocation) {
            let error = captureNIR({ try NIRGraph(network: net) }, sourceLocation: sourceLocation)
            guard case .unsupportedLayer? = error else {
                Issue.record("expected unsupportedLayer, got \(String(describing: error))", sourceLocation: sourceLocation); return
            }
            for name in names { expectNames(error, name, sourceLocation: sourceLocation) }
        }
        refused(try SpikingNetwork(inputs: 4, timeStep: .milliseconds(1)) {
            LeakyLayer(6, name: "paper2")
            LeakyReadout(2, tauMembrane: .milliseconds(50))
        }, "layer 0 (paper2)", "subtracting θ", "v_reset", "tauSynapse .zero")
        refused(try SpikingNetwork(inputs: 4, timeStep: .milliseconds(1)) {
            LIFLayer(6, escapeNoise: .sigmoid(beta: 10))
            LeakyReadout(2, tauMembrane: .milliseconds(50))
        }, "layer 0 (hidden1)", "stochastic")
        refused(try SpikingNetwork(inputs: 4, timeStep: .milliseconds(1)) {
            DalianLayer(excitatory: 6, inhibitory: 2)
            LeakyReadout(2, tauMembrane: .milliseconds(50))
        }, "layer 0 (dale1)", "Dalian")
    }

    @Test("Writing refuses node names with a slash")
    func badNodeName() throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanUp() }
        var graph = chain(cubaLIF())
        graph.nodes["a/b"] = NIRNode(.input(shape: [1]))
        guard case .invalidValue(_, "a/b", "name", _)? = captureNIR({ try graph.write(to: dir.file("x.nir")) }) else {
            Issue.record("a node name with / was written"); return
        }
        #expect(!FileManager.default.fileExists(atPath: dir.file("x.nir")))
    }
}
