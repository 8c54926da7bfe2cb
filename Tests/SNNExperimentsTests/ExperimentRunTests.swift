import Foundation
import SNNKit
import Testing
import SNNExperiments

@Suite("Running a configuration end to end")
struct ExperimentRunTests {
    @Test("a tiny Randman configuration trains for 2 epochs and beats chance (1/3) on its test set")
    func tinyRun() throws {
        let configuration = try ExperimentConfiguration.parse(yaml: tinyRandman, file: "tiny.yaml")
        var lines: [String] = []
        let result = try configuration.run(progress: .silent, log: { lines.append($0) })
        #expect(result.training.epochs.count == 2)
        #expect(result.test.samples == 30)
        #expect(result.test.accuracy > 0.45)
        #expect(result.initialRates.count == 1)
        #expect(result.initialRates[0].hertz > 0)
        #expect(lines.count == 1)   // the initialization report
        let json = result.jsonObject
        #expect(json["test_accuracy"] as? Double == result.test.accuracy)
        #expect((json["history"] as? [[String: Any]])?.count == 2)
        #expect((json["init_rate_hz"] as? [Double])?.count == 1)
        #expect(JSONSerialization.isValidJSONObject(json))
    }

    @Test("priming epochs run before training and are reported")
    func priming() throws {
        let configuration = try ExperimentConfiguration.parse(
            yaml: tinyRandman(replacing: "samplesPerClass: 100", with: "samplesPerClass: 20")
                .replacingOccurrences(of: "  batchSize: 20", with: "  batchSize: 20\n  primingEpochs: 2"), file: "tiny.yaml")
        let result = try configuration.overridingEpochs(1).run(progress: .silent)
        #expect(result.primingLosses.count == 2)
        #expect(result.training.epochs.count == 1)
    }

    @Test("priming without regularizers is rejected at load")
    func primingWithoutRegularizers() throws {
        let yaml = tinyRandman.components(separatedBy: "\n").prefix { !$0.contains("regularizers") }.joined(separator: "\n") + "\n  primingEpochs: 1"
        let error = try #require(configurationError(yaml))
        #expect(error.keyPath == "training.primingEpochs")
    }

    @Test("a data path override of generated Randman data is an error naming data.kind")
    func overrideRandman() throws {
        let configuration = try ExperimentConfiguration.parse(yaml: tinyRandman, file: "tiny.yaml")
        #expect {
            _ = try configuration.makeData(dataOverride: "x.h5")
        } throws: { error in
            (error as? ConfigurationFileError)?.keyPath == "data.kind"
        }
    }

    @Test("Randman data follows the configured split")
    func split() throws {
        let configuration = try ExperimentConfiguration.parse(yaml: tinyRandman, file: "tiny.yaml")
        let (train, validation, test) = try configuration.makeData()
        let counts: [Int] = [train.count, validation.count, test.count]
        #expect(counts == [240, 30, 30])
        #expect(train.channels == 20)
        #expect(train.steps == 50)
    }
}
