import Foundation
import SNNKit

/// The data file formats SNNData reads, as told from a file's name and first bytes.
public enum DataFileFormat: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    /// SHD/SSC HDF5 (`.h5`, `.hdf5`, or the HDF5 signature): ``SpikeDataset/loadSHD(path:timeStep:duration:channels:downsample:classes:maxSamples:)``.
    case shd = "shd-hdf5"
    /// Dense 0/1 NumPy spikes: an `.npz` with a `spikes` array, or a 3-D `.npy`:
    /// ``SpikeDataset/loadNumPy(spikes:labels:timeStep:classes:elementLimit:)``.
    case numpyDense = "numpy-dense"
    /// RAS events: an `.npz` with `times` and `units` arrays: ``SpikeDataset/loadRAS(path:timeStep:duration:channels:classes:elementLimit:)``.
    case ras = "ras-npz"
    /// DVS events: a structured `.npy` or a plain `[N, 4]` one: ``SpikeDataset/loadDVSEvents(file:label:timeStep:duration:sensorSize:downsample:classes:timeOrigin:elementLimit:)``.
    case dvsEvents = "dvs-events"
    /// IDX images (the magic number `0x0000 08..0E`), latency-coded:
    /// ``SpikeDataset/latencyCoded(images:labels:timeStep:steps:tau:threshold:classes:elementLimit:)``.
    case idxImages = "idx-images"

    /// The format's short name, e.g. `numpy-dense`.
    public var description: String { rawValue }

    /// The HDF5 file signature.
    static let hdf5Signature: [UInt8] = [0x89, 0x48, 0x44, 0x46, 0x0D, 0x0A, 0x1A, 0x0A]

    /// Tells the format of the file at `path` from its extension and first bytes (for `.npz` archives, the
    /// names of the arrays; for `.npy` files, the header).
    ///
    /// - Throws: ``DataError/cannotOpen(path:reason:)`` for a missing, empty or unrecognized file, or an
    ///   archive holding neither dense spikes nor RAS arrays; the errors of reading an `.npy` header;
    ///   ``DataError/wrongShape(path:dataset:expected:found:)`` for an `.npy` array of another shape.
    public static func detect(path: String) throws(DataError) -> DataFileFormat {
        let data = try BinaryFile.contents(of: path)
        let suffix = URL(fileURLWithPath: path).pathExtension.lowercased()
        if data.starts(with: hdf5Signature) || suffix == "h5" || suffix == "hdf5" { return .shd }
        guard !data.isEmpty else { throw .cannotOpen(path: path, reason: "empty file") }
        if data.starts(with: [0x50, 0x4B]) {
            let archive = try NPZArchive(path: path, data: data, elementLimit: NPYFile.defaultElementLimit)
            let names = Set(archive.names)
            if names.contains(SpikeDataset.NumPyLayout.spikes) { return .numpyDense }
            if names.contains(SpikeDataset.RASLayout.times) && names.contains(SpikeDataset.RASLayout.units) { return .ras }
            throw .cannotOpen(path: path, reason: "an .npz archive with neither a 'spikes' array (dense NumPy) nor 'times' and 'units' "
                + "arrays (RAS); it holds \(archive.names)")
        }
        if data.starts(with: NPYFile.magic) {
            let array = try NPYFile.decode(data, path: path, name: "array")
            if case .structured = array.dataType { return .dvsEvents }
            if array.shape.count == 2 && array.shape[1] == 4 { return .dvsEvents }
            if array.shape.count == 3 { return .numpyDense }
            throw .wrongShape(path: path, dataset: "array", expected: "[samples, T, channels] spikes, [N, 4] DVS events or a DVS record array",
                              found: "shape \(array.shape) of \(array.dataType)")
        }
        if data.count >= 4, data.starts(with: [0, 0]), IDXFile.ElementType(rawValue: data[data.startIndex + 2]) != nil {
            return .idxImages
        }
        throw .cannotOpen(path: path, reason: "unrecognized data file: expected SHD/SSC HDF5 (.h5), NumPy (.npy, .npz) or IDX")
    }
}

/// What a data file holds: samples, classes, channels, the time grid and the input firing rates.
///
/// ``load(path:timeStep:duration:)`` reads any supported file (``DataFileFormat``); `snn data PATH` prints it
/// (``description``) or, with `--json`, its ``jsonObject``.
public struct DataSummary: Sendable, Hashable, CustomStringConvertible {
    /// The file.
    public var path: String
    /// The file's format.
    public var format: DataFileFormat
    /// Number of samples.
    public var samples: Int
    /// Number of classes (the given count, or the largest label + 1).
    public var classes: Int
    /// Number of samples of each class, `classes` entries (empty for more than 2²⁰ classes).
    public var samplesPerClass: [Int]
    /// Number of input channels.
    public var channels: Int
    /// Number of time steps per sample.
    public var steps: Int
    /// The time step Δt in seconds.
    public var timeStepSeconds: Double
    /// The window per sample, `steps · Δt`, in seconds.
    public var durationSeconds: Double
    /// Number of events (distinct (step, channel) pairs) over all samples.
    public var events: Int
    /// Mean input firing rate per channel, in Hz (ν of fluctuation-driven initialization).
    public var meanRateHz: Double
    /// The lowest per-channel rate, in Hz.
    public var channelRateMinHz: Double
    /// The highest per-channel rate, in Hz.
    public var channelRateMaxHz: Double

