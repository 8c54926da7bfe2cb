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
            optimizer.update(&network, gradients: g)
            network.applyConstraints()
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
        let (value, predictions) = loss.evaluate(output: workspace.output(ofLayer: last), steps: workspace.steps, batch: workspace.batch,
                                                 classes: network.outputSize, labels: labels,
                                                 gradient: computesGradients ? workspace.outputGradient(ofLayer: last) : nil)
        let correct = zip(predictions, labels).filter { $0 == $1 }.count
        let norm = Double(workspace.steps * workspace.batch) * network.timeStep.seconds
        let rates = network.layers.indices.filter { network.layers[$0].neuron.isSpiking }.map {
            Double(workspace.spikeCount(ofLayer: $0)) / (norm * Double(network.layers[$0].size))
        }
        return (value, correct, rates)
    }

    private func checkCompatible(_ data: SpikeDataset) throws(ConfigurationError) {
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

    /// Trains for `epochs` epochs with shuffled batches, validating after each epoch.
    ///
    /// - Parameters:
    ///   - seed: seeds the batch order (same seed, same run on the same machine).
    ///   - checkpoint: if given, the network is written there (JSON, atomically: temporary file then rename) after every epoch.
    ///   - onEpoch: called after each epoch with its metrics.
    /// - Throws: ``ConfigurationError`` if the data does not fit the network; errors writing the checkpoint.
    @discardableResult
    public func fit(_ train: SpikeDataset, validation: SpikeDataset? = nil, epochs: Int, batchSize: Int, seed: UInt64 = 0,
                    progress: ProgressStyle = .automatic, checkpoint: URL? = nil,
                    onEpoch: (EpochMetrics) -> Void = { _ in }) throws -> TrainingSummary {
        try ConfigurationError.requirePositive(epochs, "epochs")
        try ConfigurationError.requirePositive(batchSize, "batchSize")
        try checkCompatible(train)
        if let validation { try checkCompatible(validation) }
        var rng = Xoshiro256StarStar(seed: seed)
        let batchesPerEpoch = (train.count + batchSize - 1) / batchSize
        let reporter = ProgressReporter(style: progress, epochs: epochs, batchesPerEpoch: batchesPerEpoch)
        let totalSteps = Double(epochs * batchesPerEpoch)
        var history: [EpochMetrics] = []
        let start = Date()
        for epoch in 1...epochs {
            let epochStart = Date()
            var lossSum = 0.0, regSum = 0.0, correct = 0
            var rates = [Double](), batches = 0
            for (b, indices) in train.batchIndices(size: batchSize, shuffledUsing: &rng).enumerated() {
                optimizer.learningRate = schedule.rate(base: baseLearningRate, progress: Double((epoch - 1) * batchesPerEpoch + b) / totalSteps,
                                                       epoch: epoch - 1)
                prepareBatch(from: train, samples: indices)
                let r = try step(labels: indices.map { train.labels[$0] })
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
    /// - Throws: ``ConfigurationError`` when the trainer has no regularizers or the data does not fit.
    @discardableResult
    public func prime(_ data: SpikeDataset, epochs: Int, batchSize: Int, seed: UInt64 = 0) throws(ConfigurationError) -> [Double] {
        try ConfigurationError.requirePositive(epochs, "priming epochs")
        try ConfigurationError.requirePositive(batchSize, "batchSize")
        try checkCompatible(data)
        guard !regularizers.isEmpty else { throw .invalidNetwork(reason: "priming trains on the regularizer loss: the trainer has no regularizers") }
        var rng = Xoshiro256StarStar(seed: seed)
        var history: [Double] = []
        for _ in 0..<epochs {
            var sum = 0.0, batches = 0
            for indices in data.batchIndices(size: batchSize, shuffledUsing: &rng) {
                prepareBatch(from: data, samples: indices)
                sum += try step(labels: indices.map { data.labels[$0] }, trainsTask: false).regularizerLoss
                batches += 1
            }
            history.append(sum / Double(max(batches, 1)))
        }
        return history
    }

    /// Loss and exact per-sample accuracy on `data` (in order, batches of `batchSize`).
    public func evaluate(_ data: SpikeDataset, batchSize: Int = 256) throws(ConfigurationError) -> EvaluationResult {
        try ConfigurationError.requirePositive(batchSize, "batchSize")
        try checkCompatible(data)
        var lossSum = 0.0, correct = 0, batchAccuracies = 0.0, batches = 0
        var rates = [Double]()
        for indices in data.batchIndices(size: batchSize) {
            prepareBatch(from: data, samples: indices)
            let r = runBatch(labels: indices.map { data.labels[$0] }, computesGradients: false)
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

    /// Writes the network as JSON atomically (a temporary file in the same folder, then a rename), so that an
    /// interrupted write never leaves a truncated checkpoint.
    public func saveCheckpoint(to url: URL) throws {
        try network.save(to: url)
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
        return try SpikingNetwork(inputs: decoded.inputs, timeStep: decoded.timeStep, layers: decoded.layers)
    }
}
