import Foundation

// The HDF5 layout of NIR files, as the `nir` Python package (version 1.0) reads and writes it:
//
//   /version                 string
//   /node/                   the root graph, a node group:
//     type                   string: "NIRGraph", "CubaLIF", "Affine", …
//     <field>                one dataset per parameter (arrays, integer scalars, or strings such as padding "same")
//     metadata/              optional group of free-form datasets
//     nodes/<name>/          (graphs) one node group per node
//     edges                  (graphs) [E, 2] strings: source, target
//
// A node group holds exactly the fields of its type (the Python reader passes every dataset to the node's
// constructor), so SNNKit's own information goes into `metadata`.

extension NIRGraph {
    /// The version string written to `/version`: the NIR format of the `nir` 1.0 Python package.
    public static let formatVersion = "1.0.0"

    /// Nested graphs deeper than this are refused when reading (a guard against hostile files).
    static let maximumNesting = 32
    /// The largest number of elements a declared shape (`Input`, `Output`, `Flatten`) or a layer may have: 2²⁸.
    static let maximumElements = 1 << 28
    /// The largest stride, padding, dilation, window or spatial extent a file may declare: 2²⁰.
    static let maximumExtent = 1 << 20
    /// The longest time constant or time step accepted, in seconds (about 11.6 days).
    static let maximumSeconds = 1e6

    // MARK: - Writing

    /// Writes the graph as a NIR HDF5 file at `path`, atomically (a temporary file renamed into place).
    ///
    /// - Throws: ``NIRError/invalidValue(path:node:field:reason:)`` for a node name or metadata key that is empty or
    ///   contains `/`; ``NIRError/invalidGraph(path:reason:)`` when an edge names a missing node;
    ///   ``NIRError/file(_:)`` when the file cannot be written.
    public func write(to path: String) throws(NIRError) {
        try validateForWriting(path: path, prefix: "")
        do throws(DataError) {
            try HDF5File.writeAtomically(to: path) { (file) throws(DataError) in
                try file.write(string: NIRGraph.formatVersion, to: "version")
                try NIRGraph.writeNode(NIRNode(.graph(self)), at: "node", in: file)
            }
        } catch {
            throw .file(error)
        }
    }

    private func validateForWriting(path: String, prefix: String) throws(NIRError) {
        func check(_ name: String, node: String, field: String) throws(NIRError) {
            guard !name.isEmpty, !name.contains("/"), name != ".", name != ".." else {
                throw .invalidValue(path: path, node: node, field: field, reason: "\"\(name)\" is not a valid HDF5 link name (empty, or with /)")
            }
        }
        for key in metadata.keys { try check(key, node: prefix.isEmpty ? "(root graph)" : prefix, field: "metadata") }
        for (name, node) in nodes {
            let full = prefix + name
            try check(name, node: full, field: "name")
            for key in node.metadata.keys { try check(key, node: full, field: "metadata") }
            if case let .graph(inner) = node.kind { try inner.validateForWriting(path: path, prefix: full + "/") }
        }
        for edge in edges where nodes[edge.source] == nil || nodes[edge.target] == nil {
            throw .invalidGraph(path: path, reason: "edge \(edge) names a node that \(prefix.isEmpty ? "the graph" : "graph " + prefix) does not have")
        }
    }

