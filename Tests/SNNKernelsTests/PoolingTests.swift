import SNNKernels
import Testing

/// Pooling kernels against direct-loop Float64 references with PyTorch's semantics (padding −∞ for max and 0 for
/// sums, first maximum wins, average over the full window). Outputs are pre-filled with NaN.
@Suite("Pooling kernels vs Float64 references")
struct PoolingTests {
    typealias Generator = ConvolutionTests.Generator

    /// A test case: a shape and a name for the log.
    struct Case: CustomTestStringConvertible, Sendable {
        var name: String
        var shape: PoolingShape
        var testDescription: String { name }
    }

    static let cases: [Case] = [
        Case(name: "1-D C3 w2", shape: .init(channels: 3, inputSize: [11], window: [2])),
        Case(name: "1-D C17 w3 s2 p1", shape: .init(channels: 17, inputSize: [10], window: [3], stride: [2], padding: [1])),
        Case(name: "2-D C2 2×2 (DVS-like)", shape: .init(channels: 2, inputSize: [6, 7], window: [2, 2])),
        Case(name: "2-D C5 3×2 s(1,2) p(1,1)", shape: .init(channels: 5, inputSize: [5, 6], window: [3, 2], stride: [1, 2], padding: [1, 1])),
        Case(name: "2-D C16 4×4 s3 p2", shape: .init(channels: 16, inputSize: [7, 9], window: [4, 4], stride: [3, 3], padding: [2, 2])),
    ]

    static let totalRows = 5
    static let range = 1..<4

    /// Reference pooling of one row: `(values, argmax)` per output unit, windows in row-major order.
    static func reference(_ kind: PoolingKind, _ shape: PoolingShape, _ x: [Float], row r: Int) -> ([Double], [Int]) {
        let two = shape.inputSize.count == 2
        func pick(_ v: [Int], _ fill: Int) -> (Int, Int) { two ? (v[0], v[1]) : (fill, v[0]) }
        let (inH, inW) = pick(shape.inputSize, 1), (wH, wW) = pick(shape.window, 1)
        let (sH, sW) = pick(shape.stride, 1), (pH, pW) = pick(shape.padding, 0)
        let outH = (inH + 2 * pH - wH) / sH + 1, outW = (inW + 2 * pW - wW) / sW + 1
        let c = shape.channels
        var values = [Double](repeating: 0, count: outH * outW * c), winners = [Int](repeating: -1, count: values.count)
        for oy in 0..<outH { for ox in 0..<outW { for k in 0..<c {
            var best = -Double.infinity, winner = -1, sum = 0.0
            for dy in 0..<wH { for dx in 0..<wW {
                let iy = oy * sH - pH + dy, ix = ox * sW - pW + dx
                guard iy >= 0, iy < inH, ix >= 0, ix < inW else { continue }   // padding: 0 in sums, never the max
                let unit = (iy * inW + ix) * c + k, v = Double(x[r * inH * inW * c + unit])
                sum += v
                if winner < 0 || v > best { best = v; winner = unit }
            } }
            let o = (oy * outW + ox) * c + k
            switch kind {
            case .max: values[o] = best; winners[o] = winner
            case .average: values[o] = sum / Double(wH * wW)
            case .sum: values[o] = sum
            }
        } } }
        return (values, winners)
    }

    @Test("Output sizes and validation follow PyTorch's rule")
    func shapes() {
        let dvs = PoolingShape(channels: 16, inputSize: [34, 34], window: [2, 2])
        #expect(dvs.validate() == nil && dvs.outputSize == [17, 17] && dvs.stride == [2, 2] && dvs.padding == [0, 0])
        #expect(dvs.inputUnits == 16 * 34 * 34 && dvs.outputUnits == 16 * 17 * 17 && dvs.windowElements == 4)
        #expect(PoolingShape(channels: 1, inputSize: [7], window: [2]).outputSize == [3])
        #expect(PoolingShape(channels: 1, inputSize: [10], window: [3], stride: [2], padding: [1]).outputSize == [5])
        #expect(PoolingShape(channels: 1, inputSize: [4], window: [2], padding: [2]).validate() != nil)     // pad > window/2
        #expect(PoolingShape(channels: 1, inputSize: [1], window: [3]).validate() != nil)                  // output < 1
        #expect(PoolingShape(channels: 0, inputSize: [4], window: [2]).validate() != nil)
        #expect(PoolingShape(channels: 1, inputSize: [4, 4], window: [2]).validate() != nil)
        #expect(PoolingShape(channels: 1, inputSize: [4], window: [2], stride: [0]).validate() != nil)
    }

    @Test("Max pooling golden values: first maximum wins ties, padding never wins")
    func golden() {
        let shape = PoolingShape(channels: 1, inputSize: [6], window: [2])
        let x: [Float] = [1, 3, 2, 2, 5, 0]
        var y = [Float](repeating: .nan, count: 3), argmax = [Int32](repeating: -1, count: 3)
        x.withUnsafeBufferPointer { xp in y.withUnsafeMutableBufferPointer { yp in argmax.withUnsafeMutableBufferPointer { ap in
            poolingForward(kind: .max, shape: shape, source: xp.baseAddress!, rows: 0..<1, into: yp.baseAddress!, argmax: ap.baseAddress!)
        } } }
        #expect(y == [3, 2, 5] && argmax == [1, 2, 4])
        let padded = PoolingShape(channels: 1, inputSize: [3], window: [2], stride: [2], padding: [1])
        let negative: [Float] = [-4, -1, -2]
        var z = [Float](repeating: .nan, count: 2), winners = [Int32](repeating: -1, count: 2)
        negative.withUnsafeBufferPointer { xp in z.withUnsafeMutableBufferPointer { yp in winners.withUnsafeMutableBufferPointer { ap in
            poolingForward(kind: .max, shape: padded, source: xp.baseAddress!, rows: 0..<1, into: yp.baseAddress!, argmax: ap.baseAddress!)
        } } }
        #expect(z == [-4, -1] && winners == [0, 1])
    }

