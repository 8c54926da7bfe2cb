/// A graph of the Neuromorphic Intermediate Representation (NIR): named computational nodes and the directed edges
/// between them.
///
/// NIR is the interchange format of neuromorphic simulators and hardware (Pedersen et al. 2024, Nature
/// Communications 15, 8122). A graph's nodes are neurons in continuous time (``NIRNode/Kind/cubaLIF(_:)``), weights
/// (``NIRNode/Kind/affine(weight:bias:)``, ``NIRNode/Kind/convolution(_:)``), layout changes and nested graphs; an
/// edge sends the output of its source to the input of its target, and the inputs a node receives add up.
///
/// ```swift
/// let graph = try NIRGraph(network: net)             // SNNKit → NIR (docs/nir.md has the parameter mapping)
/// try graph.write(to: "model.nir")                    // the HDF5 layout of the `nir` Python package
/// let back = try SpikingNetwork(nir: NIRGraph(readingFrom: "model.nir"))
/// ```
/// Equality ignores ``origin``.
public struct NIRGraph: Sendable, Hashable {
    /// The nodes by name. Names are unique within a graph; a nested graph has its own names.
    public var nodes: [String: NIRNode]
    /// The edges, in order.
    public var edges: [NIREdge]
    /// Free-form information about the graph (NIR `metadata`); backends must not need it to run the graph.
    public var metadata: [String: NIRMetadataValue]
    /// The file the graph was read from, named by errors about it; `nil` for a graph built in memory.
    public var origin: String?

    /// Creates a graph.
    public init(nodes: [String: NIRNode], edges: [NIREdge], metadata: [String: NIRMetadataValue] = [:], origin: String? = nil) {
        self.nodes = nodes
        self.edges = edges
        self.metadata = metadata
        self.origin = origin
    }

    /// Whether two graphs have the same nodes, edges and metadata (``origin`` is ignored).
    public static func == (lhs: NIRGraph, rhs: NIRGraph) -> Bool {
        lhs.nodes == rhs.nodes && lhs.edges == rhs.edges && lhs.metadata == rhs.metadata
    }

    /// Hashes the nodes, edges and metadata (not ``origin``).
    public func hash(into hasher: inout Hasher) {
        hasher.combine(nodes)
        hasher.combine(edges)
        hasher.combine(metadata)
    }

    /// The names of the nodes that send to `name`, in edge order.
    public func predecessors(of name: String) -> [String] { edges.filter { $0.target == name }.map(\.source) }

    /// The names of the nodes `name` sends to, in edge order.
    public func successors(of name: String) -> [String] { edges.filter { $0.source == name }.map(\.target) }

    /// How errors name the graph's file: ``origin``, or `"NIR graph"` for a graph built in memory.
    var fileName: String { origin ?? "NIR graph" }
}

/// A directed edge of a ``NIRGraph``: the output of `source` goes to the input of `target`.
public struct NIREdge: Sendable, Hashable, CustomStringConvertible {
    /// The sending node's name.
    public var source: String
    /// The receiving node's name.
    public var target: String

    /// Creates an edge.
    public init(_ source: String, _ target: String) {
        self.source = source
        self.target = target
    }

    /// `"a → b"`.
    public var description: String { "\(source) → \(target)" }
}

/// A row-major array of numbers in a NIR graph (weights, time constants, shapes of metadata).
///
/// Values are held as `Double`; ``precision`` is the element type written to the file (`float32` for weights, so that
/// SNNKit's `Float` weights round-trip exactly; `float64` for time constants).
public struct NIRTensor: Sendable, Hashable, CustomStringConvertible {
    /// The element type a tensor is stored as.
    public enum Precision: String, Sendable, Hashable {
        /// IEEE single precision.
        case float32
        /// IEEE double precision.
        case float64
        /// 64-bit signed integers.
        case int64
    }

    /// The dimensions (empty for a scalar).
    public private(set) var shape: [Int]
    /// The values, row-major; `count` is the product of ``shape``.
    public private(set) var values: [Double]
    /// The element type in the file.
    public var precision: Precision

    /// Creates a tensor; `shape` defaults to one dimension of `values.count`.
    /// - Precondition: `shape` holds `values.count` elements.
    public init(_ values: [Double], shape: [Int]? = nil, precision: Precision = .float64) {
        let dims = shape ?? [values.count]
        precondition(dims.allSatisfy { $0 >= 0 } && dims.reduce(1, *) == values.count,
                     "NIRTensor: shape \(dims) does not hold \(values.count) values")
        self.shape = dims
        self.values = values
        self.precision = precision
    }

    /// A tensor of `shape` with every element `value`.
    public init(repeating value: Double, shape: [Int], precision: Precision = .float64) {
        self.init(Array(repeating: value, count: shape.reduce(1, *)), shape: shape, precision: precision)
    }

    /// Number of elements.
    public var count: Int { values.count }

    /// Whether every element has the same value (true for an empty tensor).
    public var isUniform: Bool { values.allSatisfy { $0 == values.first } }

    /// `"float32[16, 1, 21]"`.
    public var description: String { "\(precision.rawValue)\(shape)" }
}

/// One value of a NIR `metadata` dictionary.
public enum NIRMetadataValue: Sendable, Hashable {
    /// A string.
    case string(String)
    /// Several strings (a string dataset of rank ≥ 1), row-major.
    case strings([String])
    /// A number or an array of numbers.
    case numbers(NIRTensor)
    /// A nested dictionary (an HDF5 group).
    indirect case dictionary([String: NIRMetadataValue])

    /// The string, if the value is one string.
    public var string: String? {
        if case let .string(s) = self { return s }
        return nil
    }

    /// The single number, if the value is a tensor of one element.
    public var number: Double? {
        if case let .numbers(t) = self, t.count == 1 { return t.values[0] }
        return nil
    }
}
