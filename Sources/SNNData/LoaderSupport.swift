import Foundation
import SNNKit

/// Helpers shared by the loaders of the formats SNNData implements itself (NumPy, RAS, IDX, DVS events).
enum LoaderSupport {
    /// The elements of a 1-D integer (or `bool`) array as `Int64`.
    ///
    /// - Throws: ``DataError/wrongShape(path:dataset:expected:found:)`` for another rank,
    ///   ``DataError/wrongType(path:dataset:expected:found:)`` for a floating-point or structured type,
    ///   ``DataError/invalidValue(path:field:reason:)`` for a `uint64` value above `Int64.max`.
    static func integers(_ array: NPYArray, path: String, name: String) throws(DataError) -> [Int64] {
        guard array.shape.count == 1 else {
            throw .wrongShape(path: path, dataset: name, expected: "1-D", found: "shape \(array.shape)")
        }
        guard let type = array.dataType.scalarType, type.isInteger || type == .bool, let column = array.column() else {
            throw .wrongType(path: path, dataset: name, expected: "integers", found: array.dataType.description)
        }
        var result = [Int64]()
        result.reserveCapacity(array.count)
        return try array.bytes.withRawBytes { (raw) throws(DataError) -> [Int64] in
            for i in 0..<array.count {
                guard let v = column.integer(raw, i) else {
                    throw .invalidValue(path: path, field: "\(name)[\(i)]", reason: "\(column.double(raw, i)) does not fit in int64")
                }
                result.append(v)
            }
            return result
        }
    }

    /// The largest number of classes a file's labels may imply (2²⁰).
    static let maximumClasses = 1 << 20

    /// Checks labels: non-negative, below 2²⁰ and, when `classes` is given, below it; the class count is `classes` or
    /// the largest label + 1 (1 when there are no labels).
    static func labels(_ raw: [Int64], path: String, field: String, classes: Int?) throws(DataError) -> (labels: [Int], classes: Int) {
        if let classes, classes <= 0 { throw .invalidValue(path: path, field: "classes", reason: "must be positive, found \(classes)") }
        var labels = [Int]()
        labels.reserveCapacity(raw.count)
        for (i, label) in raw.enumerated() {
            guard label >= 0 else { throw .invalidValue(path: path, field: "\(field)[\(i)]", reason: "negative label \(label)") }
            guard label < Int64(maximumClasses) else {
                throw .invalidValue(path: path, field: "\(field)[\(i)]", reason: "label \(label) is implausibly large (at most \(maximumClasses - 1))")
            }
            if let classes, label >= classes {
                throw .invalidValue(path: path, field: "\(field)[\(i)]", reason: "label \(label) outside 0..<\(classes)")
            }
            labels.append(Int(label))
        }
        return (labels, classes ?? ((labels.max() ?? 0) + 1))
    }

    /// Builds the data set, reporting a violated invariant as ``DataError/invalidValue(path:field:reason:)``.
    static func dataset(path: String, channels: Int, steps: Int, timeStep: Duration, classes: Int, offsets: [Int],
                        steps eventSteps: [Int32], channels eventChannels: [Int32], labels: [Int]) throws(DataError) -> SpikeDataset {
        do throws(ConfigurationError) {
            return try SpikeDataset(channels: channels, steps: steps, timeStep: timeStep, classes: classes, eventOffsets: offsets,
                                    eventSteps: eventSteps, eventChannels: eventChannels, labels: labels)
        } catch {
            throw .invalidValue(path: path, field: "data set", reason: error.description)
        }
    }

    /// Checks a time step and step count as ``SpikeDataset/loadSHD(path:timeStep:steps:channels:downsample:classes:maxSamples:)`` does.
    static func checkGrid(path: String, timeStep: Duration, steps: Int) throws(DataError) {
        guard timeStep > .zero else { throw .invalidValue(path: path, field: "timeStep", reason: "must be positive, found \(timeStep)") }
        guard steps > 0, steps <= Int(Int32.max) else {
            throw .invalidValue(path: path, field: "steps", reason: "must lie in 1...\(Int32.max), found \(steps)")
        }
    }

    /// The number of steps of a window `duration` at `timeStep` (the reference truncation), checked.
    static func steps(path: String, timeStep: Duration, duration: Duration) throws(DataError) -> Int {
        guard duration > .zero else { throw .invalidValue(path: path, field: "duration", reason: "must be positive, found \(duration)") }
        guard timeStep > .zero else { throw .invalidValue(path: path, field: "timeStep", reason: "must be positive, found \(timeStep)") }
        let steps = SpikeDataset.referenceStepCount(duration: duration, timeStep: timeStep)
        guard steps > 0 else {
            throw .invalidValue(path: path, field: "duration", reason: "\(duration) is shorter than one time step \(timeStep)")
        }
        return steps
    }

    /// `value` as text: an integer without a decimal point when it is one.
    static func format(_ value: Double) -> String {
        value.isFinite && value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : String(value)
    }
}

/// An `.npy` file or an `.npz` archive, told apart by their first bytes (`\x93NUMPY` or `PK`).
enum NumPySource {
    /// A single array.
    case array(NPYArray)
    /// An archive of named arrays.
    case archive(NPZArchive)

    /// Opens `path`; `name` names a single array in error messages.
    static func open(_ path: String, name: String, elementLimit: Int) throws(DataError) -> NumPySource {
        let data = try BinaryFile.contents(of: path)
        if data.starts(with: [0x50, 0x4B]) {
            return .archive(try NPZArchive(path: path, data: data, elementLimit: elementLimit))
        }
        return .array(try NPYFile.decode(data, path: path, name: name, elementLimit: elementLimit))
    }
}
