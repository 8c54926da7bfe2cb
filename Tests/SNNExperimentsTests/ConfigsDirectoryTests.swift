import Foundation
import SNNKit
import Testing
import SNNExperiments

@Suite("configs/ — the reference experiments of SPEC §8")
struct ConfigsDirectoryTests {
    @Test("configs/ holds the five reference configurations")
    func expectedFiles() {
        #expect(Set(configurationFiles).isSuperset(of: ["randman.yaml", "shd-deep-ff.yaml", "shd-conv-recurrent.yaml", "shd-dale.yaml",
                                                        "dvs-conv2d.yaml"]))
    }

    @Test("every file in configs/ parses, builds its network and round-trips through YAML", arguments: configurationFiles)
    func parsesAndBuilds(name: String) throws {
        let configuration = try loadConfiguration(name)
        let network = try configuration.makeNetwork()
        #expect(network.layers.count == configuration.network.layers.count)
        #expect(network.timeStep == .milliseconds(2))
        var reread = try ExperimentConfiguration.parse(yaml: configuration.yamlText(), file: name)
        reread.sourcePath = configuration.sourcePath
        #expect(reread == configuration)
    }

    @Test("every configuration starts with a header comment naming its SPEC §8 row and where the data comes from",
          arguments: configurationFiles)
    func headerComment(name: String) throws {
        let text = try String(contentsOf: repositoryRoot.appendingPathComponent("configs").appendingPathComponent(name), encoding: .utf8)
        let header = text.split(separator: "\n").prefix { $0.hasPrefix("#") }.joined(separator: "\n")
        #expect(header.contains("SPEC §8"))
        #expect(header.contains("Data:"))
        #expect(header.contains("Reference"))
    }

    @Test("randman.yaml is the shallow experiment of `snn train`: 20 → 128 LIF → 10 readout, SMORMS3 5e-3, batch 250, 200 epochs")
    func randman() throws {
        let configuration = try loadConfiguration("randman.yaml")
        let network = try configuration.makeNetwork()
        let reference = try SpikingNetwork(inputs: 20, timeStep: .milliseconds(2)) {
            LIFLayer(128, tauMembrane: .milliseconds(20), tauSynapse: .milliseconds(10), surrogate: .superSpike(beta: 20))
            LeakyReadout(10, tauMembrane: .milliseconds(200), tauSynapse: .milliseconds(10), initialState: -1e-2)
        }
        #expect(network == reference)
        #expect(configuration.training.epochs == 200)
        #expect(configuration.training.batchSize == 250)
        #expect(configuration.training.optimizer == .smorms3(learningRate: 5e-3, epsilon: 1e-16))
        #expect(configuration.training.regularizers.map(\.regularizer) == [
            .lowerBound(strength: 100, threshold: 1e-3, per: .neuron), .upperBound(strength: 0.1, threshold: 4, per: .population),
        ])
        #expect(configuration.initialization.method.value == .fluctuationDriven(sigmaU: 1))
        #expect(configuration.initialization.rates == .measured(samples: 256, layerWise: true))
    }

    @Test("shd-deep-ff.yaml: 700 → 128 → 128 → 128 → 20, batch 400, 100 epochs, upper bound 7 spikes")
    func deepFeedForward() throws {
        let configuration = try loadConfiguration("shd-deep-ff.yaml")
        let network = try configuration.makeNetwork()
        #expect(network.inputs == 700)
        #expect(network.layers.map(\.size) == [128, 128, 128, 20])
        #expect(network.layers.allSatisfy { $0.afferents.count == 1 })
        #expect(configuration.training.batchSize == 400 && configuration.training.epochs == 100)
        #expect(configuration.training.regularizers.map(\.regularizer).contains(.upperBound(strength: 0.1, threshold: 7, per: .population)))
    }

    @Test("shd-conv-recurrent.yaml: conv grids 16×68, 32×21, 64×5 with recurrent convolutions, then 20 readout")
    func convolutionalRecurrent() throws {
        let configuration = try loadConfiguration("shd-conv-recurrent.yaml")
        let network = try configuration.makeNetwork()
        #expect(network.layers.prefix(3).map(\.shape.description) == ["16×68", "32×21", "64×5"])
        #expect(network.layers.prefix(3).map(\.afferents.count) == [2, 2, 2])
        #expect(network.layers[3].size == 20)
        // Fan-ins of SPEC §3.2's table: ff 1×21, 16×7, 32×7; rec 16×5, 32×5, 64×5.
        #expect(network.layers.prefix(3).flatMap { $0.afferents.map(\.fanIn) } == [21, 80, 112, 160, 224, 320])
        if case let .fluctuationDriven(_, share, _) = configuration.initialization.method { #expect(share == 0.9) } else { Issue.record("not fluctuation-driven") }
        #expect(configuration.training.epochs == 200 && configuration.training.batchSize == 400)
    }

    @Test("shd-dale.yaml: 700 → {128 E, 32 I} → 20 readout from the E units, τ_exc 10 ms, τ_inh 20 ms")
    func dale() throws {
        let configuration = try loadConfiguration("shd-dale.yaml")
        let network = try configuration.makeNetwork()
        #expect(network.layers[0].size == 160)
        #expect(network.layers[0].outputUnits == 0..<128)
        #expect(network.layers[1].size == 20)
        #expect(network.layers[1].afferents[0].fanIn == 128)
        guard case let .excitatoryInhibitory(d) = network.layers[0].neuron else { Issue.record("not an E/I layer"); return }
        #expect(d.tauExcitatory == .milliseconds(10) && d.tauInhibitory == .milliseconds(20))
        #expect(configuration.training.epochs == 200)
    }

    @Test("dvs-conv2d.yaml: 2×32×32 → 2 × [conv 3×3 p2 → conv 3×3 p2 → max pool 2] → 11 readout")
    func convolution2D() throws {
        let configuration = try loadConfiguration("dvs-conv2d.yaml")
        let network = try configuration.makeNetwork()
        #expect(network.inputShape == ActivityShape(channels: 2, spatial: [32, 32]))
        #expect(network.layers.map(\.shape.description) == ["16×34×34", "16×36×36", "16×18×18", "32×20×20", "32×22×22", "32×11×11", "11"])
        #expect(network.layers[0].afferents[0].fanIn == 18)   // SPEC §3.2: first layer 2×3×3
        #expect(configuration.initialization.rates == .fixed(hertz: 9.2))
        #expect(configuration.training.batchSize == 16 && configuration.training.epochs == 20)
    }

    @Test("file-based data not loadable in this build fails with an error naming the data file", arguments: ["shd-dale.yaml", "dvs-conv2d.yaml"])
    func unavailableData(name: String) throws {
        let configuration = try loadConfiguration(name)
        #expect {
            _ = try configuration.makeData(dataOverride: "/nonexistent/train.h5")
        } throws: { error in
            "\(error)".contains("/nonexistent/train.h5")
        }
    }
}
