import CSNNKernels

/// Products `C = β·C + A·B` whose right-hand side `B` is packed once for many left-hand sides: the backward scans
/// multiply each step's `[B, k]` gradient rows by the same weights.
///
/// Runs the AVX2/FMA micro-kernel of the C target `CSNNKernels` (chosen at run time: ``isAvailable``). Against a BLAS
/// call per step it saves packing the weights every time, the copy that stacks several gradients into one left-hand
/// matrix (the segments are packed straight into the kernel's tiles) and, for `β = 0`, the pass that zeroes `C`.
/// Where it is unavailable the callers use ``sgemm(_:_:m:n:k:alpha:a:lda:b:ldb:beta:c:ldc:)``.
public enum PackedGEMM {
    /// Whether this CPU runs the packed products (x86-64 with AVX2 and FMA).
    public static var isAvailable: Bool { CPUFeatures.hasAVX2FMA }

    /// Floats that packing a `[k, n]` right-hand side takes.
    public static func packedCount(k: Int, n: Int) -> Int { snn_f32_gemm_packed_weights_size(k, n) }

    /// Floats of scratch a product of `m` rows and depth `k` needs.
    public static func scratchCount(m: Int, k: Int) -> Int { snn_f32_gemm_scratch_size(m, k) }

    /// Packs `b` (`[k, n]`, row stride `ldb`) into `packed` (``packedCount(k:n:)`` floats).
    public static func pack(_ b: UnsafePointer<Float>, k: Int, n: Int, ldb: Int, into packed: UnsafeMutablePointer<Float>) {
        snn_f32_gemm_pack_weights(k, n, b, ldb, packed)
    }

    /// `C[r, :] = β·C[r, :] + [A₀[r, :] | A₁[r, :] | …] · B` for the rows `r ∈ rows`, `B` packed by
    /// ``pack(_:k:n:ldb:into:)`` (`Σ widthᵢ` rows, `n` columns).
    ///
    /// - Parameters:
    ///   - segments: the column blocks of `A` in order, each a whole row-major matrix `[·, widthᵢ]` (row `r` at
    ///     `pointer + r·width`) of which the rows `rows` are read.
    ///   - beta: 0 overwrites `C` (its contents are never read); otherwise `C` is scaled by it and added to.
    ///   - c: the whole output (row `r` at `c + r·ldc`).
    ///   - scratch: ``scratchCount(m:k:)`` floats for `rows.count` rows and depth `Σ widthᵢ`.
    /// - Precondition: ``isAvailable``.
    public static func multiply(rows: Range<Int>, n: Int, segments: [(pointer: UnsafePointer<Float>, width: Int)], packed: UnsafePointer<Float>,
                                beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int, scratch: UnsafeMutablePointer<Float>) {
        precondition(isAvailable, "packed products need AVX2 and FMA (PackedGEMM.isAvailable)")
        guard !rows.isEmpty, n > 0 else { return }
        withUnsafeTemporaryAllocation(of: UnsafePointer<Float>?.self, capacity: segments.count) { a in
            withUnsafeTemporaryAllocation(of: Int.self, capacity: segments.count) { widths in
                for (i, s) in segments.enumerated() {
                    a[i] = s.pointer + rows.lowerBound * s.width
                    widths[i] = s.width
                }
                snn_f32_gemm_packed(rows.count, n, segments.count, a.baseAddress!, widths.baseAddress!, widths.baseAddress!,
                                    packed, beta, c + rows.lowerBound * ldc, ldc, scratch)
            }
        }
    }
}
