import Foundation
import SNNKit
import Testing
import SNNExperiments

/// `snn train CONFIG --checkpoint PATH` / `--resume PATH`: a configuration run continued from its checkpoint.
@Suite("Resuming a configuration run")
struct ResumeTests {
    @Test("A run with priming, checkpointed after 1 of 3 epochs and resumed, equals the uninterrupted run")
    func resumeConfiguration() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("snnkit-resume-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let yaml = tinyRandman(replacing: "samplesPerClass: 100", with: "samplesPerClass: 30")
            .replacingOccurrences(of: "  batchSize: 20", with: "  batchSize: 20\n  primingEpochs: 1")
        let configuration = try ExperimentConfiguration.parse(yaml: yaml, file: "tiny.yaml").overridingEpochs(3)

        let full = try configuration.run(progress: .silent)
        let checkpoint = folder.appendingPathComponent("last.safetensors")
        let first = try configuration.overridingEpochs(1).overridingCheckpoint(checkpoint.path).run(progress: .silent)
        #expect(first.primingLosses.count == 1)
        #expect(try Checkpoint(contentsOf: checkpoint).completedEpochs == 1)

        var lines: [String] = []
        let resumed = try configuration.overridingCheckpoint(checkpoint.path).run(progress: .silent, resumingFrom: checkpoint,
                                                                                 log: { lines.append($0) })
        #expect(resumed.primingLosses.isEmpty)
        #expect(lines.contains { $0.hasPrefix("resuming after epoch 1 of 3") })
        #expect(resumed.network == full.network)
        #expect(resumed.training.epochs.map(\.loss) == full.training.epochs.map(\.loss))
        #expect(resumed.test.loss == full.test.loss)
        #expect(try Checkpoint(contentsOf: checkpoint).completedEpochs == 3)
    }

    @Test("Resuming from a missing file is an error naming it")
    func missingCheckpoint() throws {
        let configuration = try ExperimentConfiguration.parse(yaml: tinyRandman(replacing: "samplesPerClass: 100", with: "samplesPerClass: 10"),
                                                              file: "tiny.yaml")
        let missing = URL(fileURLWithPath: "/nonexistent-\(UUID().uuidString).safetensors")
        let error = #expect(throws: CheckpointError.self) { try configuration.run(progress: .silent, resumingFrom: missing) }
        #expect(error?.path == missing.path)
    }
}
