// Convolutions over channels-last activity rows: dense (BLAS) and event-driven (spike list) forward products, weight
// gradients and input gradients, 1-D and 2-D, with stride, zero padding, dilation and groups (PyTorch semantics).
//
// Layout: a buffer is a sequence of rows, one (t, b) pair of a time-major [T, B, N] sequence each. A row holds
// N = positions · C floats in channels-last order: unit = position · C + channel, positions row-major over the spatial
// dims (1-D: x; 2-D: y · width + x). Row strides are the shape's `inputUnits` / `outputUnits`.

// MARK: - Shape

/// Geometry of a 1-D or 2-D convolution over channels-last rows (PyTorch `Conv1d` / `Conv2d` semantics).
///
/// An input row holds ``inputUnits`` = `C_in · Π inputSize` floats, unit `position · C_in + channel`, positions
/// row-major over the spatial dims (1-D: `x`; 2-D: `y · width + x`); an output row holds ``outputUnits`` floats laid
/// out the same way with `C_out` channels over ``outputSize``.
///
/// The public weight layout is PyTorch's `[C_out, C_in/groups, k...]`, row-major; kernels use the packed layout of
/// ``packConvolutionWeights(_:shape:into:)``.
public struct ConvolutionShape: Sendable, Hashable, Codable {
    /// `C_in`, channels of an input position.
    public var inputChannels: Int
    /// `C_out`, channels of an output position.
    public var outputChannels: Int
    /// Spatial extent of the input: `[length]` (1-D) or `[height, width]` (2-D).
    public var inputSize: [Int]
    /// Kernel extent per spatial dim (same count as ``inputSize``).
    public var kernelSize: [Int]
    /// Step between neighbouring output positions, per spatial dim.
    public var stride: [Int]
    /// Zeros added on both sides of each spatial dim.
    public var padding: [Int]
    /// Spacing between kernel taps, per spatial dim (1 is a plain convolution).
    public var dilation: [Int]
    /// Number of channel groups; input channel group `g` only feeds output channel group `g`.
    public var groups: Int

    /// Creates a shape; `stride`, `padding` and `dilation` default to 1, 0 and 1 in every spatial dim.
    ///
    /// - Parameters:
    ///   - inputChannels: `C_in`. - outputChannels: `C_out`. Both must be divisible by `groups`.
    ///   - inputSize: `[length]` or `[height, width]`.
    ///   - kernelSize: kernel extent, one entry per spatial dim.
    ///   - stride, padding, dilation: one entry per spatial dim, or `nil` for the default.
    ///   - groups: channel groups (1: every input channel feeds every output channel).
    public init(inputChannels: Int, outputChannels: Int, inputSize: [Int], kernelSize: [Int],
                stride: [Int]? = nil, padding: [Int]? = nil, dilation: [Int]? = nil, groups: Int = 1) {
        self.inputChannels = inputChannels
        self.outputChannels = outputChannels
        self.inputSize = inputSize
        self.kernelSize = kernelSize
        self.stride = stride ?? Array(repeating: 1, count: inputSize.count)
        self.padding = padding ?? Array(repeating: 0, count: inputSize.count)
        self.dilation = dilation ?? Array(repeating: 1, count: inputSize.count)
        self.groups = groups
    }

    /// Output extent per spatial dim: `⌊(in + 2p − d(k − 1) − 1) / s⌋ + 1` (PyTorch's rule; may be < 1 for an
    /// invalid shape, see ``validate()``).
    public var outputSize: [Int] {
        (0..<inputSize.count).map { i in
            let reach = inputSize[i] + 2 * padding[i] - dilation[i] * (kernelSize[i] - 1) - 1
            return floorDivide(reach, stride[i]) + 1
        }
    }

    /// Floats per input row: `C_in · Π inputSize`.
    public var inputUnits: Int { inputChannels * inputSize.reduce(1, *) }

    /// Floats per output row: `C_out · Π outputSize`.
    public var outputUnits: Int { outputChannels * outputSize.reduce(1, *) }

    /// Taps of one kernel: `Π kernelSize`.
    public var kernelElements: Int { kernelSize.reduce(1, *) }

    /// Number of weights: `C_out · (C_in / groups) · kernelElements`.
    public var weightCount: Int { outputChannels * (inputChannels / max(groups, 1)) * kernelElements }

    /// Fan-in of an output unit: `(C_in / groups) · kernelElements`.
    public var fanIn: Int { (inputChannels / max(groups, 1)) * kernelElements }

    /// `nil` if the shape is valid, else a human-readable reason.
    public func validate() -> String? {
        let dims = inputSize.count
        guard dims == 1 || dims == 2 else { return "a convolution has 1 or 2 spatial dims, got \(dims)" }
        for (name, values) in [("kernelSize", kernelSize), ("stride", stride), ("padding", padding), ("dilation", dilation)]
        where values.count != dims {
            return "\(name) has \(values.count) dims but inputSize has \(dims)"
        }
        guard inputChannels > 0, outputChannels > 0 else {
            return "channels must be positive (input \(inputChannels), output \(outputChannels))"
        }
        guard groups > 0 else { return "groups must be positive, got \(groups)" }
        guard inputChannels % groups == 0, outputChannels % groups == 0 else {
            return "input channels \(inputChannels) and output channels \(outputChannels) must be divisible by groups \(groups)"
        }
        for (name, values) in [("inputSize", inputSize), ("kernelSize", kernelSize), ("stride", stride), ("dilation", dilation)]
        where values.contains(where: { $0 <= 0 }) {
            return "\(name) must be positive, got \(values)"
        }
        guard !padding.contains(where: { $0 < 0 }) else { return "padding must be non-negative, got \(padding)" }
        let out = outputSize
        guard !out.contains(where: { $0 < 1 }) else {
            return "output size \(out) < 1: the dilated kernel is larger than the padded input \(inputSize) (padding \(padding))"
        }
        return nil
    }
}

