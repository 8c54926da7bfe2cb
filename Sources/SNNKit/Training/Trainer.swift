import Foundation

/// Trains a ``SpikingNetwork`` by surrogate-gradient BPTT: forward over the whole window, loss and regularizers,
/// hand-written backward, optimizer step, constraints.
///
/// A trainer owns its workspace and optimizer state, so it is a class (one running training has identity).
public final class Trainer {
    /// The network being trained.
    public private(set) var network: SpikingNetwork
    /// The task loss on the last layer's output.
    public let loss: Loss
    /// The penalties added to the loss.
    public let regularizers: [Regularizer]
    /// The learning-rate schedule.
    public let schedule: LearningRateSchedule
    /// The optimizer and its state.
    public private(set) var optimizer: any Optimizer
    private let baseLearningRate: Double
    private let workspace = SimulationWorkspace()
    private var gradients: NetworkGradients
    private var dropoutSeeds = Xoshiro256StarStar(seed: 0xD209)   // one dropout mask seed per training step
    private var batchOrderSeed: UInt64?
    private var restoredPath: String?

    /// The number of epochs ``fit(_:validation:epochs:batchSize:seed:progress:checkpoint:onEpoch:)`` has completed
    /// (0 for a new trainer; the checkpoint's after ``restore(from:)-(Checkpoint)``); the next epoch is this + 1.
    public private(set) var completedEpochs = 0
    /// The metrics of every completed epoch, including those restored from a checkpoint.
    public private(set) var history: [EpochMetrics] = []

    /// Creates a trainer.
    /// - Throws: ``ConfigurationError`` for a non-positive learning rate or an invalid regularizer.
    public init(network: SpikingNetwork, loss: Loss = .maxOverTimeCrossEntropy, optimizer: any Optimizer,
                regularizers: [Regularizer] = [], schedule: LearningRateSchedule = .constant) throws(ConfigurationError) {
        try ConfigurationError.requirePositive(optimizer.learningRate, "optimizer.learningRate")
        for r in regularizers { try r.validate(for: network) }
        if case let .step(epochs, factor) = schedule {
            try ConfigurationError.requirePositive(epochs, "schedule.step(epochs:)")
            try ConfigurationError.requirePositive(factor, "schedule.step(factor:)")
        }
        self.network = network
        self.loss = loss
        self.optimizer = optimizer
        self.regularizers = regularizers
        self.schedule = schedule
        self.baseLearningRate = optimizer.learningRate
        self.gradients = NetworkGradients(zerosFor: network)
    }

    /// Threads of SNNKit's own kernels (default: up to 2 cores).
    public var threadCount: Int {
        get { workspace.threadCount }
        set { workspace.threadCount = max(1, newValue) }
    }

    /// Whether the workspace times its phases (see ``SimulationWorkspace/phaseSeconds``).
    public var isProfiling: Bool {
        get { workspace.isProfiling }
        set { workspace.isProfiling = newValue }
    }

    /// Accumulated seconds per forward/backward phase while ``isProfiling`` is on.
    public var phaseSeconds: [String: Double] { workspace.phaseSeconds }

    /// Steps per time chunk of the bounded-memory mode (nil: the whole window at once); see
    /// ``SimulationWorkspace/timeChunkSteps``. Memory of the hidden layers then grows with the chunk, not with `T`,
    /// for one extra forward pass per training step.
    public var timeChunkSteps: Int? {
        get { workspace.timeChunkSteps }
        set { workspace.timeChunkSteps = newValue }
    }

    /// How products with spike sources are computed.
    public var productStrategy: ProductStrategy {
        get { workspace.productStrategy }
        set { workspace.productStrategy = newValue }
    }

    /// The outcome of one batch.
    public struct BatchResult: Sendable {
        /// Task loss (mean over the batch).
        public var loss: Double
        /// Regularizer loss.
        public var regularizerLoss: Double
        /// Correct predictions in the batch.
        public var correct: Int
        /// Mean firing rate (Hz) per spiking layer.
        public var firingRatesHz: [Double]
    }

