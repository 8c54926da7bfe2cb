import SNNKernels
import Testing

/// Every fast kernel against a plain Float64 reference; outputs are pre-filled with NaN so an unwritten element fails.
@Suite("Kernels vs Float64 references")
struct KernelTests {
    struct Generator {
        var state: UInt64
        mutating func next() -> Double {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Double(state >> 11) * 0x1.0p-53
        }
        mutating func matrix(_ count: Int) -> [Float] { (0..<count).map { _ in Float(next() * 2 - 1) } }
        mutating func spikes(_ count: Int, density: Double) -> [Float] { (0..<count).map { _ in next() < density ? 1 : 0 } }
    }

    static let shapes: [(Int, Int, Int)] = [(1, 1, 1), (3, 17, 5), (37, 15, 33), (64, 259, 7), (130, 40, 300)]

    @Test("sgemm and parallelSGEMM (1–3 parts, all transposes) match a Float64 product", arguments: 0..<5)
    func gemm(shape: Int) {
        let (m, n, k) = Self.shapes[shape]
        var g = Generator(state: UInt64(shape + 1))
        let a = g.matrix(m * k), b = g.matrix(k * n)
        for ta in [MatrixTranspose.none, .transposed] {
            for tb in [MatrixTranspose.none, .transposed] {
                // stored layouts: A is m×k (or k×m when transposed), B is k×n (or n×k)
                func aAt(_ i: Int, _ p: Int) -> Double { Double(ta == .none ? a[i * k + p] : a[p * m + i]) }
                func bAt(_ p: Int, _ j: Int) -> Double { Double(tb == .none ? b[p * n + j] : b[j * k + p]) }
                for parts in 1...3 {
                    var c = [Float](repeating: .nan, count: m * n)
                    a.withUnsafeBufferPointer { ap in b.withUnsafeBufferPointer { bp in c.withUnsafeMutableBufferPointer { cp in
                        parallelSGEMM(parts: parts, ta, tb, m: m, n: n, k: k, alpha: 1, a: ap.baseAddress!, lda: ta == .none ? k : m,
                                      b: bp.baseAddress!, ldb: tb == .none ? n : k, beta: 0, c: cp.baseAddress!, ldc: n)
                    } } }
                    for i in 0..<m {
                        for j in 0..<n {
                            let reference = (0..<k).reduce(0.0) { $0 + aAt(i, $1) * bAt($1, j) }
                            #expect(abs(Double(c[i * n + j]) - reference) <= 1e-5 * max(1, abs(reference)))
                        }
                    }
                }
            }
        }
    }

    @Test("SpikeEventList lists exactly the non-zero columns; reuse, append and non-binary detection", arguments: [0.0, 0.02, 0.5, 1.0])
    func eventList(density: Double) {
        var g = Generator(state: 9)
        let rows = 23, width = 37
        let s = g.spikes(rows * width, density: density)
        let list = SpikeEventList()
        list.rebuild(from: g.spikes(rows * width, density: 0.3), rows: rows, width: width)   // stale contents to overwrite
        s.withUnsafeBufferPointer { list.rebuild(from: $0.baseAddress!, rows: rows, width: width) }
        #expect(list.rows == rows && list.isBinary)
        for r in 0..<rows {
            let listed = (Int(list.rowOffsets[r])..<Int(list.rowOffsets[r + 1])).map { Int(list.indices[$0]) }
            #expect(listed == (0..<width).filter { s[r * width + $0] != 0 })
        }
        #expect(abs(list.density - Double(s.filter { $0 != 0 }.count) / Double(s.count)) < 1e-12)
        // append two halves gives the same list
        let halves = SpikeEventList()
        halves.reset(width: width)
        s.withUnsafeBufferPointer {
            halves.append(from: $0.baseAddress!, rows: 10)
            halves.append(from: $0.baseAddress! + 10 * width, rows: rows - 10)
        }
        #expect(halves.count == list.count)
        #expect((0...rows).allSatisfy { halves.rowOffsets[$0] == list.rowOffsets[$0] })
        // the two-thread scan gives the same list
        let threaded = SpikeEventList()
        s.withUnsafeBufferPointer { threaded.rebuild(from: $0.baseAddress!, rows: rows, width: width, parts: 2, scratch: [SpikeEventList()]) }
        #expect(threaded.count == list.count)
        #expect((0...rows).allSatisfy { threaded.rowOffsets[$0] == list.rowOffsets[$0] })
        #expect((0..<list.count).allSatisfy { threaded.indices[$0] == list.indices[$0] })
        var real = s
        real[5] = 0.5
        real.withUnsafeBufferPointer { list.rebuild(from: $0.baseAddress!, rows: rows, width: width) }
        #expect(!list.isBinary)
    }

