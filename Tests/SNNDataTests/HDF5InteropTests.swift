import Foundation
import SNNData
import Testing

/// The directory shared with `scripts/verify_hdf5_with_h5py.py`, if the script runs the tests.
private let interopDirectory = ProcessInfo.processInfo.environment["SNNKIT_HDF5_INTEROP_DIR"]

/// Files exchanged with h5py, the standard Python HDF5 package. Enabled only when
/// `SNNKIT_HDF5_INTEROP_DIR` names a directory, as `scripts/verify_hdf5_with_h5py.py` does; the default
/// test run skips this suite and needs no Python.
@Suite("HDF5 interop with h5py", .enabled(if: interopDirectory != nil, "set SNNKIT_HDF5_INTEROP_DIR (scripts/verify_hdf5_with_h5py.py)"))
struct HDF5InteropTests {
    static var directory: String? { interopDirectory }

    @Test("Writes an SHD-format file (with a JSON record of its events) and a file of every kind of dataset for h5py")
    func writeForH5py() throws {
        let dir = try #require(Self.directory)
        let data = try SyntheticSHD.write(to: dir + "/synthetic_shd.h5", samplesPerClass: 2, seed: 7)
        let record: [String: Any] = [
            "time_step_s": 0.002, "steps": data.steps, "channels": data.channels, "classes": data.classes,
            "event_offsets": data.eventOffsets, "event_steps": data.eventSteps.map(Int.init),
            "event_channels": data.eventChannels.map(Int.init), "labels": data.labels,
        ]
        try JSONSerialization.data(withJSONObject: record).write(to: URL(fileURLWithPath: dir + "/synthetic_shd.json"))

        try HDF5File.writeAtomically(to: dir + "/kinds.h5") { (file) throws(DataError) in
            try file.write([Float](arrayLiteral: 0, -1.5, 3.25), to: "numbers/float32")
            try file.write([Double](arrayLiteral: 0.1, -2e300), to: "numbers/float64")
            try file.write([Int8](arrayLiteral: -128, 127), to: "numbers/int8")
            try file.write([UInt8](arrayLiteral: 0, 255), to: "numbers/uint8")
            try file.write([Int16](arrayLiteral: -32768, 700), to: "numbers/int16")
            try file.write([UInt16](arrayLiteral: 0, 65535), to: "numbers/uint16")
            try file.write([Int32](arrayLiteral: Int32.min, 7), to: "numbers/int32")
            try file.write([UInt32](arrayLiteral: 0, UInt32.max), to: "numbers/uint32")
            try file.write([Int64](arrayLiteral: Int64.min, 9), to: "numbers/int64")
            try file.write([UInt64](arrayLiteral: 0, UInt64.max), to: "numbers/uint64")
            try file.write([Float](arrayLiteral: 1, 2, 3, 4, 5, 6), shape: [2, 3], to: "matrix")
            try file.write(scalar: 0.02 as Double, to: "tau")
            try file.writeVariableLength([[Float](arrayLiteral: 0.5, 0.25), [], [1]], to: "ragged/float32")
            try file.writeVariableLength([[Int64](arrayLiteral: -1, 1 << 40), [3]], to: "ragged/int64")
            try file.write(strings: ["Input", "CubaLIF", "σ"], to: "strings")
            try file.write(string: "Affine", to: "type")
            try file.setAttribute("version", to: "0.1")
            try file.setAttribute("unit", to: "seconds", on: "tau")
        }
    }

    @Test("Reads the SHD-format file h5py wrote (float16 times, uint16 units, uint8 labels)")
    func readFromH5py() throws {
        let path = try #require(Self.directory) + "/from_h5py.h5"
        try #require(FileManager.default.fileExists(atPath: path), "the script writes \(path) before running the tests")
        let data = try SpikeDataset.loadSHD(path: path, timeStep: .milliseconds(2), duration: .milliseconds(700), classes: 20)
        #expect(data.steps == 349)
        #expect(data.labels == [3, 0, 19])
        #expect(data.eventOffsets == [0, 3, 3, 5])
        #expect(data.eventSteps == [125, 250, 62, 31, 156])
        #expect(data.eventChannels == [0, 699, 3, 10, 10])
        let file = try HDF5File(readingFrom: path)
        #expect(try file.typeDescription(of: "spikes/times") == "variable-length array of float16")
        #expect(try file.stringAttribute("description") == "written by h5py")
        #expect(try file.readStrings("names") == ["alpha", "beta"])
        #expect(try file.readStrings("vlen_names") == ["γ", "delta"])
        #expect(try file.read("numbers/int16", as: Float.self) == [-3, 0, 700])
        #expect(try file.read("numbers/matrix", as: Double.self) == [1, 2, 3, 4, 5, 6])
        #expect(try file.shape(of: "numbers/matrix") == [3, 2])
    }
}