    /// One training step on the dense batch already in ``SimulationWorkspace/inputBuffer`` (see ``prepareBatch(steps:batch:)``).
    /// - Throws: ``ConfigurationError`` when `labels` does not have one class in `0..<outputSize` per sample.
    @discardableResult
    public func step(labels: [Int]) throws(ConfigurationError) -> BatchResult {
        try step(labels: labels, trainsTask: true)
    }

    /// One step; without the task, only the regularizers' gradients drive the update ("priming", SPEC §3.4).
    private func step(labels: [Int], trainsTask: Bool) throws(ConfigurationError) -> BatchResult {
        try checkLabels(labels)
        let result = runBatch(labels: labels, computesGradients: trainsTask, training: true)
        if !trainsTask { workspace.zeroOutputGradients() }
        return withGradients { g in
            g.zero()
            var regularizerLoss = 0.0
            for r in regularizers { regularizerLoss += r.apply(network: network, workspace: workspace, gradients: &g) }
            workspace.backward(network, into: &g)
            workspace.timed("optimizer") {
                optimizer.update(&network, gradients: g, threads: workspace.threadCount)
                network.applyConstraints()
            }
            return BatchResult(loss: result.loss, regularizerLoss: regularizerLoss, correct: result.correct, firingRatesHz: result.firingRatesHz)
        }
    }

    /// Sizes the workspace for a `[steps, batch, inputs]` batch and returns its input buffer to fill.
    public func prepareBatch(steps: Int, batch: Int) -> UnsafeMutableBufferPointer<Float> {
        workspace.prepare(for: network, steps: steps, batch: batch)
        return workspace.inputBuffer
    }

    /// Prepares a batch of samples of `data` straight from their events.
    public func prepareBatch(from data: SpikeDataset, samples: [Int]) {
        workspace.prepare(for: network, steps: data.steps, batch: samples.count)
        workspace.setInput(from: data, samples: samples)
    }

    /// Prepares a batch of samples read from `data` (``SpikeSampleSource/batch(_:)``: a streamed source reads them
    /// from disk now), straight from their events.
    /// - Throws: the source's ``SpikeSampleSource/Failure`` when the samples cannot be read.
    public func prepareBatch<Source: SpikeSampleSource>(from data: Source, samples: [Int]) throws(Source.Failure) {
        let batch = try data.batch(samples)
        prepareBatch(from: batch.dataset, samples: batch.indices)
    }

    /// Forward pass only on the prepared batch (the inference path timed by benchmarks).
    /// - Throws: ``ConfigurationError`` when `labels` does not have one class in `0..<outputSize` per sample.
    @discardableResult
    public func forward(labels: [Int]) throws(ConfigurationError) -> BatchResult {
        try checkLabels(labels)
        let r = runBatch(labels: labels, computesGradients: false)
        let reg = withGradients { g in
            regularizers.reduce(0) { $0 + $1.apply(network: network, workspace: workspace, gradients: &g, computesGradients: false) }
        }
        return BatchResult(loss: r.loss, regularizerLoss: reg, correct: r.correct, firingRatesHz: r.firingRatesHz)
    }

    /// Lends the gradient storage uniquely referenced (moved out and back), so writing it never copies.
    private func withGradients<R>(_ body: (inout NetworkGradients) -> R) -> R {
        var g = gradients
        gradients = NetworkGradients(ids: [], tensors: [])
        defer { gradients = g }
        return body(&g)
    }

    private func checkLabels(_ labels: [Int]) throws(ConfigurationError) {
        guard labels.count == workspace.batch else {
            throw .shapeMismatch(what: "labels", expected: "\(workspace.batch) (the prepared batch)", found: "\(labels.count)")
        }
        if let bad = labels.firstIndex(where: { $0 < 0 || $0 >= network.outputSize }) {
            throw .outOfRange(field: "labels[\(bad)]", value: Double(labels[bad]), range: "0..<\(network.outputSize)")
        }
    }

