import Foundation
import SNNKit
import Testing

/// Checkpoints: the file layout, loading a network, optimizer state, resuming a run bit for bit, bad checkpoints.
@Suite("Checkpoints")
struct CheckpointTests {
    /// The optimizers a run can be resumed with.
    enum OptimizerKind: String, CaseIterable, Sendable {
        case smorms3, adam, sgd

        func make() -> any Optimizer {
            switch self {
            case .smorms3: return SMORMS3(learningRate: 5e-3)
            case .adam: return Adam(learningRate: 2e-3)
            case .sgd: return SGD(learningRate: 0.05, momentum: 0.9, isNesterov: true)
            }
        }
    }

    static let data = try! TrainerTests.dataset(samples: 240, seed: 1).split(0.8, 0.1, 0.1)
    static let regularizers: [Regularizer] = [.lowerBound(strength: 100, threshold: 1e-3), .upperBound(strength: 0.1, threshold: 4)]

    /// A recurrent LIF layer with learned time constants, a bias and dropout, then a readout: every kind of parameter
    /// and the dropout-seed generator take part.
    static func network(hidden: Int = 16, initSeed: UInt64 = 3) throws -> SpikingNetwork {
        var net = try SpikingNetwork(inputs: 12, timeStep: .milliseconds(1)) {
            LIFLayer(hidden, isRecurrent: true, learnsTimeConstants: true, dropout: 0.1, hasBias: true)
            LeakyReadout(4, tauMembrane: .milliseconds(40), initialState: -1e-2)
        }
        var rng = Xoshiro256StarStar(seed: initSeed)
        try net.initialize(.fluctuationDriven(sigmaU: 1), rates: .measured(on: data.train), using: &rng)
        return net
    }

    static func trainer(_ kind: OptimizerKind = .smorms3, schedule: LearningRateSchedule = .constant, hidden: Int = 16,
                        initSeed: UInt64 = 3) throws -> Trainer {
        try Trainer(network: network(hidden: hidden, initSeed: initSeed), optimizer: kind.make(), regularizers: regularizers, schedule: schedule)
    }

    static func fit(_ trainer: Trainer, epochs: Int, seed: UInt64 = 7, checkpoint: URL? = nil,
                    onEpoch: (EpochMetrics) -> Void = { _ in }) throws -> TrainingSummary {
        try trainer.fit(data.train, validation: data.validation, epochs: epochs, batchSize: 32, seed: seed, progress: .silent,
                        checkpoint: checkpoint, onEpoch: onEpoch)
    }

