// Dense products through the platform BLAS: Accelerate on Apple platforms, OpenBLAS elsewhere.
#if canImport(Accelerate)
import Accelerate
#else
import COpenBLAS
#endif

/// Whether a matrix operand of ``sgemm(_:_:m:n:k:alpha:a:lda:b:ldb:beta:c:ldc:)`` is used as stored or transposed.
public enum MatrixTranspose: Sendable {
    /// Use the matrix as stored (row-major).
    case none
    /// Use the transpose of the stored matrix.
    case transposed
}

/// Single-precision general matrix product `C = alpha · op(A) · op(B) + beta · C` on row-major buffers.
///
/// - Parameters:
///   - transA: whether `A` is transposed; `op(A)` is `m × k`.
///   - transB: whether `B` is transposed; `op(B)` is `k × n`.
///   - m: rows of `C`. - n: columns of `C`. - k: the shared dimension.
///   - lda, ldb, ldc: leading dimensions (row strides) of the stored matrices.
/// Does nothing when `m`, `n` or `k` is zero apart from scaling `C` by `beta` (delegated to BLAS).
@inlinable
public func sgemm(
    _ transA: MatrixTranspose, _ transB: MatrixTranspose,
    m: Int, n: Int, k: Int, alpha: Float,
    a: UnsafePointer<Float>, lda: Int,
    b: UnsafePointer<Float>, ldb: Int,
    beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int
) {
    if m == 0 || n == 0 { return }
    if k == 0 {
        scale(c, rows: m, columns: n, stride: ldc, by: beta)
        return
    }
    let ta = transA == .none ? CblasNoTrans : CblasTrans
    let tb = transB == .none ? CblasNoTrans : CblasTrans
    #if canImport(Accelerate)
    cblas_sgemm(CblasRowMajor, ta, tb, Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
    #else
    cblas_sgemm(CblasRowMajor, ta, tb, Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
    #endif
}

@usableFromInline
func scale(_ c: UnsafeMutablePointer<Float>, rows: Int, columns: Int, stride: Int, by beta: Float) {
    for r in 0..<rows {
        let row = c + r * stride
        if beta == 0 {
            row.update(repeating: 0, count: columns)
        } else {
            for j in 0..<columns { row[j] *= beta }
        }
    }
}

/// Sets the number of threads BLAS may use for one product (OpenBLAS; a no-op on Accelerate).
///
/// SNNKit calls this once at start-up; kernels of its own never run threads at the same time as BLAS.
public func setBLASThreadCount(_ count: Int) {
    #if !canImport(Accelerate)
    openblas_set_num_threads(Int32(max(1, count)))
    #endif
}
