import SNNKit

/// An SHD/SSC file opened for reading, with validated binning parameters and the labels read: the one reader behind
/// ``SpikeDataset/loadSHD(path:timeStep:steps:channels:downsample:classes:maxSamples:)`` (every sample, in blocks) and
/// ``StreamedSHDDataset`` (the samples of one batch at a time), so both bin, truncate, downsample and validate alike.
///
/// Not thread-safe: one call at a time (``StreamedSHDDataset`` holds a lock around it).
final class SHDReader {
    typealias Layout = SpikeDataset.SHDLayout

    /// The file's path.
    let path: String
    /// The open file.
    let file: HDF5File
    /// The bin width Δt.
    let timeStep: Duration
    /// The number of bins `T`.
    let steps: Int
    /// The number of channels in the file.
    let fileChannels: Int
    /// The channel downsampling factor.
    let downsample: Int
    /// The channels after downsampling, `⌈fileChannels / downsample⌉`.
    let channels: Int
    /// The number of classes.
    let classes: Int
    /// The labels of the samples read (the first `maxSamples` of the file).
    let labels: [Int]

    /// The number of bins of a `duration` window, with the errors of
    /// ``SpikeDataset/loadSHD(path:timeStep:duration:channels:downsample:classes:maxSamples:)``.
    static func steps(duration: Duration, timeStep: Duration, path: String) throws(DataError) -> Int {
        guard duration > .zero else {
            throw .invalidValue(path: path, field: "duration", reason: "must be positive, found \(duration)")
        }
        let steps = SpikeDataset.referenceStepCount(duration: duration, timeStep: timeStep)
        guard timeStep <= .zero || steps > 0 else {
            throw .invalidValue(path: path, field: "duration", reason: "\(duration) is shorter than one time step \(timeStep)")
        }
        return steps
    }

    /// Checks the arguments, opens the file, checks the datasets' shapes and reads the labels (see
    /// ``SpikeDataset/loadSHD(path:timeStep:steps:channels:downsample:classes:maxSamples:)`` for the errors).
    init(path: String, timeStep: Duration, steps: Int, channels: Int, downsample: Int, classes: Int?, maxSamples: Int?) throws(DataError) {
        guard timeStep > .zero else { throw .invalidValue(path: path, field: "timeStep", reason: "must be positive, found \(timeStep)") }
        guard steps > 0, steps <= Int(Int32.max) else {
            throw .invalidValue(path: path, field: "steps", reason: "must lie in 1...\(Int32.max), found \(steps)")
        }
        guard channels > 0, channels <= Int(Int32.max) else {
            throw .invalidValue(path: path, field: "channels", reason: "must lie in 1...\(Int32.max), found \(channels)")
        }
        guard downsample > 0 else { throw .invalidValue(path: path, field: "downsample", reason: "must be positive, found \(downsample)") }
        if let classes, classes <= 0 { throw .invalidValue(path: path, field: "classes", reason: "must be positive, found \(classes)") }
        if let maxSamples, maxSamples < 0 {
            throw .invalidValue(path: path, field: "maxSamples", reason: "must not be negative, found \(maxSamples)")
        }

        let file = try HDF5File(readingFrom: path)
        do throws(DataError) {
            // Shapes and declared sizes first, before reading anything.
            var rowCounts: [Int] = []
            for name in [Layout.labels, Layout.times, Layout.units] {
                let dims = try file.shape(of: name)
                guard dims.count == 1 else {
                    throw .wrongShape(path: path, dataset: name, expected: "1-D (one entry per sample)", found: "shape \(dims)")
                }
                guard dims[0] <= file.elementLimit else {
                    throw .tooLarge(path: path, dataset: name, declared: dims[0], limit: file.elementLimit)
                }
                rowCounts.append(dims[0])
            }
            for (k, name) in [Layout.times, Layout.units].enumerated() where rowCounts[k + 1] != rowCounts[0] {
                throw .wrongShape(path: path, dataset: name, expected: "\(rowCounts[0]) rows, one per label", found: "\(rowCounts[k + 1]) rows")
            }

            let allLabels = try file.read(Layout.labels, as: Int64.self)
            let count = min(allLabels.count, maxSamples ?? allLabels.count)
            var labels = [Int]()
            labels.reserveCapacity(count)
            for i in 0..<count {
                let label = allLabels[i]
                guard label >= 0 else { throw .invalidValue(path: path, field: "\(Layout.labels)[\(i)]", reason: "negative label \(label)") }
                if let classes, label >= classes {
                    throw .invalidValue(path: path, field: "\(Layout.labels)[\(i)]", reason: "label \(label) outside 0..<\(classes)")
                }
                labels.append(Int(label))
            }
            self.labels = labels
            self.classes = classes ?? ((labels.max() ?? 0) + 1)
        } catch {
            file.close()
            throw error
        }
        self.path = path
        self.file = file
        self.timeStep = timeStep
        self.steps = steps
        self.fileChannels = channels
        self.downsample = downsample
        self.channels = (channels + downsample - 1) / downsample
    }