    static func temporaryURL(_ name: String = "ckpt.safetensors") -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("snnkit-ckpt-\(UUID().uuidString)-\(name)")
    }

    /// The last layer's output on the test set.
    static func outputs(of net: SpikingNetwork) throws -> [Float] {
        let workspace = SimulationWorkspace()
        try workspace.forward(net, input: data.test.denseBatch(Array(0..<data.test.count)))
        return Array(workspace.output(ofLayer: net.layers.count - 1))
    }

    /// A tensor to put into a file.
    typealias Raw = (name: String, dtype: SafeTensors.DType, shape: [Int], bytes: [UInt8])

    /// `file` with tensors dropped, replaced or added and metadata changed.
    static func rebuilt(_ file: SafeTensors, metadata: [String: String?] = [:], dropping: Set<String> = [],
                        replacing: [String: Raw] = [:], adding: [Raw] = []) throws -> SafeTensors {
        var out = SafeTensors(metadata: file.metadata)
        for (key, value) in metadata { out.metadata[key] = value }
        for entry in file.entries where !dropping.contains(entry.name) {
            let e = replacing[entry.name] ?? (entry.name, entry.dtype, entry.shape, entry.bytes)
            try out.append(e.name, dtype: e.dtype, shape: e.shape, bytes: e.bytes)
        }
        for e in adding { try out.append(e.name, dtype: e.dtype, shape: e.shape, bytes: e.bytes) }
        return out
    }

    // MARK: - Saving and loading

    @Test("Checkpoint → load gives the same network and bit-identical forward outputs")
    func loadNetwork() throws {
        let url = Self.temporaryURL()
        defer { try? FileManager.default.removeItem(at: url) }
        let trainer = try Self.trainer()
        let summary = try Self.fit(trainer, epochs: 2, checkpoint: url)
        let loaded = try SpikingNetwork.load(checkpoint: url)
        #expect(loaded == trainer.network)
        #expect(try Self.outputs(of: loaded) == Self.outputs(of: trainer.network))

        let checkpoint = try Checkpoint(contentsOf: url)
        #expect(checkpoint.completedEpochs == 2)
        #expect(checkpoint.seed == 7)
        #expect(checkpoint.optimizer?.kind == "smorms3")
        #expect(checkpoint.optimizer?.hyperparameters["learningRate"] == 5e-3)
        #expect(checkpoint.optimizer?.step == 2 * ((Self.data.train.count + 31) / 32))
        #expect(checkpoint.history.map(\.loss) == summary.epochs.map(\.loss))
        #expect(checkpoint.history.map(\.validation?.accuracy) == summary.epochs.map(\.validation?.accuracy))
    }

    @Test("File layout: parameter and optimizer tensor names, metadata keys, weights stripped from the description, same bytes twice")
    func layout() throws {
        let url = Self.temporaryURL()
        defer { try? FileManager.default.removeItem(at: url) }
        let trainer = try Self.trainer()
        _ = try Self.fit(trainer, epochs: 1, checkpoint: url)
        let file = try SafeTensors(contentsOf: url)
        let parameters = ["layer0.afferent0.weights", "layer0.afferent0.bias", "layer0.afferent1.weights", "layer0.timeConstants",
                          "layer1.afferent0.weights"]
        #expect(trainer.network.parameterIDs.map(\.description) == parameters)
        #expect(file.names == parameters + ["g", "g2", "mem"].flatMap { m in parameters.map { "optimizer.\(m).\($0)" } })
        #expect(file.entries.allSatisfy { $0.dtype == .float32 })
        #expect(file["layer0.afferent0.weights"]?.shape == [16, 12])
        #expect(file["optimizer.g2.layer0.timeConstants"]?.shape == [2, 16])
        #expect(try file.tensor("layer0.afferent1.weights") == trainer.network[ParameterID(layer: 0, afferent: 1, kind: .weights)])
        #expect(Set(file.metadata.keys) == ["format", "format_version", "network", "epoch", "optimizer.kind", "optimizer.hyperparameters",
                                            "optimizer.step", "training.seed", "training.dropout_generator", "training.history"])
        #expect(file.metadata["format"] == "snnkit.checkpoint")
        #expect(file.metadata["epoch"] == "1")
        let description = try JSONDecoder().decode(SpikingNetwork.self, from: Data(file.metadata["network"]!.utf8))
        #expect(description.parameterIDs.allSatisfy { description[$0].shape == [0] })
        #expect(file.metadata["network"]!.utf8.count < 4 * file.entries.reduce(0) { $0 + $1.bytes.count })

        let again = Self.temporaryURL()
        defer { try? FileManager.default.removeItem(at: again) }
        try trainer.saveCheckpoint(to: again)
        #expect(try Data(contentsOf: again) == Data(contentsOf: url))
        #expect(try Checkpoint(file).safeTensors().serialized() == file.serialized())
    }

    @Test("JSON save/load keeps the input shape")
    func jsonKeepsInputShape() throws {
        let url = Self.temporaryURL("net.json")
        defer { try? FileManager.default.removeItem(at: url) }
        let net = try SpikingNetwork(inputs: 12, inputShape: ActivityShape(channels: 2, spatial: [2, 3]), timeStep: .milliseconds(1)) {
            LIFLayer(4)
            LeakyReadout(2, tauMembrane: .milliseconds(20))
        }
        try net.save(to: url)
        let back = try SpikingNetwork.load(from: url)
        #expect(back.inputShape == ActivityShape(channels: 2, spatial: [2, 3]))
        #expect(back == net)
    }

    // MARK: - Optimizer state

    @Test("Optimizer state: export, make a new optimizer, and both take identical next steps", arguments: OptimizerKind.allCases)
    func optimizerState(kind: OptimizerKind) throws {
        var net = try Self.network()
        var rng = Xoshiro256StarStar(seed: 11)
        func gradients() -> NetworkGradients {
            var g = NetworkGradients(zerosFor: net)
            for k in g.tensors.indices { g.tensors[k].scalars = g.tensors[k].scalars.map { _ in Float(rng.nextStandardNormal()) * 0.1 } }
            return g
        }
        var optimizer = kind.make()
        #expect(optimizer.exportState(for: net)?.isEmpty == true)
        for _ in 0..<3 { optimizer.update(&net, gradients: gradients()) }
        let state = try #require(optimizer.exportState(for: net))
        #expect(state.kind == kind.rawValue)
        #expect(state.step == 3)
        var copy = try state.makeOptimizer(for: net)
        var fresh = kind.make()
        try fresh.restoreState(state, for: net)
        let g = gradients()
        var a = net, b = net, c = net
        optimizer.update(&a, gradients: g)
        copy.update(&b, gradients: g)
        fresh.update(&c, gradients: g)
        #expect(a == b)
        #expect(a == c)
        let other: OptimizerKind = kind == .adam ? .sgd : .adam
        var wrong = other.make()
        #expect(throws: CheckpointError.self) { try wrong.restoreState(state, for: net) }
    }

    // MARK: - Resuming

    @Test("2 epochs + checkpoint + resume for 2 more equals 4 epochs straight, bit for bit", arguments: OptimizerKind.allCases)
    func resumeEquivalence(kind: OptimizerKind) throws {
        let url = Self.temporaryURL()
        defer { try? FileManager.default.removeItem(at: url) }
        let straight = try Self.trainer(kind)
        let full = try Self.fit(straight, epochs: 4)

        let first = try Self.trainer(kind)
        _ = try Self.fit(first, epochs: 2, checkpoint: url)
        let resumed = try Self.trainer(kind, initSeed: 99)   // other initial weights: the checkpoint replaces them
        try resumed.restore(from: url)
        #expect(resumed.completedEpochs == 2)
        var epochsRun: [Int] = []
        let rest = try Self.fit(resumed, epochs: 4) { epochsRun.append($0.epoch) }
        #expect(epochsRun == [3, 4])
        #expect(resumed.network == straight.network)
        #expect(rest.epochs.map(\.epoch) == [1, 2, 3, 4])
        #expect(rest.epochs.map(\.loss) == full.epochs.map(\.loss))
        #expect(rest.epochs.map(\.regularizerLoss) == full.epochs.map(\.regularizerLoss))
        #expect(rest.epochs.map(\.validation?.loss) == full.epochs.map(\.validation?.loss))
    }

    @Test("A run interrupted after epoch 2 of 4 (cosine schedule) resumes through Trainer(resumingFrom:) to the same weights")
    func resumeInterrupted() throws {
        let url = Self.temporaryURL(), epoch2 = Self.temporaryURL("epoch2")
        defer {
            try? FileManager.default.removeItem(at: url)
            try? FileManager.default.removeItem(at: epoch2)
        }
        let schedule = LearningRateSchedule.cosine(minimum: 1e-4)
        let straight = try Self.trainer(.adam, schedule: schedule)
        _ = try Self.fit(straight, epochs: 4, checkpoint: url) { metrics in
            if metrics.epoch == 2 { try? FileManager.default.copyItem(at: url, to: epoch2) }
        }
        let resumed = try Trainer(resumingFrom: Checkpoint(contentsOf: epoch2), regularizers: Self.regularizers, schedule: schedule)
        #expect(resumed.completedEpochs == 2)
        _ = try Self.fit(resumed, epochs: 4)
        #expect(resumed.network == straight.network)
        #expect(resumed.history.map(\.learningRate) == straight.history.map(\.learningRate))

        // A finished run continues with nothing left to do.
        let done = try Trainer(resumingFrom: Checkpoint(contentsOf: url), regularizers: Self.regularizers, schedule: schedule)
        #expect(try Self.fit(done, epochs: 4).epochs.count == 4)
        #expect(done.network == straight.network)
    }

    @Test("Each epoch's batch order depends on (seed, epoch) only")
    func epochStreams() throws {
        func order(seed: UInt64, epoch: Int) -> [[Int]] {
            var rng = Xoshiro256StarStar(seed: seed, stream: UInt64(epoch))
            return Self.data.train.batchIndices(size: 32, shuffledUsing: &rng)
        }
        let (a, b, c, d) = (order(seed: 7, epoch: 3), order(seed: 7, epoch: 3), order(seed: 7, epoch: 4), order(seed: 8, epoch: 3))
        #expect(a == b)
        #expect(a != c)
        #expect(a != d)
    }

    @Test("Continuing with another seed, restoring into another architecture or optimizer: specific errors")
    func incompatible() throws {
        let url = Self.temporaryURL()
        defer { try? FileManager.default.removeItem(at: url) }
        _ = try Self.fit(try Self.trainer(), epochs: 1, checkpoint: url)

        let resumed = try Self.trainer()
        try resumed.restore(from: url)
        let seedError = #expect(throws: CheckpointError.self) { try Self.fit(resumed, epochs: 2, seed: 8) }
        if case .incompatible(url.path, _) = seedError {} else { Issue.record("\(String(describing: seedError))") }

        let smaller = try Self.trainer(hidden: 8)
        let shapeError = #expect(throws: CheckpointError.self) { try smaller.restore(from: url) }
        #expect(shapeError == .wrongShape(path: url.path, tensor: "layer0.afferent0.weights", expected: [8, 12], found: [16, 12]))

        let adam = try Self.trainer(.adam)
        let kindError = #expect(throws: CheckpointError.self) { try adam.restore(from: url) }
        if case .incompatible(url.path, _) = kindError {} else { Issue.record("\(String(describing: kindError))") }
        #expect(adam.completedEpochs == 0)   // nothing was changed
    }

    // MARK: - Bad checkpoints

    @Test("Bad checkpoints: missing, mistyped, misshapen and unexpected tensors; missing or invalid metadata")
    func badCheckpoints() throws {
        let trainer = try Self.trainer()
        _ = try Self.fit(trainer, epochs: 1)
        let file = try trainer.makeCheckpoint().safeTensors()
        let path = SafeTensors.memoryPath
        let weights = file["layer0.afferent0.weights"]!
        func check(_ expected: CheckpointError, _ bad: SafeTensors, sourceLocation: SourceLocation = #_sourceLocation) {
            #expect(throws: expected, sourceLocation: sourceLocation) { try Checkpoint(bad) }
        }
        func checkKey(_ key: String, _ bad: SafeTensors, sourceLocation: SourceLocation = #_sourceLocation) {
            let error = #expect(throws: CheckpointError.self, sourceLocation: sourceLocation) { try Checkpoint(bad) }
            if case .invalidMetadata(path, key, _) = error {} else {
                Issue.record("expected invalid metadata \(key), found \(String(describing: error))", sourceLocation: sourceLocation)
            }
        }
        #expect(throws: Never.self) { try Checkpoint(file) }
        check(.missingTensor(path: path, tensor: "layer0.afferent0.weights"), try Self.rebuilt(file, dropping: ["layer0.afferent0.weights"]))
        check(.wrongDType(path: path, tensor: "layer0.afferent0.weights", expected: "F32", found: "I32"),
              try Self.rebuilt(file, replacing: [weights.name: (name: weights.name, dtype: .int32, shape: weights.shape, bytes: weights.bytes)]))
        check(.missingTensor(path: path, tensor: "optimizer.g.layer1.afferent0.weights"),
              try Self.rebuilt(file, dropping: ["optimizer.g.layer1.afferent0.weights"]))
        let moment = file["optimizer.mem.layer0.afferent0.bias"]!
        check(.wrongShape(path: path, tensor: moment.name, expected: [16], found: [4, 4]),
              try Self.rebuilt(file, replacing: [moment.name: (name: moment.name, dtype: .float32, shape: [4, 4], bytes: moment.bytes)]))
        check(.unexpectedTensor(path: path, tensor: "extra"),
              try Self.rebuilt(file, adding: [(name: "extra", dtype: .uint8, shape: [1], bytes: [0])]))
        check(.unexpectedTensor(path: path, tensor: "optimizer.g.layer9.afferent0.weights"),
              try Self.rebuilt(file, adding: [(name: "optimizer.g.layer9.afferent0.weights", dtype: .uint8, shape: [1], bytes: [0])]))
        checkKey("network", try Self.rebuilt(file, replacing: [weights.name: (name: weights.name, dtype: .float32, shape: [12, 16], bytes: weights.bytes)]))
        checkKey("format", try Self.rebuilt(file, metadata: ["format": nil]))
        checkKey("format", try Self.rebuilt(file, metadata: ["format": "pytorch"]))
        checkKey("format_version", try Self.rebuilt(file, metadata: ["format_version": "99"]))
        checkKey("network", try Self.rebuilt(file, metadata: ["network": "{\"inputs\": 12"]))
        checkKey("network", try Self.rebuilt(file, metadata: ["network": nil]))
        checkKey("epoch", try Self.rebuilt(file, metadata: ["epoch": "-1"]))
        checkKey("training.seed", try Self.rebuilt(file, metadata: ["training.seed": "x"]))
        checkKey("training.history", try Self.rebuilt(file, metadata: ["training.history": "[{}]"]))
        checkKey("optimizer.hyperparameters", try Self.rebuilt(file, metadata: ["optimizer.hyperparameters": "[]"]))

        // Through a file, errors name it.
        let url = Self.temporaryURL()
        defer { try? FileManager.default.removeItem(at: url) }
        try Self.rebuilt(file, dropping: ["layer0.timeConstants"]).write(to: url)
        #expect(throws: CheckpointError.missingTensor(path: url.path, tensor: "layer0.timeConstants")) { try Checkpoint(contentsOf: url) }
        #expect(throws: CheckpointError.missingTensor(path: url.path, tensor: "layer0.timeConstants")) { try SpikingNetwork.load(checkpoint: url) }
    }
}
