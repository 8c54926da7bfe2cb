import SNNKernels
import Testing

/// Convolution kernels against direct-loop Float64 references over PyTorch-layout weights. Rows outside the processed
/// range are checked untouched; overwritten outputs are pre-filled with NaN so an unwritten element fails.
@Suite("Convolution kernels vs Float64 references")
struct ConvolutionTests {
    struct Generator {
        var state: UInt64
        mutating func next() -> Double {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Double(state >> 11) * 0x1.0p-53
        }
        mutating func matrix(_ count: Int) -> [Float] { (0..<count).map { _ in Float(next() * 2 - 1) } }
        mutating func spikes(_ count: Int, density: Double) -> [Float] { (0..<count).map { _ in next() < density ? 1 : 0 } }
    }

    /// A test case: a shape and a name for the log.
    struct Case: CustomTestStringConvertible, Sendable {
        var name: String
        var shape: ConvolutionShape
        var testDescription: String { name }
    }

    static let cases: [Case] = [
        Case(name: "1-D 1→5 k5 s2", shape: .init(inputChannels: 1, outputChannels: 5, inputSize: [23], kernelSize: [5], stride: [2])),
        Case(name: "1-D 4→6 k3 p1 groups 2", shape: .init(inputChannels: 4, outputChannels: 6, inputSize: [17], kernelSize: [3],
                                                           padding: [1], groups: 2)),
        Case(name: "1-D 3→7 k4 s3 p2 d2", shape: .init(inputChannels: 3, outputChannels: 7, inputSize: [19], kernelSize: [4],
                                                        stride: [3], padding: [2], dilation: [2])),
        Case(name: "1-D 6→4 k5 p2 groups 2 (recurrent-like)", shape: .init(inputChannels: 6, outputChannels: 4, inputSize: [11],
                                                                          kernelSize: [5], padding: [2], groups: 2)),
        Case(name: "1-D 40→33 k3 s2 p1 (wide channels)", shape: .init(inputChannels: 40, outputChannels: 33, inputSize: [9],
                                                                       kernelSize: [3], stride: [2], padding: [1])),
        Case(name: "1-D 2→3 k3 d2 p4 (output positions with no in-range tap)",
             shape: .init(inputChannels: 2, outputChannels: 3, inputSize: [1], kernelSize: [3], padding: [4], dilation: [2])),
        Case(name: "1-D 2→16 k3 d2 p4 (the same, receptive-field event path)",
             shape: .init(inputChannels: 2, outputChannels: 16, inputSize: [2], kernelSize: [3], padding: [4], dilation: [2])),
        Case(name: "2-D 2→5 3×3 p2", shape: .init(inputChannels: 2, outputChannels: 5, inputSize: [7, 9], kernelSize: [3, 3],
                                                   padding: [2, 2])),
        Case(name: "2-D 4→6 3×2 s(2,1) p(1,0) d(1,2) groups 2",
             shape: .init(inputChannels: 4, outputChannels: 6, inputSize: [8, 7], kernelSize: [3, 2], stride: [2, 1],
                          padding: [1, 0], dilation: [1, 2], groups: 2)),
        Case(name: "2-D 3→3 2×3 s2 p(0,1) d(2,1)", shape: .init(inputChannels: 3, outputChannels: 3, inputSize: [5, 6],
                                                                 kernelSize: [2, 3], stride: [2, 2], padding: [0, 1], dilation: [2, 1])),
        Case(name: "1-D 16→32 k5 s2 p2 (receptive-field event path)",
             shape: .init(inputChannels: 16, outputChannels: 32, inputSize: [13], kernelSize: [5], stride: [2], padding: [2])),
        Case(name: "1-D 3→80 k3 p1 d2 (32 + 32 + 16 channel chunks)",
             shape: .init(inputChannels: 3, outputChannels: 80, inputSize: [10], kernelSize: [3], padding: [1], dilation: [2])),
        Case(name: "2-D 3→16 3×3 s(1,2) p1 d(2,1)", shape: .init(inputChannels: 3, outputChannels: 16, inputSize: [7, 8],
                                                                  kernelSize: [3, 3], stride: [1, 2], padding: [1, 1], dilation: [2, 1])),
        Case(name: "2-D 5→17 1×1", shape: .init(inputChannels: 5, outputChannels: 17, inputSize: [3, 4], kernelSize: [1, 1])),
        Case(name: "2-D 34→36 3×3 p1 d(1,2) groups 2 (wide channels)",
             shape: .init(inputChannels: 34, outputChannels: 36, inputSize: [3, 5], kernelSize: [3, 3], padding: [1, 1],
                          dilation: [1, 2], groups: 2)),
    ]