/// `⌊a / b⌋` for `b > 0`.
@inline(__always) func floorDivide(_ a: Int, _ b: Int) -> Int {
    let q = a / b
    return (a % b != 0 && a < 0) ? q - 1 : q
}

// MARK: - Planar geometry

/// A validated ``ConvolutionShape`` as a 2-D convolution (a 1-D one has height 1), with derived counts.
struct PlanarConvolution {
    /// Input, kernel, stride, padding, dilation and output extents as (height, width).
    let inH, inW, kH, kW, sH, sW, pH, pW, dH, dW, outH, outW: Int
    /// `C_in`, `C_out`, groups, `C_in/g`, `C_out/g`.
    let cIn, cOut, groups, cInG, cOutG: Int
    /// Floats per input / output row.
    let inUnits, outUnits: Int
    /// `kH · kW`.
    let taps: Int
    /// `outH · outW`.
    let outPositions: Int
    /// Floats of one im2col patch row of one group: `taps · cInG`.
    let patchWidth: Int
    /// Whether the taps of one kernel row read consecutive input floats (`groups == 1`, `dilation_x == 1`), so a run of
    /// taps is one strided product with `k = run · C_in`.
    let mergesTaps: Bool
    /// Divisors splitting an input unit into position and channel, a channel into group and channel in group, and a
    /// position into input row and column.
    let channelDivisor, groupDivisor, widthDivisor: FastDivisor

    /// The planar form of `shape`; traps on an invalid shape (see ``ConvolutionShape/validate()``).
    init(_ shape: ConvolutionShape) {
        if let reason = shape.validate() { preconditionFailure("invalid ConvolutionShape: \(reason)") }
        let twoD = shape.inputSize.count == 2
        func dim(_ values: [Int], _ filler: Int) -> (Int, Int) { twoD ? (values[0], values[1]) : (filler, values[0]) }
        (inH, inW) = dim(shape.inputSize, 1)
        (kH, kW) = dim(shape.kernelSize, 1)
        (sH, sW) = dim(shape.stride, 1)
        (pH, pW) = dim(shape.padding, 0)
        (dH, dW) = dim(shape.dilation, 1)
        (outH, outW) = dim(shape.outputSize, 1)
        cIn = shape.inputChannels
        cOut = shape.outputChannels
        groups = shape.groups
        cInG = cIn / groups
        cOutG = cOut / groups
        inUnits = inH * inW * cIn
        outUnits = outH * outW * cOut
        taps = kH * kW
        outPositions = outH * outW
        patchWidth = taps * cInG
        mergesTaps = groups == 1 && dW == 1
        channelDivisor = FastDivisor(cIn)
        groupDivisor = FastDivisor(cInG)
        widthDivisor = FastDivisor(inW)
    }

    /// Taps `k` of one dim whose input coordinate `o·s − p + k·d` lies in `0..<size`.
    @inline(__always)
    static func validTaps(output o: Int, size: Int, kernel: Int, stride s: Int, padding p: Int, dilation d: Int) -> Range<Int> {
        let base = o * s - p
        if d == 1 { return max(0, -base)..<max(max(0, -base), min(kernel, size - base)) }
        let first = base >= 0 ? 0 : (-base + d - 1) / d
        let last = size - 1 - base   // largest k·d allowed
        let end = last < 0 ? 0 : min(kernel, last / d + 1)
        return first < end ? first..<end : 0..<0
    }

    /// Kernel rows of output row `oy` that fall inside the input (not in the padding).
    @inline(__always) func rowTaps(_ oy: Int) -> Range<Int> {
        Self.validTaps(output: oy, size: inH, kernel: kH, stride: sH, padding: pH, dilation: dH)
    }

    /// Kernel columns of output column `ox` that fall inside the input (not in the padding).
    @inline(__always) func columnTaps(_ ox: Int) -> Range<Int> {
        Self.validTaps(output: ox, size: inW, kernel: kW, stride: sW, padding: pW, dilation: dW)
    }

    /// Calls `body(tap, inputPosition, run)` for the in-range taps of output position `(oy, ox)`: `run` consecutive
    /// taps starting at `tap` (row-major over the kernel) read consecutive input positions starting at `inputPosition`.
    /// Runs are whole kernel rows when ``mergesTaps``, single taps otherwise.
    @inline(__always)
    func forEachTapRun(oy: Int, ox: Int, _ body: (_ tap: Int, _ inputPosition: Int, _ run: Int) -> Void) {
        let ys = rowTaps(oy), xs = columnTaps(ox)
        guard !xs.isEmpty else { return }
        for ky in ys {
            let iy = oy * sH - pH + ky * dH
            let ix0 = ox * sW - pW + xs.lowerBound * dW
            if mergesTaps {
                body(ky * kW + xs.lowerBound, iy * inW + ix0, xs.count)
            } else {
                for kx in xs { body(ky * kW + kx, iy * inW + ix0 + (kx - xs.lowerBound) * dW, 1) }
            }
        }
    }
}

// MARK: - Weight packing

/// Number of floats of the packed weight layout (equal to ``ConvolutionShape/weightCount``).
public func packedConvolutionWeightCount(shape: ConvolutionShape) -> Int { shape.weightCount }

