import Foundation
import SNNKit
import Testing

/// The safetensors reader and writer: round trips and one specific error per kind of bad file.
@Suite("SafeTensors")
struct SafeTensorsTests {
    /// A file of every dtype SNNKit writes, with metadata that needs escaping.
    static func sample() throws -> SafeTensors {
        var file = SafeTensors(metadata: ["note": "quotes \" backslash \\ newline \n tab \t unicode τ_mem", "b": "2", "a": "{\"json\": [1, 2]}"])
        try file.append("weights", try Tensor(shape: [2, 3], scalars: [1, -2.5, .pi, 0, -0.0, .greatestFiniteMagnitude]))
        try file.append("doubles", values: [1e-300, -7, .infinity], shape: [3])
        try file.append("counts", values: [Int64.min, -1, 0, Int64.max], shape: [2, 2])
        try file.append("bytes", values: [0, 1, 255] as [UInt8], shape: [3])
        try file.append("scalar", values: [42] as [Float], shape: [])
        try file.append("empty", values: [] as [Float], shape: [0, 5])
        return file
    }

    /// The bytes of a file with the given header text and data.
    static func bytes(header: String, data: [UInt8] = [], length: UInt64? = nil) -> [UInt8] {
        let h = Array(header.utf8)
        return withUnsafeBytes(of: (length ?? UInt64(h.count)).littleEndian) { Array($0) } + h + data
    }

    static func parse(_ header: String, data: [UInt8] = []) throws(CheckpointError) -> SafeTensors {
        try SafeTensors(bytes: bytes(header: header, data: data))
    }

