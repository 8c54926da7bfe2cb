// Small row/column helpers over row-major [rows, columns] buffers.

/// Adds `bias` (length `columns`) to every row of a row-major `[rows, columns]` matrix.
@inlinable
public func addRowVector(_ bias: UnsafePointer<Float>, to matrix: UnsafeMutablePointer<Float>, rows: Int, columns: Int) {
    for r in 0..<rows {
        let row = matrix + r * columns
        for j in 0..<columns { row[j] += bias[j] }
    }
}

/// Accumulates the column sums of a row-major `[rows, columns]` matrix into `sums` (length `columns`).
@inlinable
public func accumulateColumnSums(of matrix: UnsafePointer<Float>, rows: Int, columns: Int, into sums: UnsafeMutablePointer<Float>) {
    for r in 0..<rows {
        let row = matrix + r * columns
        for j in 0..<columns { sums[j] += row[j] }
    }
}

/// `y[i] += a · x[i]` for `count` elements.
@inlinable
public func axpy(count: Int, _ a: Float, _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>) {
    for i in 0..<count { y[i] += a * x[i] }
}

/// `y[i] -= x[i] · z[i]` for `count` elements.
@inlinable
public func subtractProduct(count: Int, _ x: UnsafePointer<Float>, _ z: UnsafePointer<Float>, from y: UnsafeMutablePointer<Float>) {
    for i in 0..<count { y[i] -= x[i] * z[i] }
}

/// `y[i] *= x[i]` for `count` elements.
@inlinable
public func multiply(count: Int, _ y: UnsafeMutablePointer<Float>, by x: UnsafePointer<Float>) {
    for i in 0..<count { y[i] *= x[i] }
}
