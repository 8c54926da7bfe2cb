// Event-driven products for binary spike sources: index lists of active inputs, accumulation of weight rows into
// currents, and weight gradients from the same lists. Layout: rows are (t, b) pairs of a time-major [T, B, N] buffer.
import Foundation

/// The active (non-zero) columns of each row of a binary `[rows, width]` matrix, in CSR form.
///
/// Storage is owned and reused: rebuilding or appending never allocates once the capacity suffices.
/// `isBinary` is false when a scanned value was neither 0 nor 1 (the list is then not a faithful spike list).
public final class SpikeEventList {
    /// Start of each row's indices; `rows + 1` entries are valid.
    public private(set) var rowOffsets: UnsafeMutablePointer<Int32>
    /// Active column indices, increasing within a row.
    public private(set) var indices: UnsafeMutablePointer<Int32>
    /// Rows listed so far.
    public internal(set) var rows = 0
    /// Width of the scanned matrix.
    public private(set) var width = 0
    /// Whether every scanned value was 0 or 1.
    public private(set) var isBinary = true
    private var rowCapacity: Int
    private var indexCapacity: Int

    /// An empty list.
    public init() {
        rowCapacity = 1024
        indexCapacity = 4096
        rowOffsets = .allocate(capacity: rowCapacity + 1)
        indices = .allocate(capacity: indexCapacity)
        rowOffsets[0] = 0
    }

    deinit {
        rowOffsets.deallocate()
        indices.deallocate()
    }

    /// Number of listed events.
    public var count: Int { Int(rowOffsets[rows]) }

    /// Fraction of non-zero entries among the listed rows.
    public var density: Double { rows * width == 0 ? 0 : Double(count) / Double(rows * width) }

    /// Empties the list for matrices of `width` columns.
    public func reset(width: Int) {
        rows = 0
        self.width = width
        isBinary = true
        rowOffsets[0] = 0
    }

    /// Lists the non-zero columns of a `[rows, width]` matrix, replacing the contents.
    public func rebuild(from matrix: UnsafePointer<Float>, rows: Int, width: Int) {
        reset(width: width)
        append(from: matrix, rows: rows)
    }

    /// Lists a `[rows, width]` matrix using `parts` threads (each scans a block of rows into `scratch[i]`, then the
    /// blocks are concatenated); same result as ``rebuild(from:rows:width:)``.
    public func rebuild(from matrix: UnsafePointer<Float>, rows: Int, width: Int, parts: Int, scratch: [SpikeEventList]) {
        let p = max(1, min(parts, scratch.count + 1, rows))
        guard p > 1 else { rebuild(from: matrix, rows: rows, width: width); return }
        let lists = [self] + scratch.prefix(p - 1)
        parallelChunks(rows, parts: p) { chunk, i in
            lists[i].rebuild(from: matrix + chunk.lowerBound * width, rows: chunk.count, width: width)
        }
        for other in lists.dropFirst() { concatenate(other) }
    }

    /// Builds the list from unordered `(row, column)` events (counting sort by row; each row's columns sorted, and an
    /// event repeated in the same row and column listed once, as a dense 0/1 matrix would hold it).
    ///
    /// - Parameters:
    ///   - count: number of events.
    ///   - forEachEvent: calls its argument once per event with its row (`< rows`) and column (`< width`); it is run
    ///     twice (counting, then placing), so it must emit the same events in the same order both times.
    public func build(rows: Int, width: Int, count: Int, forEachEvent: ((_ row: Int, _ column: Int32) -> Void) -> Void) {
        reset(width: width)
        reserveRows(rows)
        reserveIndices(count)
        for r in 0...rows { rowOffsets[r] = 0 }
        let offsets = rowOffsets, slots = indices
        forEachEvent { row, _ in offsets[row + 1] += 1 }
        for r in 0..<rows { rowOffsets[r + 1] += rowOffsets[r] }
        // place events; rowOffsets[r] serves as the write cursor of row r, shifted back afterwards
        forEachEvent { row, column in
            slots[Int(offsets[row])] = column
            offsets[row] += 1
        }
        for r in stride(from: rows, to: 0, by: -1) { rowOffsets[r] = rowOffsets[r - 1] }
        rowOffsets[0] = 0
        // sort each row (rows hold few events: insertion sort) and drop repeats, compacting in place
        var write = 0
        for r in 0..<rows {
            let start = Int(rowOffsets[r]), end = Int(rowOffsets[r + 1])
            if end - start > 1 {
                for a in (start + 1)..<end {
                    let v = indices[a]
                    var b = a - 1
                    while b >= start && indices[b] > v { indices[b + 1] = indices[b]; b -= 1 }
                    indices[b + 1] = v
                }
            }
            rowOffsets[r] = Int32(write)
            var previous: Int32 = -1
            for a in start..<end where indices[a] != previous {
                previous = indices[a]
                indices[write] = previous
                write += 1
            }
        }
        rowOffsets[rows] = Int32(write)
        self.rows = rows
        isBinary = true
    }