/// Writes PyTorch-layout weights `W[C_out, C_in/groups, k...]` into the packed layout used by every convolution kernel
/// (dense and event-driven alike):
///
///     packed[((g · K + tap) · C_in/g + ci) · C_out/g + co] = W[g · C_out/g + co, ci, tap]
///
/// with `K` = ``ConvolutionShape/kernelElements`` and `tap` row-major over the kernel dims: for each group and tap a
/// row-major `[C_in/g, C_out/g]` matrix, so one input channel at one tap owns a contiguous row of output channels.
/// With one group this is `[K, C_in, C_out]`, i.e. an im2col patch `[K · C_in]` times a `[K · C_in, C_out]` matrix.
///
/// - Parameters:
///   - weights: ``ConvolutionShape/weightCount`` floats in PyTorch layout.
///   - packed: ``packedConvolutionWeightCount(shape:)`` floats, overwritten.
public func packConvolutionWeights(_ weights: UnsafePointer<Float>, shape: ConvolutionShape, into packed: UnsafeMutablePointer<Float>) {
    forEachPackedIndex(shape) { torch, packedIndex in packed[packedIndex] = weights[torch] }
}

/// Writes packed weights (see ``packConvolutionWeights(_:shape:into:)``) back in PyTorch layout, overwriting `weights`.
public func unpackConvolutionWeights(_ packed: UnsafePointer<Float>, shape: ConvolutionShape, into weights: UnsafeMutablePointer<Float>) {
    forEachPackedIndex(shape) { torch, packedIndex in weights[torch] = packed[packedIndex] }
}

/// Adds a gradient in the packed layout (as accumulated by ``convolutionWeightGradient(shape:source:gradOutput:rows:into:)``)
/// into a gradient in PyTorch layout `[C_out, C_in/groups, k...]`.
public func addUnpackedConvolutionGradient(_ packed: UnsafePointer<Float>, shape: ConvolutionShape,
                                           into gradient: UnsafeMutablePointer<Float>) {
    forEachPackedIndex(shape) { torch, packedIndex in gradient[torch] += packed[packedIndex] }
}

/// Visits `(PyTorch index, packed index)` of every weight.
@inline(__always)
private func forEachPackedIndex(_ shape: ConvolutionShape, _ body: (Int, Int) -> Void) {
    if let reason = shape.validate() { preconditionFailure("invalid ConvolutionShape: \(reason)") }
    let groups = shape.groups, taps = shape.kernelElements
    let cInG = shape.inputChannels / groups, cOutG = shape.outputChannels / groups
    for g in 0..<groups {
        for co in 0..<cOutG {
            for ci in 0..<cInG {
                let torchBase = ((g * cOutG + co) * cInG + ci) * taps
                for tap in 0..<taps {
                    body(torchBase + tap, ((g * taps + tap) * cInG + ci) * cOutG + co)
                }
            }
        }
    }
}

// MARK: - Dense kernels

/// How a dense convolution kernel maps onto BLAS.
public enum ConvolutionAlgorithm: Sendable, Hashable {
    /// ``perTap`` when its products are large enough: at least 64 rows per block (the call's rows, capped by the
    /// block size) and a shared dimension `run · C_in/g` of at least 4; ``im2col`` otherwise (few rows of large 2-D
    /// maps, e.g. DVS layers at batch 16–32, where im2col's `m` = rows × positions measured faster; depthwise shapes).
    case automatic
    /// Copies blocks of input patches into scratch (im2col), then one product `[patches, K·C_in/g] × [K·C_in/g, C_out/g]`
    /// per block and group.
    case im2col
    /// No copies: one strided product over a block of rows per (output position, run of kernel taps), reading the
    /// source and writing the output in place through leading dimensions (`lda` = input units, `ldc` = output units).
    /// A run is a whole kernel row when `groups == 1` and the dilation along x is 1 (its taps read consecutive
    /// floats), so the product's shared dimension is `k_x · C_in`; a single tap otherwise. Measured 1.2–2.5× faster
    /// than ``im2col`` on the SHD conv-recurrent layer shapes at 400 rows (OpenBLAS, one thread).
    case perTap
}

/// Floats of scratch the ``ConvolutionAlgorithm/im2col`` kernels use: a block of patch rows of one group,
/// `max(1, 16384 / (K · C_in/g)) · K · C_in/g`.
public func convolutionScratchCount(shape: ConvolutionShape) -> Int {
    let width = shape.fanIn
    return patchBlockRows(patchWidth: width) * width
}

/// Patch rows per im2col block: about 64 KiB of patches (L2-resident, with room for the product's operands).
@inline(__always) func patchBlockRows(patchWidth: Int) -> Int { max(1, 16384 / max(patchWidth, 1)) }

/// Rows per block of the ``ConvolutionAlgorithm/perTap`` kernels: about 1 MiB of source and output rows (the products'
/// `m`; on the SHD and DVS shapes, larger blocks measured faster than L2-sized ones, up to this size).
@inline(__always) func perTapBlockRows(_ p: PlanarConvolution) -> Int { max(8, 262_144 / (p.inUnits + p.outUnits)) }

extension ConvolutionAlgorithm {
    /// The concrete algorithm for a shape and a number of rows.
    func resolved(_ p: PlanarConvolution, rows: Int) -> ConvolutionAlgorithm {
        switch self {
        case .automatic:
            let sharedDimension = p.cInG * (p.mergesTaps ? p.kW : 1)
            let productRows = min(rows, perTapBlockRows(p))
            return sharedDimension >= 4 && productRows >= 64 ? .perTap : .im2col
        case .im2col, .perTap: return self
        }
    }
}

