import Foundation
import SNNData
import SNNExperiments
import Testing

@Suite("DVS configurations")
struct DVSConfigurationTests {
    @Test("A dvs data section reads a manifest of event files (FILE LABEL) and bins them to 2 × 4 × 4 frames")
    func manifest() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("snnkit-dvs-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        var lines: [String] = []
        for i in 0..<20 {
            let events = (0..<30).map { k in DVSEvent(x: (i + k) % 8, y: (2 * k + i) % 8, polarity: k % 2, microseconds: Int64(k * 1500)) }
            try DVSEventFile.write(events, to: folder.appendingPathComponent("r\(i).npy").path)
            lines.append("r\(i).npy \(i % 2)")
        }
        try (lines.joined(separator: "\n") + "\n# a comment\n").write(to: folder.appendingPathComponent("train.txt"), atomically: true, encoding: .utf8)
        let yaml = """
            data:
              kind: dvs
              timeStep: 2 ms
              path: \(folder.appendingPathComponent("train.txt").path)
              duration: 50 ms
              sensorSize: [8, 8]
              downsample: 2
              classes: 2
              validationFraction: 0.1
              testFraction: 0.2
            network:
              inputShape: [2, 4, 4]
              layers:
                - {type: conv, channels: 3, kernel: [3, 3], padding: [1, 1]}
                - {type: pool, kind: max, window: [2, 2]}
                - {type: readout, size: 2, tauMembrane: 50 ms}
            initialization:
              method: {type: fluctuationDriven, sigmaU: 1}
              rates: {type: measured, samples: 8}
            training:
              epochs: 1
              batchSize: 4
            """
        let config = try ExperimentConfiguration.parse(yaml: yaml, file: "dvs.yaml")
        let (train, validation, test) = try config.makeData()
        #expect(train.count + validation.count + test.count == 20)
        #expect(train.channels == 32 && train.steps == 25)
        _ = try config.makeNetwork()
    }

    @Test("A malformed manifest line is an error naming the manifest and the line")
    func badManifest() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("snnkit-bad-\(UUID().uuidString).txt").path
        try "a.npy 0\nb.npy\n".write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let yaml = """
            data: {kind: dvs, timeStep: 2 ms, path: \(path), duration: 50 ms, sensorSize: [8, 8], downsample: 2, classes: 2, validationFraction: 0.1}
            network: {inputShape: [2, 4, 4], layers: [{type: readout, size: 2, tauMembrane: 50 ms}]}
            initialization: {method: {type: fluctuationDriven, sigmaU: 1}, rates: {type: fixed, hertz: 10}}
            training: {epochs: 1, batchSize: 4}
            """
        let config = try ExperimentConfiguration.parse(yaml: yaml, file: "dvs.yaml")
        #expect {
            _ = try config.makeData()
        } throws: { error in
            "\(error)".contains(path) && "\(error)".contains("line 2")
        }
    }
}
