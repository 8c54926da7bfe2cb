import Foundation
import SNNData
import SNNKit
import Testing

/// The SPEC §8 conv-recurrent and Dale architectures (scaled down for CI) train on a synthetic SHD-format HDF5 file
/// written by the test (700 channels, 20 classes, Randman spike timings), read back through the SHD loader.
@Suite("Training on a synthetic SHD-format file")
struct SHDTrainingTests {
    static let timeStep = Duration.milliseconds(2)

    /// Writes the synthetic set (100 steps of 2 ms, 40 samples per class) and loads it like a real SHD file.
    static func data() throws -> (train: SpikeDataset, test: SpikeDataset) {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("snnkit-shd-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("synthetic_shd.h5").path
        try SyntheticSHD.write(to: path, samplesPerClass: 40, steps: 100, timeStep: timeStep, stepFraction: 0.8, seed: 3)
        let data = try SpikeDataset.loadSHD(path: path, timeStep: timeStep, duration: .milliseconds(200))
        #expect(data.channels == 700 && data.classes == 20 && data.count == 800 && data.steps == 100)
        let (train, _, test) = try data.split(0.8, 0, 0.2)
        return (train, test)
    }

    static func train(_ net: SpikingNetwork, _ data: (train: SpikeDataset, test: SpikeDataset), epochs: Int, learningRate: Double = 5e-3) throws -> (accuracy: Double, network: SpikingNetwork) {
        var net = net
        var rng = Xoshiro256StarStar(seed: 5)
        try net.initialize(.fluctuationDriven(sigmaU: 1, feedForwardShare: 0.9), rates: .measured(on: data.train, samples: 64), using: &rng)
        let trainer = try Trainer(network: net, optimizer: SMORMS3(learningRate: learningRate),
                                  regularizers: [.lowerBound(strength: 100, threshold: 1e-3, per: .neuron),
                                                 .upperBound(strength: 0.1, threshold: 7, per: .population)])
        try trainer.fit(data.train, epochs: epochs, batchSize: 40, seed: 1, progress: .silent)
        return (try trainer.evaluate(data.test).accuracy, trainer.network)
    }

    @Test("Conv-recurrent (the SPEC §8 first two layers: 16/32 filters, k 21/7, strides 10/3, recurrent k 5) beats chance (5 %) by far")
    func convolutionalRecurrent() throws {
        let data = try Self.data()
        let net = try SpikingNetwork(inputs: 700, inputShape: ActivityShape(channels: 1, spatial: [700]), timeStep: Self.timeStep) {
            ConvolutionalLIFLayer(channels: 16, kernel: [21], stride: [10], recurrentKernel: [5])
            ConvolutionalLIFLayer(channels: 32, kernel: [7], stride: [3], recurrentKernel: [5])
            LeakyReadout(20, tauMembrane: .milliseconds(200))
        }
        #expect(net.layers.map(\.shape.description) == ["16×68", "32×21", "20"])
        // Measured 49 % after 15 epochs (the Randman-based set has no spectral locality for convolutions to exploit).
        let (accuracy, _) = try Self.train(net, data, epochs: 15)
        #expect(accuracy > 0.3, "test accuracy \(accuracy)")
    }

    @Test("Dale (700 → {64 E, 16 I} → readout, exponential init) beats chance by far and keeps every weight non-negative")
    func dale() throws {
        let data = try Self.data()
        let net = try SpikingNetwork(inputs: 700, timeStep: Self.timeStep) {
            DalianLayer(excitatory: 64, inhibitory: 16)
            LeakyReadout(20, tauMembrane: .milliseconds(200))
        }
        let (accuracy, trained) = try Self.train(net, data, epochs: 15)
        #expect(accuracy > 0.4, "test accuracy \(accuracy)")
        for p in trained.layers[0].afferents { #expect(p.weights.scalars.allSatisfy { $0 >= 0 }) }
    }
}