    static func temporaryURL(_ name: String = "t.safetensors") -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("snnkit-st-\(UUID().uuidString)-\(name)")
    }

    @Test("Round trip: write → read gives the same tensors and metadata, and re-serializes to the same bytes")
    func roundTrip() throws {
        let file = try Self.sample()
        let bytes = file.serialized()
        let headerLength = Int(bytes[0..<8].reversed().reduce(UInt64(0)) { $0 << 8 | UInt64($1) })
        #expect((8 + headerLength) % 8 == 0)
        let back = try SafeTensors(bytes: bytes)
        #expect(back == file)
        #expect(back.serialized() == bytes)
        #expect(back.names == ["weights", "doubles", "counts", "bytes", "scalar", "empty"])
        #expect(try back.tensor("weights") == (try Tensor(shape: [2, 3], scalars: [1, -2.5, .pi, 0, -0.0, .greatestFiniteMagnitude])))
        #expect(try back.floats("weights")[4].sign == .minus)
        #expect(try back.doubles("doubles") == [1e-300, -7, .infinity])
        #expect(try back.int64s("counts") == [Int64.min, -1, 0, Int64.max])
        #expect(try back.uint8s("bytes") == [0, 1, 255])
        #expect(try back.tensor("scalar").shape == [])
        #expect(back["empty"]?.shape == [0, 5])
        #expect(back.metadata["note"] == "quotes \" backslash \\ newline \n tab \t unicode τ_mem")
    }

    @Test("Files: written atomically (no temporary left behind), read back byte-exact; errors name the file")
    func files() throws {
        let url = Self.temporaryURL()
        defer { try? FileManager.default.removeItem(at: url) }
        let file = try Self.sample()
        try file.write(to: url)
        #expect(Array(try Data(contentsOf: url)) == file.serialized())
        let back = try SafeTensors(contentsOf: url)
        #expect(back == file)
        #expect(back.path == url.path)
        try back.write(to: url)   // overwrite in place
        #expect(Array(try Data(contentsOf: url)) == file.serialized())
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: url.deletingLastPathComponent().path)
            .filter { $0.contains(url.lastPathComponent) && $0 != url.lastPathComponent }
        #expect(leftovers.isEmpty)
        #expect(throws: CheckpointError.missingTensor(path: url.path, tensor: "nope")) { try back.floats("nope") }

        let missing = Self.temporaryURL("missing")
        let notFound = #expect(throws: CheckpointError.self) { try SafeTensors(contentsOf: missing) }
        if case .cannotOpen(missing.path, _) = notFound {} else { Issue.record("\(String(describing: notFound))") }
        let bad = Self.temporaryURL("bad")
        defer { try? FileManager.default.removeItem(at: bad) }
        try Data(file.serialized().dropLast(3)).write(to: bad)
        #expect(#expect(throws: CheckpointError.self) { try SafeTensors(contentsOf: bad) }?.path == bad.path)
        let unwritable = URL(fileURLWithPath: "/nonexistent-directory-\(UUID().uuidString)/x.safetensors")
        let writeError = #expect(throws: CheckpointError.self) { try file.write(to: unwritable) }
        if case .cannotWrite(unwritable.path, _) = writeError {} else { Issue.record("\(String(describing: writeError))") }
    }

    @Test("A file without metadata, tensors in any header order, reads; Python's header (no padding) reads too")
    func foreignLayout() throws {
        let data = (0..<12).map { UInt8($0) }
        let file = try Self.parse(#"{"b":{"dtype":"U8","shape":[4],"data_offsets":[8,12]},"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}"#, data: data)
        #expect(file.names == ["a", "b"])
        #expect(file.metadata.isEmpty)
        #expect(try file.uint8s("b") == [8, 9, 10, 11])
        #expect(try Self.parse("{}").entries.isEmpty)
        #expect(try Self.parse(#"{"__metadata__":{"k":"v"}}   "#).metadata == ["k": "v"])
    }

    @Test("Truncated: fewer than 8 bytes")
    func truncated() {
        #expect(throws: CheckpointError.truncated(path: SafeTensors.memoryPath, size: 5)) { try SafeTensors(bytes: [1, 2, 3, 4, 5]) }
    }

    @Test("Header length beyond the end of the file; header length over the limit")
    func headerLength() {
        let short = Self.bytes(header: "{}", length: 1000)
        #expect(throws: CheckpointError.headerBeyondFile(path: SafeTensors.memoryPath, declared: 1000, available: 2)) { try SafeTensors(bytes: short) }
        let huge = Self.bytes(header: "{}", length: 1 << 40)
        #expect(throws: CheckpointError.headerTooLarge(path: SafeTensors.memoryPath, declared: 1 << 40, limit: SafeTensors.maximumHeaderSize)) {
            try SafeTensors(bytes: huge)
        }
        let maximal = Self.bytes(header: "{}", length: .max)
        #expect(throws: CheckpointError.self) { try SafeTensors(bytes: maximal) }
    }

    @Test("Bad JSON, not an object, a missing field, non-string metadata, a negative dimension: invalid header naming the field")
    func badHeader() {
        func field(_ header: String) -> String? {
            do {
                _ = try Self.parse(header)
                return nil
            } catch {
                if case let .invalidHeader(_, field, _) = error { return field }
                return "other: \(error)"
            }
        }
        #expect(field("{not json") == "header")
        #expect(field("[1, 2]") == "header")
        #expect(field("\u{FF}\u{FE}") == "header")
        #expect(field(#"{"a":{"dtype":"F32","shape":[0]}}"#) == "a.data_offsets")
        #expect(field(#"{"a":{"dtype":"F32","shape":[1.5],"data_offsets":[0,0]}}"#) == "a.shape")
        #expect(field(#"{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,"4"]}}"#)?.hasPrefix("a.data_offsets") == true)
        #expect(field(#"{"a":{"dtype":"F32","shape":[-1],"data_offsets":[0,0]}}"#) == "a.shape")
        #expect(field(#"{"a":{"dtype":"F32","shape":[0],"data_offsets":[0]}}"#) == "a.data_offsets")
        #expect(field(#"{"__metadata__":{"k":1}}"#) == "__metadata__.k")
        #expect(field(#"{"a":{"dtype":"F32","shape":[1e400],"data_offsets":[0,0]}}"#) == "header")
    }

    @Test("Unknown dtype")
    func unknownDType() {
        #expect(throws: CheckpointError.unknownDType(path: SafeTensors.memoryPath, tensor: "a", dtype: "F17")) {
            try Self.parse(#"{"a":{"dtype":"F17","shape":[1],"data_offsets":[0,4]}}"#, data: [0, 0, 0, 0])
        }
    }

    @Test("dtype and shape disagree with the byte count of the offsets")
    func dtypeMismatch() {
        #expect(throws: CheckpointError.sizeMismatch(path: SafeTensors.memoryPath, tensor: "a", expected: 16, found: 8)) {
            try Self.parse(#"{"a":{"dtype":"F64","shape":[2],"data_offsets":[0,8]}}"#, data: [UInt8](repeating: 0, count: 16))
        }
        #expect(throws: CheckpointError.wrongDType(path: SafeTensors.memoryPath, tensor: "a", expected: "F32", found: "I64")) {
            try Self.parse(#"{"a":{"dtype":"I64","shape":[1],"data_offsets":[0,8]}}"#, data: [UInt8](repeating: 0, count: 8)).floats("a")
        }
    }

    @Test("Huge declared shapes are rejected before allocation", arguments: [
        "[1099511627776]", "[4294967296, 4294967296]", "[9223372036854775807, 2]", "[3, 0, 9223372036854775807]",
    ])
    func hugeShape(shape: String) {
        let header = #"{"a":{"dtype":"F32","shape":"# + shape + #","data_offsets":[0,8]}}"#
        if shape.contains(", 0,") {
            #expect(throws: CheckpointError.sizeMismatch(path: SafeTensors.memoryPath, tensor: "a", expected: 0, found: 8)) {
                try Self.parse(header, data: [UInt8](repeating: 0, count: 8))
            }
        } else {
            let error = #expect(throws: CheckpointError.self) { try Self.parse(header, data: [UInt8](repeating: 0, count: 8)) }
            if case .tooLarge(SafeTensors.memoryPath, "a", _, 8) = error {} else { Issue.record("\(String(describing: error))") }
        }
    }

    @Test("Offsets out of range: past the data, reversed, negative")
    func offsetsOutOfRange() {
        #expect(throws: CheckpointError.offsetsOutOfRange(path: SafeTensors.memoryPath, tensor: "a", begin: 0, end: 100, dataLength: 8)) {
            try Self.parse(#"{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,100]}}"#, data: [UInt8](repeating: 0, count: 8))
        }
        #expect(throws: CheckpointError.offsetsOutOfRange(path: SafeTensors.memoryPath, tensor: "a", begin: 8, end: 4, dataLength: 8)) {
            try Self.parse(#"{"a":{"dtype":"F32","shape":[1],"data_offsets":[8,4]}}"#, data: [UInt8](repeating: 0, count: 8))
        }
        #expect(throws: CheckpointError.offsetsOutOfRange(path: SafeTensors.memoryPath, tensor: "a", begin: -4, end: 0, dataLength: 8)) {
            try Self.parse(#"{"a":{"dtype":"F32","shape":[1],"data_offsets":[-4,0]}}"#, data: [UInt8](repeating: 0, count: 8))
        }
    }

    @Test("Overlapping tensors; gaps and trailing bytes that belong to no tensor")
    func coverage() {
        let twelve = [UInt8](repeating: 0, count: 12)
        #expect(throws: CheckpointError.overlappingTensors(path: SafeTensors.memoryPath, tensor: "b", other: "a")) {
            try Self.parse(#"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}}"#, data: twelve)
        }
        #expect(throws: CheckpointError.uncoveredData(path: SafeTensors.memoryPath, begin: 4, end: 8)) {
            try Self.parse(#"{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"b":{"dtype":"F32","shape":[1],"data_offsets":[8,12]}}"#, data: twelve)
        }
        #expect(throws: CheckpointError.uncoveredData(path: SafeTensors.memoryPath, begin: 4, end: 12)) {
            try Self.parse(#"{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}"#, data: twelve)
        }
        #expect(throws: CheckpointError.uncoveredData(path: SafeTensors.memoryPath, begin: 0, end: 4)) {
            try Self.parse(#"{"a":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}}"#, data: twelve)
        }
    }

    @Test("Building: duplicate and reserved names, element counts that do not fill the shape")
    func building() {
        var file = SafeTensors()
        #expect(throws: CheckpointError.self) { try file.append("__metadata__", values: [1] as [Float], shape: [1]) }
        #expect(throws: CheckpointError.sizeMismatch(path: SafeTensors.memoryPath, tensor: "a", expected: 8, found: 4)) {
            try file.append("a", values: [1] as [Float], shape: [2])
        }
        #expect(throws: Never.self) { try file.append("a", values: [1] as [Float], shape: [1]) }
        #expect(throws: CheckpointError.self) { try file.append("a", values: [1] as [Float], shape: [1]) }
    }

    @Test("Every error's description names the file")
    func descriptions() throws {
        let url = Self.temporaryURL()
        defer { try? FileManager.default.removeItem(at: url) }
        try Data(Self.bytes(header: #"{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,100]}}"#, data: [0, 0, 0, 0])).write(to: url)
        do {
            _ = try SafeTensors(contentsOf: url)
            Issue.record("expected an error")
        } catch {
            #expect(error.description.hasPrefix(url.path + ": tensor a: data_offsets [0, 100]"))
        }
    }
}
