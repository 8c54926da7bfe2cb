import Foundation
import Testing
import SNNExperiments

@Suite("Configuration errors name the file and the key path")
struct ConfigurationFileErrorTests {
    @Test("the tiny configuration used by these tests is valid")
    func tinyIsValid() throws {
        let configuration = try ExperimentConfiguration.parse(yaml: tinyRandman, file: "configs/tiny.yaml")
        #expect(configuration.sourcePath == "configs/tiny.yaml")
        #expect(try configuration.makeNetwork().layers.map(\.size) == [32, 3])
    }

    @Test("YAML syntax error: file, line and column")
    func syntax() throws {
        let error = try #require(configurationError(tinyRandman(replacing: "  kind: randman", with: "  kind: randman\n   bad: [")))
        guard case let .syntax(file, line, _, _) = error else { Issue.record("\(error)"); return }
        #expect(file == "configs/bad.yaml")
        #expect(line == 3)
        #expect(error.description.hasPrefix("configs/bad.yaml: line 3, column"))
        #expect(error.description.contains("YAML syntax error"))
    }

    @Test("unknown key (a typo) is an error with a suggestion")
    func unknownKey() throws {
        let error = try #require(configurationError(tinyRandman(replacing: "tauMembrane: 100 ms", with: "tauMembran: 100 ms")))
        #expect(error.keyPath == "network.layers[1].tauMembran")
        #expect(error.description == "configs/bad.yaml: network.layers[1].tauMembran: unknown key; did you mean 'tauMembrane'? (line 12)")
    }

    @Test("unknown key in a section lists the allowed keys")
    func unknownKeyWithoutSuggestion() throws {
        let error = try #require(configurationError(tinyRandman(replacing: "  batchSize: 20", with: "  batchSize: 20\n  dropout: 0.5")))
        #expect(error.keyPath == "training.dropout")
        #expect(error.description.hasPrefix("configs/bad.yaml: training.dropout: unknown key; allowed here: epochs, batchSize"))
    }