    private static func writeNode(_ node: NIRNode, at group: String, in file: HDF5File) throws(DataError) {
        try file.createGroup(group)
        try file.write(string: node.typeName, to: group + "/type")
        func tensor(_ t: NIRTensor, _ field: String) throws(DataError) { try writeTensor(t, to: group + "/" + field, in: file) }
        func ints(_ values: [Int], _ field: String) throws(DataError) { try file.write(values.map(Int64.init), to: group + "/" + field) }
        func int(_ value: Int, _ field: String) throws(DataError) { try file.write(scalar: Int64(value), to: group + "/" + field) }
        var metadata = node.metadata
        switch node.kind {
        case let .input(shape), let .output(shape):
            try ints(shape, "shape")
        case let .affine(weight, bias):
            try tensor(weight, "weight")
            try tensor(bias, "bias")
        case let .linear(weight):
            try tensor(weight, "weight")
        case let .convolution(c):
            try tensor(c.weight, "weight")
            try tensor(c.bias, "bias")
            // Conv1d takes integers, Conv2d pairs (what the Python constructors produce).
            let oneD = c.spatialDimensions == 1
            func spatial(_ values: [Int], _ field: String) throws(DataError) {
                if oneD, values.count == 1 { try int(values[0], field) } else { try ints(values, field) }
            }
            try spatial(c.stride, "stride")
            try spatial(c.dilation, "dilation")
            switch c.padding {
            case let .explicit(p): try spatial(p, "padding")
            case .same: try file.write(string: "same", to: group + "/padding")
            case .valid: try file.write(string: "valid", to: group + "/padding")
            }
            try int(c.groups, "groups")
            if let shape = c.inputShape { try spatial(shape, "input_shape") }
        case let .flatten(f):
            try int(f.startDimension, "start_dim")
            try int(f.endDimension, "end_dim")
            if let shape = f.inputShape { try ints(shape, "input_type") }
        case let .cubaLIF(n):
            try tensor(n.tauSynapse, "tau_syn")
            try tensor(n.tauMembrane, "tau_mem")
            try tensor(n.resistance, "r")
            try tensor(n.leakPotential, "v_leak")
            try tensor(n.threshold, "v_threshold")
            try tensor(n.resetPotential, "v_reset")
            try tensor(n.inputWeight, "w_in")
        case let .cubaLI(n):
            try tensor(n.tauSynapse, "tau_syn")
            try tensor(n.tauMembrane, "tau_mem")
            try tensor(n.resistance, "r")
            try tensor(n.leakPotential, "v_leak")
            try tensor(n.inputWeight, "w_in")
        case let .lif(n):
            try tensor(n.tau, "tau")
            try tensor(n.resistance, "r")
            try tensor(n.leakPotential, "v_leak")
            try tensor(n.threshold, "v_threshold")
            try tensor(n.resetPotential, "v_reset")
        case let .li(n):
            try tensor(n.tau, "tau")
            try tensor(n.resistance, "r")
            try tensor(n.leakPotential, "v_leak")
        case let .sumPool2d(p), let .avgPool2d(p):
            try ints(p.kernelSize, "kernel_size")
            try ints(p.stride, "stride")
            try ints(p.padding, "padding")
        case let .graph(g):
            try file.createGroup(group + "/nodes")
            for name in g.nodes.keys.sorted() {
                try writeNode(g.nodes[name]!, at: group + "/nodes/" + name, in: file)
            }
            try file.write(strings: g.edges.flatMap { [$0.source, $0.target] }, shape: [g.edges.count, 2], to: group + "/edges")
            metadata.merge(g.metadata) { _, graphs in graphs }
        }
        if !metadata.isEmpty { try writeMetadata(metadata, at: group + "/metadata", in: file) }
    }

    private static func writeMetadata(_ metadata: [String: NIRMetadataValue], at group: String, in file: HDF5File) throws(DataError) {
        try file.createGroup(group)
        for key in metadata.keys.sorted() {
            let name = group + "/" + key
            switch metadata[key]! {
            case let .string(s): try file.write(string: s, to: name)
            case let .strings(s): try file.write(strings: s, to: name)
            case let .numbers(t): try writeTensor(t, to: name, in: file)
            case let .dictionary(d): try writeMetadata(d, at: name, in: file)
            }
        }
    }

    private static func writeTensor(_ t: NIRTensor, to name: String, in file: HDF5File) throws(DataError) {
        switch t.precision {
        case .float32: try file.write(t.values.map(Float.init), shape: t.shape, to: name)
        case .float64: try file.write(t.values, shape: t.shape, to: name)
        case .int64: try file.write(t.values.map { Int64(exactly: $0.rounded()) ?? 0 }, shape: t.shape, to: name)
        }
    }

