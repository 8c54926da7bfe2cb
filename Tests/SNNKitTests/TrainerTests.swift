import Foundation
import SNNKit
import Testing

/// End-to-end training on a small synthetic task: learnable, deterministic, checkpointed.
@Suite("Trainer")
struct TrainerTests {
    /// 4 classes over 12 channels, 40 steps of 1 ms: class k makes channels 3k…3k+2 fire 3 times each at random
    /// steps, on top of sparse background noise on every channel.
    static func dataset(samples: Int, seed: UInt64) throws -> SpikeDataset {
        var rng = Xoshiro256StarStar(seed: seed)
        var offsets = [0], steps = [Int32](), channels = [Int32](), labels = [Int]()
        for _ in 0..<samples {
            let label = Int(rng.next() % 4)
            for c in (3 * label)..<(3 * label + 3) {
                for _ in 0..<3 { steps.append(Int32(rng.next() % 40)); channels.append(Int32(c)) }
            }
            for c in 0..<12 where rng.nextUniform() < 0.3 { steps.append(Int32(rng.next() % 40)); channels.append(Int32(c)) }
            offsets.append(steps.count)
            labels.append(label)
        }
        return try SpikeDataset(channels: 12, steps: 40, timeStep: .milliseconds(1), classes: 4, eventOffsets: offsets,
                                eventSteps: steps, eventChannels: channels, labels: labels)
    }

    static func network() throws -> SpikingNetwork {
        try SpikingNetwork(inputs: 12, timeStep: .milliseconds(1)) {
            LIFLayer(16, isRecurrent: true)
            LeakyReadout(4, tauMembrane: .milliseconds(40), initialState: -1e-2)
        }
    }

    static func train(seed: UInt64, epochs: Int, checkpoint: URL? = nil) throws -> (Trainer, TrainingSummary, SpikeDataset) {
        let data = try dataset(samples: 400, seed: 1)
        let (train, validation, test) = try data.split(0.7, 0.15, 0.15)
        var net = try network()
        var rng = Xoshiro256StarStar(seed: seed)
        try net.initialize(.fluctuationDriven(sigmaU: 1), rates: .measured(on: train), using: &rng)
        let trainer = try Trainer(network: net, optimizer: SMORMS3(learningRate: 5e-3),
                                  regularizers: [.lowerBound(strength: 100, threshold: 1e-3), .upperBound(strength: 0.1, threshold: 4)])
        let summary = try trainer.fit(train, validation: validation, epochs: epochs, batchSize: 32, seed: seed, progress: .silent,
                                      checkpoint: checkpoint)
        return (trainer, summary, test)
    }

    @Test("Learns a synthetic task to ≥ 90 % test accuracy; loss decreases; per-epoch metrics are filled")
    func learns() throws {
        let (trainer, summary, test) = try Self.train(seed: 3, epochs: 15)
        let result = try trainer.evaluate(test)
        #expect(result.accuracy >= 0.9, "\(result)")
        #expect(summary.epochs.count == 15)
        #expect(summary.epochs.last!.loss < summary.epochs.first!.loss)
        #expect(summary.epochs.allSatisfy { $0.validation != nil && $0.firingRatesHz.count == 1 && $0.seconds > 0 })
        #expect(result.samples == test.count)
    }

    @Test("Same seed, same weights; another seed, other weights")
    func deterministic() throws {
        let a = try Self.train(seed: 5, epochs: 2).0.network
        let b = try Self.train(seed: 5, epochs: 2).0.network
        let c = try Self.train(seed: 6, epochs: 2).0.network
        #expect(a == b)
        #expect(a != c)
    }

    @Test("The checkpoint written after the last epoch loads back to the trained network")
    func checkpoint() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("snnkit-test-\(UUID().uuidString).safetensors")
        defer { try? FileManager.default.removeItem(at: url) }
        let (trainer, _, _) = try Self.train(seed: 5, epochs: 2, checkpoint: url)
        #expect(try SpikingNetwork.load(checkpoint: url) == trainer.network)
    }
}