    private func runBatch(labels: [Int], computesGradients: Bool, training: Bool = false) -> (loss: Double, correct: Int, firingRatesHz: [Double]) {
        workspace.forward(network, options: ForwardOptions(dropoutSeed: training ? dropoutSeeds.next() : nil))
        if computesGradients { workspace.zeroOutputGradients() }
        let last = network.layers.count - 1
        let (value, predictions) = workspace.timed("loss") { loss.evaluate(output: workspace.output(ofLayer: last), steps: workspace.steps, batch: workspace.batch,
                                                 classes: network.outputSize, labels: labels,
                                                 gradient: computesGradients ? workspace.outputGradient(ofLayer: last) : nil) }
        let correct = zip(predictions, labels).filter { $0 == $1 }.count
        let norm = Double(workspace.steps * workspace.batch) * network.timeStep.seconds
        let rates = network.layers.indices.filter { network.layers[$0].neuron.isSpiking }.map {
            Double(workspace.spikeCount(ofLayer: $0)) / (norm * Double(network.layers[$0].size))
        }
        return (value, correct, rates)
    }

    private func checkCompatible(_ data: some SpikeSampleSource) throws(ConfigurationError) {
        guard data.channels == network.inputs else {
            throw .shapeMismatch(what: "data set channels", expected: "\(network.inputs) (network inputs)", found: "\(data.channels)")
        }
        guard data.timeStep == network.timeStep else {
            throw .shapeMismatch(what: "data set time step", expected: "\(network.timeStep) (network)", found: "\(data.timeStep)")
        }
        guard data.classes <= network.outputSize else {
            throw .shapeMismatch(what: "data set classes", expected: "≤ \(network.outputSize) (output units)", found: "\(data.classes)")
        }
        try ConfigurationError.requirePositive(data.count, "data set samples")
    }