    // MARK: - Reading

    /// Reads the NIR HDF5 file at `path` (written by SNNKit, the `nir` Python package or another NIR tool).
    ///
    /// Checks every node's fields against its type (ranks, matching extents, positive sizes) and that edges name
    /// existing nodes; it does not check that the graph makes sense as a network (``SpikingNetwork/init(nir:timeStep:)``
    /// does). The returned graph's ``origin`` is `path`.
    ///
    /// - Throws: ``NIRError/file(_:)`` when the file cannot be opened or a dataset read;
    ///   ``NIRError/missingField(path:node:field:)`` (including a node without `type`);
    ///   ``NIRError/unknownNodeType(path:node:type:)``; ``NIRError/wrongShape(path:node:field:expected:found:)``;
    ///   ``NIRError/invalidValue(path:node:field:reason:)``; ``NIRError/invalidGraph(path:reason:)``.
    public init(readingFrom path: String) throws(NIRError) {
        let file: HDF5File
        do { file = try HDF5File(readingFrom: path) } catch { throw .file(error) }
        defer { file.close() }
        guard file.isGroup("node") else {
            if file.contains("node") { throw .invalidGraph(path: path, reason: "/node is a dataset, not the root graph's group") }
            throw .invalidGraph(path: path, reason: "no /node group (not a NIR file)")
        }
        let reader = NIRReader(file: file)
        let root = try reader.node(at: "node", name: "(root graph)", depth: 0)
        guard case var .graph(graph) = root.kind else {
            throw .invalidGraph(path: path, reason: "the root node is a \(root.typeName), not a NIRGraph")
        }
        graph.origin = path
        self = graph
    }
}

/// Reads node groups of an open NIR file, mapping every failure to a ``NIRError`` naming the node.
private struct NIRReader {
    let file: HDF5File
    var path: String { file.path }

