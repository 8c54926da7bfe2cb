import Foundation
import SNNKit

/// Where time 0 of a DVS sample's window lies.
public enum DVSTimeOrigin: Sendable, Hashable {
    /// At t = 0 µs: the window is `[0, duration)` of the file's own clock.
    case zero
    /// At the sample's earliest event (events need not be sorted).
    case firstEvent
}

/// DVS event streams (DVS Gesture style, SPEC §7) binned into frames of Δt with spatial downsampling.
///
/// An event at pixel (x, y) with polarity p becomes channel `(⌊y/d⌋ · W' + ⌊x/d⌋) · 2 + p` with
/// `W' = ⌈width/d⌉` and `H' = ⌈height/d⌉`: SNNKit's channels-last layout, 2 polarity channels at each of
/// `H' × W'` positions (`ActivityShape(channels: 2, spatial: [H', W'])`, the input shape `[2, H', W']` of a
/// configuration). Its frame is `⌊(t − origin) / Δt⌋`, computed exactly in integers (for Δt under 9 s);
/// events in frames `≥ T` are dropped, and several events of a channel in one frame count once. The
/// reference experiment uses 128 × 128 sensors downsampled by 4 to 32 × 32, 2 ms frames and 1 s windows.
extension SpikeDataset {
    /// Loads one DVS event file (see ``DVSEventFile``) as a data set of one sample.
    ///
    /// See ``loadDVSEvents(files:labels:timeStep:duration:sensorSize:downsample:classes:timeOrigin:elementLimit:)``.
    public static func loadDVSEvents(file: String, label: Int = 0, timeStep: Duration, duration: Duration,
                                     sensorSize: (height: Int, width: Int)? = nil, downsample: Int = 1, classes: Int? = nil,
                                     timeOrigin: DVSTimeOrigin = .zero,
                                     elementLimit: Int = NPYFile.defaultElementLimit) throws(DataError) -> SpikeDataset {
        try loadDVSEvents(files: [file], labels: [label], timeStep: timeStep, duration: duration, sensorSize: sensorSize,
                          downsample: downsample, classes: classes, timeOrigin: timeOrigin, elementLimit: elementLimit)
    }

