import Foundation
import SNNKit

/// The Spiking Heidelberg Digits (SHD) and Spiking Speech Commands (SSC) HDF5 format (SPEC §7).
///
/// A file holds three datasets with one row per sample:
/// - `spikes/times`: variable-length arrays of spike times in seconds (floating point, any width);
/// - `spikes/units`: variable-length arrays of input channels, `0..<700` (integers, any width);
/// - `labels`: the class of each sample (integers).
///
/// SHD has 700 channels and 20 classes (8156 training and 2264 test samples); SSC has 700 channels and
/// 35 classes.
extension SpikeDataset {
    /// The datasets of the SHD/SSC format.
    public enum SHDLayout {
        /// Spike times in seconds, one variable-length array per sample.
        public static let times = "spikes/times"
        /// Spike channels, one variable-length array per sample.
        public static let units = "spikes/units"
        /// The class label of each sample.
        public static let labels = "labels"
    }

    /// The number of time steps the reference code gives a window of `duration` at `timeStep`:
    /// `int(duration / Δt)` with both written in seconds as decimal numbers and divided in double precision.
    ///
    /// Float truncation makes 0.7 s at 2 ms give 349 steps (0.7 / 0.002 = 349.99999999999994), not 350.
    /// Returns 0 when either duration is not positive.
    public static func referenceStepCount(duration: Duration, timeStep: Duration) -> Int {
        guard duration > .zero, timeStep > .zero else { return 0 }
        let quotient = decimalSeconds(duration) / decimalSeconds(timeStep)
        guard quotient.isFinite else { return Int.max }
        return quotient >= 9.0e18 ? Int.max : Int(quotient)
    }

    /// Loads an SHD/SSC file, binning spike times into `referenceStepCount(duration:timeStep:)` steps of `timeStep`.
    ///
    /// See ``loadSHD(path:timeStep:steps:channels:downsample:classes:maxSamples:)`` for the binning rule
    /// and the errors.
    public static func loadSHD(path: String, timeStep: Duration, duration: Duration, channels: Int = 700, downsample: Int = 1,
                               classes: Int? = nil, maxSamples: Int? = nil) throws(DataError) -> SpikeDataset {
        let steps = try SHDReader.steps(duration: duration, timeStep: timeStep, path: path)
        return try loadSHD(path: path, timeStep: timeStep, steps: steps, channels: channels, downsample: downsample,
                           classes: classes, maxSamples: maxSamples)
    }

    /// Loads an SHD/SSC file, binning spike times into `steps` steps of `timeStep`.
    ///
    /// The bin of a spike at time `t` seconds is `Int(t · Float(1/Δt))`, computed in single precision as the
    /// reference does (NumPy float32 times times a Python float). Several spikes of a channel in one bin
    /// count once (later duplicates are dropped; otherwise the file's event order is kept), and spikes
    /// in bins `≥ steps` are dropped. Channel `u` becomes `u / downsample`, so the data set has
    /// `⌈channels / downsample⌉` channels. Samples are read in blocks, so memory stays proportional to
    /// the kept events.
    ///
    /// - Parameters:
    ///   - path: The HDF5 file.
    ///   - timeStep: The bin width Δt.
    ///   - steps: The number of bins `T`.
    ///   - channels: The number of channels in the file; every unit must lie in `0..<channels`.
    ///   - downsample: The channel downsampling factor (1: none).
    ///   - classes: The number of classes (20 for SHD, 35 for SSC); `nil` takes the largest label + 1.
    ///   - maxSamples: Load only the first `maxSamples` samples; `nil` loads all.
    /// - Throws: ``DataError``, naming the file and the dataset (and sample index where one is involved):
    ///   ``DataError/cannotOpen(path:reason:)`` for a missing, non-HDF5 or truncated file;
    ///   ``DataError/missingDataset(path:dataset:)``; ``DataError/wrongType(path:dataset:expected:found:)``
    ///   (times that are not variable-length numbers, units or labels that are not integers);
    ///   ``DataError/wrongShape(path:dataset:expected:found:)`` when the datasets are not 1-D, disagree in
    ///   sample count, or a sample's times and units differ in length;
    ///   ``DataError/tooLarge(path:dataset:declared:limit:)``; ``DataError/invalidValue(path:field:reason:)``
    ///   for a unit outside `0..<channels`, a negative or non-finite time, a negative or out-of-range label,
    ///   or an invalid argument.
    public static func loadSHD(path: String, timeStep: Duration, steps: Int, channels: Int = 700, downsample: Int = 1,
                               classes: Int? = nil, maxSamples: Int? = nil) throws(DataError) -> SpikeDataset {
        let reader = try SHDReader(path: path, timeStep: timeStep, steps: steps, channels: channels, downsample: downsample,
                                   classes: classes, maxSamples: maxSamples)
        defer { reader.close() }
        var binning = reader.makeBinning()
        var events = SHDBinning.Events()
        events.offsets.reserveCapacity(reader.labels.count + 1)
        let blockSize = 256
        for blockStart in stride(from: 0, to: reader.labels.count, by: blockSize) {
            try reader.appendSamples(Array(blockStart..<min(blockStart + blockSize, reader.labels.count)), to: &events, binning: &binning)
        }
        return try reader.makeDataset(events, labels: reader.labels)
    }