    /// Writes the list as a dense 0/1 `[rows, width]` matrix.
    public func writeDense(into matrix: UnsafeMutablePointer<Float>) { writeDense(rows: 0..<rows, into: matrix) }

    /// Writes rows `rows` of the list as a dense 0/1 `[rows.count, width]` matrix.
    public func writeDense(rows: Range<Int>, into matrix: UnsafeMutablePointer<Float>) {
        matrix.update(repeating: 0, count: rows.count * width)
        for r in rows {
            for e in Int(rowOffsets[r])..<Int(rowOffsets[r + 1]) { matrix[(r - rows.lowerBound) * width + Int(indices[e])] = 1 }
        }
    }

    /// Appends the rows of another list of the same width.
    public func concatenate(_ other: SpikeEventList) {
        precondition(other.width == width, "width mismatch")
        let base = count
        reserveRows(rows + other.rows)
        reserveIndices(base + other.count)
        (indices + base).update(from: other.indices, count: other.count)
        if other.rows > 0 {
            for r in 1...other.rows { rowOffsets[rows + r] = Int32(base) + other.rowOffsets[r] }
        }
        rows += other.rows
        isBinary = isBinary && other.isBinary
    }

    /// Replaces the contents with the rows of `parts` interleaved step by step: step `t` of the result is rows
    /// `t·rowsPerStep[p] ..< (t+1)·rowsPerStep[p]` of each part `p` in turn (the lists of a time loop whose batch was split
    /// across threads, gathered into the time-major order of the whole batch).
    public func interleaveSteps(of parts: [SpikeEventList], rowsPerStep: [Int], steps: Int) {
        precondition(parts.count == rowsPerStep.count, "one row count per part")
        reset(width: parts.first?.width ?? width)
        reserveRows(steps * rowsPerStep.reduce(0, +))
        reserveIndices(parts.reduce(0) { $0 + $1.count })
        var n = 0
        for t in 0..<steps {
            for (list, perStep) in zip(parts, rowsPerStep) {
                precondition(list.width == width && list.rows >= (t + 1) * perStep, "part does not hold the step")
                let first = t * perStep, events = Int(list.rowOffsets[first + perStep] - list.rowOffsets[first])
                (indices + n).update(from: list.indices + Int(list.rowOffsets[first]), count: events)
                let shift = Int32(n) - list.rowOffsets[first]
                for r in 0..<perStep { rowOffsets[rows + r + 1] = list.rowOffsets[first + r + 1] + shift }
                rows += perStep
                n += events
            }
        }
        isBinary = parts.allSatisfy(\.isBinary)
    }

    /// Appends the rows of a `[rows, width]` matrix (same width as the list).
    public func append(from matrix: UnsafePointer<Float>, rows newRows: Int) {
        reserveRows(rows + newRows)
        var n = count
        let w = width
        for r in 0..<newRows {
            let row = matrix + r * w
            reserveIndices(n + w)
            var j = 0
            while j + 16 <= w {
                let v = UnsafeRawPointer(row + j).loadUnaligned(as: SIMD16<Float>.self)
                let nonZero = v .!= SIMD16<Float>(repeating: 0)
                if any(nonZero) {
                    if any(nonZero .& (v .!= SIMD16<Float>(repeating: 1))) { isBinary = false }
                    listLanes(nonZero, from: j, into: indices, count: &n)
                }
                j += 16
            }
            while j < w {
                let x = row[j]
                if x != 0 {
                    if x != 1 { isBinary = false }
                    indices[n] = Int32(j); n += 1
                }
                j += 1
            }
            rows += 1
            rowOffsets[rows] = Int32(n)
        }
    }

    func reserveRows(_ needed: Int) {
        guard needed > rowCapacity else { return }
        let capacity = max(needed, 2 * rowCapacity)
        let grown = UnsafeMutablePointer<Int32>.allocate(capacity: capacity + 1)
        grown.update(from: rowOffsets, count: rows + 1)
        rowOffsets.deallocate()
        rowOffsets = grown
        rowCapacity = capacity
    }

