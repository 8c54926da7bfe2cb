import SNNKit

/// An experiment written as a YAML file: the data, the network, its initialization and its training
/// (`configs/*.yaml`; run one with `snn train CONFIG`).
///
/// ```yaml
/// name: shallow Randman                # optional
/// data:
///   kind: randman
///   timeStep: 2 ms
/// network:
///   layers:
///     - {type: lif, size: 128}
///     - {type: readout, size: 10, tauMembrane: 200 ms, initialState: -1e-2}
/// initialization:
///   method: {type: fluctuationDriven, sigmaU: 1}
///   rates: {type: measured, samples: 256}
/// training:
///   epochs: 200
///   batchSize: 250
///   optimizer: {type: smorms3, learningRate: 5e-3}
///   regularizers:
///     - {type: lowerBound, strength: 100, threshold: 1e-3, per: neuron}
///     - {type: upperBound, strength: 0.1, threshold: 4, per: population}
/// ```
/// Keys are camelCase; times carry units (`"2 ms"`); unknown keys are errors. ``load(from:)`` reports every problem
/// as a ``ConfigurationFileError`` naming the file, the key path and the line.
public struct ExperimentConfiguration: Sendable, Hashable, Codable {
    /// A name for reports.
    public var name: String?
    /// The data and the time step.
    public var data: DataConfiguration
    /// The layers.
    public var network: NetworkConfiguration
    /// How the weights are drawn.
    public var initialization: InitializationConfiguration
    /// How the network is trained.
    public var training: TrainingConfiguration
    /// The file the configuration was read from (not part of the encoded form); errors name it.
    public var sourcePath: String?

    /// The YAML keys.
    enum CodingKeys: String, CodingKey, CaseIterable {
        case name, data, network, initialization, training
    }

    /// Creates a configuration in code.
    public init(name: String? = nil, data: DataConfiguration, network: NetworkConfiguration,
                initialization: InitializationConfiguration = InitializationConfiguration(), training: TrainingConfiguration,
                sourcePath: String? = nil) {
        self.name = name
        self.data = data
        self.network = network
        self.initialization = initialization
        self.training = training
        self.sourcePath = sourcePath
    }

    /// Decodes the four sections and checks that they agree (input size, classes, regularized layers).
    public init(from decoder: any Decoder) throws {
        let c = try decoder.strictContainer(keyedBy: CodingKeys.self)
        name = try c.decodeIfPresent(String.self, forKey: .name)
        data = try c.decode(DataConfiguration.self, forKey: .data)
        network = try c.decode(NetworkConfiguration.self, forKey: .network)
        initialization = try c.decode(.initialization, default: InitializationConfiguration())
        training = try c.decode(TrainingConfiguration.self, forKey: .training)
        sourcePath = nil
        try checkConsistency()
    }

    /// Checks what no single section can: the input size against the data, the output size against the classes,
    /// the layers named by regularizers.
    func checkConsistency() throws(ConfigurationIssue) {
        let dataShape = data.source.inputShape, dataUnits = dataShape.reduce(1, *)
        if let inputs = network.inputs, inputs != dataUnits {
            throw ConfigurationIssue(path: [.key("network"), .key("inputs")],
                                     kind: .invalid("expected \(dataUnits) (the \(data.source.kind) data's input units \(dataShape)), found \(inputs)"))
        }
        if let shape = network.inputShape, shape.reduce(1, *) != dataUnits {
            throw ConfigurationIssue(path: [.key("network"), .key("inputShape")],
                                     kind: .invalid("holds \(shape.reduce(1, *)) units, but the \(data.source.kind) data has \(dataUnits) \(dataShape)"))
        }
        if let classes = data.source.classes, let last = network.layers.last {
            let size: Int?
            switch last {
            case let .readout(r): size = r.size
            case let .lif(l), let .adaptiveLIF(l): size = l.size
            default: size = nil
            }
            if let size, size < classes {
                throw ConfigurationIssue(path: [.key("network"), .key("layers"), .index(network.layers.count - 1), .key("size")],
                                         kind: .invalid("the output layer needs one unit per class: expected at least \(classes), found \(size)"))
            }
        }
        _ = try network.checkGeometry(inputShape: network.inputShape ?? dataShape)
        for (i, r) in training.regularizers.enumerated() {
            if let layers = r.layers, let bad = layers.first(where: { $0 >= network.layers.count }) {
                throw ConfigurationIssue(path: [.key("training"), .key("regularizers"), .index(i), .key("layers")],
                                         kind: .invalid("layer \(bad) does not exist (network.layers has \(network.layers.count) entries)"))
            }
        }
    }
}
