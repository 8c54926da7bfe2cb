import Foundation

/// What an optimizer carries from one step to the next, exported for checkpoints: its kind, hyper-parameters,
/// update count and per-parameter moments.
///
/// ```swift
/// let state = optimizer.exportState(for: network)          // e.g. SMORMS3: moments "mem", "g", "g2"
/// var fresh = SMORMS3(learningRate: 5e-3)
/// try fresh.restoreState(state!, for: network)              // continues exactly where `optimizer` was
/// ```
/// A ``Checkpoint`` stores the moments as tensors `optimizer.<moment>.<parameter>` and the rest in its metadata.
public struct OptimizerState: Sendable, Hashable {
    /// The optimizer: `"smorms3"`, `"adam"`, `"sgd"`, or a custom optimizer's own name.
    public var kind: String
    /// Hyper-parameters by name: `learningRate` (the base rate, before any schedule) and `epsilon` (SMORMS3, Adam),
    /// `beta1`, `beta2` (Adam), `momentum`, `nesterov` (1 or 0) (SGD).
    public var hyperparameters: [String: Double]
    /// The number of updates applied so far.
    public var step: Int
    /// The per-parameter moments by name (SMORMS3: `mem`, `g`, `g2`; Adam: `m`, `v`; SGD: `velocity`), each with
    /// one entry per parameter holding as many elements as the parameter. Empty before the first update.
    public var moments: [String: [ParameterID: [Float]]]

    /// Creates a state.
    public init(kind: String, hyperparameters: [String: Double], step: Int, moments: [String: [ParameterID: [Float]]]) {
        self.kind = kind
        self.hyperparameters = hyperparameters
        self.step = step
        self.moments = moments
    }

    /// Whether the optimizer has taken no step yet (no moments to restore).
    public var isEmpty: Bool { moments.isEmpty }

    /// A new optimizer of ``kind`` with these hyper-parameters and moments (`smorms3`, `adam` and `sgd`).
    /// - Throws: ``CheckpointError/incompatible(path:reason:)`` (with an empty path) for another kind or a missing
    ///   hyper-parameter; the errors of ``Optimizer/restoreState(_:for:)``.
    public func makeOptimizer(for network: SpikingNetwork) throws(CheckpointError) -> any Optimizer {
        func value(_ name: String) throws(CheckpointError) -> Double {
            guard let v = hyperparameters[name], v.isFinite else {
                throw .incompatible(path: "", reason: "the \(kind) optimizer state has no finite hyper-parameter \(name)")
            }
            return v
        }
        var optimizer: any Optimizer
        switch kind {
        case SMORMS3.kind:
            optimizer = SMORMS3(learningRate: try value("learningRate"), epsilon: Float(try value("epsilon")))
        case Adam.kind:
            optimizer = Adam(learningRate: try value("learningRate"), betas: (Float(try value("beta1")), Float(try value("beta2"))),
                             epsilon: Float(try value("epsilon")))
        case SGD.kind:
            optimizer = SGD(learningRate: try value("learningRate"), momentum: Float(try value("momentum")),
                            isNesterov: try value("nesterov") != 0)
        default:
            throw .incompatible(path: "", reason: "unknown optimizer kind \"\(kind)\" (SNNKit makes smorms3, adam and sgd)")
        }
        try optimizer.restoreState(self, for: network)
        return optimizer
    }

    /// The state of an optimizer whose moments are stored per parameter in `network.parameterIDs` order.
    init(kind: String, hyperparameters: [String: Double], step: Int, moments: [String: [[Float]]], network: SpikingNetwork) {
        let ids = network.parameterIDs
        var byName: [String: [ParameterID: [Float]]] = [:]
        for (name, values) in moments where values.count == ids.count {
            byName[name] = Dictionary(uniqueKeysWithValues: zip(ids, values))
        }
        self.init(kind: kind, hyperparameters: hyperparameters, step: step, moments: byName)
    }

    /// Checks the kind and returns each named moment in `network.parameterIDs` order (or `nil` when the state is
    /// empty), checking that every parameter has a moment of its size.
    func moments(kind expected: String, names: [String], for network: SpikingNetwork) throws(CheckpointError) -> [[[Float]]]? {
        guard kind == expected else {
            throw .incompatible(path: "", reason: "the optimizer state is \(kind), the optimizer is \(expected)")
        }
        if moments.isEmpty { return nil }
        guard Set(moments.keys) == Set(names) else {
            throw .incompatible(path: "", reason: "\(kind) moments \(moments.keys.sorted()), expected \(names.sorted())")
        }
        let ids = network.parameterIDs
        var result: [[[Float]]] = []
        for name in names {
            var perParameter: [[Float]] = []
            for id in ids {
                guard let values = moments[name]?[id] else { throw .missingTensor(path: "", tensor: "optimizer.\(name).\(id)") }
                guard values.count == network[id].count else {
                    throw .wrongShape(path: "", tensor: "optimizer.\(name).\(id)", expected: network[id].shape, found: [values.count])
                }
                perParameter.append(values)
            }
            if let extra = moments[name]?.keys.first(where: { !ids.contains($0) }) {
                throw .unexpectedTensor(path: "", tensor: "optimizer.\(name).\(extra)")
            }
            result.append(perParameter)
        }
        return result
    }
}