    static let algorithms: [ConvolutionAlgorithm] = [.automatic, .im2col, .perTap]
    static let totalRows = 7
    static let range = 2..<6

    // MARK: References (PyTorch layout, Float64)

    /// The shape as 2-D plain integers, independently of the library's own normalization.
    struct Dims {
        var inH, inW, kH, kW, sH, sW, pH, pW, dH, dW, outH, outW, cIn, cOut, cInG, cOutG: Int
        init(_ s: ConvolutionShape) {
            let two = s.inputSize.count == 2
            func pick(_ v: [Int], _ fill: Int) -> (Int, Int) { two ? (v[0], v[1]) : (fill, v[0]) }
            (inH, inW) = pick(s.inputSize, 1); (kH, kW) = pick(s.kernelSize, 1); (sH, sW) = pick(s.stride, 1)
            (pH, pW) = pick(s.padding, 0); (dH, dW) = pick(s.dilation, 1)
            outH = (inH + 2 * pH - dH * (kH - 1) - 1) / sH + 1
            outW = (inW + 2 * pW - dW * (kW - 1) - 1) / sW + 1
            cIn = s.inputChannels; cOut = s.outputChannels; cInG = cIn / s.groups; cOutG = cOut / s.groups
        }

        /// Calls `body(outputUnit, inputUnit, weightIndex)` for every in-range term of the convolution of one row.
        func forEachTerm(_ body: (Int, Int, Int) -> Void) {
            for oy in 0..<outH { for ox in 0..<outW { for co in 0..<cOut {
                let g = co / cOutG
                for ci in 0..<cInG { for ky in 0..<kH { for kx in 0..<kW {
                    let iy = oy * sH - pH + ky * dH, ix = ox * sW - pW + kx * dW
                    guard iy >= 0, iy < inH, ix >= 0, ix < inW else { continue }
                    body((oy * outW + ox) * cOut + co, (iy * inW + ix) * cIn + g * cInG + ci, ((co * cInG + ci) * kH + ky) * kW + kx)
                } } }
            } } }
        }
    }

    static func referenceForward(_ shape: ConvolutionShape, source: [Float], weights: [Float], row r: Int) -> [Double] {
        var y = [Double](repeating: 0, count: shape.outputUnits)
        Dims(shape).forEachTerm { o, i, w in y[o] += Double(source[r * shape.inputUnits + i]) * Double(weights[w]) }
        return y
    }

    static func referenceWeightGradient(_ shape: ConvolutionShape, source: [Float], gradOutput: [Float], rows: Range<Int>) -> [Double] {
        var gw = [Double](repeating: 0, count: shape.weightCount)
        for r in rows {
            Dims(shape).forEachTerm { o, i, w in
                gw[w] += Double(source[r * shape.inputUnits + i]) * Double(gradOutput[r * shape.outputUnits + o])
            }
        }
        return gw
    }

    static func referenceInputGradient(_ shape: ConvolutionShape, gradOutput: [Float], weights: [Float], row r: Int) -> [Double] {
        var gx = [Double](repeating: 0, count: shape.inputUnits)
        Dims(shape).forEachTerm { o, i, w in gx[i] += Double(gradOutput[r * shape.outputUnits + o]) * Double(weights[w]) }
        return gx
    }

    static func close(_ value: Float, _ reference: Double) -> Bool {
        abs(Double(value) - reference) <= 1e-4 * max(1, abs(reference))
    }

    static func packed(_ weights: [Float], _ shape: ConvolutionShape) -> [Float] {
        var packed = [Float](repeating: .nan, count: packedConvolutionWeightCount(shape: shape))
        weights.withUnsafeBufferPointer { w in
            packed.withUnsafeMutableBufferPointer { packConvolutionWeights(w.baseAddress!, shape: shape, into: $0.baseAddress!) }
        }
        return packed
    }