    func reserveIndices(_ needed: Int) {
        guard needed > indexCapacity else { return }
        let capacity = max(needed, 2 * indexCapacity)
        let grown = UnsafeMutablePointer<Int32>.allocate(capacity: capacity)
        grown.update(from: indices, count: count)
        indices.deallocate()
        indices = grown
        indexCapacity = capacity
    }
}

/// `x[r, :] (=|+=) Σ_{j ∈ events(r)} wt[j, :]` for rows `rows` of the list: the event-driven form of `X = S·Wᵀ`.
///
/// - Parameters:
///   - transposedWeights: `Wᵀ`, `[width, outputs]` row-major (see ``transposeMatrix(_:rows:columns:into:)``).
///   - x: `[rows, outputs]`, indexed by the list's row numbers.
///   - overwrite: `true` sets the rows (rows without events become 0), `false` adds to them.
@inlinable
public func accumulateEvents(_ events: SpikeEventList, rows: Range<Int>, transposedWeights wt: UnsafePointer<Float>,
                             outputs n: Int, into x: UnsafeMutablePointer<Float>, overwrite: Bool) {
    let offsets = events.rowOffsets, indices = events.indices
    let blocked = n - n % 64
    for r in rows {
        let out = x + r * n
        let first = Int(offsets[r]), end = Int(offsets[r + 1])
        // 64 outputs at a time stay in four SIMD registers across all of the row's events: one store per row and block.
        var c = 0
        while c < blocked {
            var a0 = SIMD16<Float>(), a1 = SIMD16<Float>(), a2 = SIMD16<Float>(), a3 = SIMD16<Float>()
            if !overwrite {
                a0 = load16(out + c); a1 = load16(out + c + 16); a2 = load16(out + c + 32); a3 = load16(out + c + 48)
            }
            for e in first..<end {
                let w = wt + Int(indices[e]) * n + c
                a0 += load16(w); a1 += load16(w + 16); a2 += load16(w + 32); a3 += load16(w + 48)
            }
            store16(a0, out + c); store16(a1, out + c + 16); store16(a2, out + c + 32); store16(a3, out + c + 48)
            c += 64
        }
        // The rest 16 outputs at a time, then one by one, each in a register across the row's events.
        while c + 16 <= n {
            var a = overwrite ? SIMD16<Float>() : load16(out + c)
            for e in first..<end { a += load16(wt + Int(indices[e]) * n + c) }
            store16(a, out + c)
            c += 16
        }
        while c < n {
            var a: Float = overwrite ? 0 : out[c]
            for e in first..<end { a += wt[Int(indices[e]) * n + c] }
            out[c] = a
            c += 1
        }
    }
}

/// Writes `first + lane` for each set lane of `mask` to `indices[count...]`, in increasing order, advancing `count`.
@inline(__always)
func listLanes(_ mask: SIMDMask<SIMD16<Int32>>, from first: Int, into indices: UnsafeMutablePointer<Int32>, count: inout Int) {
    let laneBits = SIMD16<Int32>(1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096, 8192, 16384, 32768)
    var bits = SIMD16<Int32>(repeating: 0).replacing(with: laneBits, where: mask).wrappedSum()
    while bits != 0 {
        indices[count] = Int32(first + bits.trailingZeroBitCount)
        count += 1
        bits &= bits - 1
    }
}

