/// A layer obeying Dale's law (SPEC §1.4): an excitatory and an inhibitory population of E/I LIF neurons in one
/// layer, with non-negative weights on every projection.
///
/// Units `0..<excitatory` are excitatory, the rest inhibitory. Projections: input → all (excitatory synapse),
/// E → all (excitatory, when `hasRecurrentExcitation`), I → all (inhibitory synapse, always: it balances the
/// excitation). Only the E units project to later layers (``Layer/outputUnits``). The reference example uses
/// 128 E and 32 I neurons, τ_mem 20 ms, τ_exc 10 ms, τ_inh 20 ms, and the exponential initializer of SPEC §3.3.
public struct DalianLayer: LayerDeclaration {
    /// Number of excitatory neurons N_E.
    public var excitatory: Int
    /// Number of inhibitory neurons N_I.
    public var inhibitory: Int
    /// The E/I neuron dynamics (shared by both populations).
    public var dynamics: ExcitatoryInhibitoryDynamics
    /// Whether E neurons project recurrently onto the layer (E→E, E→I).
    public var hasRecurrentExcitation: Bool
    /// Optional name for reports.
    public var name: String?

    /// Declares a Dalian layer.
    public init(excitatory: Int, inhibitory: Int, dynamics: ExcitatoryInhibitoryDynamics = .init(),
                hasRecurrentExcitation: Bool = true, name: String? = nil) {
        self.excitatory = excitatory
        self.inhibitory = inhibitory
        self.dynamics = dynamics
        self.hasRecurrentExcitation = hasRecurrentExcitation
        self.name = name
    }

    /// Builds the layer.
    public func makeLayer(in context: LayerContext) throws(ConfigurationError) -> Layer {
        let index = context.index
        try ConfigurationError.requirePositive(excitatory, "layer \(index) (Dalian) excitatory")
        try ConfigurationError.requirePositive(inhibitory, "layer \(index) (Dalian) inhibitory")
        let size = excitatory + inhibitory
        var afferents = [context.denseProjection(from: context.previous, into: size, constraint: .nonNegative)]
        if hasRecurrentExcitation {
            afferents.append(Projection(source: .layer(index), targetSize: size, sourceSize: size, sourceUnits: 0..<excitatory,
                                        constraint: .nonNegative))
        }
        afferents.append(Projection(source: .layer(index), targetSize: size, sourceSize: size, sourceUnits: excitatory..<size,
                                    synapse: .inhibitory, constraint: .nonNegative))
        return Layer(name: name ?? "dale\(index + 1)", size: size, neuron: .excitatoryInhibitory(dynamics), afferents: afferents,
                     outputUnits: 0..<excitatory)
    }
}
