import SNNKit

/// The `network` section: the input layout and the layers in order.
///
/// ```yaml
/// network:
///   inputs: 700               # optional: defaults to the data's channel count (or the product of inputShape)
///   inputShape: [2, 32, 32]   # optional: [channels, spatial...], channels-last units (e.g. DVS frames)
///   layers:
///     - {type: lif, size: 128}
///     - {type: readout, size: 20, tauMembrane: 700 ms}
/// ```
public struct NetworkConfiguration: Sendable, Hashable, Codable {
    /// Number of input channels; nil takes it from `inputShape` or the data.
    public var inputs: Int?
    /// The input's layout `[channels, spatial...]` (0, 1 or 2 spatial extents); nil for flat input.
    public var inputShape: [Int]?
    /// The layers, in execution order; the last one is the output.
    public var layers: [LayerConfiguration]

    /// The YAML keys.
    enum CodingKeys: String, CodingKey, CaseIterable {
        case inputs, inputShape, layers
    }

    /// Creates a network section.
    public init(inputs: Int? = nil, inputShape: [Int]? = nil, layers: [LayerConfiguration]) {
        self.inputs = inputs
        self.inputShape = inputShape
        self.layers = layers
    }

    /// Decodes the section, checking sizes.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.strictContainer(keyedBy: CodingKeys.self)
        inputs = try c.optionalPositiveInteger(.inputs)
        inputShape = try c.decodeIfPresent([Int].self, forKey: .inputShape)
        if let shape = inputShape, !(1...3).contains(shape.count) || shape.contains(where: { $0 <= 0 }) {
            throw c.issue(.inputShape, "expected [channels] or [channels, length] or [channels, height, width] with positive entries, found \(shape)")
        }
        if let inputs, let shape = inputShape, shape.reduce(1, *) != inputs {
            throw c.issue(.inputShape, "holds \(shape.reduce(1, *)) units, but network.inputs is \(inputs)")
        }
        layers = try c.decode([LayerConfiguration].self, forKey: .layers)
        guard !layers.isEmpty else { throw c.issue(.layers, "expected at least one layer, found []") }
        for (k, layer) in layers.enumerated() {
            for (j, source) in layer.skipSources.enumerated() {
                if case let .layer(s) = source, s >= k {
                    throw ConfigurationIssue(path: [PathComponent](codingPath: c.codingPath) + [.key("layers"), .index(k), .key("skipSources"), .index(j)],
                                             kind: .invalid("expected \"input\" or an earlier layer's index (below \(k)), found \(s)"))
                }
            }
        }
    }
}
