import Foundation
import SNNData
import Testing

/// The directory shared with `scripts/verify_numpy_interop.py`, if the script runs the tests.
private let interopDirectory = ProcessInfo.processInfo.environment["SNNKIT_NUMPY_INTEROP_DIR"]

/// Files exchanged with NumPy. Enabled only when `SNNKIT_NUMPY_INTEROP_DIR` names a directory, as
/// `scripts/verify_numpy_interop.py` does; the default test run skips this suite and needs no Python.
@Suite("NumPy interop", .enabled(if: interopDirectory != nil, "set SNNKIT_NUMPY_INTEROP_DIR (scripts/verify_numpy_interop.py)"))
struct NumPyInteropTests {
    static var directory: String { interopDirectory ?? "" }

    static func json(_ name: String) throws -> [String: Any] {
        let data = try Data(contentsOf: URL(fileURLWithPath: directory + "/" + name))
        return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    static func write(_ object: [String: Any], to name: String) throws {
        try JSONSerialization.data(withJSONObject: object).write(to: URL(fileURLWithPath: directory + "/" + name))
    }

    static func record(_ d: SpikeDataset) -> [String: Any] {
        ["steps": d.steps, "channels": d.channels, "event_offsets": d.eventOffsets,
         "event_steps": d.eventSteps.map(Int.init), "event_channels": d.eventChannels.map(Int.init), "labels": d.labels]
    }

    static func expectMatches(_ d: SpikeDataset, _ expected: [String: Any], sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(d.eventOffsets == expected["event_offsets"] as? [Int], sourceLocation: sourceLocation)
        #expect(d.eventSteps.map(Int.init) == expected["event_steps"] as? [Int], sourceLocation: sourceLocation)
        #expect(d.eventChannels.map(Int.init) == expected["event_channels"] as? [Int], sourceLocation: sourceLocation)
        #expect(d.labels == expected["labels"] as? [Int], sourceLocation: sourceLocation)
        #expect(d.channels == expected["channels"] as? Int && d.steps == expected["steps"] as? Int, sourceLocation: sourceLocation)
    }

    @Test("Reads what NumPy wrote: savez, savez_compressed (ZIP64 local headers), RAS, DVS records with padding, big-endian")
    func readNumPyFiles() throws {
        let dir = Self.directory
        let expected = try Self.json("from_numpy.json")
        let dense = try SpikeDataset.loadNumPy(spikes: dir + "/dense.npz", timeStep: .milliseconds(2))
        Self.expectMatches(dense, try #require(expected["dense"] as? [String: Any]))
        let compressed = try SpikeDataset.loadNumPy(spikes: dir + "/dense_compressed.npz", timeStep: .milliseconds(2))
        Self.expectMatches(compressed, try #require(expected["dense"] as? [String: Any]))
        let separate = try SpikeDataset.loadNumPy(spikes: dir + "/spikes.npy", labels: dir + "/labels.npy", timeStep: .milliseconds(2))
        Self.expectMatches(separate, try #require(expected["dense"] as? [String: Any]))
        let ras = try SpikeDataset.loadRAS(path: dir + "/ras.npz", timeStep: .milliseconds(2), duration: .milliseconds(700), channels: 700)
        Self.expectMatches(ras, try #require(expected["ras"] as? [String: Any]))
        let dvs = try SpikeDataset.loadDVSEvents(file: dir + "/dvs.npy", label: 0, timeStep: .milliseconds(2), duration: .seconds(1),
                                                 sensorSize: (height: 128, width: 128), downsample: 4)
        Self.expectMatches(dvs, try #require(expected["dvs"] as? [String: Any]))
        let big = try NPYFile.read(from: dir + "/big_endian.npy")
        #expect(big.doubles() == expected["big_endian"] as? [Double])
    }

    @Test("Writes files for NumPy: dense, RAS, DVS (both layouts), every scalar type (stored, DEFLATE, ZIP64), IDX")
    func writeForNumPy() throws {
        let dir = Self.directory
        let data = try Randman.classification(classes: 3, units: 30, steps: 100, timeStep: .milliseconds(2), stepFraction: 1,
                                              samplesPerClass: 4, seed: 11)
        try data.writeNumPy(to: dir + "/snnkit_dense.npz")
        try data.writeRAS(to: dir + "/snnkit_ras.npz")
        let sorted = try SpikeDataset.loadNumPy(spikes: dir + "/snnkit_dense.npz", timeStep: .milliseconds(2))
        let events = (0..<500).map { i in DVSEvent(x: (i * 37) % 128, y: (i * 11) % 128, polarity: i % 2, microseconds: Int64(i * 1999)) }
        try DVSEventFile.write(events, to: dir + "/snnkit_dvs.npy")
        try DVSEventFile.write(events, to: dir + "/snnkit_dvs_columns.npy", layout: .columns)
        let kinds: [(String, NPYArray)] = [
            ("bool", NPYArray([true, false, true])), ("int8", NPYArray([Int8](arrayLiteral: -128, 127))),
            ("uint8", NPYArray([UInt8](arrayLiteral: 0, 255))), ("int16", NPYArray([Int16](arrayLiteral: -32768, 700))),
            ("uint16", NPYArray([UInt16](arrayLiteral: 0, 65535))), ("int32", NPYArray([Int32](arrayLiteral: Int32.min, 7))),
            ("uint32", NPYArray([UInt32](arrayLiteral: 0, UInt32.max))), ("int64", NPYArray([Int64](arrayLiteral: Int64.min + 1, 9))),
            ("uint64", NPYArray([UInt64](arrayLiteral: 0, 1 << 60))), ("float32", NPYArray([Float](arrayLiteral: 0, -1.5, 3.25))),
            ("float64", NPYArray([Double](arrayLiteral: 0.1, -2e300))),
            ("matrix", NPYArray([Float](arrayLiteral: 1, 2, 3, 4, 5, 6), shape: [2, 3])), ("scalar", NPYArray([Double](arrayLiteral: 0.02), shape: [])),
            ("empty", NPYArray([UInt8](), shape: [0, 3])),
        ]
        try NPZArchive.write(kinds, to: dir + "/snnkit_kinds.npz")
        try NPZArchive.write(kinds, to: dir + "/snnkit_kinds_deflated.npz", compression: .deflated)
        try NPZArchive.write(kinds, to: dir + "/snnkit_kinds_zip64.npz", forceZip64: true)
        try IDXFile(uint8: (0..<(2 * 28 * 28)).map { UInt8($0 % 256) }, dimensions: [2, 28, 28]).write(to: dir + "/snnkit_images.idx")
        try Self.write(["dense": Self.record(sorted), "ras": Self.record(data),
                        "dvs": events.map { [$0.x, $0.y, $0.polarity, Int($0.microseconds)] }], to: "from_snnkit.json")
    }
}