    func node(at group: String, name: String, depth: Int) throws(NIRError) -> NIRNode {
        guard depth <= NIRGraph.maximumNesting else {
            throw .invalidGraph(path: path, reason: "graphs nested more than \(NIRGraph.maximumNesting) deep at \(name)")
        }
        let type = try string(group, "type", node: name)
        let metadata = file.isGroup(group + "/metadata") ? try self.metadata(at: group + "/metadata", node: name) : [:]
        let field = Fields(reader: self, group: group, node: name)
        let kind: NIRNode.Kind
        switch type {
        case "Input": kind = .input(shape: try field.shape("shape"))
        case "Output": kind = .output(shape: try field.shape("shape"))
        case "Affine", "Linear":
            let weight = try field.tensor("weight")
            guard weight.shape.count == 2 else { throw field.wrongShape("weight", expected: "[out, in]", found: weight.shape) }
            if type == "Linear" {
                kind = .linear(weight: weight)
            } else {
                let bias = try field.tensor("bias")
                guard bias.count == weight.shape[0], bias.shape.count <= 1 else {
                    throw field.wrongShape("bias", expected: "[\(weight.shape[0])]", found: bias.shape)
                }
                kind = .affine(weight: weight, bias: NIRTensor(bias.values, shape: [weight.shape[0]], precision: bias.precision))
            }
        case "Conv1d", "Conv2d":
            let dims = type == "Conv1d" ? 1 : 2
            let weight = try field.tensor("weight")
            guard weight.shape.count == dims + 2, weight.shape.allSatisfy({ $0 > 0 }) else {
                throw field.wrongShape("weight", expected: dims == 1 ? "[C_out, C_in/groups, k]" : "[C_out, C_in/groups, kh, kw]", found: weight.shape)
            }
            let bias = try field.tensor("bias")
            guard bias.count == weight.shape[0], bias.shape.count <= 1 else {
                throw field.wrongShape("bias", expected: "[\(weight.shape[0])]", found: bias.shape)
            }
            let padding: NIRPadding
            if (try? file.typeDescription(of: group + "/padding")) == "string" {
                switch try string(group, "padding", node: name) {
                case "same": padding = .same
                case "valid": padding = .valid
                case let other: throw .invalidValue(path: path, node: name, field: "padding", reason: "\"\(other)\" is not same, valid or integers")
                }
            } else {
                padding = .explicit(try field.spatial("padding", dims: dims, minimum: 0))
            }
            let groups = try field.integers("groups")
            guard groups.count == 1, groups[0] > 0, groups[0] <= NIRGraph.maximumExtent else {
                throw .invalidValue(path: path, node: name, field: "groups", reason: "expected one integer in 1...\(NIRGraph.maximumExtent), found \(groups)")
            }
            let inputShape = file.contains(group + "/input_shape") ? try field.spatial("input_shape", dims: dims, minimum: 1) : nil
            kind = .convolution(NIRConvolution(weight: weight, bias: NIRTensor(bias.values, shape: [weight.shape[0]], precision: bias.precision),
                                               stride: try field.spatial("stride", dims: dims, minimum: 1), padding: padding,
                                               dilation: try field.spatial("dilation", dims: dims, minimum: 1), groups: groups[0],
                                               inputShape: inputShape))
        case "Flatten":
            let start = try field.integers("start_dim"), end = try field.integers("end_dim")
            guard start.count == 1 else { throw field.wrongShape("start_dim", expected: "one integer", found: [start.count]) }
            guard end.count == 1 else { throw field.wrongShape("end_dim", expected: "one integer", found: [end.count]) }
            let input = file.contains(group + "/input_type") ? try field.shape("input_type") : nil
            kind = .flatten(NIRFlatten(inputShape: input, startDimension: start[0], endDimension: end[0]))
        case "CubaLIF":
            let p = try field.neuronParameters(required: ["tau_syn", "tau_mem", "r", "v_leak", "v_threshold"],
                                               defaults: ["v_reset": 0, "w_in": 1])
            kind = .cubaLIF(NIRCubaLIF(tauMembrane: p["tau_mem"]!, tauSynapse: p["tau_syn"]!, resistance: p["r"]!, leakPotential: p["v_leak"]!,
                                       threshold: p["v_threshold"]!, resetPotential: p["v_reset"]!, inputWeight: p["w_in"]!))
        case "CubaLI":
            let p = try field.neuronParameters(required: ["tau_syn", "tau_mem", "r", "v_leak"], defaults: ["w_in": 1])
            kind = .cubaLI(NIRCubaLI(tauMembrane: p["tau_mem"]!, tauSynapse: p["tau_syn"]!, resistance: p["r"]!, leakPotential: p["v_leak"]!,
                                     inputWeight: p["w_in"]!))
        case "LIF":
            let p = try field.neuronParameters(required: ["tau", "r", "v_leak", "v_threshold"], defaults: ["v_reset": 0])
            kind = .lif(NIRLIF(tau: p["tau"]!, resistance: p["r"]!, leakPotential: p["v_leak"]!, threshold: p["v_threshold"]!,
                               resetPotential: p["v_reset"]!))
        case "LI":
            let p = try field.neuronParameters(required: ["tau", "r", "v_leak"], defaults: [:])
            kind = .li(NIRLI(tau: p["tau"]!, resistance: p["r"]!, leakPotential: p["v_leak"]!))
        case "SumPool2d", "AvgPool2d":
            let pooling = NIRPooling(kernelSize: try field.spatial("kernel_size", dims: 2, minimum: 1),
                                     stride: try field.spatial("stride", dims: 2, minimum: 1),
                                     padding: try field.spatial("padding", dims: 2, minimum: 0))
            kind = type == "SumPool2d" ? .sumPool2d(pooling) : .avgPool2d(pooling)
        case "NIRGraph":
            kind = .graph(try graph(at: group, name: name, metadata: metadata, depth: depth))
            return NIRNode(kind)
        default:
            throw .unknownNodeType(path: path, node: name, type: type)
        }
        return NIRNode(kind, metadata: metadata)
    }