    /// Checks rows in `range` against `expected(row)` and the other rows against `before` (bitwise, NaN included).
    static func checkRows(_ after: [Float], before: [Float], width: Int, expected: (Int) -> [Double], _ what: String) {
        var bad = 0
        for r in 0..<totalRows {
            if range.contains(r) {
                let reference = expected(r)
                for j in 0..<width where !close(after[r * width + j], reference[j]) {
                    if bad < 3 { Issue.record("\(what): row \(r) unit \(j): \(after[r * width + j]) vs \(reference[j])") }
                    bad += 1
                }
            } else {
                for j in 0..<width where after[r * width + j].bitPattern != before[r * width + j].bitPattern {
                    if bad < 3 { Issue.record("\(what): row \(r) outside \(range) changed at unit \(j)") }
                    bad += 1
                }
            }
        }
        #expect(bad == 0, "\(what): \(bad) wrong elements")
    }

    // MARK: Shapes

    @Test("Output sizes follow PyTorch's rule (SHD conv stack, DVS 2-D, recurrent same-padding)")
    func outputSizes() {
        let shd1 = ConvolutionShape(inputChannels: 1, outputChannels: 16, inputSize: [700], kernelSize: [21], stride: [10])
        #expect(shd1.validate() == nil)
        #expect(shd1.outputSize == [68] && shd1.outputUnits == 16 * 68 && shd1.inputUnits == 700)
        #expect(shd1.weightCount == 16 * 21 && shd1.kernelElements == 21 && shd1.fanIn == 21)
        let shd2 = ConvolutionShape(inputChannels: 16, outputChannels: 32, inputSize: [68], kernelSize: [7], stride: [3])
        #expect(shd2.outputSize == [21] && shd2.fanIn == 112)
        let shd3 = ConvolutionShape(inputChannels: 32, outputChannels: 64, inputSize: [21], kernelSize: [7], stride: [3])
        #expect(shd3.outputSize == [5])
        let recurrent = ConvolutionShape(inputChannels: 16, outputChannels: 16, inputSize: [68], kernelSize: [5], padding: [2])
        #expect(recurrent.outputSize == [68])
        let dvs = ConvolutionShape(inputChannels: 2, outputChannels: 16, inputSize: [32, 32], kernelSize: [3, 3], padding: [2, 2])
        #expect(dvs.outputSize == [34, 34] && dvs.outputUnits == 16 * 34 * 34 && dvs.inputUnits == 2 * 32 * 32 && dvs.fanIn == 18)
        let strided = ConvolutionShape(inputChannels: 1, outputChannels: 1, inputSize: [10, 11], kernelSize: [3, 2],
                                       stride: [2, 3], padding: [1, 0], dilation: [2, 1])
        #expect(strided.outputSize == [(10 + 2 - 4 - 1) / 2 + 1, (11 - 1 - 1) / 3 + 1])
        #expect(ConvolutionShape(inputChannels: 3, outputChannels: 3, inputSize: [6], kernelSize: [2], stride: [4]).outputSize == [2])
    }

    @Test("validate() names invalid shapes")
    func validation() {
        func reason(_ s: ConvolutionShape) -> String? { s.validate() }
        #expect(reason(.init(inputChannels: 3, outputChannels: 4, inputSize: [9], kernelSize: [3], groups: 2)) != nil)
        #expect(reason(.init(inputChannels: 4, outputChannels: 3, inputSize: [9], kernelSize: [3], groups: 2)) != nil)
        #expect(reason(.init(inputChannels: 4, outputChannels: 4, inputSize: [9], kernelSize: [3, 3])) != nil)
        #expect(reason(.init(inputChannels: 1, outputChannels: 1, inputSize: [9, 9, 9], kernelSize: [1, 1, 1])) != nil)
        #expect(reason(.init(inputChannels: 1, outputChannels: 1, inputSize: [4], kernelSize: [5])) != nil)
        #expect(reason(.init(inputChannels: 1, outputChannels: 1, inputSize: [4], kernelSize: [3], dilation: [2])) != nil)
        #expect(reason(.init(inputChannels: 1, outputChannels: 1, inputSize: [9], kernelSize: [3], stride: [0])) != nil)
        #expect(reason(.init(inputChannels: 1, outputChannels: 1, inputSize: [9], kernelSize: [3], padding: [-1])) != nil)
        #expect(reason(.init(inputChannels: 0, outputChannels: 1, inputSize: [9], kernelSize: [3])) != nil)
        #expect(reason(.init(inputChannels: 1, outputChannels: 1, inputSize: [0], kernelSize: [1])) != nil)
        #expect(reason(.init(inputChannels: 1, outputChannels: 1, inputSize: [4], kernelSize: [5], padding: [1])) == nil)
        #expect(reason(.init(inputChannels: 4, outputChannels: 6, inputSize: [4, 3], kernelSize: [3, 3], padding: [1, 1], groups: 2)) == nil)
    }

