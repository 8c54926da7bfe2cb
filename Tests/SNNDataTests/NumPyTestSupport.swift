import Foundation
import SNNData
import Testing

/// Hand-made NumPy files for tests of what the SNNData writer never produces.
enum RawNPY {
    /// An `.npy` file with the given header dictionary text (padded to 64 bytes) and payload.
    static func file(header: String, version: UInt8 = 1, payload: [UInt8]) -> Data {
        let preamble = version == 1 ? 10 : 12
        var body = Array(header.utf8)
        while (preamble + body.count + 1) % 64 != 0 { body.append(0x20) }
        body.append(0x0A)
        var bytes: [UInt8] = [0x93] + Array("NUMPY".utf8) + [version, 0]
        if version == 1 {
            bytes += [UInt8(body.count & 0xFF), UInt8(body.count >> 8)]
        } else {
            let n = UInt32(body.count)
            bytes += [UInt8(n & 0xFF), UInt8((n >> 8) & 0xFF), UInt8((n >> 16) & 0xFF), UInt8(n >> 24)]
        }
        return Data(bytes + body + payload)
    }

    /// Writes `data` to `path`.
    static func write(_ data: Data, to path: String) throws {
        try data.write(to: URL(fileURLWithPath: path))
    }

    /// A dictionary header text.
    static func header(descr: String, fortran: Bool = false, shape: String) -> String {
        "{'descr': \(descr), 'fortran_order': \(fortran ? "True" : "False"), 'shape': \(shape), }"
    }

    /// The little-endian bytes of `values`.
    static func bytes<T: FixedWidthInteger>(_ values: [T]) -> [UInt8] {
        values.flatMap { v in withUnsafeBytes(of: v.littleEndian) { Array($0) } }
    }

    /// The little-endian bytes of `values`.
    static func bytes(_ values: [Float]) -> [UInt8] { bytes(values.map(\.bitPattern)) }

    /// The file's bytes.
    static func read(_ path: String) throws -> [UInt8] { Array(try Data(contentsOf: URL(fileURLWithPath: path))) }

    /// Truncates the file at `path` to `length` bytes.
    static func truncate(_ path: String, to length: Int) throws {
        let handle = try #require(FileHandle(forUpdatingAtPath: path))
        try handle.truncate(atOffset: UInt64(length))
        try handle.close()
    }

    /// Overwrites bytes of the file at `path` starting at `offset`.
    static func patch(_ path: String, at offset: Int, with bytes: [UInt8]) throws {
        var data = try read(path)
        data.replaceSubrange(offset..<(offset + bytes.count), with: bytes)
        try Data(data).write(to: URL(fileURLWithPath: path))
    }
}

/// The events of each sample of `data` as sorted (step, channel) pairs (the order dense formats give back).
func sortedEvents(_ data: SpikeDataset) -> [[Int]] {
    (0..<data.count).map { i in
        (data.eventOffsets[i]..<data.eventOffsets[i + 1]).map { Int(data.eventSteps[$0]) * data.channels + Int(data.eventChannels[$0]) }.sorted()
    }
}

/// A small data set whose events are sorted by step, then channel, with no duplicates (as dense formats return them).
func sortedSample(classes: Int = 3, units: Int = 12, steps: Int = 40, samplesPerClass: Int = 4, seed: UInt64 = 3) throws -> SpikeDataset {
    let d = try Randman.classification(classes: classes, units: units, steps: steps, timeStep: .milliseconds(2), stepFraction: 1,
                                       spikesPerUnit: 2, samplesPerClass: samplesPerClass, seed: seed)
    var offsets = [0], st = [Int32](), ch = [Int32]()
    for events in sortedEvents(d) {
        var previous = -1
        for key in events where key != previous {
            st.append(Int32(key / d.channels))
            ch.append(Int32(key % d.channels))
            previous = key
        }
        offsets.append(st.count)
    }
    return try SpikeDataset(channels: d.channels, steps: d.steps, timeStep: d.timeStep, classes: d.classes, eventOffsets: offsets,
                            eventSteps: st, eventChannels: ch, labels: d.labels)
}
