import Foundation
import SNNData
import SNNKit
import Testing
import SNNExperiments

/// `data: {kind: shd, streaming: true}`: SHD configurations read each batch from the file, with the results of loading it.
@Suite("Streaming SHD configurations")
struct StreamingConfigurationTests {
    /// A tiny SHD configuration on `path` (and `testPath`, if given): 700 → 16 LIF → 20, 2 epochs, batch 16.
    static func yaml(path: String, testPath: String? = nil, streaming: String? = "true") -> String {
        """
        data:
          kind: shd
          timeStep: 2 ms
          path: \(path)\(testPath.map { "\n  testPath: \($0)" } ?? "")
          duration: 100 ms
          downsample: 4
          classes: 20
          validationFraction: 0.2\(streaming.map { "\n  streaming: \($0)" } ?? "")
        network:
          layers:
            - {type: lif, size: 16}
            - {type: readout, size: 20, tauMembrane: 100 ms}
        initialization:
          method: {type: fluctuationDriven, sigmaU: 1}
          rates: {type: measured, samples: 8, layerWise: true}
        training:
          epochs: 2
          batchSize: 16
          primingEpochs: 1
          optimizer: {type: smorms3, learningRate: 5e-3}
          regularizers:
            - {type: lowerBound, strength: 100, threshold: 1e-3, per: neuron}
        """
    }

    @Test("streaming: true gives the same splits, initialization, weights, metrics and test result as loading", arguments: [false, true])
    func sameResult(separateTestFile: Bool) throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("snnkit-stream-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let train = folder.appendingPathComponent("train.h5").path, test = folder.appendingPathComponent("test.h5").path
        try SyntheticSHD.write(to: train, samplesPerClass: 4, steps: 50, timeStep: .milliseconds(2), stepFraction: 0.9, seed: 1)
        try SyntheticSHD.write(to: test, samplesPerClass: 1, steps: 50, timeStep: .milliseconds(2), stepFraction: 0.9, seed: 2)
        let testPath = separateTestFile ? test : nil
        let streamed = try ExperimentConfiguration.parse(yaml: Self.yaml(path: train, testPath: testPath), file: "s.yaml")
        let loaded = try ExperimentConfiguration.parse(yaml: Self.yaml(path: train, testPath: testPath, streaming: nil), file: "l.yaml")
        guard case let .shd(s) = streamed.data.source, case let .shd(l) = loaded.data.source else { Issue.record("not shd"); return }
        #expect(s.streaming && !l.streaming)
        #expect(try loaded.overridingStreaming().data == streamed.data)   // snn train CONFIG --streaming

        let views = try streamed.makeStreamedData()
        let sets = try loaded.makeData()
        for (view, set) in [(views.train, sets.train), (views.validation, sets.validation), (views.test, sets.test)] {
            let read = try view.loadSamples(0..<view.count)
            #expect(read.labels == set.labels && read.eventOffsets == set.eventOffsets && read.eventSteps == set.eventSteps
                    && read.eventChannels == set.eventChannels)
        }

        let a = try streamed.run(progress: .silent)
        let b = try loaded.run(progress: .silent)
        #expect(a.initialization.inputRateHz == b.initialization.inputRateHz)
        #expect(a.initialRates.map(\.hertz) == b.initialRates.map(\.hertz))
        #expect(a.primingLosses == b.primingLosses)
        #expect(a.network == b.network)
        #expect(a.training.epochs.map(\.loss) == b.training.epochs.map(\.loss))
        #expect(a.training.epochs.map { $0.validation?.accuracy } == b.training.epochs.map { $0.validation?.accuracy })
        #expect(a.test.loss == b.test.loss && a.test.accuracy == b.test.accuracy)

        // --data FILE replaces the training file of a streaming configuration too.
        let overridden = try streamed.makeStreamedData(dataOverride: test)
        #expect(overridden.train.base.path == test)
    }

    @Test("streaming is parsed strictly: a Boolean, and a misspelt key is an error naming it")
    func strictParsing() throws {
        let notBoolean = try #require(configurationError(Self.yaml(path: "x.h5", streaming: "sometimes")))
        #expect(notBoolean.keyPath == "data.streaming")
        let misspelt = try #require(configurationError(Self.yaml(path: "x.h5", streaming: nil)
            .replacingOccurrences(of: "validationFraction: 0.2", with: "validationFraction: 0.2\n  streamin: true")))
        #expect(misspelt.description.contains("data.streamin: unknown key; did you mean 'streaming'?"))
    }

    @Test("streaming a missing file fails naming it; streaming Randman data (or --streaming with it) is an error naming data.kind")
    func errors() throws {
        let configuration = try ExperimentConfiguration.parse(yaml: Self.yaml(path: "/nonexistent/train.h5"), file: "s.yaml")
        #expect { try configuration.run(progress: .silent) } throws: { "\($0)".contains("/nonexistent/train.h5") }
        let randman = try ExperimentConfiguration.parse(yaml: tinyRandman, file: "tiny.yaml")
        #expect { _ = try randman.makeStreamedData() } throws: { ($0 as? ConfigurationFileError)?.keyPath == "data.kind" }
        #expect { _ = try randman.overridingStreaming() } throws: { ($0 as? ConfigurationFileError)?.keyPath == "data.kind" }
    }
}