/// `output[r] (=|+=) conv(source[r])` for `r ∈ rows`: the dense forward product of a convolution (no bias).
///
/// Buffers are time-major `[T, B, N]` sequences viewed as rows; `source` and `output` point at row 0 (strides
/// ``ConvolutionShape/inputUnits`` and ``ConvolutionShape/outputUnits``) and only rows in `rows` are read or written,
/// so callers may split rows across threads. Chooses ``ConvolutionAlgorithm/im2col`` or ``ConvolutionAlgorithm/perTap``
/// by shape and row count (``ConvolutionAlgorithm/automatic``); im2col scratch (``convolutionScratchCount(shape:)``
/// floats) is taken once per call.
///
/// - Parameters:
///   - packedWeights: see ``packConvolutionWeights(_:shape:into:)``.
///   - overwrite: `true` sets the rows, `false` adds to them.
public func convolutionForward(shape: ConvolutionShape, source: UnsafePointer<Float>, rows: Range<Int>,
                               packedWeights: UnsafePointer<Float>, into output: UnsafeMutablePointer<Float>, overwrite: Bool) {
    convolutionForward(shape: shape, source: source, rows: rows, packedWeights: packedWeights, into: output,
                       overwrite: overwrite, algorithm: .automatic, scratch: nil)
}

/// ``convolutionForward(shape:source:rows:packedWeights:into:overwrite:)`` with a chosen algorithm and caller-owned
/// scratch (``convolutionScratchCount(shape:)`` floats; `nil` takes it per call; unused by ``ConvolutionAlgorithm/perTap``).
public func convolutionForward(shape: ConvolutionShape, source: UnsafePointer<Float>, rows: Range<Int>,
                               packedWeights: UnsafePointer<Float>, into output: UnsafeMutablePointer<Float>, overwrite: Bool,
                               algorithm: ConvolutionAlgorithm, scratch: UnsafeMutablePointer<Float>?) {
    let p = PlanarConvolution(shape)
    guard !rows.isEmpty else { return }
    switch algorithm.resolved(p, rows: rows.count) {
    case .perTap:
        forwardPerTap(p, source: source, rows: rows, weights: packedWeights, output: output, overwrite: overwrite)
    default:
        withPatchScratch(shape, scratch) { patches in
            forwardIm2col(p, source: source, rows: rows, weights: packedWeights, output: output, overwrite: overwrite, patches: patches)
        }
    }
}

/// `packedGradient += ∂/∂W Σ_{r ∈ rows} ⟨gradOutput[r], conv(source[r])⟩`: the weight gradient of a dense-source
/// convolution, in the packed layout (see ``addUnpackedConvolutionGradient(_:shape:into:)``).
///
/// Rows as in ``convolutionForward(shape:source:rows:packedWeights:into:overwrite:)``; threads splitting rows need
/// separate gradient buffers.
public func convolutionWeightGradient(shape: ConvolutionShape, source: UnsafePointer<Float>, gradOutput: UnsafePointer<Float>,
                                      rows: Range<Int>, into packedGradient: UnsafeMutablePointer<Float>) {
    convolutionWeightGradient(shape: shape, source: source, gradOutput: gradOutput, rows: rows, into: packedGradient,
                              algorithm: .automatic, scratch: nil)
}

/// ``convolutionWeightGradient(shape:source:gradOutput:rows:into:)`` with a chosen algorithm and caller-owned scratch
/// (``convolutionScratchCount(shape:)`` floats; `nil` takes it per call).
public func convolutionWeightGradient(shape: ConvolutionShape, source: UnsafePointer<Float>, gradOutput: UnsafePointer<Float>,
                                      rows: Range<Int>, into packedGradient: UnsafeMutablePointer<Float>,
                                      algorithm: ConvolutionAlgorithm, scratch: UnsafeMutablePointer<Float>?) {
    let p = PlanarConvolution(shape)
    guard !rows.isEmpty else { return }
    switch algorithm.resolved(p, rows: rows.count) {
    case .perTap:
        weightGradientPerTap(p, source: source, gradOutput: gradOutput, rows: rows, gradient: packedGradient)
    default:
        withPatchScratch(shape, scratch) { patches in
            weightGradientIm2col(p, source: source, gradOutput: gradOutput, rows: rows, gradient: packedGradient, patches: patches)
        }
    }
}

/// `gradSource[r] += convᵀ(gradOutput[r])` for `r ∈ rows`: the input gradient of a convolution (the transposed
/// convolution of the output gradient; padded positions are dropped).
///
/// Rows as in ``convolutionForward(shape:source:rows:packedWeights:into:overwrite:)``.
public func convolutionInputGradient(shape: ConvolutionShape, gradOutput: UnsafePointer<Float>, rows: Range<Int>,
                                     packedWeights: UnsafePointer<Float>, into gradSource: UnsafeMutablePointer<Float>) {
    convolutionInputGradient(shape: shape, gradOutput: gradOutput, rows: rows, packedWeights: packedWeights,
                             into: gradSource, algorithm: .automatic, scratch: nil)
}

/// ``convolutionInputGradient(shape:gradOutput:rows:packedWeights:into:)`` with a chosen algorithm and caller-owned
/// scratch (``convolutionScratchCount(shape:)`` floats; `nil` takes it per call).
public func convolutionInputGradient(shape: ConvolutionShape, gradOutput: UnsafePointer<Float>, rows: Range<Int>,
                                     packedWeights: UnsafePointer<Float>, into gradSource: UnsafeMutablePointer<Float>,
                                     algorithm: ConvolutionAlgorithm, scratch: UnsafeMutablePointer<Float>?) {
    let p = PlanarConvolution(shape)
    guard !rows.isEmpty else { return }
    switch algorithm.resolved(p, rows: rows.count) {
    case .perTap:
        inputGradientPerTap(p, gradOutput: gradOutput, rows: rows, weights: packedWeights, gradSource: gradSource)
    default:
        withPatchScratch(shape, scratch) { patches in
            inputGradientIm2col(p, gradOutput: gradOutput, rows: rows, weights: packedWeights, gradSource: gradSource, patches: patches)
        }
    }
}