    /// Trains until `epochs` epochs are complete, with shuffled batches, validating after each epoch.
    ///
    /// `train` and `validation` may be data sets in memory or streamed sources (``SpikeSampleSource``): the batches
    /// and results are the same, bit for bit, for the same samples; a streamed source reads each batch when it is used.
    ///
    /// A new trainer runs epochs 1…`epochs`. A trainer restored from a checkpoint (or one that has fitted before)
    /// continues at ``completedEpochs`` + 1, so `epochs` is the length of the whole run (like Keras's
    /// `initial_epoch`), and schedules measure their progress against it. The batch order of epoch `e` is drawn from
    /// `Xoshiro256StarStar(seed: seed, stream: e)`: it depends on `(seed, e)` alone, so a run resumed from the
    /// checkpoint of any epoch ends with the same weights, bit for bit, as the uninterrupted run (same machine, same
    /// thread count).
    ///
    /// - Parameters:
    ///   - seed: seeds the batch order (same seed, same run on the same machine); after a restore, the checkpoint's.
    ///   - checkpoint: if given, a ``Checkpoint`` (network, optimizer state, epoch, seeds, metrics) is written there
    ///     as safetensors after every epoch, atomically (temporary file, fsync, rename).
    ///   - onEpoch: called after each epoch (and after its checkpoint is written) with its metrics.
    /// - Returns: the metrics of every completed epoch, restored ones included; `seconds` counts this call only.
    /// - Throws: ``ConfigurationError`` if the data does not fit the network; ``CheckpointError`` when `seed` is not
    ///   the seed of the run being continued, or when writing the checkpoint fails; a source's
    ///   ``SpikeSampleSource/Failure`` when a batch cannot be read.
    @discardableResult
    public func fit(_ train: some SpikeSampleSource, validation: (any SpikeSampleSource)? = nil, epochs: Int, batchSize: Int, seed: UInt64 = 0,
                    progress: ProgressStyle = .automatic, checkpoint: URL? = nil,
                    onEpoch: (EpochMetrics) -> Void = { _ in }) throws -> TrainingSummary {
        try ConfigurationError.requirePositive(epochs, "epochs")
        try ConfigurationError.requirePositive(batchSize, "batchSize")
        try checkCompatible(train)
        if let validation { try checkCompatible(validation) }
        if completedEpochs > 0, let previous = batchOrderSeed, previous != seed {
            throw CheckpointError.incompatible(path: restoredPath ?? SafeTensors.memoryPath,
                                               reason: "the run being continued has batch-order seed \(previous), fit was given \(seed)")
        }
        batchOrderSeed = seed
        let batchesPerEpoch = (train.count + batchSize - 1) / batchSize
        let reporter = ProgressReporter(style: progress, epochs: epochs, firstEpoch: completedEpochs + 1, batchesPerEpoch: batchesPerEpoch)
        let totalSteps = Double(epochs * batchesPerEpoch)
        let trainLabels = train.labels
        let start = Date()
        for epoch in stride(from: completedEpochs + 1, through: epochs, by: 1) {
            let epochStart = Date()
            var rng = Xoshiro256StarStar(seed: seed, stream: UInt64(epoch))
            var lossSum = 0.0, regSum = 0.0, correct = 0
            var rates = [Double](), batches = 0
            for (b, indices) in train.batchIndices(size: batchSize, shuffledUsing: &rng).enumerated() {
                optimizer.learningRate = schedule.rate(base: baseLearningRate, progress: Double((epoch - 1) * batchesPerEpoch + b) / totalSteps,
                                                       epoch: epoch - 1)
                try prepareBatch(from: train, samples: indices)
                let r = try step(labels: indices.map { trainLabels[$0] })
                lossSum += r.loss * Double(indices.count)
                regSum += r.regularizerLoss
                correct += r.correct
                rates = rates.isEmpty ? r.firingRatesHz : zip(rates, r.firingRatesHz).map(+)
                batches += 1
                reporter.batchDone(epoch: epoch, batch: b + 1, loss: r.loss)
            }
            let validationResult = try validation.map { v throws in try evaluate(v, batchSize: batchSize) }
            let metrics = EpochMetrics(epoch: epoch, loss: lossSum / Double(train.count), regularizerLoss: regSum / Double(batches),
                                       accuracy: Double(correct) / Double(train.count), validation: validationResult,
                                       firingRatesHz: rates.map { $0 / Double(batches) }, learningRate: optimizer.learningRate,
                                       seconds: Date().timeIntervalSince(epochStart))
            history.append(metrics)
            completedEpochs = epoch
            if let checkpoint { try saveCheckpoint(to: checkpoint) }
            reporter.epochDone(metrics)
            onEpoch(metrics)
        }
        let summary = TrainingSummary(epochs: history, seconds: Date().timeIntervalSince(start))
        if progress != .silent { print(summary) }
        return summary
    }

    /// Primes the network (paper 1, SPEC §3.4): `epochs` epochs of updates driven by the regularizer loss alone
    /// (e.g. firing-rate homeostasis), before training on the task. Returns the mean regularizer loss per epoch.
    /// `data` may be in memory or streamed (``SpikeSampleSource``).
    /// - Throws: ``ConfigurationError`` when the trainer has no regularizers or the data does not fit; the source's
    ///   ``SpikeSampleSource/Failure`` when a batch cannot be read.
    @discardableResult
    public func prime(_ data: some SpikeSampleSource, epochs: Int, batchSize: Int, seed: UInt64 = 0) throws -> [Double] {
        try ConfigurationError.requirePositive(epochs, "priming epochs")
        try ConfigurationError.requirePositive(batchSize, "batchSize")
        try checkCompatible(data)
        guard !regularizers.isEmpty else { throw ConfigurationError.invalidNetwork(reason: "priming trains on the regularizer loss: the trainer has no regularizers") }
        var rng = Xoshiro256StarStar(seed: seed)
        var history: [Double] = []
        let labels = data.labels
        for _ in 0..<epochs {
            var sum = 0.0, batches = 0
            for indices in data.batchIndices(size: batchSize, shuffledUsing: &rng) {
                try prepareBatch(from: data, samples: indices)
                sum += try step(labels: indices.map { labels[$0] }, trainsTask: false).regularizerLoss
                batches += 1
            }
            history.append(sum / Double(max(batches, 1)))
        }
        return history
    }