/// `gwt[j, :] += Σ_{r ∈ rows, j ∈ events(r)} gx[r, :]`: the weight gradient `gWᵀ` of an event-driven projection.
///
/// A `gWᵀ` of at most ``eventGradientScatterMaximum`` floats (it stays in the L1 cache) takes each event's `gx` row
/// directly. A larger one is updated in blocks of rows whose `gx` stays in cache (`blockRows`, default ≈ 512 KB of
/// `gx`); within a block the events are sorted by input (counting sort), and each input's `gx` rows are summed in SIMD
/// registers, 128 outputs at a time, before one read-modify-write of its `gWᵀ` row — instead of one per event.
public func accumulateEventGradients(_ events: SpikeEventList, rows: Range<Int>, gradOutput gx: UnsafePointer<Float>,
                                     outputs n: Int, intoTransposed gwt: UnsafeMutablePointer<Float>, blockRows: Int? = nil) {
    guard !rows.isEmpty, n > 0 else { return }
    let offsets = events.rowOffsets, indices = events.indices, width = events.width
    if width * n <= eventGradientScatterMaximum {
        for r in rows {
            for e in Int(offsets[r])..<Int(offsets[r + 1]) { addRow(gx + r * n, into: gwt + Int(indices[e]) * n, count: n) }
        }
        return
    }
    let block = max(1, blockRows ?? max(16, (1 << 17) / n))
    var mostEvents = 0
    for start in stride(from: rows.lowerBound, to: rows.upperBound, by: block) {
        let end = min(start + block, rows.upperBound)
        mostEvents = max(mostEvents, Int(offsets[end] - offsets[start]))
    }
    guard mostEvents > 0 else { return }
    withUnsafeTemporaryAllocation(of: Int32.self, capacity: width + 1 + mostEvents) { scratch in
        let first = scratch.baseAddress!, order = first + width + 1   // first[j]: start of input j's rows in `order`
        for start in stride(from: rows.lowerBound, to: rows.upperBound, by: block) {
            let end = min(start + block, rows.upperBound)
            // Counting sort of the block's events by input: `order` lists, per input, the rows it is active in.
            first.update(repeating: 0, count: width + 1)
            for e in Int(offsets[start])..<Int(offsets[end]) { first[Int(indices[e]) + 1] += 1 }
            for j in 0..<width { first[j + 1] += first[j] }
            for r in start..<end {
                for e in Int(offsets[r])..<Int(offsets[r + 1]) {
                    let j = Int(indices[e])
                    order[Int(first[j])] = Int32(r)
                    first[j] += 1
                }
            }
            // After the fill first[j] is the end of input j's rows (the start of input j + 1's).
            var begin = 0
            for j in 0..<width {
                let stop = Int(first[j])
                if stop > begin { sumRows(gx, rows: order + begin, count: stop - begin, outputs: n, into: gwt + j * n) }
                begin = stop
            }
        }
    }
}

/// The largest `gWᵀ` (in floats, 32 KB) that ``accumulateEventGradients(_:rows:gradOutput:outputs:intoTransposed:blockRows:)``
/// updates event by event instead of sorting the events by input: a readout's 256 × 20 gradient (reference workload:
/// 1.1 → 0.7 ms per train step).
public let eventGradientScatterMaximum = 8192

/// `out[:] += Σ_k gx[rows[k], :]`, 128 outputs at a time in eight SIMD registers: `out` is loaded and stored once
/// per block of outputs, whatever the number of rows.
@inline(__always)
private func sumRows(_ gx: UnsafePointer<Float>, rows: UnsafePointer<Int32>, count: Int, outputs n: Int, into out: UnsafeMutablePointer<Float>) {
    var c = 0
    while c + 128 <= n {
        var a0 = load16(out + c), a1 = load16(out + c + 16), a2 = load16(out + c + 32), a3 = load16(out + c + 48)
        var a4 = load16(out + c + 64), a5 = load16(out + c + 80), a6 = load16(out + c + 96), a7 = load16(out + c + 112)
        for k in 0..<count {
            let g = gx + Int(rows[k]) * n + c
            a0 += load16(g); a1 += load16(g + 16); a2 += load16(g + 32); a3 += load16(g + 48)
            a4 += load16(g + 64); a5 += load16(g + 80); a6 += load16(g + 96); a7 += load16(g + 112)
        }
        store16(a0, out + c); store16(a1, out + c + 16); store16(a2, out + c + 32); store16(a3, out + c + 48)
        store16(a4, out + c + 64); store16(a5, out + c + 80); store16(a6, out + c + 96); store16(a7, out + c + 112)
        c += 128
    }
    while c + 16 <= n {
        var a = load16(out + c)
        for k in 0..<count { a += load16(gx + Int(rows[k]) * n + c) }
        store16(a, out + c)
        c += 16
    }
    while c < n {
        var a = out[c]
        for k in 0..<count { a += gx[Int(rows[k]) * n + c] }
        out[c] = a
        c += 1
    }
}

/// `y[0..<count] += x[0..<count]` with 16-wide SIMD.
@inlinable
public func addRow(_ x: UnsafePointer<Float>, into y: UnsafeMutablePointer<Float>, count: Int) {
    var k = 0
    while k + 16 <= count {
        let a = UnsafeRawPointer(x + k).loadUnaligned(as: SIMD16<Float>.self)
        let b = UnsafeRawPointer(y + k).loadUnaligned(as: SIMD16<Float>.self)
        UnsafeMutableRawPointer(y + k).storeBytes(of: a + b, as: SIMD16<Float>.self)
        k += 16
    }
    while k < count { y[k] += x[k]; k += 1 }
}

/// The threads a product of `m × k` by `k × n` is split across: `parts`, or one below 2²¹ multiply-adds (a dispatch
/// costs more than it saves).
@inlinable
public func productParts(m: Int, n: Int, k: Int, parts: Int) -> Int { m * n * k < 1 << 21 ? 1 : parts }