/// Runs `body` with `scratch`, or with ``convolutionScratchCount(shape:)`` floats taken for the call.
private func withPatchScratch(_ shape: ConvolutionShape, _ scratch: UnsafeMutablePointer<Float>?,
                              _ body: (UnsafeMutablePointer<Float>) -> Void) {
    if let scratch { body(scratch); return }
    withUnsafeTemporaryAllocation(of: Float.self, capacity: convolutionScratchCount(shape: shape)) { body($0.baseAddress!) }
}

// MARK: im2col

/// Copies the patch of output position `position` of row `row`, group `g` into `patch` (`patchWidth` floats, layout
/// `[tap, C_in/g]`), with zeros at padded taps.
@inline(__always)
private func gatherPatch(_ p: PlanarConvolution, row: UnsafePointer<Float>, position: Int, group g: Int,
                         into patch: UnsafeMutablePointer<Float>) {
    let oy = position / p.outW, ox = position - oy * p.outW
    if p.rowTaps(oy).count != p.kH || p.columnTaps(ox).count != p.kW {
        patch.update(repeating: 0, count: p.patchWidth)
    }
    let source = row + g * p.cInG
    p.forEachTapRun(oy: oy, ox: ox) { tap, inputPosition, run in
        copyFloats(source + inputPosition * p.cIn, into: patch + tap * p.cInG, count: run * p.cInG)
    }
}

/// Adds a patch (layout as in ``gatherPatch(_:row:position:group:into:)``) into the input-gradient row it came from,
/// dropping padded taps.
@inline(__always)
private func scatterPatch(_ p: PlanarConvolution, _ patch: UnsafePointer<Float>, position: Int, group g: Int,
                          into row: UnsafeMutablePointer<Float>) {
    let oy = position / p.outW, ox = position - oy * p.outW
    let target = row + g * p.cInG
    p.forEachTapRun(oy: oy, ox: ox) { tap, inputPosition, run in
        addFloats(patch + tap * p.cInG, into: target + inputPosition * p.cIn, count: run * p.cInG)
    }
}

/// Calls `body(first, count)` for consecutive blocks of the flat patch-row index `(r − rows.lowerBound) · P + position`.
@inline(__always)
private func forEachPatchBlock(_ p: PlanarConvolution, rows: Range<Int>, _ body: (_ first: Int, _ count: Int) -> Void) {
    let total = rows.count * p.outPositions, block = patchBlockRows(patchWidth: p.patchWidth)
    var first = 0
    while first < total {
        let count = min(block, total - first)
        body(first, count)
        first += count
    }
}

private func forwardIm2col(_ p: PlanarConvolution, source: UnsafePointer<Float>, rows: Range<Int>, weights: UnsafePointer<Float>,
                           output: UnsafeMutablePointer<Float>, overwrite: Bool, patches: UnsafeMutablePointer<Float>) {
    let base = rows.lowerBound
    forEachPatchBlock(p, rows: rows) { first, count in
        for g in 0..<p.groups {
            for i in 0..<count {
                let flat = first + i, r = base + flat / p.outPositions
                gatherPatch(p, row: source + r * p.inUnits, position: flat % p.outPositions, group: g,
                            into: patches + i * p.patchWidth)
            }
            // output rows are [rows · positions, C_out] with stride C_out; every patch row is written (beta 0 overwrites)
            sgemm(.none, .none, m: count, n: p.cOutG, k: p.patchWidth, alpha: 1, a: patches, lda: p.patchWidth,
                  b: weights + g * p.patchWidth * p.cOutG, ldb: p.cOutG, beta: overwrite ? 0 : 1,
                  c: output + base * p.outUnits + first * p.cOut + g * p.cOutG, ldc: p.cOut)
        }
    }
}

private func weightGradientIm2col(_ p: PlanarConvolution, source: UnsafePointer<Float>, gradOutput: UnsafePointer<Float>,
                                  rows: Range<Int>, gradient: UnsafeMutablePointer<Float>, patches: UnsafeMutablePointer<Float>) {
    let base = rows.lowerBound
    forEachPatchBlock(p, rows: rows) { first, count in
        for g in 0..<p.groups {
            for i in 0..<count {
                let flat = first + i, r = base + flat / p.outPositions
                gatherPatch(p, row: source + r * p.inUnits, position: flat % p.outPositions, group: g,
                            into: patches + i * p.patchWidth)
            }
            sgemm(.transposed, .none, m: p.patchWidth, n: p.cOutG, k: count, alpha: 1, a: patches, lda: p.patchWidth,
                  b: gradOutput + base * p.outUnits + first * p.cOut + g * p.cOutG, ldb: p.cOut, beta: 1,
                  c: gradient + g * p.patchWidth * p.cOutG, ldc: p.cOutG)
        }
    }
}

private func inputGradientIm2col(_ p: PlanarConvolution, gradOutput: UnsafePointer<Float>, rows: Range<Int>,
                                 weights: UnsafePointer<Float>, gradSource: UnsafeMutablePointer<Float>,
                                 patches: UnsafeMutablePointer<Float>) {
    let base = rows.lowerBound
    forEachPatchBlock(p, rows: rows) { first, count in
        for g in 0..<p.groups {
            sgemm(.none, .transposed, m: count, n: p.patchWidth, k: p.cOutG, alpha: 1,
                  a: gradOutput + base * p.outUnits + first * p.cOut + g * p.cOutG, lda: p.cOut,
                  b: weights + g * p.patchWidth * p.cOutG, ldb: p.cOutG, beta: 0, c: patches, ldc: p.patchWidth)
            for i in 0..<count {
                let flat = first + i, r = base + flat / p.outPositions
                scatterPatch(p, patches + i * p.patchWidth, position: flat % p.outPositions, group: g,
                             into: gradSource + r * p.inUnits)
            }
        }
    }
}

