import Foundation

/// A training checkpoint: the network, the optimizer state and how far training got, in one safetensors file.
///
/// ``Trainer/saveCheckpoint(to:)`` writes one after every epoch of
/// ``Trainer/fit(_:validation:epochs:batchSize:seed:progress:checkpoint:onEpoch:)``; ``Trainer/restore(from:)-(URL)``
/// continues from it so that the resumed run ends with the same weights as an uninterrupted one.
///
/// ## File layout
/// Tensors (all `F32`, little-endian, row-major, in this order):
/// - every trainable parameter under its ``ParameterID/description``, in ``SpikingNetwork/parameterIDs`` order, with
///   the parameter's shape: `layer0.afferent0.weights` `[N, C]`, `layer0.afferent1.weights` (recurrent),
///   `layer0.afferent0.bias` `[N]`, `layer0.timeConstants` `[2, N]`, …;
/// - the optimizer's moments as `optimizer.<moment>.<parameter>`, same shape as the parameter, moments sorted by
///   name: SMORMS3 `optimizer.mem.…`, `optimizer.g.…`, `optimizer.g2.…`; Adam `optimizer.m.…`, `optimizer.v.…`;
///   SGD `optimizer.velocity.…` (absent before the first update).
///
/// Metadata (strings; JSON is written with sorted keys, so the same checkpoint gives the same bytes):
/// - `format`: `snnkit.checkpoint`; `format_version`: `1`;
/// - `network`: the ``SpikingNetwork`` as JSON (the format of ``SpikingNetwork/save(to:)``) with every trainable
///   tensor replaced by an empty tensor of shape `[0]` — the tensors above hold the values, so the weights are stored
///   once, in binary; everything else (architecture, dynamics, masks, fixed time constants) is in the JSON;
/// - `epoch`: the number of completed epochs;
/// - `optimizer.kind` (`smorms3`, `adam`, `sgd`), `optimizer.hyperparameters` (a JSON object of numbers, with the
///   base learning rate), `optimizer.step` (updates so far) — absent when there is no optimizer state;
/// - `training.seed`: the batch-order seed (each epoch's shuffle is seeded by `(seed, epoch)`);
///   `training.dropout_generator`: the state of the generator that draws a dropout-mask seed per step (JSON);
///   `training.history`: the ``EpochMetrics`` of every completed epoch (JSON array; non-finite numbers as the
///   strings `"nan"`, `"inf"`, `"-inf"`).
public struct Checkpoint: Sendable {
    /// The value of the `format` metadata entry.
    public static let format = "snnkit.checkpoint"
    /// The version of the layout written (`format_version`); readers accept this version and older.
    public static let formatVersion = 1

    /// The metadata keys of the layout.
    public enum MetadataKey {
        /// `format`: always ``Checkpoint/format``.
        public static let format = "format"
        /// `format_version`: the layout version.
        public static let formatVersion = "format_version"
        /// `network`: the network description (JSON, trainable tensors emptied).
        public static let network = "network"
        /// `epoch`: the number of completed epochs.
        public static let epoch = "epoch"
        /// `optimizer.kind`: ``OptimizerState/kind``.
        public static let optimizerKind = "optimizer.kind"
        /// `optimizer.hyperparameters`: ``OptimizerState/hyperparameters`` as a JSON object.
        public static let optimizerHyperparameters = "optimizer.hyperparameters"
        /// `optimizer.step`: ``OptimizerState/step``.
        public static let optimizerStep = "optimizer.step"
        /// `training.seed`: the batch-order seed.
        public static let seed = "training.seed"
        /// `training.dropout_generator`: the dropout-seed generator's state (JSON).
        public static let dropoutGenerator = "training.dropout_generator"
        /// `training.history`: the metrics of the completed epochs (JSON array).
        public static let history = "training.history"
    }

    /// The prefix of the optimizer's moment tensors.
    public static let optimizerTensorPrefix = "optimizer."

    /// The network, with its trained weights.
    public var network: SpikingNetwork
    /// The optimizer's state, if it was saved.
    public var optimizer: OptimizerState?
    /// The number of completed training epochs; training resumes at the next one.
    public var completedEpochs: Int
    /// The batch-order seed of the run (`nil` when unknown).
    public var seed: UInt64?
    /// The generator that draws one dropout-mask seed per training step, at its position after the last step.
    public var dropoutGenerator: Xoshiro256StarStar?
    /// The metrics of the completed epochs.
    public var history: [EpochMetrics]

