import Foundation

/// Metrics of one training epoch.
public struct EpochMetrics: Sendable, Codable, CustomStringConvertible {
    /// 1-based epoch number.
    public var epoch: Int
    /// Mean task loss over the epoch's batches.
    public var loss: Double
    /// Mean regularizer loss over the epoch's batches.
    public var regularizerLoss: Double
    /// Exact per-sample training accuracy of the epoch (predictions made during training).
    public var accuracy: Double
    /// Validation metrics, if a validation set was given.
    public var validation: EvaluationResult?
    /// Mean firing rate (Hz) of each spiking layer during the epoch, in layer order.
    public var firingRatesHz: [Double]
    /// Learning rate at the end of the epoch.
    public var learningRate: Double
    /// Wall time of the epoch (training and validation), seconds.
    public var seconds: Double

    /// One line: `epoch 3: loss 1.2345 reg 0.0123 acc 0.512 | val loss 1.3 acc 0.49 | rates 6.5 Hz | 0.41 s`.
    public var description: String {
        var s = String(format: "epoch %3d: loss %.4f reg %.4f acc %.3f", epoch, loss, regularizerLoss, accuracy)
        if let v = validation { s += String(format: " | val loss %.4f acc %.3f", v.loss, v.accuracy) }
        s += " | rates " + firingRatesHz.map { String(format: "%.1f", $0) }.joined(separator: "/") + " Hz"
        s += String(format: " | lr %.2e | %.2f s", learningRate, seconds)
        return s
    }
}

/// Loss and accuracy of a network on a data set.
public struct EvaluationResult: Sendable, Codable, CustomStringConvertible {
    /// Mean task loss per sample.
    public var loss: Double
    /// Exact per-sample accuracy: correct predictions / samples.
    public var accuracy: Double
    /// The reference's figure: unweighted mean of per-batch accuracies (differs when the last batch is smaller).
    public var meanBatchAccuracy: Double
    /// Number of samples evaluated.
    public var samples: Int
    /// Mean firing rate (Hz) of each spiking layer.
    public var firingRatesHz: [Double]

    /// `loss 0.1234, accuracy 96.30 % (1000 samples, exact per-sample)`.
    public var description: String {
        String(format: "loss %.4f, accuracy %.2f %% (%d samples, exact per-sample; mean of batch accuracies %.2f %%)",
               loss, 100 * accuracy, samples, 100 * meanBatchAccuracy)
    }
}

/// The outcome of ``Trainer/fit(_:validation:epochs:batchSize:seed:progress:checkpoint:onEpoch:)``.
public struct TrainingSummary: Sendable, Codable, CustomStringConvertible {
    /// Every epoch's metrics.
    public var epochs: [EpochMetrics]
    /// Total wall time, seconds.
    public var seconds: Double

    /// The epoch with the best validation accuracy, if validated.
    public var bestValidationEpoch: EpochMetrics? {
        epochs.filter { $0.validation != nil }.max { $0.validation!.accuracy < $1.validation!.accuracy }
    }

    /// A few lines: epochs, time, final and best metrics.
    public var description: String {
        guard let last = epochs.last else { return "no epochs trained" }
        var lines = [String(format: "trained %d epochs in %.1f s (%.2f s/epoch)", epochs.count, seconds, seconds / Double(epochs.count)),
                     String(format: "final: train loss %.4f acc %.3f", last.loss, last.accuracy)
                        + (last.validation.map { String(format: ", validation acc %.3f", $0.accuracy) } ?? "")]
        if let best = bestValidationEpoch, let v = best.validation {
            lines.append(String(format: "best validation accuracy %.3f at epoch %d", v.accuracy, best.epoch))
        }
        return lines.joined(separator: "\n")
    }
}