    /// Loads DVS event files, one sample per file, binned into `referenceStepCount(duration:timeStep:)` frames.
    ///
    /// - Parameters:
    ///   - files: The `.npy` event files (see ``DVSEventFile`` for the layouts), one per sample.
    ///   - labels: The class of each file.
    ///   - timeStep: The frame length Δt.
    ///   - duration: The window per sample.
    ///   - sensorSize: The sensor's height and width; every event must lie on it. `nil` takes the largest
    ///     y + 1 and x + 1 over all files (read twice then).
    ///   - downsample: The spatial factor `d` (1: none).
    ///   - classes: The number of classes; `nil` takes the largest label + 1.
    ///   - timeOrigin: Where each sample's window starts (default: t = 0).
    ///   - elementLimit: The largest number of elements a file may declare.
    /// - Throws: ``DataError``, naming the file and the field (and event index): the errors of
    ///   ``DVSEventFile/read(from:elementLimit:)``; ``DataError/invalidValue(path:field:reason:)`` for an event
    ///   outside the sensor, a bad label, a label count other than the file count, or a bad argument.
    public static func loadDVSEvents(files: [String], labels: [Int], timeStep: Duration, duration: Duration,
                                     sensorSize: (height: Int, width: Int)? = nil, downsample: Int = 1, classes: Int? = nil,
                                     timeOrigin: DVSTimeOrigin = .zero,
                                     elementLimit: Int = NPYFile.defaultElementLimit) throws(DataError) -> SpikeDataset {
        let first = files.first ?? ""
        let steps = try LoaderSupport.steps(path: first, timeStep: timeStep, duration: duration)
        guard downsample > 0 else { throw .invalidValue(path: first, field: "downsample", reason: "must be positive, found \(downsample)") }
        guard labels.count == files.count else {
            throw .invalidValue(path: first, field: "labels", reason: "\(labels.count) labels for \(files.count) files (one per file)")
        }
        let (labelValues, classCount) = try LoaderSupport.labels(labels.map { Int64($0) }, path: first, field: "labels", classes: classes)

        var cached: [DVSEvent]?
        let height: Int, width: Int
        if let sensorSize {
            guard sensorSize.height > 0, sensorSize.width > 0, sensorSize.height <= 1 << 20, sensorSize.width <= 1 << 20 else {
                throw .invalidValue(path: first, field: "sensorSize", reason: "must be positive (at most 2^20), found \(sensorSize)")
            }
            (height, width) = (sensorSize.height, sensorSize.width)
        } else {
            var (maxX, maxY) = (0, 0)
            for file in files {
                let events = try DVSEventFile.read(from: file, elementLimit: elementLimit)
                for e in events { maxX = max(maxX, e.x); maxY = max(maxY, e.y) }
                if files.count == 1 { cached = events }
            }
            guard maxX < 1 << 20, maxY < 1 << 20 else {
                throw .invalidValue(path: first, field: "sensorSize", reason: "inferred \(maxY + 1) × \(maxX + 1) is larger than 2^20")
            }
            (height, width) = (maxY + 1, maxX + 1)
        }
        let frameWidth = (width + downsample - 1) / downsample, frameHeight = (height + downsample - 1) / downsample
        let channels = frameHeight * frameWidth * 2
        guard channels <= Int(Int32.max) else {
            throw .invalidValue(path: first, field: "sensorSize", reason: "\(frameHeight) × \(frameWidth) × 2 channels exceed \(Int32.max)")
        }

        // Frame of a time: exact integer division when Δt is a whole number of microseconds.
        let c = timeStep.components
        let wholeMicroseconds: Int64? = c.attoseconds % 1_000_000_000_000 == 0 && c.seconds < Int64.max / 1_000_000
            ? c.seconds * 1_000_000 + c.attoseconds / 1_000_000_000_000 : nil
        let attosecondsPerStep: Int64? = c.seconds < 9 ? c.seconds * 1_000_000_000_000_000_000 + c.attoseconds : nil
        let microsecondsPerStep = decimalSeconds(timeStep) * 1e6

        var seen = BinSet(capacity: steps * channels)
        var offsets = [0], eventSteps = [Int32](), eventChannels = [Int32]()
        offsets.reserveCapacity(files.count + 1)
        for file in files {
            let events: [DVSEvent]
            if let cachedEvents = cached { events = cachedEvents } else { events = try DVSEventFile.read(from: file, elementLimit: elementLimit) }
            let origin: Int64 = timeOrigin == .firstEvent ? (events.map(\.microseconds).min() ?? 0) : 0
            let sampleStart = eventSteps.count
            for (i, e) in events.enumerated() {
                guard e.x < width else { throw .invalidValue(path: file, field: "x[\(i)]", reason: "x = \(e.x) outside the sensor's width 0..<\(width)") }
                guard e.y < height else { throw .invalidValue(path: file, field: "y[\(i)]", reason: "y = \(e.y) outside the sensor's height 0..<\(height)") }
                let t = e.microseconds - origin
                let step: Int64
                if let wholeMicroseconds {
                    step = t / wholeMicroseconds
                } else if let attosecondsPerStep {
                    // Exact: ⌊t · 10¹² / Δt⌋ in 128-bit arithmetic, once the frame is known to be small.
                    if Double(t) * 1e12 / Double(attosecondsPerStep) >= Double(steps) + 1 {
                        step = Int64(steps)
                    } else {
                        step = attosecondsPerStep.dividingFullWidth(t.multipliedFullWidth(by: 1_000_000_000_000)).quotient
                    }
                } else {
                    let q = (Double(t) / microsecondsPerStep).rounded(.down)
                    step = q < Double(steps) ? Int64(q) : Int64(steps)
                }
                guard step < Int64(steps) else { continue }   // past the window
                let channel = ((e.y / downsample) * frameWidth + e.x / downsample) * 2 + e.polarity
                guard seen.insert(Int(step) * channels + channel) else { continue }   // one event per frame
                eventSteps.append(Int32(step))
                eventChannels.append(Int32(channel))
            }
            for k in sampleStart..<eventSteps.count { seen.remove(Int(eventSteps[k]) * channels + Int(eventChannels[k])) }
            offsets.append(eventSteps.count)
        }
        return try LoaderSupport.dataset(path: first, channels: channels, steps: steps, timeStep: timeStep, classes: classCount,
                                         offsets: offsets, steps: eventSteps, channels: eventChannels, labels: labelValues)
    }
}