    /// Loss and exact per-sample accuracy on `data` (in order, batches of `batchSize`); `data` may be in memory or
    /// streamed (``SpikeSampleSource``).
    /// - Throws: ``ConfigurationError`` when the data does not fit the network; the source's
    ///   ``SpikeSampleSource/Failure`` when a batch cannot be read.
    public func evaluate(_ data: some SpikeSampleSource, batchSize: Int = 256) throws -> EvaluationResult {
        try ConfigurationError.requirePositive(batchSize, "batchSize")
        try checkCompatible(data)
        var lossSum = 0.0, correct = 0, batchAccuracies = 0.0, batches = 0
        var rates = [Double]()
        let labels = data.labels
        for indices in data.batchIndices(size: batchSize) {
            try prepareBatch(from: data, samples: indices)
            let r = runBatch(labels: indices.map { labels[$0] }, computesGradients: false)
            lossSum += r.loss * Double(indices.count)
            correct += r.correct
            batchAccuracies += Double(r.correct) / Double(indices.count)
            rates = rates.isEmpty ? r.firingRatesHz : zip(rates, r.firingRatesHz).map(+)
            batches += 1
        }
        return EvaluationResult(loss: lossSum / Double(data.count), accuracy: Double(correct) / Double(data.count),
                                meanBatchAccuracy: batchAccuracies / Double(batches), samples: data.count,
                                firingRatesHz: rates.map { $0 / Double(batches) })
    }

    // MARK: - Checkpoints

    /// A checkpoint of the run so far: the network, the optimizer state (with the base learning rate), the completed
    /// epochs, the batch-order seed, the dropout-seed generator and the metric history.
    public func makeCheckpoint() -> Checkpoint {
        var state = optimizer.exportState(for: network)
        state?.hyperparameters["learningRate"] = baseLearningRate
        return Checkpoint(network: network, optimizer: state, completedEpochs: completedEpochs, seed: batchOrderSeed,
                          dropoutGenerator: dropoutSeeds, history: history)
    }

    /// Writes ``makeCheckpoint()`` as a safetensors file, atomically (a temporary file in the same folder, fsync,
    /// rename), so that an interrupted write never leaves a truncated checkpoint. See ``Checkpoint`` for the layout.
    /// - Throws: ``CheckpointError/cannotWrite(path:reason:)``.
    public func saveCheckpoint(to url: URL) throws(CheckpointError) {
        try makeCheckpoint().write(to: url)
    }

    /// Continues the run saved in the checkpoint file at `url` (see ``restore(from:)-(Checkpoint)``).
    /// - Throws: ``CheckpointError`` naming the file.
    public func restore(from url: URL) throws(CheckpointError) {
        try restore(Checkpoint(contentsOf: url), path: url.path)
    }

    /// Continues the run saved in `checkpoint`: takes its network (weights and description), its optimizer moments
    /// and update count (this trainer's optimizer keeps its hyper-parameters and must be of the same kind), its
    /// completed epochs, seeds and metric history. The next
    /// ``fit(_:validation:epochs:batchSize:seed:progress:checkpoint:onEpoch:)`` continues at the next epoch.
    ///
    /// - Throws: ``CheckpointError/incompatible(path:reason:)`` when the checkpoint's network has other parameters,
    ///   inputs or time step than the trainer's, or its optimizer state another kind;
    ///   ``CheckpointError/wrongShape(path:tensor:expected:found:)`` for a parameter of another shape.
    public func restore(from checkpoint: Checkpoint) throws(CheckpointError) {
        try restore(checkpoint, path: SafeTensors.memoryPath)
    }

