import Foundation

/// One event of a dynamic vision sensor (DVS): a brightness change at pixel (x, y) with a polarity, at a time
/// in microseconds.
public struct DVSEvent: Sendable, Hashable {
    /// The pixel column, `0..<width`.
    public var x: Int
    /// The pixel row, `0..<height`.
    public var y: Int
    /// The polarity: 0 (off, darker) or 1 (on, brighter).
    public var polarity: Int
    /// The time in microseconds, ≥ 0.
    public var microseconds: Int64

    /// Creates an event.
    public init(x: Int, y: Int, polarity: Int, microseconds: Int64) {
        self.x = x
        self.y = y
        self.polarity = polarity
        self.microseconds = microseconds
    }
}

/// DVS event streams in NumPy `.npy` files, as Tonic and similar tools store them (DVS Gesture style).
///
/// Two layouts are read:
/// - a 1-D structured array with the fields `x`, `y`, `p` (polarity) and `t` (microseconds), of any numeric
///   types and in any order, e.g. `[('x', '<u2'), ('y', '<u2'), ('p', '|u1'), ('t', '<i8')]` (other fields
///   are ignored);
/// - a plain 2-D array `[N, 4]` of any numeric type whose columns are x, y, p, t.
///
/// Every x, y and t must be a whole non-negative number (t finite) and every p 0 or 1; events need not be
/// sorted by time.
public enum DVSEventFile {
    /// The layout of a written file.
    public enum Layout: Sendable, Hashable {
        /// A structured array `[('x', '<u2'), ('y', '<u2'), ('p', '|u1'), ('t', '<i8')]` (packed, 13 bytes an event).
        case structured
        /// A plain `int64` array `[N, 4]` with the columns x, y, p, t.
        case columns
    }

    /// The field names, in the column order of the plain layout.
    public static let fieldNames = ["x", "y", "p", "t"]

    /// The structured type the writer uses.
    public static let structuredType = NPYDataType.packed([("x", .uint16), ("y", .uint16), ("p", .uint8), ("t", .int64)])

    /// Reads the events of the `.npy` file at `path`, in file order.
    ///
    /// - Throws: ``DataError``, naming the file and the field (and event index): the errors of
    ///   ``NPYFile/read(from:name:elementLimit:)``; ``DataError/missingDataset(path:dataset:)`` for a structured
    ///   array without one of the fields x, y, p, t; ``DataError/wrongShape(path:dataset:expected:found:)`` for
    ///   another shape; ``DataError/invalidValue(path:field:reason:)`` for a negative or fractional coordinate,
    ///   a polarity other than 0 or 1, or a negative, fractional or non-finite time.
    public static func read(from path: String, elementLimit: Int = NPYFile.defaultElementLimit) throws(DataError) -> [DVSEvent] {
        let array = try NPYFile.read(from: path, name: "events", elementLimit: elementLimit)
        var columns: [NPYColumn] = []
        switch array.dataType {
        case .structured:
            guard array.shape.count == 1 else {
                throw .wrongShape(path: path, dataset: "events", expected: "1-D (one record per event)", found: "shape \(array.shape)")
            }
            for name in fieldNames {
                guard let column = array.column(name) else { throw .missingDataset(path: path, dataset: "events field '\(name)'") }
                columns.append(column)
            }
        case let .scalar(type, order):
            guard array.shape.count == 2, array.shape[1] == 4 else {
                throw .wrongShape(path: path, dataset: "events", expected: "[N, 4] columns x, y, p, t, or a 1-D record array with fields x, y, p, t",
                                  found: "shape \(array.shape) of \(type)")
            }
            columns = (0..<4).map { NPYColumn(type: type, order: order, stride: 4 * type.size, offset: $0 * type.size) }
        }
        let n = array.shape[0]
        return try array.bytes.withRawBytes { (raw) throws(DataError) -> [DVSEvent] in
            /// Value `i` of column `k` as a whole number, or `nil` when it is fractional or not finite.
            func whole(_ k: Int, _ i: Int) -> Int64? {
                if let v = columns[k].integer(raw, i) { return v }
                let v = columns[k].double(raw, i)
                guard v.isFinite, v == v.rounded(), abs(v) < 9.0e18 else { return nil }
                return Int64(v)
            }
            func bad(_ k: Int, _ i: Int, _ what: String) -> DataError {
                .invalidValue(path: path, field: "\(fieldNames[k])[\(i)]", reason: "\(what) \(LoaderSupport.format(columns[k].double(raw, i)))")
            }
            var events: [DVSEvent] = []
            events.reserveCapacity(n)
            for i in 0..<n {
                guard let x = whole(0, i), x >= 0, x <= Int64(Int32.max) else { throw bad(0, i, "x is not a pixel column:") }
                guard let y = whole(1, i), y >= 0, y <= Int64(Int32.max) else { throw bad(1, i, "y is not a pixel row:") }
                guard let p = whole(2, i), p == 0 || p == 1 else { throw bad(2, i, "polarity is not 0 or 1:") }
                guard let t = whole(3, i) else { throw bad(3, i, "time is not a whole number of microseconds:") }
                guard t >= 0 else { throw bad(3, i, "negative time (µs):") }
                events.append(DVSEvent(x: Int(x), y: Int(y), polarity: Int(p), microseconds: t))
            }
            return events
        }
    }

    /// Writes `events` as an `.npy` file at `path` (atomically) in the given layout.
    ///
    /// - Throws: ``DataError/cannotWrite(path:dataset:reason:)``, or ``DataError/invalidValue(path:field:reason:)``
    ///   for a polarity other than 0 or 1, a negative time or coordinate, or (structured layout) a coordinate
    ///   above 65 535.
    public static func write(_ events: [DVSEvent], to path: String, layout: Layout = .structured) throws(DataError) {
        let coordinateLimit = layout == .structured ? Int(UInt16.max) : Int(Int32.max)
        for (i, e) in events.enumerated() {
            guard e.x >= 0 && e.x <= coordinateLimit else { throw .invalidValue(path: path, field: "x[\(i)]", reason: "\(e.x) outside 0...\(coordinateLimit)") }
            guard e.y >= 0 && e.y <= coordinateLimit else { throw .invalidValue(path: path, field: "y[\(i)]", reason: "\(e.y) outside 0...\(coordinateLimit)") }
            guard e.polarity == 0 || e.polarity == 1 else { throw .invalidValue(path: path, field: "p[\(i)]", reason: "polarity \(e.polarity) is not 0 or 1") }
            guard e.microseconds >= 0 else { throw .invalidValue(path: path, field: "t[\(i)]", reason: "negative time \(e.microseconds) µs") }
        }
        let array: NPYArray
        switch layout {
        case .columns:
            array = NPYArray(events.flatMap { [Int64($0.x), Int64($0.y), Int64($0.polarity), $0.microseconds] }, shape: [events.count, 4])
        case .structured:
            var bytes: [UInt8] = []
            bytes.reserveCapacity(events.count * structuredType.itemSize)
            for e in events {
                bytes.appendLittleEndian(UInt16(e.x))
                bytes.appendLittleEndian(UInt16(e.y))
                bytes.append(UInt8(e.polarity))
                bytes.appendLittleEndian(e.microseconds)
            }
            array = NPYArray(dataType: structuredType, shape: [events.count], bytes: Data(bytes))
        }
        try NPYFile.write(array, to: path)
    }
}