    @Test("Event-driven accumulation and weight gradient match dense Float64 products",
          arguments: [(1, 29), (15, 29), (16, 29), (17, 29), (33, 29), (259, 29), (130, 300), (257, 1100)])
    func eventProducts(outputs: Int, rows: Int) {
        var g = Generator(state: UInt64(outputs))
        let inputs = 41
        let s = g.spikes(rows * inputs, density: 0.1)
        let w = g.matrix(outputs * inputs)            // [outputs, inputs]
        var wt = [Float](repeating: .nan, count: inputs * outputs)
        w.withUnsafeBufferPointer { wp in wt.withUnsafeMutableBufferPointer { transposeMatrix(wp.baseAddress!, rows: outputs, columns: inputs, into: $0.baseAddress!) } }
        let list = SpikeEventList()
        s.withUnsafeBufferPointer { list.rebuild(from: $0.baseAddress!, rows: rows, width: inputs) }
        var x = [Float](repeating: .nan, count: rows * outputs)
        wt.withUnsafeBufferPointer { wp in x.withUnsafeMutableBufferPointer { xp in
            accumulateEvents(list, rows: 0..<rows, transposedWeights: wp.baseAddress!, outputs: outputs, into: xp.baseAddress!, overwrite: true)
        } }
        for r in 0..<rows {
            for o in 0..<outputs {
                let reference = (0..<inputs).reduce(0.0) { $0 + Double(s[r * inputs + $1]) * Double(w[o * inputs + $1]) }
                #expect(abs(Double(x[r * outputs + o]) - reference) <= 1e-5 * max(1, abs(reference)))
            }
        }
        // gWᵀ[j, o] = Σ_r S[r, j]·gX[r, o]
        let gx = g.matrix(rows * outputs)
        // Default blocks, blocks of 7 rows (several blocks, a short last one), and a range that starts mid-list; the
        // gradient starts from a non-zero value (the kernel accumulates).
        for (blockRows, range) in [(nil, 0..<rows), (7, 0..<rows), (5, 3..<(rows - 2))] as [(Int?, Range<Int>)] {
            var gwt = [Float](repeating: 0.5, count: inputs * outputs)
            gx.withUnsafeBufferPointer { gp in gwt.withUnsafeMutableBufferPointer { out in
                accumulateEventGradients(list, rows: range, gradOutput: gp.baseAddress!, outputs: outputs, intoTransposed: out.baseAddress!,
                                         blockRows: blockRows)
            } }
            var gw = [Float](repeating: 0, count: outputs * inputs)
            gwt.withUnsafeBufferPointer { b in gw.withUnsafeMutableBufferPointer { addTransposed([b.baseAddress!], into: $0.baseAddress!, rows: outputs, columns: inputs) } }
            for o in 0..<outputs {
                for j in 0..<inputs {
                    let reference = 0.5 + range.reduce(0.0) { $0 + Double(s[$1 * inputs + j]) * Double(gx[$1 * outputs + o]) }
                    #expect(abs(Double(gw[o * inputs + j]) - reference) <= 1e-5 * max(1, abs(reference)), "blocks \(String(describing: blockRows))")
                }
            }
        }
    }