    private func restore(_ checkpoint: Checkpoint, path: String) throws(CheckpointError) {
        let restored = checkpoint.network, ids = network.parameterIDs
        guard restored.parameterIDs == ids, restored.inputs == network.inputs, restored.timeStep == network.timeStep,
              restored.layers.count == network.layers.count else {
            throw .incompatible(path: path, reason: "its network (\(restored.inputs) inputs, Δt \(restored.timeStep), parameters "
                                    + "\(restored.parameterIDs.map(\.description))) differs from the trainer's (\(network.inputs) inputs, "
                                    + "Δt \(network.timeStep), parameters \(ids.map(\.description)))")
        }
        for id in ids where restored[id].shape != network[id].shape {
            throw .wrongShape(path: path, tensor: id.description, expected: network[id].shape, found: restored[id].shape)
        }
        var optimizer = self.optimizer
        if let state = checkpoint.optimizer {
            do throws(CheckpointError) {
                try optimizer.restoreState(state, for: restored)
            } catch {
                throw error.path.isEmpty ? error.withPath(path) : error
            }
        }
        self.optimizer = optimizer
        network = restored
        gradients = NetworkGradients(zerosFor: restored)
        completedEpochs = checkpoint.completedEpochs
        history = checkpoint.history
        batchOrderSeed = checkpoint.seed
        if let generator = checkpoint.dropoutGenerator { dropoutSeeds = generator }
        restoredPath = path
    }

    /// A trainer continuing the run saved in `checkpoint`, with an optimizer made from its state
    /// (``OptimizerState/makeOptimizer(for:)``: same kind, hyper-parameters and moments).
    ///
    /// The loss, regularizers and schedule are not stored in a checkpoint: pass the run's own to continue it exactly.
    /// - Throws: ``CheckpointError`` when the checkpoint has no (or an unknown kind of) optimizer state;
    ///   ``ConfigurationError`` as ``init(network:loss:optimizer:regularizers:schedule:)``.
    public convenience init(resumingFrom checkpoint: Checkpoint, loss: Loss = .maxOverTimeCrossEntropy, regularizers: [Regularizer] = [],
                            schedule: LearningRateSchedule = .constant) throws {
        guard let state = checkpoint.optimizer else {
            throw CheckpointError.incompatible(path: SafeTensors.memoryPath,
                                               reason: "it has no optimizer state; create a Trainer with an optimizer and call restore(from:)")
        }
        let optimizer: any Optimizer
        do throws(CheckpointError) {
            optimizer = try state.makeOptimizer(for: checkpoint.network)
        } catch {
            throw error.path.isEmpty ? error.withPath(SafeTensors.memoryPath) : error
        }
        try self.init(network: checkpoint.network, loss: loss, optimizer: optimizer, regularizers: regularizers, schedule: schedule)
        try restore(from: checkpoint)
    }
}

extension NetworkGradients {
    init(ids: [ParameterID], tensors: [Tensor]) {
        self.ids = ids
        self.tensors = tensors
    }
}

extension SpikingNetwork {
    /// Writes the network (architecture and weights) as JSON, atomically.
    public func save(to url: URL) throws {
        let data = try JSONEncoder().encode(self)
        try data.write(to: url, options: .atomic)
    }

    /// Reads a network written by ``save(to:)`` and validates it.
    public static func load(from url: URL) throws -> SpikingNetwork {
        let decoded = try JSONDecoder().decode(SpikingNetwork.self, from: Data(contentsOf: url))
        return try SpikingNetwork(inputs: decoded.inputs, inputShape: decoded.inputShape, timeStep: decoded.timeStep, layers: decoded.layers)
    }
}
