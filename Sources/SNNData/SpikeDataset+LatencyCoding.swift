import Foundation
import SNNKit

/// Latency-coded images (SPEC §7): each pixel of intensity `x` ∈ [0, 1] fires at most once, at
/// `t = τ·ln(x / (x − thr))` for `x > thr` and never otherwise (the reference's `t_max`, outside the window),
/// so brighter pixels fire earlier (τ = 50 ms, thr = 0.2 by default: a white pixel fires at 11.2 ms).
extension SpikeDataset {
    /// The spike time, in seconds, of a pixel of intensity `x` ∈ [0, 1]: `τ·ln(x / (x − thr))` for `x > thr`,
    /// `nil` (no spike) otherwise.
    public static func latencySpikeTime(intensity x: Double, tau: Duration = .milliseconds(50), threshold: Double = 0.2) -> Double? {
        guard x > threshold else { return nil }
        return decimalSeconds(tau) * Foundation.log(x / (x - threshold))
    }

    /// Latency-codes the images of an IDX file (MNIST style) with labels from another, reading both files.
    ///
    /// The overload taking ``IDXFile`` values describes the coding and the errors; reading adds the errors of
    /// ``IDXFile/init(readingFrom:name:elementLimit:)``.
    public static func latencyCoded(images imagesPath: String, labels labelsPath: String?, timeStep: Duration, steps: Int,
                                    tau: Duration = .milliseconds(50), threshold: Double = 0.2, classes: Int? = nil,
                                    elementLimit: Int = IDXFile.defaultElementLimit) throws(DataError) -> SpikeDataset {
        let images = try IDXFile(readingFrom: imagesPath, name: "images", elementLimit: elementLimit)
        var labels: IDXFile?
        if let labelsPath { labels = try IDXFile(readingFrom: labelsPath, name: "labels", elementLimit: elementLimit) }
        return try latencyCoded(images: images, labels: labels, timeStep: timeStep, steps: steps, tau: tau, threshold: threshold, classes: classes)
    }

    /// Latency-codes images: one channel per pixel (row-major), at most one spike per pixel.
    ///
    /// Intensities are normalized to [0, 1]: `ubyte` pixels are divided by 255; `float` and `double` pixels
    /// must already lie in [0, 1]. A pixel with `x > threshold` fires at `t = τ·ln(x / (x − threshold))`
    /// (``latencySpikeTime(intensity:tau:threshold:)``), binned with the SHD rule `Int(Float(t) · Float(1/Δt))`;
    /// spikes in bins `≥ steps` are dropped. Events are ordered by step, then channel.
    ///
    /// - Parameters:
    ///   - images: Images `[samples, …]` (e.g. `[60000, 28, 28]`): at least two dimensions.
    ///   - labels: One integer label per image (`[samples]`); `nil` gives every image the label 0.
    ///   - timeStep: The bin width Δt.
    ///   - steps: The number of bins `T`.
    ///   - tau: The time constant τ (default 50 ms).
    ///   - threshold: The intensity threshold thr ∈ [0, 1) (default 0.2).
    ///   - classes: The number of classes; `nil` takes the largest label + 1.
    /// - Throws: ``DataError``, naming the file: ``DataError/wrongType(path:dataset:expected:found:)`` for
    ///   integer images other than `ubyte`, or non-integer labels; ``DataError/wrongShape(path:dataset:expected:found:)``
    ///   for 1-D images, labels that are not 1-D, or a label count other than the image count;
    ///   ``DataError/invalidValue(path:field:reason:)`` for a `float`/`double` intensity outside [0, 1] or
    ///   non-finite (naming the image and pixel), a negative or out-of-range label, or a bad argument.
    public static func latencyCoded(images: IDXFile, labels: IDXFile?, timeStep: Duration, steps: Int,
                                    tau: Duration = .milliseconds(50), threshold: Double = 0.2, classes: Int? = nil) throws(DataError) -> SpikeDataset {
        let path = images.path
        try LoaderSupport.checkGrid(path: path, timeStep: timeStep, steps: steps)
        guard tau > .zero else { throw .invalidValue(path: path, field: "tau", reason: "must be positive, found \(tau)") }
        guard threshold.isFinite, threshold >= 0, threshold < 1 else {
            throw .invalidValue(path: path, field: "threshold", reason: "must lie in [0, 1), found \(threshold)")
        }
        guard images.dimensions.count >= 2 else {
            throw .wrongShape(path: path, dataset: "images", expected: "[samples, pixels…] (at least 2 dimensions)", found: "\(images.dimensions)")
        }
        guard images.elementType == .uint8 || !images.elementType.isInteger else {
            throw .wrongType(path: path, dataset: "images", expected: "ubyte (0x08), float (0x0D) or double (0x0E) intensities",
                             found: images.elementType.description)
        }
        let samples = images.dimensions[0]
        let channels = images.dimensions.dropFirst().reduce(1, *)
        guard channels >= 1, channels <= Int(Int32.max) else {
            throw .wrongShape(path: path, dataset: "images", expected: "1...\(Int32.max) pixels per image", found: "\(channels)")
        }

        var rawLabels = [Int64](repeating: 0, count: samples)
        var labelsPath = path
        if let labels {
            labelsPath = labels.path
            guard labels.dimensions.count == 1 else {
                throw .wrongShape(path: labels.path, dataset: "labels", expected: "1-D (one label per image)", found: "\(labels.dimensions)")
            }
            guard labels.elementType.isInteger else {
                throw .wrongType(path: labels.path, dataset: "labels", expected: "integers", found: labels.elementType.description)
            }
            guard labels.count == samples else {
                throw .wrongShape(path: labels.path, dataset: "labels", expected: "\(samples) labels, one per image of \(path)",
                                  found: "\(labels.count) labels")
            }
            rawLabels = labels.doubles().map { Int64($0) }
        }
        let (labelValues, classCount) = try LoaderSupport.labels(rawLabels, path: labelsPath, field: "labels", classes: classes)

        let inverse = Float(1 / decimalSeconds(timeStep))
        let stepLimit = Float(steps)
        let type = images.elementType
        var offsets = [0], eventSteps = [Int32](), eventChannels = [Int32]()
        offsets.reserveCapacity(samples + 1)
        var keys: [Int] = []
        try images.bytes.withRawBytes { (raw) throws(DataError) in
            for s in 0..<samples {
                keys.removeAll(keepingCapacity: true)
                for c in 0..<channels {
                    let v = IDXFile.read(raw, s * channels + c, type)
                    let x: Double
                    if type == .uint8 {
                        x = v / 255
                    } else {
                        guard v.isFinite, v >= 0, v <= 1 else {
                            throw .invalidValue(path: path, field: "images[\(s)] pixel \(c)", reason: "intensity \(v) outside [0, 1]")
                        }
                        x = v
                    }
                    guard let t = latencySpikeTime(intensity: x, tau: tau, threshold: threshold) else { continue }
                    let bin = Float(t) * inverse
                    guard bin < stepLimit else { continue }   // past the window
                    keys.append(Int(bin) * channels + c)
                }
                keys.sort()
                for key in keys {
                    eventSteps.append(Int32(key / channels))
                    eventChannels.append(Int32(key % channels))
                }
                offsets.append(eventSteps.count)
            }
        }
        return try LoaderSupport.dataset(path: path, channels: channels, steps: steps, timeStep: timeStep, classes: classCount,
                                         offsets: offsets, steps: eventSteps, channels: eventChannels, labels: labelValues)
    }
}