    @Test("Packing round-trips; the packed gradient adds into PyTorch layout", arguments: cases)
    func packing(_ testCase: Case) {
        let shape = testCase.shape
        var g = Generator(state: 3)
        let w = g.matrix(shape.weightCount)
        let p = Self.packed(w, shape)
        #expect(!p.contains { $0.isNaN })
        var back = [Float](repeating: .nan, count: shape.weightCount)
        p.withUnsafeBufferPointer { pp in
            back.withUnsafeMutableBufferPointer { unpackConvolutionWeights(pp.baseAddress!, shape: shape, into: $0.baseAddress!) }
        }
        #expect(back == w)
        let base = g.matrix(shape.weightCount)
        var sum = base
        p.withUnsafeBufferPointer { pp in
            sum.withUnsafeMutableBufferPointer { addUnpackedConvolutionGradient(pp.baseAddress!, shape: shape, into: $0.baseAddress!) }
        }
        #expect((0..<w.count).allSatisfy { sum[$0] == base[$0] + w[$0] })
        // the documented formula, spot-checked: packed[((g·K + tap)·Cig + ci)·Cog + co] = W[g·Cog + co, ci, tap]
        let taps = shape.kernelElements, cInG = shape.inputChannels / shape.groups, cOutG = shape.outputChannels / shape.groups
        let group = shape.groups - 1, co = cOutG - 1, ci = cInG / 2, tap = taps / 2
        #expect(p[((group * taps + tap) * cInG + ci) * cOutG + co] == w[((group * cOutG + co) * cInG + ci) * taps + tap])
    }

    // MARK: Dense kernels

    @Test("Dense forward (all algorithms, overwrite and accumulate, sub-range of rows)", arguments: cases)
    func denseForward(_ testCase: Case) {
        let shape = testCase.shape
        var g = Generator(state: 11)
        let x = g.matrix(Self.totalRows * shape.inputUnits)
        let w = g.matrix(shape.weightCount)
        let p = Self.packed(w, shape)
        let initial = g.matrix(Self.totalRows * shape.outputUnits)
        let references = (0..<Self.totalRows).map { Self.range.contains($0) ? Self.referenceForward(shape, source: x, weights: w, row: $0) : [] }
        for algorithm in Self.algorithms {
            for overwrite in [true, false] {
                let before = overwrite ? [Float](repeating: .nan, count: initial.count) : initial
                var y = before
                x.withUnsafeBufferPointer { xp in p.withUnsafeBufferPointer { pp in y.withUnsafeMutableBufferPointer { yp in
                    convolutionForward(shape: shape, source: xp.baseAddress!, rows: Self.range, packedWeights: pp.baseAddress!,
                                       into: yp.baseAddress!, overwrite: overwrite, algorithm: algorithm, scratch: nil)
                } } }
                Self.checkRows(y, before: before, width: shape.outputUnits, expected: { r in
                    overwrite ? references[r] : references[r].enumerated().map { $1 + Double(initial[r * shape.outputUnits + $0]) }
                }, "\(testCase.name) \(algorithm) overwrite \(overwrite)")
            }
        }
        // the default entry point, with caller scratch through the explicit one, and an empty range writes nothing
        var y = [Float](repeating: .nan, count: initial.count)
        var scratch = [Float](repeating: 0, count: convolutionScratchCount(shape: shape))
        x.withUnsafeBufferPointer { xp in p.withUnsafeBufferPointer { pp in y.withUnsafeMutableBufferPointer { yp in
            convolutionForward(shape: shape, source: xp.baseAddress!, rows: 3..<3, packedWeights: pp.baseAddress!,
                               into: yp.baseAddress!, overwrite: true)
            scratch.withUnsafeMutableBufferPointer { sp in
                convolutionForward(shape: shape, source: xp.baseAddress!, rows: Self.range, packedWeights: pp.baseAddress!,
                                   into: yp.baseAddress!, overwrite: true, algorithm: .im2col, scratch: sp.baseAddress!)
            }
        } } }
        Self.checkRows(y, before: [Float](repeating: .nan, count: initial.count), width: shape.outputUnits,
                       expected: { references[$0] }, "\(testCase.name) caller scratch")
    }

