// Max, average and sum pooling over channels-last activity rows, forward and backward (PyTorch `MaxPool` / `AvgPool`
// semantics without ceil mode or dilation).
//
// Layout: a buffer is a sequence of rows, one (t, b) pair of a time-major [T, B, N] sequence each. A row holds
// N = positions · C floats in channels-last order: unit = position · C + channel, positions row-major over the spatial
// dims (1-D: x; 2-D: y · width + x). Row strides are the shape's `inputUnits` / `outputUnits`.

// MARK: - Shape

/// What a pooling window computes.
public enum PoolingKind: Sendable, Hashable, Codable {
    /// The largest value of the window; padding counts as −∞ and never wins, the first maximum wins ties.
    case max
    /// The window sum divided by the full window element count (padding counts as 0: PyTorch's `count_include_pad`).
    case average
    /// The window sum (padding counts as 0): spike counts of a binary source.
    case sum
}

/// Geometry of 1-D or 2-D pooling over channels-last rows; channels are pooled independently.
public struct PoolingShape: Sendable, Hashable, Codable {
    /// `C`, channels of a position (the same in input and output).
    public var channels: Int
    /// Spatial extent of the input: `[length]` (1-D) or `[height, width]` (2-D).
    public var inputSize: [Int]
    /// Window extent per spatial dim.
    public var window: [Int]
    /// Step between neighbouring windows per spatial dim.
    public var stride: [Int]
    /// Padding on both sides of each spatial dim (at most half the window, as in PyTorch).
    public var padding: [Int]

    /// Creates a shape; `stride` defaults to `window` (non-overlapping windows) and `padding` to 0.
    public init(channels: Int, inputSize: [Int], window: [Int], stride: [Int]? = nil, padding: [Int]? = nil) {
        self.channels = channels
        self.inputSize = inputSize
        self.window = window
        self.stride = stride ?? window
        self.padding = padding ?? Array(repeating: 0, count: inputSize.count)
    }

    /// Output extent per spatial dim: `⌊(in + 2p − w) / s⌋ + 1`.
    public var outputSize: [Int] {
        (0..<inputSize.count).map { i in floorDivide(inputSize[i] + 2 * padding[i] - window[i], stride[i]) + 1 }
    }

    /// Floats per input row: `C · Π inputSize`.
    public var inputUnits: Int { channels * inputSize.reduce(1, *) }

    /// Floats per output row: `C · Π outputSize`.
    public var outputUnits: Int { channels * outputSize.reduce(1, *) }

    /// Positions of one window: `Π window`.
    public var windowElements: Int { window.reduce(1, *) }

    /// `nil` if the shape is valid, else a human-readable reason.
    public func validate() -> String? {
        let dims = inputSize.count
        guard dims == 1 || dims == 2 else { return "pooling has 1 or 2 spatial dims, got \(dims)" }
        for (name, values) in [("window", window), ("stride", stride), ("padding", padding)] where values.count != dims {
            return "\(name) has \(values.count) dims but inputSize has \(dims)"
        }
        guard channels > 0 else { return "channels must be positive, got \(channels)" }
        for (name, values) in [("inputSize", inputSize), ("window", window), ("stride", stride)]
        where values.contains(where: { $0 <= 0 }) {
            return "\(name) must be positive, got \(values)"
        }
        for i in 0..<dims where padding[i] < 0 || 2 * padding[i] > window[i] {
            return "padding \(padding) must be between 0 and half the window \(window)"
        }
        let out = outputSize
        guard !out.contains(where: { $0 < 1 }) else { return "output size \(out) < 1: window \(window) larger than the padded input \(inputSize)" }
        return nil
    }
}

/// A validated ``PoolingShape`` as 2-D pooling (1-D has height 1).
struct PlanarPooling {
    /// Extents as (height, width), channels, floats per row and window elements.
    let inH, inW, wH, wW, sH, sW, pH, pW, outH, outW, channels, inUnits, outUnits, windowElements: Int

    /// The planar form of `shape`; traps on an invalid shape (see ``PoolingShape/validate()``).
    init(_ shape: PoolingShape) {
        if let reason = shape.validate() { preconditionFailure("invalid PoolingShape: \(reason)") }
        let twoD = shape.inputSize.count == 2
        func dim(_ values: [Int], _ filler: Int) -> (Int, Int) { twoD ? (values[0], values[1]) : (filler, values[0]) }
        (inH, inW) = dim(shape.inputSize, 1)
        (wH, wW) = dim(shape.window, 1)
        (sH, sW) = dim(shape.stride, 1)
        (pH, pW) = dim(shape.padding, 0)
        (outH, outW) = dim(shape.outputSize, 1)
        channels = shape.channels
        inUnits = shape.inputUnits
        outUnits = shape.outputUnits
        windowElements = shape.windowElements
    }