    /// Creates a checkpoint.
    public init(network: SpikingNetwork, optimizer: OptimizerState? = nil, completedEpochs: Int = 0, seed: UInt64? = nil,
                dropoutGenerator: Xoshiro256StarStar? = nil, history: [EpochMetrics] = []) {
        self.network = network
        self.optimizer = optimizer
        self.completedEpochs = completedEpochs
        self.seed = seed
        self.dropoutGenerator = dropoutGenerator
        self.history = history
    }

    // MARK: - Writing

    /// The checkpoint in the layout described above.
    /// - Throws: ``CheckpointError/cannotWrite(path:reason:)`` if the description cannot be encoded, or
    ///   ``CheckpointError/sizeMismatch(path:tensor:expected:found:)`` for an optimizer moment of the wrong size.
    public func safeTensors() throws(CheckpointError) -> SafeTensors {
        var stripped = network
        let ids = network.parameterIDs
        for id in ids { stripped[id] = Tensor(shape: [0]) }
        var metadata = [MetadataKey.format: Self.format, MetadataKey.formatVersion: "\(Self.formatVersion)",
                        MetadataKey.network: try Self.json(stripped, "network"), MetadataKey.epoch: "\(completedEpochs)",
                        MetadataKey.history: try Self.json(history, "history")]
        if let seed { metadata[MetadataKey.seed] = "\(seed)" }
        if let dropoutGenerator { metadata[MetadataKey.dropoutGenerator] = try Self.json(dropoutGenerator, "dropout generator") }
        if let optimizer {
            metadata[MetadataKey.optimizerKind] = optimizer.kind
            metadata[MetadataKey.optimizerHyperparameters] = try Self.json(optimizer.hyperparameters, "optimizer hyper-parameters")
            metadata[MetadataKey.optimizerStep] = "\(optimizer.step)"
        }
        var file = SafeTensors(metadata: metadata)
        for id in ids { try file.append(id.description, network[id]) }
        if let optimizer {
            for name in optimizer.moments.keys.sorted() {
                for id in ids {
                    if let values = optimizer.moments[name]?[id] {
                        try file.append(Self.optimizerTensorPrefix + name + "." + id.description, values: values, shape: network[id].shape)
                    }
                }
            }
        }
        return file
    }

    /// Writes the checkpoint atomically (temporary file in the same directory, fsync, rename).
    /// - Throws: ``CheckpointError/cannotWrite(path:reason:)``; `url` is left as it was.
    public func write(to url: URL) throws(CheckpointError) {
        do throws(CheckpointError) {
            try safeTensors().write(to: url)
        } catch {
            throw error.path == SafeTensors.memoryPath ? error.withPath(url.path) : error
        }
    }

    // MARK: - Reading

    /// Reads a checkpoint file.
    /// - Throws: ``CheckpointError`` naming the file and the tensor or metadata key (see ``init(_:)``).
    public init(contentsOf url: URL) throws(CheckpointError) {
        try self.init(SafeTensors(contentsOf: url))
    }