    @Test("Dense weight gradient (all algorithms) accumulates ∂/∂W of ⟨gY, conv(X)⟩ over a sub-range", arguments: cases)
    func denseWeightGradient(_ testCase: Case) {
        let shape = testCase.shape
        var g = Generator(state: 12)
        let x = g.matrix(Self.totalRows * shape.inputUnits)
        let gy = g.matrix(Self.totalRows * shape.outputUnits)
        let initial = g.matrix(shape.weightCount)
        let reference = Self.referenceWeightGradient(shape, source: x, gradOutput: gy, rows: Self.range)
        for algorithm in Self.algorithms {
            var gp = Self.packed(initial, shape)
            x.withUnsafeBufferPointer { xp in gy.withUnsafeBufferPointer { gyp in gp.withUnsafeMutableBufferPointer { out in
                convolutionWeightGradient(shape: shape, source: xp.baseAddress!, gradOutput: gyp.baseAddress!, rows: Self.range,
                                          into: out.baseAddress!, algorithm: algorithm, scratch: nil)
            } } }
            Self.expectWeightGradient(gp, initial: initial, reference: reference, shape, "\(testCase.name) \(algorithm)")
        }
        var gp = Self.packed(initial, shape)
        x.withUnsafeBufferPointer { xp in gy.withUnsafeBufferPointer { gyp in gp.withUnsafeMutableBufferPointer { out in
            convolutionWeightGradient(shape: shape, source: xp.baseAddress!, gradOutput: gyp.baseAddress!, rows: Self.range,
                                      into: out.baseAddress!)
        } } }
        Self.expectWeightGradient(gp, initial: initial, reference: reference, shape, "\(testCase.name) default")
    }

    /// Unpacks `packedGradient` and expects `initial + reference` (PyTorch layout).
    static func expectWeightGradient(_ packedGradient: [Float], initial: [Float], reference: [Double], _ shape: ConvolutionShape,
                                     _ what: String) {
        var torch = [Float](repeating: .nan, count: shape.weightCount)
        packedGradient.withUnsafeBufferPointer { pp in
            torch.withUnsafeMutableBufferPointer { unpackConvolutionWeights(pp.baseAddress!, shape: shape, into: $0.baseAddress!) }
        }
        let bad = (0..<shape.weightCount).filter { !close(torch[$0], Double(initial[$0]) + reference[$0]) }
        #expect(bad.count == 0, "\(what): \(bad.count) wrong weight gradients, first \(bad.prefix(3).map { (torch[$0], Double(initial[$0]) + reference[$0]) })")
    }

    @Test("Dense input gradient (all algorithms) accumulates convᵀ(gY) over a sub-range", arguments: cases)
    func denseInputGradient(_ testCase: Case) {
        let shape = testCase.shape
        var g = Generator(state: 13)
        let gy = g.matrix(Self.totalRows * shape.outputUnits)
        let w = g.matrix(shape.weightCount)
        let p = Self.packed(w, shape)
        let initial = g.matrix(Self.totalRows * shape.inputUnits)
        let expected = (0..<Self.totalRows).map { r in
            Self.range.contains(r) ? Self.referenceInputGradient(shape, gradOutput: gy, weights: w, row: r).enumerated().map {
                $1 + Double(initial[r * shape.inputUnits + $0])
            } : []
        }
        for algorithm in Self.algorithms + [nil] {
            var gx = initial
            gy.withUnsafeBufferPointer { gyp in p.withUnsafeBufferPointer { pp in gx.withUnsafeMutableBufferPointer { out in
                if let algorithm {
                    convolutionInputGradient(shape: shape, gradOutput: gyp.baseAddress!, rows: Self.range, packedWeights: pp.baseAddress!,
                                             into: out.baseAddress!, algorithm: algorithm, scratch: nil)
                } else {
                    convolutionInputGradient(shape: shape, gradOutput: gyp.baseAddress!, rows: Self.range, packedWeights: pp.baseAddress!,
                                             into: out.baseAddress!)
                }
            } } }
            Self.checkRows(gx, before: initial, width: shape.inputUnits, expected: { expected[$0] },
                           "\(testCase.name) \(algorithm.map { "\($0)" } ?? "default")")
        }
    }