/// `C = alpha·op(A)·op(B) + beta·C` with the rows of `C` split across `parts` threads, each calling single-threaded
/// BLAS on its block (SNNKit keeps BLAS itself at one thread so that BLAS workers never compete with its own threads).
public func parallelSGEMM(parts: Int, _ transA: MatrixTranspose, _ transB: MatrixTranspose, m: Int, n: Int, k: Int, alpha: Float,
                          a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
                          beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int) {
    let p = productParts(m: m, n: n, k: k, parts: parts)
    parallelChunks(m, parts: p) { rows, _ in
        guard !rows.isEmpty else { return }
        let aStart = transA == .none ? a + rows.lowerBound * lda : a + rows.lowerBound
        sgemm(transA, transB, m: rows.count, n: n, k: k, alpha: alpha, a: aStart, lda: lda, b: b, ldb: ldb,
              beta: beta, c: c + rows.lowerBound * ldc, ldc: ldc)
    }
}

/// Writes the transpose of a row-major `[rows, columns]` matrix into `out` (`[columns, rows]`).
///
/// Eight rows at a time: each column's eight values are gathered (the rows' cache lines serve 16 columns in turn) and
/// stored as one contiguous 8-float run of the output.
public func transposeMatrix(_ a: UnsafePointer<Float>, rows: Int, columns: Int, into out: UnsafeMutablePointer<Float>) {
    var r = 0
    while r + 8 <= rows {
        let p = a + r * columns
        for c in 0..<columns {
            let v = gather8(p + c, stride: columns)
            UnsafeMutableRawPointer(out + c * rows + r).storeBytes(of: v, as: SIMD8<Float>.self)
        }
        r += 8
    }
    for r in r..<rows {
        for c in 0..<columns { out[c * rows + r] = a[r * columns + c] }
    }
}

/// `a[r, c] += Σᵢ bᵢ[c, r]`: adds the sum of the transposes of `b` (each `[columns, rows]`, e.g. the per-thread
/// `gWᵀ` partials of an event-driven weight gradient) into `a` (`[rows, columns]`), eight columns of `a` at a time
/// (gathered from eight rows of each `bᵢ`), the blocks of columns split across `parts` threads. The partials are summed
/// in order before the one addition into `a` (the same floats as adding `b₁, b₂, …` into `b₀` first).
public func addTransposed(_ b: [UnsafePointer<Float>], into a: UnsafeMutablePointer<Float>, rows: Int, columns: Int, parts: Int = 1) {
    guard let first = b.first else { return }
    let blocks = (columns + 7) / 8
    b.withUnsafeBufferPointer { b in
        nonisolated(unsafe) let (b, a) = (b, a)   // each part writes its own columns of `a`
        parallelChunks(blocks, parts: rows * columns < 1 << 14 ? 1 : parts) { chunk, _ in
            for block in chunk {
                let c = block * 8
                if c + 8 <= columns {
                    for r in 0..<rows {
                        var sum = gather8(first + c * rows + r, stride: rows)
                        for i in 1..<b.count { sum += gather8(b[i] + c * rows + r, stride: rows) }
                        let target = UnsafeMutableRawPointer(a + r * columns + c)
                        target.storeBytes(of: target.loadUnaligned(as: SIMD8<Float>.self) + sum, as: SIMD8<Float>.self)
                    }
                } else {
                    for c in c..<columns {
                        for r in 0..<rows {
                            var sum = first[c * rows + r]
                            for i in 1..<b.count { sum += b[i][c * rows + r] }
                            a[r * columns + c] += sum
                        }
                    }
                }
            }
        }
    }
}

/// `p[0], p[stride], …, p[7·stride]`.
@inline(__always)
private func gather8(_ p: UnsafePointer<Float>, stride s: Int) -> SIMD8<Float> {
    SIMD8(p[0], p[s], p[2 * s], p[3 * s], p[4 * s], p[5 * s], p[6 * s], p[7 * s])
}

/// Runs `body` on `parts` contiguous chunks of `0..<count` concurrently (one dispatch per call); chunk `i` is
/// `(i·count/parts)..<((i+1)·count/parts)`. `body` must only write memory its chunk owns.
public func parallelChunks(_ count: Int, parts: Int, _ body: (Range<Int>, Int) -> Void) {
    let p = max(1, min(parts, count))
    if p == 1 { body(0..<count, 0); return }
    withoutActuallyEscaping(body) { chunk in
        nonisolated(unsafe) let run = chunk   // the caller guarantees disjoint writes per chunk
        DispatchQueue.concurrentPerform(iterations: p) { i in
            run((i * count / p)..<((i + 1) * count / p), i)
        }
    }
}
