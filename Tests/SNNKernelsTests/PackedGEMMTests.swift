import SNNKernels
import Testing

/// The packed products of the backward scans against a plain Float64 product of the stacked left-hand side.
@Suite("Packed products (PackedGEMM) vs Float64 references")
struct PackedGEMMTests {
    /// (rows, n, segment widths): remainders of every tile size (rows mod 6, 7–9 rows), `n` below, at and above the
    /// 16-column panels, a readout-wide segment after a hidden-wide one, one-column segments and more than one block
    /// of rows (> 144).
    static let shapes: [(Int, Int, [Int])] = [
        (1, 1, [1]), (5, 16, [3]), (7, 17, [9, 2]), (8, 33, [20]), (9, 15, [8, 1, 8]), (13, 48, [31, 20]),
        (130, 40, [64, 5]), (150, 21, [17]), (301, 70, [40, 3, 9]),
    ]

    @Test("C = β·C + [A₀ | A₁ | …]·B on a sub-range of rows (β = 0 never reads C; β = 1 adds)",
          .enabled(if: PackedGEMM.isAvailable, "needs AVX2 and FMA"), arguments: 0..<9)
    func product(shape: Int) {
        let (m, n, widths) = Self.shapes[shape]
        var g = KernelTests.Generator(state: UInt64(shape + 11))
        let offset = 3   // rows offset..<offset + m of matrices with offset + m + 2 rows
        let total = offset + m + 2, depth = widths.reduce(0, +)
        let a = widths.map { g.matrix(total * $0) }, b = g.matrix(depth * n)
        var packed = [Float](repeating: .nan, count: PackedGEMM.packedCount(k: depth, n: n))
        var scratch = [Float](repeating: .nan, count: PackedGEMM.scratchCount(m: m, k: depth))
        b.withUnsafeBufferPointer { PackedGEMM.pack($0.baseAddress!, k: depth, n: n, ldb: n, into: &packed) }
        for beta: Float in [0, 1] {
            let initial = g.matrix(total * n)
            var c = beta == 0 ? [Float](repeating: .nan, count: total * n) : initial
            let before = c
            withPointers(a) { segments in
                packed.withUnsafeBufferPointer { p in c.withUnsafeMutableBufferPointer { cp in scratch.withUnsafeMutableBufferPointer { s in
                    PackedGEMM.multiply(rows: offset..<(offset + m), n: n, segments: zip(segments, widths).map { ($0, $1) }, packed: p.baseAddress!,
                                        beta: beta, c: cp.baseAddress!, ldc: n, scratch: s.baseAddress!)
                } } }
            }
            for r in 0..<total {
                for j in 0..<n {
                    let e = r * n + j
                    guard (offset..<(offset + m)).contains(r) else {
                        #expect(c[e].bitPattern == before[e].bitPattern, "row \(r) outside the range was written")
                        continue
                    }
                    var reference = beta == 0 ? 0 : Double(initial[e]), column = 0
                    for (s, w) in widths.enumerated() {
                        for p in 0..<w { reference += Double(a[s][r * w + p]) * Double(b[(column + p) * n + j]) }
                        column += w
                    }
                    #expect(abs(Double(c[e]) - reference) <= 1e-5 * max(1, abs(reference)), "C[\(r), \(j)] (β = \(beta))")
                }
            }
        }
    }

    /// Calls `body` with base pointers of `arrays` (kept alive for the call).
    private func withPointers(_ arrays: [[Float]], _ body: ([UnsafePointer<Float>]) -> Void) {
        func step(_ i: Int, _ pointers: [UnsafePointer<Float>]) {
            guard i < arrays.count else { return body(pointers) }
            arrays[i].withUnsafeBufferPointer { step(i + 1, pointers + [$0.baseAddress!]) }
        }
        step(0, [])
    }
}