// MARK: Per-tap products

/// Calls `body(first, count)` for consecutive blocks of `rows`.
@inline(__always)
private func forEachRowBlock(_ rows: Range<Int>, size: Int, _ body: (_ first: Int, _ count: Int) -> Void) {
    var first = rows.lowerBound
    while first < rows.upperBound {
        let count = min(size, rows.upperBound - first)
        body(first, count)
        first += count
    }
}

private func forwardPerTap(_ p: PlanarConvolution, source: UnsafePointer<Float>, rows: Range<Int>, weights: UnsafePointer<Float>,
                           output: UnsafeMutablePointer<Float>, overwrite: Bool) {
    forEachRowBlock(rows, size: perTapBlockRows(p)) { first, count in
        let x = source + first * p.inUnits, y = output + first * p.outUnits
        if overwrite { y.update(repeating: 0, count: count * p.outUnits) }
        for position in 0..<p.outPositions {
            let oy = position / p.outW, ox = position - oy * p.outW
            for g in 0..<p.groups {
                p.forEachTapRun(oy: oy, ox: ox) { tap, inputPosition, run in
                    sgemm(.none, .none, m: count, n: p.cOutG, k: run * p.cInG, alpha: 1,
                          a: x + inputPosition * p.cIn + g * p.cInG, lda: p.inUnits,
                          b: weights + (g * p.taps + tap) * p.cInG * p.cOutG, ldb: p.cOutG, beta: 1,
                          c: y + position * p.cOut + g * p.cOutG, ldc: p.outUnits)
                }
            }
        }
    }
}

private func weightGradientPerTap(_ p: PlanarConvolution, source: UnsafePointer<Float>, gradOutput: UnsafePointer<Float>,
                                  rows: Range<Int>, gradient: UnsafeMutablePointer<Float>) {
    forEachRowBlock(rows, size: perTapBlockRows(p)) { first, count in
        let x = source + first * p.inUnits, gy = gradOutput + first * p.outUnits
        for position in 0..<p.outPositions {
            let oy = position / p.outW, ox = position - oy * p.outW
            for g in 0..<p.groups {
                p.forEachTapRun(oy: oy, ox: ox) { tap, inputPosition, run in
                    sgemm(.transposed, .none, m: run * p.cInG, n: p.cOutG, k: count, alpha: 1,
                          a: x + inputPosition * p.cIn + g * p.cInG, lda: p.inUnits,
                          b: gy + position * p.cOut + g * p.cOutG, ldb: p.outUnits, beta: 1,
                          c: gradient + (g * p.taps + tap) * p.cInG * p.cOutG, ldc: p.cOutG)
                }
            }
        }
    }
}

private func inputGradientPerTap(_ p: PlanarConvolution, gradOutput: UnsafePointer<Float>, rows: Range<Int>,
                                 weights: UnsafePointer<Float>, gradSource: UnsafeMutablePointer<Float>) {
    forEachRowBlock(rows, size: perTapBlockRows(p)) { first, count in
        let gx = gradSource + first * p.inUnits, gy = gradOutput + first * p.outUnits
        for position in 0..<p.outPositions {
            let oy = position / p.outW, ox = position - oy * p.outW
            for g in 0..<p.groups {
                p.forEachTapRun(oy: oy, ox: ox) { tap, inputPosition, run in
                    sgemm(.none, .transposed, m: count, n: run * p.cInG, k: p.cOutG, alpha: 1,
                          a: gy + position * p.cOut + g * p.cOutG, lda: p.outUnits,
                          b: weights + (g * p.taps + tap) * p.cInG * p.cOutG, ldb: p.cOutG, beta: 1,
                          c: gx + inputPosition * p.cIn + g * p.cInG, ldc: p.inUnits)
                }
            }
        }
    }
}

// MARK: - Event-driven kernels

/// Per input coordinate of one spatial dim, the `(tap, output coordinate)` pairs it reaches, in CSR form inside a
/// caller-provided `Int32` buffer of ``count(size:outputs:kernel:)`` entries.
struct TapTable {
    /// `offsets[x] ..< offsets[x + 1]` index the pairs of input coordinate `x`.
    let offsets: UnsafeMutablePointer<Int32>
    /// `pairs[2i]` = tap, `pairs[2i + 1]` = output coordinate.
    let pairs: UnsafeMutablePointer<Int32>

    /// Buffer entries needed.
    static func count(size: Int, outputs: Int, kernel: Int) -> Int { size + 1 + 2 * outputs * kernel }

    /// Builds the table of one dim (input `size`, `outputs` output coordinates) in `buffer`.
    init(buffer: UnsafeMutablePointer<Int32>, size: Int, outputs: Int, kernel: Int, stride: Int, padding: Int, dilation: Int) {
        offsets = buffer
        pairs = buffer + size + 1
        offsets.update(repeating: 0, count: size + 1)
        for o in 0..<outputs {
            for k in PlanarConvolution.validTaps(output: o, size: size, kernel: kernel, stride: stride, padding: padding, dilation: dilation) {
                offsets[o * stride - padding + k * dilation + 1] += 1
            }
        }
        for x in 0..<size { offsets[x + 1] += offsets[x] }
        // fill; offsets[x] is the write cursor of x, shifted back afterwards
        for o in 0..<outputs {
            for k in PlanarConvolution.validTaps(output: o, size: size, kernel: kernel, stride: stride, padding: padding, dilation: dilation) {
                let x = o * stride - padding + k * dilation
                let slot = Int(offsets[x])
                pairs[2 * slot] = Int32(k)
                pairs[2 * slot + 1] = Int32(o)
                offsets[x] += 1
            }
        }
        for x in Swift.stride(from: size, to: 0, by: -1) { offsets[x] = offsets[x - 1] }
        offsets[0] = 0
    }
}

