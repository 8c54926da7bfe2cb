import SNNKit

/// The `training` section.
///
/// ```yaml
/// training:
///   epochs: 200                  # required
///   batchSize: 250               # required
///   optimizer: {type: smorms3, learningRate: 5e-3}   # default
///   schedule: constant           # default
///   loss: maxOverTimeCrossEntropy                    # default; or sumOverTimeCrossEntropy, lastStepCrossEntropy,
///                                                    # everyStepCrossEntropy, meanSquaredError
///   regularizers: []             # default none
///   primingEpochs: 0             # epochs on the regularizer loss alone before the task (SPEC §3.4)
///   seed: 1                      # batch order
///   threads: 2                   # SNNKit's own kernel threads
///   checkpoint: runs/x/last.safetensors # optional: a checkpoint after every epoch (safetensors, atomic)
///   timeChunkSteps: 100          # optional: bounded-memory mode, BPTT over chunks of this many steps
/// ```
public struct TrainingConfiguration: Sendable, Hashable, Codable {
    /// Epochs on the task.
    public var epochs: Int
    /// Samples per batch (also used for evaluation).
    public var batchSize: Int
    /// The optimizer.
    public var optimizer: OptimizerConfiguration
    /// The learning-rate schedule.
    public var schedule: ScheduleConfiguration
    /// The task loss.
    public var loss: Loss
    /// Penalties added to the loss.
    public var regularizers: [RegularizerConfiguration]
    /// Epochs of priming (regularizers only) before training.
    public var primingEpochs: Int
    /// Seed of the batch order.
    public var seed: UInt64
    /// Threads of SNNKit's own kernels.
    public var threads: Int
    /// Where to write a checkpoint (safetensors: network, optimizer state, epoch, seeds, metrics; see `Checkpoint`)
    /// after every epoch, if anywhere; `snn train CONFIG --resume PATH` continues from it.
    public var checkpoint: String?
    /// Steps per time chunk of the bounded-memory mode (``Trainer/timeChunkSteps``), nil for the whole window.
    public var timeChunkSteps: Int?

    /// The YAML keys.
    enum CodingKeys: String, CodingKey, CaseIterable {
        case epochs, batchSize, optimizer, schedule, loss, regularizers, primingEpochs, seed, threads, checkpoint, timeChunkSteps
    }

    /// Creates the section.
    public init(epochs: Int, batchSize: Int, optimizer: OptimizerConfiguration = .smorms3(learningRate: 5e-3, epsilon: 1e-16),
                schedule: LearningRateSchedule = .constant, loss: Loss = .maxOverTimeCrossEntropy, regularizers: [Regularizer] = [],
                primingEpochs: Int = 0, seed: UInt64 = 1, threads: Int = 2, checkpoint: String? = nil, timeChunkSteps: Int? = nil) {
        self.epochs = epochs
        self.batchSize = batchSize
        self.optimizer = optimizer
        self.schedule = ScheduleConfiguration(schedule)
        self.loss = loss
        self.regularizers = regularizers.map(RegularizerConfiguration.init)
        self.primingEpochs = primingEpochs
        self.seed = seed
        self.threads = threads
        self.checkpoint = checkpoint
        self.timeChunkSteps = timeChunkSteps
    }

    /// Decodes the section.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.strictContainer(keyedBy: CodingKeys.self)
        epochs = try c.positiveInteger(.epochs)
        batchSize = try c.positiveInteger(.batchSize)
        optimizer = try c.decode(.optimizer, default: .smorms3(learningRate: 5e-3, epsilon: 1e-16))
        schedule = try c.decode(.schedule, default: ScheduleConfiguration())
        loss = try c.keyword(.loss, default: .maxOverTimeCrossEntropy, what: "loss")
        regularizers = try c.decode(.regularizers, default: [])
        primingEpochs = try c.nonNegativeInteger(.primingEpochs, default: 0)
        seed = try c.decode(.seed, default: 1)
        threads = try c.positiveInteger(.threads, default: 2)
        checkpoint = try c.decodeIfPresent(String.self, forKey: .checkpoint)
        timeChunkSteps = try c.optionalPositiveInteger(.timeChunkSteps)
        if primingEpochs > 0 && regularizers.isEmpty {
            throw c.issue(.primingEpochs, "priming trains on the regularizer loss alone, but training.regularizers is empty")
        }
    }
}