    /// Calls `body(outputPosition, ys, xs)` for every output position with the in-range input rows `ys` and columns `xs`
    /// of its window (never empty: padding is at most half the window).
    @inline(__always)
    func forEachWindow(_ body: (_ position: Int, _ ys: Range<Int>, _ xs: Range<Int>) -> Void) {
        for oy in 0..<outH {
            let y0 = oy * sH - pH, ys = max(y0, 0)..<min(y0 + wH, inH)
            for ox in 0..<outW {
                let x0 = ox * sW - pW
                body(oy * outW + ox, ys, max(x0, 0)..<min(x0 + wW, inW))
            }
        }
    }
}

// MARK: - Kernels

/// `output[r] = pool(source[r])` for `r ∈ rows` (overwrites): max, average or sum over each window, per channel.
///
/// Buffers are time-major `[T, B, N]` sequences viewed as rows; `source` and `output` point at row 0 (strides
/// ``PoolingShape/inputUnits`` and ``PoolingShape/outputUnits``) and only rows in `rows` are touched.
///
/// - Parameters:
///   - argmax: for ``PoolingKind/max``, receives per output unit the input unit (index within its row) of the window's
///     maximum, as needed by ``poolingBackward(kind:shape:gradOutput:rows:argmax:into:)``; layout `[rows, outputUnits]`
///     like `output`. The first maximum in window order (row-major) wins ties, padding never wins, and a NaN wins
///     (PyTorch's rule). May be `nil` (no backward); ignored by the other kinds.
public func poolingForward(kind: PoolingKind, shape: PoolingShape, source: UnsafePointer<Float>, rows: Range<Int>,
                           into output: UnsafeMutablePointer<Float>, argmax: UnsafeMutablePointer<Int32>?) {
    let p = PlanarPooling(shape)
    let c = p.channels
    let scale: Float = kind == .average ? 1 / Float(p.windowElements) : 1
    for r in rows {
        let x = source + r * p.inUnits, y = output + r * p.outUnits
        let winners = argmax.map { $0 + r * p.outUnits }
        p.forEachWindow { position, ys, xs in
            let out = y + position * c
            switch kind {
            case .max:
                let first = (ys.lowerBound * p.inW + xs.lowerBound) * c
                out.update(repeating: -.infinity, count: c)
                if let winners {
                    let best = winners + position * c
                    for k in 0..<c { best[k] = Int32(first + k) }
                    for iy in ys {
                        for ix in xs {
                            let unit = (iy * p.inW + ix) * c, v = x + unit
                            for k in 0..<c where v[k] > out[k] || v[k].isNaN {
                                out[k] = v[k]
                                best[k] = Int32(unit + k)
                            }
                        }
                    }
                } else {
                    for iy in ys {
                        for ix in xs {
                            let v = x + (iy * p.inW + ix) * c
                            for k in 0..<c where v[k] > out[k] || v[k].isNaN { out[k] = v[k] }
                        }
                    }
                }
            case .average, .sum:
                out.update(repeating: 0, count: c)
                for iy in ys {
                    for ix in xs { addFloats(x + (iy * p.inW + ix) * c, into: out, count: c) }
                }
                if kind == .average {
                    for k in 0..<c { out[k] *= scale }
                }
            }
        }
    }
}

/// `gradSource[r] += ∂/∂source ⟨gradOutput[r], pool(source[r])⟩` for `r ∈ rows` (accumulates).
///
/// ``PoolingKind/max`` routes each output gradient to its recorded winner (`argmax` from
/// ``poolingForward(kind:shape:source:rows:into:argmax:)``, required); ``PoolingKind/average`` spreads it over the
/// window's in-range inputs divided by the full window element count; ``PoolingKind/sum`` adds it to them.
public func poolingBackward(kind: PoolingKind, shape: PoolingShape, gradOutput: UnsafePointer<Float>, rows: Range<Int>,
                            argmax: UnsafePointer<Int32>?, into gradSource: UnsafeMutablePointer<Float>) {
    let p = PlanarPooling(shape)
    let c = p.channels
    switch kind {
    case .max:
        guard let argmax else { preconditionFailure("max pooling backward needs the argmax of the forward pass") }
        for r in rows {
            let gy = gradOutput + r * p.outUnits, winners = argmax + r * p.outUnits, gx = gradSource + r * p.inUnits
            for o in 0..<p.outUnits { gx[Int(winners[o])] += gy[o] }
        }
    case .average, .sum:
        let scale: Float = kind == .average ? 1 / Float(p.windowElements) : 1
        for r in rows {
            let gy = gradOutput + r * p.outUnits, gx = gradSource + r * p.inUnits
            p.forEachWindow { position, ys, xs in
                let g = gy + position * c
                for iy in ys {
                    for ix in xs {
                        let target = gx + (iy * p.inW + ix) * c
                        if kind == .sum { addFloats(g, into: target, count: c) } else { axpy(count: c, scale, g, target) }
                    }
                }
            }
        }
    }
}
