// Dense products through the platform BLAS: Accelerate on Apple platforms, OpenBLAS elsewhere.
#if canImport(Accelerate)
import Accelerate
#else
import COpenBLAS
#endif
import Foundation

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
/// SNNKit's default is one thread (see ``configureDefaultBLASThreads()``); opt in to more for large products.
public func setBLASThreadCount(_ count: Int) {
    #if !canImport(Accelerate)
    openblas_set_num_threads(Int32(max(1, count)))
    #endif
}

private let defaultBLASThreads: Void = {
    // OpenBLAS's idle workers spin; next to the single-threaded time loops, and under any other load on the machine
    // (parallel tests, a second job), that made training epochs 10–15× slower (measured). One thread unless the user
    // chose a number through the environment.
    let environment = ProcessInfo.processInfo.environment
    if environment["OPENBLAS_NUM_THREADS"] == nil && environment["SNNKIT_BLAS_THREADS"] == nil {
        setBLASThreadCount(1)
    } else if let n = environment["SNNKIT_BLAS_THREADS"].flatMap(Int.init) {
        setBLASThreadCount(n)
    }
}()

/// Applies SNNKit's BLAS threading default once per process: one thread, unless `OPENBLAS_NUM_THREADS` or
/// `SNNKIT_BLAS_THREADS` is set. Called by every simulation workspace; idempotent and thread-safe.
public func configureDefaultBLASThreads() {
    _ = defaultBLASThreads
}