    private func graph(at group: String, name: String, metadata: [String: NIRMetadataValue], depth: Int) throws(NIRError) -> NIRGraph {
        guard file.isGroup(group + "/nodes") else { throw .missingField(path: path, node: name, field: "nodes") }
        let prefix = depth == 0 ? "" : name + "/"
        var nodes: [String: NIRNode] = [:]
        for member in try dataCall({ () throws(DataError) in try file.members(of: group + "/nodes") }) {
            guard file.isGroup(group + "/nodes/" + member) else {
                throw .invalidGraph(path: path, reason: "\(prefix)\(member) is a dataset, not a node group")
            }
            nodes[member] = try node(at: group + "/nodes/" + member, name: prefix + member, depth: depth + 1)
        }
        guard file.contains(group + "/edges") else { throw .missingField(path: path, node: name, field: "edges") }
        let edgesName = group + "/edges"
        let dims = try dataCall { () throws(DataError) in try file.shape(of: edgesName) }
        var edges: [NIREdge] = []
        if HDF5File.elementCount(dims) > 0 {
            guard dims.count == 2, dims[1] == 2 else {
                throw .wrongShape(path: path, node: name, field: "edges", expected: "[E, 2] (source, target)", found: "\(dims)")
            }
            let names = try dataCall { () throws(DataError) in try file.readStrings(edgesName) }
            edges = stride(from: 0, to: names.count, by: 2).map { NIREdge(names[$0], names[$0 + 1]) }
        }
        for edge in edges where nodes[edge.source] == nil || nodes[edge.target] == nil {
            let missing = nodes[edge.source] == nil ? edge.source : edge.target
            throw .invalidGraph(path: path, reason: "edge \(edge) of \(depth == 0 ? "the root graph" : "graph " + name) names \(missing), which is not one of its nodes")
        }
        return NIRGraph(nodes: nodes, edges: edges, metadata: metadata)
    }

    private func metadata(at group: String, node: String) throws(NIRError) -> [String: NIRMetadataValue] {
        var result: [String: NIRMetadataValue] = [:]
        for key in try dataCall({ () throws(DataError) in try file.members(of: group) }) {
            let name = group + "/" + key
            if file.isGroup(name) {
                result[key] = .dictionary(try metadata(at: name, node: node))
            } else if try dataCall({ () throws(DataError) in try file.typeDescription(of: name) }) == "string" {
                let dims = try dataCall { () throws(DataError) in try file.shape(of: name) }
                let strings = try dataCall { () throws(DataError) in try file.readStrings(name) }
                result[key] = dims.isEmpty && strings.count == 1 ? .string(strings[0]) : .strings(strings)
            } else {
                // Booleans, enums and compound values (from other tools) are skipped: metadata is optional.
                guard let tensor = try? Fields(reader: self, group: group, node: node).tensor(key) else { continue }
                result[key] = .numbers(tensor)
            }
        }
        return result
    }

    func string(_ group: String, _ field: String, node: String) throws(NIRError) -> String {
        let name = group + "/" + field
        guard file.contains(name) else { throw .missingField(path: path, node: node, field: field) }
        do {
            return try file.readString(name)
        } catch {
            if case .wrongShape = error { throw .wrongShape(path: path, node: node, field: field, expected: "one string", found: "several") }
            throw .file(error)
        }
    }

    func dataCall<R>(_ body: () throws(DataError) -> R) throws(NIRError) -> R {
        do { return try body() } catch { throw .file(error) }
    }
}

/// The fields of one node group.
private struct Fields {
    let reader: NIRReader
    let group: String
    let node: String
    var path: String { reader.path }
    var file: HDF5File { reader.file }

    func wrongShape(_ field: String, expected: String, found: [Int]) -> NIRError {
        .wrongShape(path: path, node: node, field: field, expected: expected, found: "\(found)")
    }

