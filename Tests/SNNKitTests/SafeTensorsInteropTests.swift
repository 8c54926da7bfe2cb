import Foundation
import SNNKit
import Testing

/// The directory shared with `scripts/verify_safetensors.py`, if the script runs the tests.
private let interopDirectory = ProcessInfo.processInfo.environment["SNNKIT_SAFETENSORS_INTEROP_DIR"]

/// Files exchanged with the PyPI `safetensors` package. Enabled only when `SNNKIT_SAFETENSORS_INTEROP_DIR` names a
/// directory, as `scripts/verify_safetensors.py` does; the default test run skips this suite and needs no Python.
@Suite("safetensors interop with Python", .enabled(if: interopDirectory != nil, "set SNNKIT_SAFETENSORS_INTEROP_DIR (scripts/verify_safetensors.py)"))
struct SafeTensorsInteropTests {
    @Test("Writes a training checkpoint (with a JSON record of its tensors) and a file of every dtype SNNKit writes")
    func writeForPython() throws {
        let dir = try #require(interopDirectory)
        let data = try TrainerTests.dataset(samples: 60, seed: 1)
        var net = try TrainerTests.network()
        var rng = Xoshiro256StarStar(seed: 1)
        try net.initialize(.fluctuationDriven(sigmaU: 1), rates: .measured(on: data), using: &rng)
        let trainer = try Trainer(network: net, optimizer: SMORMS3(learningRate: 5e-3), regularizers: [.lowerBound(strength: 100, threshold: 1e-3)])
        try trainer.fit(data, epochs: 1, batchSize: 20, seed: 2, progress: .silent,
                        checkpoint: URL(fileURLWithPath: dir + "/checkpoint.safetensors"))
        let file = try SafeTensors(contentsOf: URL(fileURLWithPath: dir + "/checkpoint.safetensors"))
        var tensors: [String: Any] = [:]
        for entry in file.entries {
            tensors[entry.name] = ["shape": entry.shape, "values": try file.floats(entry.name).map(Double.init)]
        }
        let record: [String: Any] = ["tensors": tensors, "order": file.names, "parameters": trainer.network.parameterIDs.map(\.description)]
        try JSONSerialization.data(withJSONObject: record).write(to: URL(fileURLWithPath: dir + "/checkpoint.json"))

        var kinds = SafeTensors(metadata: ["note": "unicode τ and \"quotes\"", "empty": ""])
        try kinds.append("float32", try Tensor(shape: [2, 3], scalars: [0, -1.5, 3.25, 0.1, -0.0, 1e-38]))
        try kinds.append("float64", values: [0.1, -2e300, .infinity], shape: [3])
        try kinds.append("int64", values: [Int64.min, -1, 9, Int64.max], shape: [2, 2])
        try kinds.append("uint8", values: [0, 7, 255, 128] as [UInt8], shape: [4])
        try kinds.append("scalar", values: [0.02] as [Float], shape: [])
        try kinds.append("empty", values: [] as [Float], shape: [0, 3])
        try kinds.write(to: URL(fileURLWithPath: dir + "/kinds.safetensors"))
    }

    @Test("Reads the file Python wrote with safetensors.numpy.save_file")
    func readFromPython() throws {
        let dir = try #require(interopDirectory)
        let file = try SafeTensors(contentsOf: URL(fileURLWithPath: dir + "/from_python.safetensors"))
        #expect(file.metadata == ["source": "python", "epoch": "3"])
        #expect(try file.tensor("weights") == Tensor(shape: [2, 3], scalars: [0, 0.5, 1, 1.5, 2, 2.5]))
        #expect(try file.doubles("doubles") == [0.1, -2e300])
        #expect(file["counts"]?.shape == [1, 2])
        #expect(try file.int64s("counts") == [Int64.min, 9])
        #expect(try file.uint8s("bytes") == [0, 255, 7])
        #expect(file["empty"]?.shape == [0, 4])
        #expect(file.entries.count == 5)
    }
}