/// A run of consecutive events of one row at the same input position and channel group (rows list channels in
/// increasing order, so such events are adjacent): they reach the same output positions through the same taps.
struct EventRun {
    /// Input row and column of the run's position.
    let iy, ix: Int
    /// Packed weight offset of the run's group at tap 0, channel 0 (add `tap · C_in/g · C_out/g + ci · C_out/g`).
    let weightBase: Int
    /// First output channel of the run's group.
    let channelOffset: Int
    /// Input unit of channel 0 of the run's group at its position: an event's channel in the group is `unit − baseUnit`.
    let baseUnit: Int32
    /// One past the run's last event (index into the list's `indices`).
    let end: Int

    /// The run starting at event `first` (of a row ending at event `rowEnd`).
    @inline(__always)
    init(_ p: PlanarConvolution, indices: UnsafePointer<Int32>, first: Int, rowEnd: Int) {
        let unit = Int(indices[first])
        let (position, channel) = p.channelDivisor.divide(unit)
        let (g, ci) = p.groupDivisor.divide(channel)
        if p.inH == 1 {
            (iy, ix) = (0, position)
        } else {
            (iy, ix) = p.widthDivisor.divide(position)
        }
        weightBase = g * p.taps * p.cInG * p.cOutG
        channelOffset = g * p.cOutG
        baseUnit = Int32(unit - ci)
        let limit = baseUnit + Int32(p.cInG)
        var last = first + 1
        while last < rowEnd && indices[last] < limit { last += 1 }
        end = last
    }
}

/// Division by a fixed positive divisor through a floating-point reciprocal and one correction step (an integer
/// division per event would cost more than the event's additions); exact for all non-negative `Int32`-range numerators.
struct FastDivisor {
    let divisor: Int
    let reciprocal: Double

    /// A divisor `> 0`.
    init(_ divisor: Int) {
        self.divisor = divisor
        reciprocal = 1 / Double(divisor)
    }

    /// `(n / divisor, n % divisor)` for `n ≥ 0`.
    @inline(__always)
    func divide(_ n: Int) -> (quotient: Int, remainder: Int) {
        if divisor == 1 { return (n, 0) }
        var q = Int(Double(n) * reciprocal)
        var r = n - q * divisor
        if r < 0 { q -= 1; r += divisor } else if r >= divisor { q += 1; r -= divisor }
        return (q, r)
    }
}

/// Checks an event list against a shape and a row range (programmer errors).
@inline(__always)
private func checkEvents(_ p: PlanarConvolution, _ events: SpikeEventList, _ rows: Range<Int>) {
    precondition(events.width == p.inUnits, "event list width \(events.width) ≠ input units \(p.inUnits)")
    precondition(rows.isEmpty || (rows.lowerBound >= 0 && rows.upperBound <= events.rows), "rows \(rows) outside the event list")
}

/// Runs `body` with the tap tables of both spatial dims (a few hundred `Int32`, taken for the call).
@inline(__always)
private func withTapTables(_ p: PlanarConvolution, _ body: (_ ys: TapTable, _ xs: TapTable) -> Void) {
    let heightCount = TapTable.count(size: p.inH, outputs: p.outH, kernel: p.kH)
    let widthCount = TapTable.count(size: p.inW, outputs: p.outW, kernel: p.kW)
    withUnsafeTemporaryAllocation(of: Int32.self, capacity: heightCount + widthCount) { buffer in
        let ys = TapTable(buffer: buffer.baseAddress!, size: p.inH, outputs: p.outH, kernel: p.kH,
                          stride: p.sH, padding: p.pH, dilation: p.dH)
        let xs = TapTable(buffer: buffer.baseAddress! + heightCount, size: p.inW, outputs: p.outW, kernel: p.kW,
                          stride: p.sW, padding: p.pW, dilation: p.dW)
        body(ys, xs)
    }
}

/// `output[r] (=|+=) conv(S[r])` for `r ∈ rows`, where `S` is the binary spike matrix listed by `events` (width
/// ``ConvolutionShape/inputUnits``): the event-driven form of
/// ``convolutionForward(shape:source:rows:packedWeights:into:overwrite:)``.
///
/// Each event adds, for every kernel tap that maps it into the output, the packed weight row of its input channel
/// (`C_out/groups` contiguous floats) into the reached output position: cost ∝ events × hits × `C_out/groups`. Events
/// of one position and group are summed in registers before one update of each reached output position.
///
/// - Parameters:
///   - rows: rows of the list (and of `output`, stride ``ConvolutionShape/outputUnits``).
///   - overwrite: `true` sets the rows (rows without events become 0), `false` adds to them.
public func convolutionForward(shape: ConvolutionShape, events: SpikeEventList, rows: Range<Int>,
                               packedWeights: UnsafePointer<Float>, into output: UnsafeMutablePointer<Float>, overwrite: Bool) {
    let p = PlanarConvolution(shape)
    checkEvents(p, events, rows)
    guard !rows.isEmpty else { return }
    let offsets = events.rowOffsets, indices = UnsafePointer(events.indices)
    let tapStride = p.cInG * p.cOutG, n = p.cOutG
    withTapTables(p) { ys, xs in
        for r in rows {
            let out = output + r * p.outUnits
            if overwrite { out.update(repeating: 0, count: p.outUnits) }
            var e = Int(offsets[r])
            let rowEnd = Int(offsets[r + 1])
            while e < rowEnd {
                let run = EventRun(p, indices: indices, first: e, rowEnd: rowEnd)
                let weights = packedWeights + run.weightBase, target = out + run.channelOffset
                for a in Int(ys.offsets[run.iy])..<Int(ys.offsets[run.iy + 1]) {
                    let rowTap = Int(ys.pairs[2 * a]) * p.kW, rowPosition = Int(ys.pairs[2 * a + 1]) * p.outW
                    for b in Int(xs.offsets[run.ix])..<Int(xs.offsets[run.ix + 1]) {
                        let tap = rowTap + Int(xs.pairs[2 * b]), position = rowPosition + Int(xs.pairs[2 * b + 1])
                        addWeightRows(weights + tap * tapStride, width: n, events: indices + e, count: run.end - e,
                                      baseUnit: run.baseUnit, into: target + position * p.cOut)
                    }
                }
                e = run.end
            }
        }
    }
}