    /// Every event's time as the centre of its bin, `(step + 0.5)·Δt` in `float32`, checked to bin back to its step
    /// with the reference rule (the writers of time-based formats).
    func binCentreTimes(path: String, field: String) throws(DataError) -> [Float] {
        let dt = Self.decimalSeconds(timeStep)
        let inverse = Float(1 / dt)
        var times = [Float]()
        times.reserveCapacity(eventSteps.count)
        for s in eventSteps {
            let t = Float((Double(s) + 0.5) * dt)
            guard Int(t * inverse) == Int(s) else {
                throw .invalidValue(path: path, field: field,
                                    reason: "step \(s) of \(timeStep) does not survive float32 times; use a coarser time step")
            }
            times.append(t)
        }
        return times
    }

    /// Writes the data set as an SHD-format HDF5 file at `path`, atomically (a temporary file in the same
    /// directory, synced, then renamed over `path`).
    ///
    /// Each event at step `s` is stored with the time of its bin's centre, `(s + 0.5)·Δt` seconds, as
    /// `float32`, so that ``loadSHD(path:timeStep:steps:channels:downsample:classes:maxSamples:)`` with the
    /// same Δt, `steps`, `channels` and `classes` gives back identical events (order kept) and labels, as
    /// long as no sample holds the same (step, channel) twice (those count once on reading). The writer
    /// checks that every time bins back to its step. Units are stored as `uint16` (as in SHD) when the
    /// channels fit, else `int32`; labels as `uint8` when the classes fit, else `int32`. The root
    /// attribute `snnkit` records Δt, the number of steps, channels and classes.
    ///
    /// - Throws: ``DataError/cannotWrite(path:dataset:reason:)``, or ``DataError/invalidValue(path:field:reason:)``
    ///   when Δt is too fine for `float32` times to bin back exactly.
    public func writeSHD(to path: String) throws(DataError) {
        let times = try binCentreTimes(path: path, field: SHDLayout.times)
        let dt = Self.decimalSeconds(timeStep)
        let timeRows = HDF5RaggedArray(offsets: eventOffsets, values: times)
        let note = "SpikeDataset.writeSHD: times are bin centres (step + 0.5)·Δt; Δt = \(dt) s; steps = \(steps); "
            + "channels = \(channels); classes = \(classes)"
        try HDF5File.writeAtomically(to: path) { (file) throws(DataError) in
            try file.writeVariableLength(timeRows, to: SHDLayout.times)
            if channels <= Int(UInt16.max) + 1 {
                try file.writeVariableLength(HDF5RaggedArray(offsets: eventOffsets, values: eventChannels.map { UInt16($0) }), to: SHDLayout.units)
            } else {
                try file.writeVariableLength(HDF5RaggedArray(offsets: eventOffsets, values: eventChannels), to: SHDLayout.units)
            }
            if classes <= Int(UInt8.max) + 1 {
                try file.write(labels.map { UInt8($0) }, to: SHDLayout.labels)
            } else {
                try file.write(labels.map { Int32($0) }, to: SHDLayout.labels)
            }
            try file.setAttribute("snnkit", to: note)
        }
    }

    /// A positive duration in seconds, correctly rounded from its exact decimal value (`.milliseconds(700)`
    /// gives 0.7, where `seconds + attoseconds · 1e-18` would give 0.7000000000000001).
    static func decimalSeconds(_ duration: Duration) -> Double {
        let c = duration.components
        let fraction = String(c.attoseconds)
        return Double("\(c.seconds).\(String(repeating: "0", count: max(0, 18 - fraction.count)))\(fraction)") ?? duration.seconds
    }
}

/// A set of bin keys `step · channels + channel` for one sample: a bitmap for ordinary grids, a hash set
/// for very large ones.
struct BinSet {
    private var bits: [UInt64]
    private var keys: Set<Int>
    private let usesBits: Bool

    init(capacity: Int) {
        usesBits = capacity <= 1 << 30
        bits = usesBits ? [UInt64](repeating: 0, count: (capacity + 63) / 64) : []
        keys = []
    }

    /// Inserts `key`; returns whether it was absent.
    mutating func insert(_ key: Int) -> Bool {
        guard usesBits else { return keys.insert(key).inserted }
        let word = key >> 6, mask = UInt64(1) << UInt64(key & 63)
        if bits[word] & mask != 0 { return false }
        bits[word] |= mask
        return true
    }

    /// Removes `key`.
    mutating func remove(_ key: Int) {
        guard usesBits else { keys.remove(key); return }
        bits[key >> 6] &= ~(UInt64(1) << UInt64(key & 63))
    }
}