    /// Closes the file.
    func close() { file.close() }

    /// A fresh binning state for this file's grid.
    func makeBinning() -> SHDBinning {
        SHDBinning(path: path, timeStep: timeStep, steps: steps, fileChannels: fileChannels, downsample: downsample)
    }

    /// Reads the samples `rows` (file indices, in this order, repeats allowed) and appends their binned events.
    ///
    /// One read of `spikes/times` and one of `spikes/units` for all of `rows` (only those rows are read).
    func appendSamples(_ rows: [Int], to events: inout SHDBinning.Events, binning: inout SHDBinning) throws(DataError) {
        try file.requireUnchanged(reading: Layout.times)
        let times = try file.readVariableLength(Layout.times, rows: rows, as: Float.self)
        let units = try file.readVariableLength(Layout.units, rows: rows, as: Int32.self)
        for (r, i) in rows.enumerated() {
            try binning.append(sample: i, times: times[r], units: units[r], to: &events)
        }
    }

    /// A data set of the binned `events` with `labels`, on this file's grid.
    func makeDataset(_ events: SHDBinning.Events, labels: [Int]) throws(DataError) -> SpikeDataset {
        do throws(ConfigurationError) {
            return try SpikeDataset(channels: channels, steps: steps, timeStep: timeStep, classes: classes,
                                    eventOffsets: events.offsets, eventSteps: events.steps, eventChannels: events.channels, labels: labels)
        } catch {
            throw .invalidValue(path: path, field: "data set", reason: error.description)
        }
    }
}

/// The SHD/SSC binning rule for one sample at a time (SPEC §7): bin `Int(t · Float(1/Δt))` in float32, events in
/// bins `≥ steps` dropped, channel `u / downsample`, one event per (bin, channel) in the order of the file, with the
/// sample's times and units validated.
struct SHDBinning {
    /// Events of consecutive samples in CSR form (`offsets[i]..<offsets[i + 1]` for the `i`-th sample appended).
    struct Events {
        /// Start of each sample's events; one more entry than samples.
        var offsets = [0]
        /// Step of each event.
        var steps: [Int32] = []
        /// Channel of each event (after downsampling).
        var channels: [Int32] = []
    }

    let path: String
    let fileChannels: Int
    let downsample: Int
    let outputChannels: Int
    let inverse: Float
    let stepLimit: Float
    private var seen: BinSet

    init(path: String, timeStep: Duration, steps: Int, fileChannels: Int, downsample: Int) {
        self.path = path
        self.fileChannels = fileChannels
        self.downsample = downsample
        outputChannels = (fileChannels + downsample - 1) / downsample
        inverse = Float(1 / SpikeDataset.decimalSeconds(timeStep))
        stepLimit = Float(steps)
        seen = BinSet(capacity: steps * outputChannels)
    }

    /// Bins the events of sample `i` (its times in seconds and its units) and appends them to `events`.
    ///
    /// - Throws: ``DataError/wrongShape(path:dataset:expected:found:)`` when times and units differ in length;
    ///   ``DataError/invalidValue(path:field:reason:)`` for a non-finite or negative time or a unit outside
    ///   `0..<fileChannels`; both name the dataset and sample `i`.
    mutating func append(sample i: Int, times: ArraySlice<Float>, units: ArraySlice<Int32>, to events: inout Events) throws(DataError) {
        typealias Layout = SpikeDataset.SHDLayout
        guard times.count == units.count else {
            throw .wrongShape(path: path, dataset: "\(Layout.units)[\(i)]",
                              expected: "\(times.count) units, as many as \(Layout.times)[\(i)]", found: "\(units.count) units")
        }
        let sampleStart = events.steps.count
        for (j, (t, u)) in zip(times, units).enumerated() {
            guard t.isFinite else {
                throw .invalidValue(path: path, field: "\(Layout.times)[\(i)]", reason: "non-finite time \(t) at event \(j)")
            }
            guard t >= 0 else {
                throw .invalidValue(path: path, field: "\(Layout.times)[\(i)]", reason: "negative time \(t) s at event \(j)")
            }
            guard u >= 0 && Int(u) < fileChannels else {
                throw .invalidValue(path: path, field: "\(Layout.units)[\(i)]", reason: "unit \(u) at event \(j) outside 0..<\(fileChannels)")
            }
            let bin = t * inverse
            guard bin < stepLimit else { continue }   // past the window
            let step = Int(bin), channel = Int(u) / downsample
            guard seen.insert(step * outputChannels + channel) else { continue }   // one event per bin
            events.steps.append(Int32(step))
            events.channels.append(Int32(channel))
        }
        for e in sampleStart..<events.steps.count { seen.remove(Int(events.steps[e]) * outputChannels + Int(events.channels[e])) }
        events.offsets.append(events.steps.count)
    }
}