    @Test("Forward and backward of max, average and sum pooling over a sub-range of rows",
          arguments: cases, [PoolingKind.max, .average, .sum])
    func forwardBackward(_ testCase: Case, kind: PoolingKind) {
        let shape = testCase.shape
        var g = Generator(state: 21)
        // small integers (many ties) and all-negative windows next to padding
        let x = (0..<Self.totalRows * shape.inputUnits).map { _ in Float(Int(g.next() * 4) - 3) }
        var y = [Float](repeating: .nan, count: Self.totalRows * shape.outputUnits)
        var argmax = [Int32](repeating: -7, count: y.count)
        x.withUnsafeBufferPointer { xp in y.withUnsafeMutableBufferPointer { yp in argmax.withUnsafeMutableBufferPointer { ap in
            poolingForward(kind: kind, shape: shape, source: xp.baseAddress!, rows: Self.range, into: yp.baseAddress!, argmax: ap.baseAddress!)
        } } }
        let gy = g.matrix(y.count)
        let initial = g.matrix(Self.totalRows * shape.inputUnits)
        var gx = initial
        gy.withUnsafeBufferPointer { gp in argmax.withUnsafeBufferPointer { ap in gx.withUnsafeMutableBufferPointer { out in
            poolingBackward(kind: kind, shape: shape, gradOutput: gp.baseAddress!, rows: Self.range, argmax: ap.baseAddress!, into: out.baseAddress!)
        } } }
        var bad = 0
        for r in 0..<Self.totalRows {
            let yRow = r * shape.outputUnits, xRow = r * shape.inputUnits
            guard Self.range.contains(r) else {
                bad += (0..<shape.outputUnits).filter { !y[yRow + $0].isNaN || (kind == .max && argmax[yRow + $0] != -7) }.count
                bad += (0..<shape.inputUnits).filter { gx[xRow + $0] != initial[xRow + $0] }.count
                continue
            }
            let (values, winners) = Self.reference(kind, shape, x, row: r)
            var expected = (0..<shape.inputUnits).map { Double(initial[xRow + $0]) }
            for o in 0..<shape.outputUnits {
                if abs(Double(y[yRow + o]) - values[o]) > 1e-5 * max(1, abs(values[o])) || y[yRow + o].isNaN { bad += 1 }
                if kind == .max {
                    if Int(argmax[yRow + o]) != winners[o] { bad += 1 }
                    expected[winners[o]] += Double(gy[yRow + o])
                }
            }
            if kind != .max {
                // the adjoint of the reference: every in-window unit receives gy (÷ window elements for average)
                let scale = kind == .average ? 1 / Double(shape.windowElements) : 1
                for o in 0..<shape.outputUnits {
                    for unit in Self.windowUnits(shape, output: o) { expected[unit] += scale * Double(gy[yRow + o]) }
                }
            }
            for j in 0..<shape.inputUnits where abs(Double(gx[xRow + j]) - expected[j]) > 1e-5 * max(1, abs(expected[j])) { bad += 1 }
        }
        #expect(bad == 0, "\(testCase.name) \(kind): \(bad) wrong elements")
    }

    /// In-range input units of output unit `o`'s window (same channel).
    static func windowUnits(_ shape: PoolingShape, output o: Int) -> [Int] {
        let two = shape.inputSize.count == 2
        func pick(_ v: [Int], _ fill: Int) -> (Int, Int) { two ? (v[0], v[1]) : (fill, v[0]) }
        let (inH, inW) = pick(shape.inputSize, 1), (wH, wW) = pick(shape.window, 1)
        let (sH, sW) = pick(shape.stride, 1), (pH, pW) = pick(shape.padding, 0)
        let outW = (inW + 2 * pW - wW) / sW + 1, c = shape.channels
        let position = o / c, k = o % c, oy = position / outW, ox = position % outW
        var units: [Int] = []
        for dy in 0..<wH { for dx in 0..<wW {
            let iy = oy * sH - pH + dy, ix = ox * sW - pW + dx
            if iy >= 0, iy < inH, ix >= 0, ix < inW { units.append((iy * inW + ix) * c + k) }
        } }
        return units
    }

    @Test("Max pooling without argmax (inference) gives the same values")
    func maxWithoutArgmax() {
        let shape = Self.cases[3].shape
        var g = Generator(state: 22)
        let x = g.matrix(2 * shape.inputUnits)
        var a = [Float](repeating: .nan, count: 2 * shape.outputUnits), b = a
        var argmax = [Int32](repeating: 0, count: a.count)
        x.withUnsafeBufferPointer { xp in
            a.withUnsafeMutableBufferPointer { poolingForward(kind: .max, shape: shape, source: xp.baseAddress!, rows: 0..<2, into: $0.baseAddress!, argmax: nil) }
            b.withUnsafeMutableBufferPointer { bp in argmax.withUnsafeMutableBufferPointer { ap in
                poolingForward(kind: .max, shape: shape, source: xp.baseAddress!, rows: 0..<2, into: bp.baseAddress!, argmax: ap.baseAddress!)
            } }
        }
        #expect(a == b)
    }
}
