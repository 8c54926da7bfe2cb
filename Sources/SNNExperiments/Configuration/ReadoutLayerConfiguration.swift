import SNNKit

/// A layer entry of `type: readout` — a non-spiking ``LeakyReadout`` (SPEC §1.2), usually the last layer.
///
/// ```yaml
/// - type: readout
///   size: 20                  # required: one unit per class
///   tauMembrane: 700 ms       # required: usually the sample duration
///   tauSynapse: 10 ms         # default 10 ms
///   initialState: -1e-3       # O before the first step (default -1e-3)
///   bias: false
///   name: readout
/// ```
public struct ReadoutLayerConfiguration: Sendable, Hashable, Codable {
    /// Number of output units.
    public var size: Int
    /// τ_mem (usually the whole sample duration).
    public var tauMembrane: DurationValue
    /// τ_syn.
    public var tauSynapse: DurationValue
    /// The output's value before the first step.
    public var initialState: Double
    /// Whether the projection carries a bias.
    public var bias: Bool
    /// Optional name for reports.
    public var name: String?

    /// The YAML keys.
    enum CodingKeys: String, CodingKey, CaseIterable {
        case size, tauMembrane, tauSynapse, initialState, bias, name
    }

    /// Creates an entry.
    public init(size: Int, tauMembrane: Duration, tauSynapse: Duration = .milliseconds(10), initialState: Double = -1e-3, bias: Bool = false,
                name: String? = nil) {
        self.size = size
        self.tauMembrane = DurationValue(tauMembrane)
        self.tauSynapse = DurationValue(tauSynapse)
        self.initialState = initialState
        self.bias = bias
        self.name = name
    }

    /// Decodes a mapping.
    public init(from decoder: any Decoder) throws { try self.init(from: decoder, sharing: []) }

    /// Decodes an entry whose mapping also holds the `shared` keys.
    init(from decoder: any Decoder, sharing shared: [String]) throws {
        let c = try decoder.strictContainer(keyedBy: CodingKeys.self, sharing: shared)
        size = try c.positiveInteger(.size)
        tauMembrane = try c.positiveDuration(.tauMembrane)
        tauSynapse = try c.positiveDuration(.tauSynapse, default: .milliseconds(10))
        initialState = try c.finiteNumber(.initialState, default: -1e-3)
        bias = try c.decode(.bias, default: false)
        name = try c.decodeIfPresent(String.self, forKey: .name)
    }

    /// The SNNKit declaration.
    public var declaration: LeakyReadout {
        LeakyReadout(size, tauMembrane: tauMembrane.duration, tauSynapse: tauSynapse.duration, initialState: Float(initialState), hasBias: bias,
                     name: name)
    }
}
