import SNNKit

/// One entry of `network.layers`: a mapping tagged by `type` (`lif`, `adaptiveLIF`, `dale`, `conv`, `pool`,
/// `readout`), whose other keys are those of the variant's configuration.
public enum LayerConfiguration: Sendable, Hashable, Codable {
    /// `type: lif`.
    case lif(LIFLayerConfiguration)
    /// `type: adaptiveLIF` (an LIF layer with an adaptation current).
    case adaptiveLIF(LIFLayerConfiguration)
    /// `type: dale`.
    case dale(DaleLayerConfiguration)
    /// `type: conv`.
    case conv(ConvolutionalLayerConfiguration)
    /// `type: pool`.
    case pool(PoolingLayerConfiguration)
    /// `type: readout`.
    case readout(ReadoutLayerConfiguration)

    /// The `type` names.
    static let typeNames = ["lif", "adaptiveLIF", "dale", "conv", "pool", "readout"]

    /// Decodes the tagged mapping.
    public init(from decoder: any Decoder) throws {
        let shared = ["type"]
        switch try decoder.variantName(options: Self.typeNames, what: "layer type", allowsShorthand: false).name {
        case "lif": self = .lif(try LIFLayerConfiguration(from: decoder, sharing: shared, isAdaptive: false))
        case "adaptiveLIF": self = .adaptiveLIF(try LIFLayerConfiguration(from: decoder, sharing: shared, isAdaptive: true))
        case "dale": self = .dale(try DaleLayerConfiguration(from: decoder, sharing: shared))
        case "conv": self = .conv(try ConvolutionalLayerConfiguration(from: decoder, sharing: shared))
        case "pool": self = .pool(try PoolingLayerConfiguration(from: decoder, sharing: shared))
        default: self = .readout(try ReadoutLayerConfiguration(from: decoder, sharing: shared))
        }
    }

    /// Encodes `type` and the variant's keys in one mapping.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: AnyCodingKey.self)
        try c.encode(typeName, forKey: AnyCodingKey("type"))
        switch self {
        case let .lif(l), let .adaptiveLIF(l): try l.encode(to: encoder)
        case let .dale(l): try l.encode(to: encoder)
        case let .conv(l): try l.encode(to: encoder)
        case let .pool(l): try l.encode(to: encoder)
        case let .readout(l): try l.encode(to: encoder)
        }
    }

    /// The `type` name.
    public var typeName: String {
        switch self {
        case .lif: return "lif"
        case .adaptiveLIF: return "adaptiveLIF"
        case .dale: return "dale"
        case .conv: return "conv"
        case .pool: return "pool"
        case .readout: return "readout"
        }
    }

    /// The SNNKit declaration this entry becomes.
    public var declaration: any LayerDeclaration {
        switch self {
        case let .lif(l), let .adaptiveLIF(l): return l.declaration
        case let .dale(l): return l.declaration
        case let .conv(l): return l.declaration
        case let .pool(l): return l.declaration
        case let .readout(l): return l.declaration
        }
    }

    /// The layer's skip sources (LIF layers only).
    var skipSources: [SkipSource] {
        switch self {
        case let .lif(l), let .adaptiveLIF(l): return l.skipSources
        default: return []
        }
    }
}
