/// Why a NIR graph cannot be read, written, exported from or imported into SNNKit; every case names the file (or
/// `"NIR graph"` for one built in memory) and, where one is involved, the node or layer.
///
/// Nodes of nested graphs are named by their path, `"layer0/neurons"`.
public enum NIRError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The HDF5 file could not be opened, read or written (missing dataset, wrong element type, …).
    case file(DataError)
    /// A node lacks a field its type requires (`type` itself, or e.g. `weight` of an `Affine`).
    case missingField(path: String, node: String, field: String)
    /// A node's `type` is not one SNNKit reads (an unknown name, or a NIR primitive such as `Delay`).
    case unknownNodeType(path: String, node: String, type: String)
    /// A field has the wrong rank or extent (e.g. a bias that does not match the weight, or a time-constant array that
    /// does not match the node's shape).
    case wrongShape(path: String, node: String, field: String, expected: String, found: String)
    /// A field holds an invalid value (a non-positive time constant, a node name with `/`, an unknown padding).
    case invalidValue(path: String, node: String, field: String, reason: String)
    /// The graph's structure is invalid: an edge names a missing node, there is no `Input`, ….
    case invalidGraph(path: String, reason: String)
    /// A valid NIR node that an SNNKit network cannot express (e.g. a non-zero `v_leak` or `v_reset`, per-neuron
    /// thresholds, a recurrence through several layers).
    case unsupportedNode(path: String, node: String, reason: String)
    /// An SNNKit layer that NIR cannot express (adaptive, excitatory/inhibitory, stochastic or leaky subtractive-reset
    /// neurons, max pooling, …).
    case unsupportedLayer(layer: String, reason: String)
    /// Importing needs a time step Δt: the graph has no `snnkit_time_step` metadata and none was given.
    case missingTimeStep(path: String)
    /// The imported network does not validate (e.g. Δt not below a time constant).
    case invalidNetwork(path: String, reason: String)

    /// A one-line explanation naming the file and the node, field or layer.
    public var description: String {
        switch self {
        case let .file(error):
            return error.description
        case let .missingField(path, node, field):
            return "\(path): NIR node \(node) has no field \(field)"
        case let .unknownNodeType(path, node, type):
            let kind = NIRNode.otherNIRTypes.contains(type) ? "the NIR primitive \(type), which SNNKit does not support"
                : "unknown type \"\(type)\""
            return "\(path): NIR node \(node) has \(kind) (SNNKit reads \(NIRNode.readableTypes.joined(separator: ", ")))"
        case let .wrongShape(path, node, field, expected, found):
            return "\(path): NIR node \(node) field \(field) has the wrong shape: expected \(expected), found \(found)"
        case let .invalidValue(path, node, field, reason):
            return "\(path): NIR node \(node) field \(field) is invalid: \(reason)"
        case let .invalidGraph(path, reason):
            return "\(path): invalid NIR graph: \(reason)"
        case let .unsupportedNode(path, node, reason):
            return "\(path): NIR node \(node) cannot be imported into SNNKit: \(reason)"
        case let .unsupportedLayer(layer, reason):
            return "layer \(layer) cannot be exported to NIR: \(reason)"
        case let .missingTimeStep(path):
            return "\(path): the NIR graph has no snnkit_time_step metadata; give the time step Δt to import it"
        case let .invalidNetwork(path, reason):
            return "\(path): the imported network is invalid: \(reason)"
        }
    }
}