    // MARK: Event kernels

    @Test("Event forward and weight gradient match the dense references on binary sources (incl. no spikes)",
          arguments: cases, [0.0, 0.3])
    func events(_ testCase: Case, density: Double) {
        let shape = testCase.shape
        var g = Generator(state: 14)
        let s = g.spikes(Self.totalRows * shape.inputUnits, density: density)
        let list = SpikeEventList()
        list.rebuild(from: g.spikes(3 * shape.inputUnits, density: 0.5), rows: 3, width: shape.inputUnits)   // stale contents
        s.withUnsafeBufferPointer { list.rebuild(from: $0.baseAddress!, rows: Self.totalRows, width: shape.inputUnits) }
        let w = g.matrix(shape.weightCount)
        let p = Self.packed(w, shape)
        let initial = g.matrix(Self.totalRows * shape.outputUnits)
        let references = (0..<Self.totalRows).map { Self.range.contains($0) ? Self.referenceForward(shape, source: s, weights: w, row: $0) : [] }
        for overwrite in [true, false] {
            let before = overwrite ? [Float](repeating: .nan, count: initial.count) : initial
            var y = before
            p.withUnsafeBufferPointer { pp in y.withUnsafeMutableBufferPointer { yp in
                convolutionForward(shape: shape, events: list, rows: Self.range, packedWeights: pp.baseAddress!,
                                   into: yp.baseAddress!, overwrite: overwrite)
            } }
            Self.checkRows(y, before: before, width: shape.outputUnits, expected: { r in
                overwrite ? references[r] : references[r].enumerated().map { $1 + Double(initial[r * shape.outputUnits + $0]) }
            }, "\(testCase.name) events overwrite \(overwrite)")
        }
        let gy = g.matrix(Self.totalRows * shape.outputUnits)
        let initialGradient = g.matrix(shape.weightCount)
        var gp = Self.packed(initialGradient, shape)
        gy.withUnsafeBufferPointer { gyp in gp.withUnsafeMutableBufferPointer { out in
            convolutionWeightGradient(shape: shape, events: list, gradOutput: gyp.baseAddress!, rows: Self.range, into: out.baseAddress!)
        } }
        Self.expectWeightGradient(gp, initial: initialGradient,
                                  reference: Self.referenceWeightGradient(shape, source: s, gradOutput: gy, rows: Self.range),
                                  shape, "\(testCase.name) event weight gradient")
    }

    @Test("SHD first layer (700 → 16×68, k21 s10): event and dense forward agree with the reference")
    func shdFirstLayer() {
        let shape = ConvolutionShape(inputChannels: 1, outputChannels: 16, inputSize: [700], kernelSize: [21], stride: [10])
        var g = Generator(state: 15)
        let rows = 3
        let s = g.spikes(rows * shape.inputUnits, density: 0.05)
        let w = g.matrix(shape.weightCount)
        let p = Self.packed(w, shape)
        let list = SpikeEventList()
        s.withUnsafeBufferPointer { list.rebuild(from: $0.baseAddress!, rows: rows, width: shape.inputUnits) }
        var fromEvents = [Float](repeating: .nan, count: rows * shape.outputUnits), dense = fromEvents
        s.withUnsafeBufferPointer { sp in p.withUnsafeBufferPointer { pp in
            fromEvents.withUnsafeMutableBufferPointer {
                convolutionForward(shape: shape, events: list, rows: 0..<rows, packedWeights: pp.baseAddress!, into: $0.baseAddress!, overwrite: true)
            }
            dense.withUnsafeMutableBufferPointer {
                convolutionForward(shape: shape, source: sp.baseAddress!, rows: 0..<rows, packedWeights: pp.baseAddress!, into: $0.baseAddress!, overwrite: true)
            }
        } }
        for r in 0..<rows {
            let reference = Self.referenceForward(shape, source: s, weights: w, row: r)
            #expect((0..<shape.outputUnits).allSatisfy { Self.close(fromEvents[r * shape.outputUnits + $0], reference[$0]) })
            #expect((0..<shape.outputUnits).allSatisfy { Self.close(dense[r * shape.outputUnits + $0], reference[$0]) })
        }
    }
}