/// `target[0..<width] += Σ_j block[(events[j] − baseUnit) · width ..< +width]`: the weight rows of a run of events summed
/// in registers, 16 channels at a time (two accumulators), before one update of `target`.
@inline(__always)
private func addWeightRows(_ block: UnsafePointer<Float>, width n: Int, events: UnsafePointer<Int32>, count: Int,
                           baseUnit: Int32, into target: UnsafeMutablePointer<Float>) {
    if count == 1 {
        addFloats(block + Int(events[0] - baseUnit) * n, into: target, count: n)
        return
    }
    var c = 0
    while c + 16 <= n {
        var a0 = load16(target + c), a1 = SIMD16<Float>()
        var j = 0
        while j + 2 <= count {
            a0 += load16(block + Int(events[j] - baseUnit) * n + c)
            a1 += load16(block + Int(events[j + 1] - baseUnit) * n + c)
            j += 2
        }
        if j < count { a0 += load16(block + Int(events[j] - baseUnit) * n + c) }
        store16(a0 + a1, target + c)
        c += 16
    }
    if c < n {
        for j in 0..<count { addFloats(block + Int(events[j] - baseUnit) * n + c, into: target + c, count: n - c) }
    }
}

/// `packedGradient += ∂/∂W Σ_{r ∈ rows} ⟨gradOutput[r], conv(S[r])⟩` for the binary spike matrix `S` listed by
/// `events`: the event-driven form of ``convolutionWeightGradient(shape:source:gradOutput:rows:into:)`` (packed layout).
///
/// Each event adds the output gradient at every position it reaches (`C_out/groups` contiguous floats) into the packed
/// weight row of its input channel at the tap: cost ∝ events × hits × `C_out/groups`.
public func convolutionWeightGradient(shape: ConvolutionShape, events: SpikeEventList, gradOutput: UnsafePointer<Float>,
                                      rows: Range<Int>, into packedGradient: UnsafeMutablePointer<Float>) {
    let p = PlanarConvolution(shape)
    checkEvents(p, events, rows)
    guard !rows.isEmpty else { return }
    let offsets = events.rowOffsets, indices = UnsafePointer(events.indices)
    let tapStride = p.cInG * p.cOutG, n = p.cOutG
    withTapTables(p) { ys, xs in
        for r in rows {
            let gy = gradOutput + r * p.outUnits
            var e = Int(offsets[r])
            let rowEnd = Int(offsets[r + 1])
            while e < rowEnd {
                let run = EventRun(p, indices: indices, first: e, rowEnd: rowEnd)
                let gradient = packedGradient + run.weightBase, source = gy + run.channelOffset
                for a in Int(ys.offsets[run.iy])..<Int(ys.offsets[run.iy + 1]) {
                    let rowTap = Int(ys.pairs[2 * a]) * p.kW, rowPosition = Int(ys.pairs[2 * a + 1]) * p.outW
                    for b in Int(xs.offsets[run.ix])..<Int(xs.offsets[run.ix + 1]) {
                        let tap = rowTap + Int(xs.pairs[2 * b]), position = rowPosition + Int(xs.pairs[2 * b + 1])
                        let block = gradient + tap * tapStride, g = source + position * p.cOut
                        for j in e..<run.end { addFloats(g, into: block + Int(indices[j] - run.baseUnit) * n, count: n) }
                    }
                }
                e = run.end
            }
        }
    }
}

// MARK: - Helpers

/// `y[0..<count] += x[0..<count]`, inlined into the event loops (16, then 8 lanes, then scalars).
@inline(__always)
func addFloats(_ x: UnsafePointer<Float>, into y: UnsafeMutablePointer<Float>, count: Int) {
    var k = 0
    while k + 16 <= count {
        store16(load16(y + k) + load16(x + k), y + k)
        k += 16
    }
    if k + 8 <= count {
        let a = UnsafeRawPointer(x + k).loadUnaligned(as: SIMD8<Float>.self)
        let b = UnsafeRawPointer(y + k).loadUnaligned(as: SIMD8<Float>.self)
        UnsafeMutableRawPointer(y + k).storeBytes(of: a + b, as: SIMD8<Float>.self)
        k += 8
    }
    while k < count { y[k] += x[k]; k += 1 }
}

/// `y[0..<count] = x[0..<count]` with 16-wide SIMD (short runs copied inline rather than through `memmove`).
@inline(__always)
func copyFloats(_ x: UnsafePointer<Float>, into y: UnsafeMutablePointer<Float>, count: Int) {
    var k = 0
    while k + 16 <= count {
        store16(load16(x + k), y + k)
        k += 16
    }
    while k < count { y[k] = x[k]; k += 1 }
}