    @Test("transposeMatrix and addTransposed are exact on sizes around the 8-wide blocks",
          arguments: [(1, 1), (7, 9), (8, 8), (9, 17), (16, 3), (23, 41), (130, 140)])
    func transposes(rows: Int, columns: Int) {
        var g = Generator(state: UInt64(rows * 100 + columns))
        let a = g.matrix(rows * columns)
        var t = [Float](repeating: .nan, count: rows * columns)
        a.withUnsafeBufferPointer { ap in t.withUnsafeMutableBufferPointer { transposeMatrix(ap.baseAddress!, rows: rows, columns: columns, into: $0.baseAddress!) } }
        #expect((0..<rows).allSatisfy { r in (0..<columns).allSatisfy { c in t[c * rows + r] == a[r * columns + c] } })
        let base = g.matrix(rows * columns)
        var sum = base
        t.withUnsafeBufferPointer { tp in sum.withUnsafeMutableBufferPointer { addTransposed([tp.baseAddress!], into: $0.baseAddress!, rows: rows, columns: columns) } }
        #expect((0..<(rows * columns)).allSatisfy { sum[$0] == base[$0] + a[$0] })
        // Three partials, split across threads (130 × 140 is above the one-thread size): summed in order, then added once.
        let u = g.matrix(rows * columns), v = g.matrix(rows * columns)
        for parts in [1, 2, 3] {
            var total = base
            t.withUnsafeBufferPointer { tp in u.withUnsafeBufferPointer { up in v.withUnsafeBufferPointer { vp in
                total.withUnsafeMutableBufferPointer {
                    addTransposed([tp.baseAddress!, up.baseAddress!, vp.baseAddress!], into: $0.baseAddress!, rows: rows, columns: columns, parts: parts)
                }
            } } }
            #expect((0..<rows).allSatisfy { r in (0..<columns).allSatisfy { c in
                total[r * columns + c] == base[r * columns + c] + ((t[c * rows + r] + u[c * rows + r]) + v[c * rows + r])
            } })
        }
    }

    @Test("interleaveSteps gathers per-part lists into the time-major order of the whole batch", arguments: [[3, 4], [1, 0, 2], [5]])
    func interleavedParts(perStep: [Int]) {
        var g = Generator(state: UInt64(perStep.count))
        let steps = 6, width = 19, batch = perStep.reduce(0, +)
        let s = g.spikes(steps * batch * width, density: 0.2)   // [T, B, width]
        let whole = SpikeEventList()
        s.withUnsafeBufferPointer { whole.rebuild(from: $0.baseAddress!, rows: steps * batch, width: width) }
        // Each part lists its samples' rows, step by step, as a batch-split time loop appends them.
        var first = 0
        let parts: [SpikeEventList] = perStep.map { count in
            let list = SpikeEventList()
            list.reset(width: width)
            s.withUnsafeBufferPointer { sp in
                for t in 0..<steps where count > 0 { list.append(from: sp.baseAddress! + (t * batch + first) * width, rows: count) }
            }
            first += count
            return list
        }
        let gathered = SpikeEventList()
        gathered.interleaveSteps(of: parts, rowsPerStep: perStep, steps: steps)
        #expect(gathered.rows == whole.rows && gathered.count == whole.count && gathered.width == width)
        #expect((0...whole.rows).allSatisfy { gathered.rowOffsets[$0] == whole.rowOffsets[$0] })
        #expect((0..<whole.count).allSatisfy { gathered.indices[$0] == whole.indices[$0] })
    }

    @Test("Event weight gradient of a list without events leaves the gradient unchanged")
    func eventGradientsWithoutEvents() {
        let list = SpikeEventList()
        let zeros = [Float](repeating: 0, count: 10 * 6)
        zeros.withUnsafeBufferPointer { list.rebuild(from: $0.baseAddress!, rows: 10, width: 6) }
        var gwt = [Float](repeating: 2, count: 6 * 3)
        let gx = [Float](repeating: 1, count: 10 * 3)
        gx.withUnsafeBufferPointer { gp in gwt.withUnsafeMutableBufferPointer { out in
            accumulateEventGradients(list, rows: 0..<10, gradOutput: gp.baseAddress!, outputs: 3, intoTransposed: out.baseAddress!)
        } }
        #expect(gwt.allSatisfy { $0 == 2 })
    }

    @Test("LIF forward and backward steps (SIMD path and remainder) match the scalar equations in Float64", arguments: [1, 16, 37])
    func lifSteps(count: Int) {
        var g = Generator(state: UInt64(count) + 100)
        let c = LIFCoefficients(membraneDecay: 0.95, synapseDecay: 0.9, membraneGain: 0.05, threshold: 1)
        let uPrev = (0..<count).map { _ in Float(g.next() * 3 - 1) }
        var current = g.matrix(count)
        let i0 = current
        let xPrev = g.matrix(count)
        var u = [Float](repeating: .nan, count: count), s = u, r = u
        uPrev.withUnsafeBufferPointer { up in xPrev.withUnsafeBufferPointer { xp in current.withUnsafeMutableBufferPointer { ip in
            u.withUnsafeMutableBufferPointer { uo in s.withUnsafeMutableBufferPointer { so in r.withUnsafeMutableBufferPointer { ro in
                lifForwardStep(count: count, coefficients: c, spike: HeavisideSpike(), reset: .oneMinusSpike, previousMembrane: up.baseAddress!,
                               current: ip.baseAddress!, previousInput: xp.baseAddress!, membrane: uo.baseAddress!, spikes: so.baseAddress!,
                               resetOut: ro.baseAddress!)
            } } }
        } } }
        for e in 0..<count {
            let spike: Double = Double(uPrev[e]) > 1 ? 1 : 0
            #expect(Double(s[e]) == spike)
            #expect(Double(r[e]) == 1 - spike)
            #expect(abs(Double(u[e]) - (0.95 * Double(uPrev[e]) + 0.05 * Double(i0[e])) * (1 - spike)) < 1e-6)
            #expect(abs(Double(current[e]) - (0.9 * Double(i0[e]) + Double(xPrev[e]))) < 1e-6)
        }
        // backward
        let kernel = SuperSpikeKernel(beta: 20)
        let membrane = (0..<count).map { _ in Float(g.next() * 3 - 1) }, gsNext = g.matrix(count)
        let nextSpikes = membrane.map { $0 > 1 ? Float(1) : 0 }   // S[t+1] = H(U[t] − θ)
        for reset in [BackwardReset.fromMembrane, .oneMinusStoredSpike] {
        var gu = g.matrix(count), gi = g.matrix(count)
        let gu0 = gu, gi0 = gi
        var gx = [Float](repeating: .nan, count: count)
        membrane.withUnsafeBufferPointer { mp in gsNext.withUnsafeBufferPointer { gp in nextSpikes.withUnsafeBufferPointer { sp in
            gu.withUnsafeMutableBufferPointer { up in gi.withUnsafeMutableBufferPointer { ip in gx.withUnsafeMutableBufferPointer { xp in
                lifBackwardStep(count: count, coefficients: c, surrogate: kernel, membrane: mp.baseAddress!, nextSpikeGradient: gp.baseAddress!,
                                nextReset: sp.baseAddress!, reset: reset, gradMembrane: up.baseAddress!, gradCurrent: ip.baseAddress!,
                                previousGradInput: xp.baseAddress!)
            } } }
        } } }
        for e in 0..<count {
            let rr = 1 - Double(nextSpikes[e])
            let x = Double(membrane[e]) - 1
            let surrogate = 1 / ((20 * abs(x) + 1) * (20 * abs(x) + 1))
            #expect(abs(Double(gu[e]) - (Double(gsNext[e]) * surrogate + Double(gu0[e]) * 0.95 * rr)) < 1e-6)
            #expect(abs(Double(gi[e]) - (Double(gi0[e]) * 0.9 + Double(gu0[e]) * 0.05 * rr)) < 1e-6)
            #expect(gx[e] == gi[e])   // gX[t−1] = gI[t]
        }
        }
    }

    @Test("The LIF step that lists its spikes (C kernel on AVX2 hosts) equals the step writing S, then SpikeEventList.append (bit for bit)",
          arguments: [(1, 1), (4, 16), (3, 37), (5, 64), (2, 17)])
    func lifStepListingSpikes(rows: Int, units: Int) {
        var g = Generator(state: UInt64(rows * 100 + units))
        let c = LIFCoefficients(membraneDecay: 0.95, synapseDecay: 0.9, membraneGain: 0.05, threshold: 1)
        let count = rows * units
        // Row 0 never fires (no events in it); the others fire at ≈ 1/3 of the neurons.
        let uPrev = (0..<count).map { e in e < units ? Float(g.next() * 0.5) : Float(g.next() * 3 - 1) }
        let xPrev = g.matrix(count), i0 = g.matrix(count), noise = g.matrix(count).map { $0 * 0.2 }
        for withNoise in [false, true] {
            var (u1, i1, s1) = ([Float](repeating: .nan, count: count), i0, [Float](repeating: .nan, count: count))
            var (u2, i2) = ([Float](repeating: .nan, count: count), i0)
            let expected = SpikeEventList(), listed = SpikeEventList()
            expected.reset(width: units)
            listed.reset(width: units)
            uPrev.withUnsafeBufferPointer { up in xPrev.withUnsafeBufferPointer { xp in noise.withUnsafeBufferPointer { noisePointer in
                let np = withNoise ? noisePointer.baseAddress! : nil
                i1.withUnsafeMutableBufferPointer { ip in u1.withUnsafeMutableBufferPointer { uo in s1.withUnsafeMutableBufferPointer { so in
                    lifForwardStep(count: count, coefficients: c, spike: HeavisideSpike(), reset: .oneMinusSpike, previousMembrane: up.baseAddress!,
                                   current: ip.baseAddress!, previousInput: xp.baseAddress!, membrane: uo.baseAddress!, spikes: so.baseAddress!,
                                   resetOut: nil, thresholdNoise: np)
                    expected.append(from: so.baseAddress!, rows: rows)
                } } }
                i2.withUnsafeMutableBufferPointer { ip in u2.withUnsafeMutableBufferPointer { uo in
                    lifForwardStep(rows: rows, units: units, coefficients: c, previousMembrane: up.baseAddress!, current: ip.baseAddress!,
                                   previousInput: xp.baseAddress!, membrane: uo.baseAddress!, events: listed, thresholdNoise: np)
                } }
            } } }
            #expect(u1 == u2)
            #expect(i1 == i2)
            #expect(listed.rows == rows && listed.count == expected.count)
            #expect((0...rows).allSatisfy { listed.rowOffsets[$0] == expected.rowOffsets[$0] })
            #expect((0..<expected.count).allSatisfy { listed.indices[$0] == expected.indices[$0] })
            #expect(rows == 1 || expected.count > 0)   // not vacuous: rows after the first fire
            #expect(listed.rowOffsets[1] == 0)   // row 0 is empty
            // writeDense(rows:into:) gives back S of the rows asked for (the dense recurrent product's input).
            if rows > 1 {
                var dense = [Float](repeating: .nan, count: (rows - 1) * units)
                dense.withUnsafeMutableBufferPointer { listed.writeDense(rows: 1..<rows, into: $0.baseAddress!) }
                #expect(dense == Array(s1[units...]))
            }
        }
    }

    @Test("SIMD surrogate derivatives equal the scalar ones lane by lane")
    func simdSurrogates() {
        let kernels: [any SurrogateKernel] = [SuperSpikeKernel(beta: 20), SigmoidKernel(beta: 10), ExponentialKernel(p0: 0.01, deltaU: 0.133),
                                              ArcTangentKernel(alpha: 2), TriangleKernel(beta: 1)]
        var x = SIMD16<Float>()
        for k in 0..<16 { x[k] = Float(k) * 0.17 - 1.3 }
        for kernel in kernels {
            let v = kernel.derivative(x)
            for k in 0..<16 {
                let scalar = kernel.derivative(x[k])
                #expect(abs(v[k] - scalar) <= 1e-6 * max(1, abs(scalar)), "\(kernel) at \(x[k])")
            }
        }
    }

    @Test("Building from unordered, repeated events equals scanning the dense matrix they make; writeDense inverts it")
    func buildFromEvents() {
        var g = Generator(state: 77)
        let rows = 13, width = 21
        var dense = [Float](repeating: 0, count: rows * width)
        var events: [(Int, Int32)] = []
        for _ in 0..<120 {
            let r = Int(g.next() * Double(rows)), c = Int32(g.next() * Double(width))
            events.append((r, c))
            dense[r * width + Int(c)] = 1
        }
        events += events.prefix(30)   // repeats of the same (row, column) count once
        let built = SpikeEventList()
        built.build(rows: rows, width: width, count: events.count) { emit in for (r, c) in events { emit(r, c) } }
        let scanned = SpikeEventList()
        dense.withUnsafeBufferPointer { scanned.rebuild(from: $0.baseAddress!, rows: rows, width: width) }
        #expect(built.count == scanned.count)
        #expect((0...rows).allSatisfy { built.rowOffsets[$0] == scanned.rowOffsets[$0] })
        #expect((0..<built.count).allSatisfy { built.indices[$0] == scanned.indices[$0] })
        var back = [Float](repeating: .nan, count: rows * width)
        back.withUnsafeMutableBufferPointer { built.writeDense(into: $0.baseAddress!) }
        #expect(back == dense)
    }
}
