import SNNKit

/// An entry of `skipSources:` — an extra feed-forward source of an LIF layer: `input` or an earlier layer's index
/// (0-based, in `network.layers`).
public enum SkipSource: Sendable, Hashable, Codable, CustomStringConvertible {
    /// The network input.
    case input
    /// The layer at this index of `network.layers`.
    case layer(Int)

    /// The SNNKit value.
    public var value: LayerSource {
        switch self {
        case .input: return .input
        case let .layer(k): return .layer(k)
        }
    }

    /// Decodes `input` or a non-negative integer.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if let index = try? c.decode(Int.self) {
            guard index >= 0 else { throw ConfigurationIssue(at: decoder.codingPath, "expected a layer index ≥ 0 or \"input\", found \(index)") }
            self = .layer(index)
            return
        }
        let text = (try? c.decode(String.self)) ?? "a list or mapping"
        guard text == "input" else { throw ConfigurationIssue(at: decoder.codingPath, "expected a layer index or \"input\", found \(text)") }
        self = .input
    }

    /// Encodes `input` or the index.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        switch self {
        case .input: try c.encode("input")
        case let .layer(k): try c.encode(k)
        }
    }

    /// `input` or `layer 2`.
    public var description: String {
        switch self {
        case .input: return "input"
        case let .layer(k): return "layer \(k)"
        }
    }
}
