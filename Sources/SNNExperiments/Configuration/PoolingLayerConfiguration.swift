import SNNKit

/// `kind:` of a pooling layer.
public enum PoolingKindOption: String, Sendable, Hashable, Codable, CaseIterable {
    /// Maximum over the window (spikes stay binary).
    case max
    /// Mean over the window.
    case average
    /// Sum over the window.
    case sum

    /// The SNNKit value.
    public var value: PoolingKind {
        switch self {
        case .max: return .max
        case .average: return .average
        case .sum: return .sum
        }
    }
}

/// A layer entry of `type: pool` — a ``PoolingLayer`` over the previous layer's grid (no dynamics, no delay).
///
/// ```yaml
/// - type: pool
///   kind: max                 # max (default), average or sum
///   window: [2, 2]            # required: 1 or 2 extents
///   stride: [2, 2]            # default: the window
///   padding: [0, 0]           # default 0
///   name: pool1
/// ```
public struct PoolingLayerConfiguration: Sendable, Hashable, Codable {
    /// The pooling function.
    public var kind: PoolingKindOption
    /// Window extent per spatial dimension.
    public var window: [Int]
    /// Stride per dimension (default: the window).
    public var stride: [Int]?
    /// Padding per dimension (default 0).
    public var padding: [Int]?
    /// Optional name for reports.
    public var name: String?

    /// The YAML keys.
    enum CodingKeys: String, CodingKey, CaseIterable {
        case kind, window, stride, padding, name
    }

    /// Creates an entry.
    public init(kind: PoolingKindOption = .max, window: [Int], stride: [Int]? = nil, padding: [Int]? = nil, name: String? = nil) {
        self.kind = kind
        self.window = window
        self.stride = stride
        self.padding = padding
        self.name = name
    }

    /// Decodes a mapping.
    public init(from decoder: any Decoder) throws { try self.init(from: decoder, sharing: []) }

    /// Decodes an entry whose mapping also holds the `shared` keys.
    init(from decoder: any Decoder, sharing shared: [String]) throws {
        let c = try decoder.strictContainer(keyedBy: CodingKeys.self, sharing: shared)
        kind = try c.keyword(.kind, default: .max, what: "pooling kind")
        let window = try c.requiredExtents(.window, minimum: 1)
        self.window = window
        stride = try c.extents(.stride, minimum: 1, count: window.count)
        padding = try c.extents(.padding, minimum: 0, count: window.count)
        name = try c.decodeIfPresent(String.self, forKey: .name)
    }

    /// The SNNKit declaration.
    public var declaration: PoolingLayer {
        PoolingLayer(kind.value, window: window, stride: stride, padding: padding, name: name)
    }
}