    /// Decodes a checkpoint from a parsed safetensors file, validating it.
    ///
    /// - Throws: ``CheckpointError/invalidMetadata(path:key:reason:)`` for a missing or unparsable entry (also when
    ///   the network description is invalid or does not fit the tensors); ``CheckpointError/missingTensor(path:tensor:)``,
    ///   ``CheckpointError/wrongDType(path:tensor:expected:found:)``, ``CheckpointError/wrongShape(path:tensor:expected:found:)``
    ///   and ``CheckpointError/unexpectedTensor(path:tensor:)`` for the tensors.
    public init(_ file: SafeTensors) throws(CheckpointError) {
        let path = file.path
        func entry(_ key: String) throws(CheckpointError) -> String {
            guard let value = file.metadata[key] else { throw .invalidMetadata(path: path, key: key, reason: "missing") }
            return value
        }
        func integer<T: FixedWidthInteger>(_ key: String, _ type: T.Type) throws(CheckpointError) -> T {
            guard let value = T(try entry(key)), value >= 0 else {
                throw .invalidMetadata(path: path, key: key, reason: "expected a non-negative integer, found \"\(file.metadata[key]!)\"")
            }
            return value
        }
        func decode<T: Decodable>(_ type: T.Type, _ key: String) throws(CheckpointError) -> T {
            do {
                return try Self.decoder.decode(T.self, from: Data(try entry(key).utf8))
            } catch let error as CheckpointError {
                throw error
            } catch {
                throw .invalidMetadata(path: path, key: key, reason: Self.describe(error))
            }
        }

        guard let format = file.metadata[MetadataKey.format] else {
            throw .invalidMetadata(path: path, key: MetadataKey.format, reason: "missing (not an SNNKit checkpoint)")
        }
        guard format == Self.format else {
            throw .invalidMetadata(path: path, key: MetadataKey.format, reason: "expected \(Self.format), found \(format)")
        }
        let version = try integer(MetadataKey.formatVersion, Int.self)
        guard version <= Self.formatVersion else {
            throw .invalidMetadata(path: path, key: MetadataKey.formatVersion,
                                   reason: "version \(version) is newer than this SNNKit reads (\(Self.formatVersion))")
        }

        // The network: the description, then every trainable tensor from the file, then full validation.
        var net = try decode(SpikingNetwork.self, MetadataKey.network)
        let ids = net.parameterIDs
        for id in ids { net[id] = try file.tensor(id.description) }
        do {
            net = try SpikingNetwork(inputs: net.inputs, inputShape: net.inputShape, timeStep: net.timeStep, layers: net.layers)
        } catch {
            throw .invalidMetadata(path: path, key: MetadataKey.network, reason: "the description and its tensors do not form a valid network: \(error)")
        }
        network = net

        // The optimizer's moments.
        let byName = Dictionary(uniqueKeysWithValues: ids.map { ($0.description, $0) })
        var moments: [String: [ParameterID: [Float]]] = [:]
        for name in file.names where byName[name] == nil {
            let hasKind = file.metadata[MetadataKey.optimizerKind] != nil
            guard hasKind, name.hasPrefix(Self.optimizerTensorPrefix) else { throw .unexpectedTensor(path: path, tensor: name) }
            let rest = name.dropFirst(Self.optimizerTensorPrefix.count)
            guard let dot = rest.firstIndex(of: "."), let id = byName[String(rest[rest.index(after: dot)...])] else {
                throw .unexpectedTensor(path: path, tensor: name)
            }
            let shape = file[name]!.shape
            guard shape == net[id].shape else { throw .wrongShape(path: path, tensor: name, expected: net[id].shape, found: shape) }
            moments[String(rest[..<dot]), default: [:]][id] = try file.floats(name)
        }
        for (moment, values) in moments.sorted(by: { $0.key < $1.key }) {
            if let missing = ids.first(where: { values[$0] == nil }) {
                throw .missingTensor(path: path, tensor: Self.optimizerTensorPrefix + moment + "." + missing.description)
            }
        }
        if file.metadata[MetadataKey.optimizerKind] != nil {
            optimizer = OptimizerState(kind: try entry(MetadataKey.optimizerKind),
                                       hyperparameters: try decode([String: Double].self, MetadataKey.optimizerHyperparameters),
                                       step: try integer(MetadataKey.optimizerStep, Int.self), moments: moments)
        } else {
            optimizer = nil
        }

        // How far training got.
        completedEpochs = try integer(MetadataKey.epoch, Int.self)
        seed = file.metadata[MetadataKey.seed] == nil ? nil : try integer(MetadataKey.seed, UInt64.self)
        dropoutGenerator = file.metadata[MetadataKey.dropoutGenerator] == nil
            ? nil : try decode(Xoshiro256StarStar.self, MetadataKey.dropoutGenerator)
        history = file.metadata[MetadataKey.history] == nil ? [] : try decode([EpochMetrics].self, MetadataKey.history)
    }

    // MARK: - JSON

    private static var encoder: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return encoder
    }

    private static var decoder: JSONDecoder {
        let decoder = JSONDecoder()
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return decoder
    }

    private static func json(_ value: some Encodable, _ what: String) throws(CheckpointError) -> String {
        do {
            return String(decoding: try encoder.encode(value), as: UTF8.self)
        } catch {
            throw .cannotWrite(path: SafeTensors.memoryPath, reason: "cannot encode the \(what): \(error)")
        }
    }

    private static func describe(_ error: any Error) -> String {
        guard let error = error as? DecodingError else { return "\(error)" }
        func field(_ path: [any CodingKey]) -> String {
            path.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".")
        }
        switch error {
        case let .dataCorrupted(context): return "\(field(context.codingPath)): \(context.debugDescription)"
        case let .keyNotFound(key, context): return "\(field(context.codingPath + [key])): missing"
        case let .typeMismatch(type, context): return "\(field(context.codingPath)): expected \(type)"
        case let .valueNotFound(type, context): return "\(field(context.codingPath)): expected \(type), found null"
        @unknown default: return "\(error)"
        }
    }
}
