import SNNKit

extension ExperimentConfiguration {
    /// The input layout `[channels, spatial...]`: `network.inputShape`, else the data's.
    public var inputShape: [Int] { network.inputShape ?? data.source.inputShape }

    /// Builds the network the configuration declares (weights at SNNKit's default `U(±1/√n)`, seed 0; see
    /// ``run(progress:dataOverride:log:onEpoch:)`` for the configured initialization).
    /// - Throws: ``ConfigurationFileError`` naming the layer (`network.layers[2]`) whose geometry or parameters
    ///   SNNKit rejects.
    public func makeNetwork() throws -> SpikingNetwork {
        do {
            return try buildNetwork()
        } catch {
            throw fileError(error)
        }
    }

    /// Builds the network; on failure, finds the first layer that cannot be built.
    func buildNetwork() throws(ConfigurationIssue) -> SpikingNetwork {
        try checkConsistency()
        let shape = inputShape
        let activity = ActivityShape(channels: shape[0], spatial: Array(shape.dropFirst()))
        let timeStep = data.timeStep.duration
        let declarations = network.layers.map(\.declaration)
        func build(_ count: Int) throws(ConfigurationError) -> SpikingNetwork {
            try SpikingNetwork(inputs: activity.count, inputShape: activity, timeStep: timeStep) {
                for declaration in declarations.prefix(count) { declaration }
            }
        }
        do {
            return try build(declarations.count)
        } catch {
            for k in declarations.indices {
                do {
                    _ = try build(k + 1)
                } catch {
                    throw ConfigurationIssue(path: [.key("network"), .key("layers"), .index(k)], kind: .invalid(error.description))
                }
            }
            throw ConfigurationIssue(path: [.key("network")], kind: .invalid(error.description))
        }
    }
}