    /// A numeric dataset as a tensor (any integer or floating-point type).
    func tensor(_ field: String) throws(NIRError) -> NIRTensor {
        let name = group + "/" + field
        guard file.contains(name) else { throw .missingField(path: path, node: node, field: field) }
        let dims = try reader.dataCall { () throws(DataError) in try file.shape(of: name) }
        let type = try reader.dataCall { () throws(DataError) in try file.typeDescription(of: name) }
        let values = try reader.dataCall { () throws(DataError) in try file.read(name, as: Double.self) }
        let precision: NIRTensor.Precision = type == "float32" || type == "float16" ? .float32 : type.hasPrefix("float") ? .float64 : .int64
        guard dims.allSatisfy({ $0 >= 0 }), HDF5File.elementCount(dims) == values.count else {
            throw wrongShape(field, expected: "\(values.count) values", found: dims)
        }
        return NIRTensor(values, shape: dims, precision: precision)
    }

    /// Integers (a scalar or an array, any numeric type holding whole numbers).
    func integers(_ field: String) throws(NIRError) -> [Int] {
        let t = try tensor(field)
        var result: [Int] = []
        for v in t.values {
            guard v.rounded() == v, abs(v) < 1e15 else {
                throw .invalidValue(path: path, node: node, field: field, reason: "\(v) is not an integer")
            }
            result.append(Int(v))
        }
        return result
    }

    /// A shape: positive integers (a scalar is a one-dimensional shape).
    func shape(_ field: String) throws(NIRError) -> [Int] {
        let values = try integers(field)
        guard !values.isEmpty, values.allSatisfy({ $0 > 0 }) else {
            throw .invalidValue(path: path, node: node, field: field, reason: "a shape needs positive extents, found \(values)")
        }
        guard HDF5File.elementCount(values) <= NIRGraph.maximumElements else {
            throw .invalidValue(path: path, node: node, field: field, reason: "shape \(values) has more than \(NIRGraph.maximumElements) elements")
        }
        return values
    }

    /// One integer per spatial dimension (a scalar applies to all), each at least `minimum`.
    func spatial(_ field: String, dims: Int, minimum: Int) throws(NIRError) -> [Int] {
        var values = try integers(field)
        if values.count == 1 && dims > 1 { values = Array(repeating: values[0], count: dims) }
        guard values.count == dims else { throw wrongShape(field, expected: "\(dims) integers", found: [values.count]) }
        guard values.allSatisfy({ $0 >= minimum && $0 <= NIRGraph.maximumExtent }) else {
            throw .invalidValue(path: path, node: node, field: field,
                                reason: "values must be between \(minimum) and \(NIRGraph.maximumExtent), found \(values)")
        }
        return values
    }

    /// Neuron parameter arrays: all of the node's shape (the largest one), or one value broadcast to it; fields in
    /// `defaults` may be absent and then hold their default everywhere. Values must be finite.
    func neuronParameters(required: [String], defaults: [String: Double]) throws(NIRError) -> [String: NIRTensor] {
        var found: [String: NIRTensor] = [:]
        for field in required { found[field] = try tensor(field) }
        for field in defaults.keys where file.contains(group + "/" + field) { found[field] = try tensor(field) }
        let shape = found.values.max { $0.count < $1.count }!.shape
        let count = shape.reduce(1, *)
        var result: [String: NIRTensor] = [:]
        for field in required + defaults.keys.sorted() {
            guard let t = found[field] else {
                result[field] = NIRTensor(repeating: defaults[field]!, shape: shape)
                continue
            }
            guard t.count == count || t.count == 1 else { throw wrongShape(field, expected: "\(shape) (the node's shape) or one value", found: t.shape) }
            guard t.values.allSatisfy(\.isFinite) else {
                throw .invalidValue(path: path, node: node, field: field, reason: "values must be finite")
            }
            result[field] = t.count == count ? NIRTensor(t.values, shape: shape, precision: t.precision)
                : NIRTensor(repeating: t.values[0], shape: shape, precision: t.precision)
        }
        return result
    }
}