    @Test("a key that applies to another variant is an unknown key")
    func keyOfOtherVariant() throws {
        let error = try #require(configurationError(tinyRandman(replacing: "{type: smorms3, learningRate: 2e-2}",
                                                                with: "{type: adam, learningRate: 1e-3, momentum: 0.9}")))
        #expect(error.keyPath == "training.optimizer.momentum")
        #expect(error.description.contains("unknown key"))
    }

    @Test("wrong type: text where an integer is expected")
    func wrongType() throws {
        let error = try #require(configurationError(tinyRandman(replacing: "epochs: 2", with: "epochs: two")))
        #expect(error == .wrongType(file: "configs/bad.yaml", keyPath: "training.epochs", line: 14, expected: "an integer", found: "two"))
        #expect(error.description == "configs/bad.yaml: training.epochs: expected an integer, found two (line 14)")
    }

    @Test("wrong type: a number where a list is expected")
    func wrongTypeList() throws {
        let error = try #require(configurationError(tinyRandman(replacing: "{type: lif, size: 32}", with: "{type: conv, channels: 4, kernel: 3}")))
        #expect(error.keyPath == "network.layers[0].kernel")
        #expect(error.description.contains("expected a list, found 3"))
    }

    @Test("duration without a unit")
    func badDuration() throws {
        let error = try #require(configurationError(tinyRandman(replacing: "timeStep: 2 ms", with: "timeStep: 2")))
        #expect(error.keyPath == "data.timeStep")
        #expect(error.description.hasPrefix("configs/bad.yaml: data.timeStep: expected a duration with a unit, found 2"))
    }

    @Test("duration with an unknown unit")
    func badUnit() throws {
        let error = try #require(configurationError(tinyRandman(replacing: "tauMembrane: 100 ms", with: "tauMembrane: 100 msec")))
        #expect(error.keyPath == "network.layers[1].tauMembrane")
        #expect(error.description.contains("unknown time unit 'msec'"))
    }

    @Test("unknown layer type")
    func unknownLayerType() throws {
        let error = try #require(configurationError(tinyRandman(replacing: "{type: lif, size: 32}", with: "{type: lstm, size: 32}")))
        #expect(error.keyPath == "network.layers[0].type")
        #expect(error.description.hasPrefix("configs/bad.yaml: network.layers[0].type: unknown layer type 'lstm'; expected one of lif, adaptiveLIF"))
    }

    @Test("negative size")
    func negativeSize() throws {
        let error = try #require(configurationError(tinyRandman(replacing: "{type: lif, size: 32}", with: "{type: lif, size: -3}")))
        #expect(error.description == "configs/bad.yaml: network.layers[0].size: expected a positive integer, found -3 (line 11)")
    }

    @Test("empty kernel")
    func emptyKernel() throws {
        let error = try #require(configurationError(tinyRandman(replacing: "{type: lif, size: 32}", with: "{type: conv, channels: 4, kernel: []}")))
        #expect(error.description == "configs/bad.yaml: network.layers[0].kernel: expected 1 or 2 positive integers, found [] (line 11)")
    }

    @Test("a kernel larger than its input")
    func kernelTooLarge() throws {
        let error = try #require(configurationError(tinyRandman(replacing: "{type: lif, size: 32}",
                                                                with: "{type: conv, channels: 4, kernel: [30], stride: [2]}")))
        #expect(error.keyPath == "network.layers[0].kernel")
        #expect(error.description.contains("does not fit the source extent [20]"))
    }

    @Test("missing required key")
    func missingKey() throws {
        let error = try #require(configurationError(tinyRandman(replacing: "  batchSize: 20\n", with: "")))
        #expect(error == .missingKey(file: "configs/bad.yaml", keyPath: "training.batchSize", line: 14))
    }

    @Test("duplicate key")
    func duplicateKey() throws {
        let error = try #require(configurationError(tinyRandman(replacing: "  batchSize: 20", with: "  batchSize: 20\n  epochs: 3")))
        #expect(error.keyPath == "training.epochs")
        #expect(error.description.contains("duplicate key (first given on line 14)"))
    }

    @Test("output layer smaller than the number of classes")
    func tooFewOutputs() throws {
        let error = try #require(configurationError(tinyRandman(replacing: "size: 3, tauMembrane", with: "size: 2, tauMembrane")))
        #expect(error.keyPath == "network.layers[1].size")
    }

    @Test("regularizer naming a layer that does not exist")
    func regularizerLayer() throws {
        let error = try #require(configurationError(tinyRandman(replacing: "threshold: 4, per: population}",
                                                                with: "threshold: 4, per: population, layers: [5]}")))
        #expect(error.keyPath == "training.regularizers[1].layers")
    }

    @Test("skip source from a later layer")
    func skipSource() throws {
        let error = try #require(configurationError(tinyRandman(replacing: "{type: lif, size: 32}", with: "{type: lif, size: 32, skipSources: [input, 1]}")))
        #expect(error.keyPath == "network.layers[0].skipSources[1]")
    }

    @Test("a file that does not exist")
    func missingFile() {
        #expect {
            _ = try ExperimentConfiguration.load(from: "/nonexistent/config.yaml")
        } throws: { error in
            (error as? ConfigurationFileError) == .unreadable(file: "/nonexistent/config.yaml", reason: "no such file")
        }
    }

    @Test("load(from:) names the path it was given")
    func loadNamesPath() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("snn-config-\(UUID().uuidString).yaml")
        try tinyRandman(replacing: "size: 32}", with: "size: 0}").write(to: url, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: url) }
        #expect {
            _ = try ExperimentConfiguration.load(from: url.path)
        } throws: { error in
            "\(error)".hasPrefix("\(url.path): network.layers[0].size: expected a positive integer, found 0")
        }
    }
}