    /// Summarizes a data set read from `path` in `format`.
    public init(_ dataset: SpikeDataset, path: String, format: DataFileFormat) {
        self.path = path
        self.format = format
        samples = dataset.count
        classes = dataset.classes
        var perClass = [Int](repeating: 0, count: dataset.classes <= 1 << 20 ? dataset.classes : 0)
        if !perClass.isEmpty { for label in dataset.labels { perClass[label] += 1 } }
        samplesPerClass = perClass
        channels = dataset.channels
        steps = dataset.steps
        timeStepSeconds = SpikeDataset.decimalSeconds(dataset.timeStep)
        durationSeconds = (Double(dataset.steps) * timeStepSeconds * 1e12).rounded() / 1e12   // 0.698, not 0.6980000000000001
        let rates = dataset.channelRates()
        events = Int((rates.reduce(0, +) * Double(max(dataset.count, 1)) * dataset.durationSeconds).rounded())
        meanRateHz = rates.reduce(0, +) / Double(max(rates.count, 1))
        channelRateMinHz = rates.min() ?? 0
        channelRateMaxHz = rates.max() ?? 0
    }

    /// Reads the data file at `path` in its format (``DataFileFormat/detect(path:)``) and summarizes it.
    ///
    /// Files that hold spike times (SHD, RAS, DVS events, latency-coded IDX images) are binned into
    /// `referenceStepCount(duration:timeStep:)` steps of `timeStep`; dense NumPy spikes keep their own number
    /// of steps (`duration` does not apply). Defaults: SHD files have 700 channels; RAS files as many channels
    /// as the largest unit + 1; DVS files a sensor as large as the largest coordinates, no downsampling,
    /// label 0; IDX images take their labels from the file named with `labels` in place of `images`
    /// (MNIST's `train-images-idx3-ubyte` → `train-labels-idx1-ubyte`) when it exists, else label 0.
    ///
    /// - Throws: ``DataError``, naming the file and field: the errors of detection and of the format's loader.
    public static func load(path: String, timeStep: Duration = .milliseconds(2), duration: Duration = .milliseconds(700)) throws(DataError) -> DataSummary {
        let format = try DataFileFormat.detect(path: path)
        let dataset: SpikeDataset
        switch format {
        case .shd:
            dataset = try SpikeDataset.loadSHD(path: path, timeStep: timeStep, duration: duration)
        case .numpyDense:
            dataset = try SpikeDataset.loadNumPy(spikes: path, timeStep: timeStep)
        case .ras:
            dataset = try SpikeDataset.loadRAS(path: path, timeStep: timeStep, duration: duration)
        case .dvsEvents:
            dataset = try SpikeDataset.loadDVSEvents(file: path, timeStep: timeStep, duration: duration)
        case .idxImages:
            let steps = try LoaderSupport.steps(path: path, timeStep: timeStep, duration: duration)
            let images = try IDXFile(readingFrom: path, name: "images")
            guard images.dimensions.count >= 2 else {
                throw .invalidValue(path: path, field: "images", reason: "a 1-D IDX file holds labels, not images; summarize the images file")
            }
            var labels: IDXFile?
            if let labelsPath = siblingLabels(of: path) { labels = try IDXFile(readingFrom: labelsPath, name: "labels") }
            dataset = try SpikeDataset.latencyCoded(images: images, labels: labels, timeStep: timeStep, steps: steps)
        }
        return DataSummary(dataset, path: path, format: format)
    }

    /// The MNIST-style labels file next to an images file, if one exists.
    static func siblingLabels(of path: String) -> String? {
        let url = URL(fileURLWithPath: path)
        let name = url.lastPathComponent
        let candidates = [name.replacingOccurrences(of: "images-idx3", with: "labels-idx1"), name.replacingOccurrences(of: "images", with: "labels")]
        for candidate in candidates where candidate != name {
            let sibling = url.deletingLastPathComponent().appendingPathComponent(candidate).path
            if FileManager.default.fileExists(atPath: sibling) { return sibling }
        }
        return nil
    }

    /// The summary as a JSON-compatible dictionary with the keys `path`, `format`, `samples`, `classes`,
    /// `samples_per_class`, `channels`, `steps`, `time_step_s`, `duration_s`, `events`, `mean_rate_hz`,
    /// `channel_rate_min_hz` and `channel_rate_max_hz`.
    public var jsonObject: [String: Any] {
        [
            "path": path, "format": format.rawValue, "samples": samples, "classes": classes, "samples_per_class": samplesPerClass,
            "channels": channels, "steps": steps, "time_step_s": timeStepSeconds, "duration_s": durationSeconds, "events": events,
            "mean_rate_hz": meanRateHz, "channel_rate_min_hz": channelRateMinHz, "channel_rate_max_hz": channelRateMaxHz,
        ]
    }

    /// A few lines for people: the file and format, counts, the time grid and the rates.
    public var description: String {
        func hz(_ value: Double) -> String { String(format: "%.3g Hz", value) }
        return """
            \(path): \(format)
            samples \(samples), classes \(classes), channels \(channels)
            \(steps) steps of \(String(format: "%g", timeStepSeconds * 1000)) ms = \(String(format: "%g", durationSeconds)) s
            events \(events); input rate per channel: mean \(hz(meanRateHz)), min \(hz(channelRateMinHz)), max \(hz(channelRateMaxHz))
            """
    }
}
