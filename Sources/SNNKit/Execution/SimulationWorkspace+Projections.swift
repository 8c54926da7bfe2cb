import SNNKernels

// The three products every projection provides — propagate (forward), input gradient and weight gradient — for
// dense, convolution and pooling operations, event-driven for binary spike sources below the density crossover.

extension SimulationWorkspace {
    /// The units of the source a projection reads: `(first unit, count, full source width)`.
    func sourceRange(_ p: Projection) -> (lower: Int, count: Int, width: Int) {
        let width = p.source == .input ? inputChannels : sizes[layerIndex(p.source)]
        guard let u = p.sourceUnits else { return (0, width, width) }
        return (u.lowerBound, u.count, width)
    }

    private func layerIndex(_ source: LayerSource) -> Int {
        if case let .layer(s) = source { return s }
        return -1
    }

    /// Prepares the weights of afferent `j` of layer `k` for this pass: packed kernels of a convolution.
    func prepareWeights(_ k: Int, _ j: Int, _ p: Projection) {
        guard case let .convolution(shape) = p.operation else { return }
        let out = layers[k].preparedBuffer(j)
        out.reserve(packedConvolutionWeightCount(shape: shape))
        p.weights.withUnsafeBufferPointer { packConvolutionWeights($0.baseAddress!, shape: shape, into: out.pointer) }
    }

    /// `Wᵀ` padded to the full source width (zero rows outside the source range), for event-driven dense products.
    func preparedTransposedWeights(_ k: Int, _ j: Int, _ p: Projection) -> UnsafePointer<Float> {
        let (lower, count, width) = sourceRange(p)
        let n = p.weights.shape[0]
        let out = layers[k].preparedBuffer(j)
        out.reserve(width * n)
        if count < width { out.zero(width * n) }
        p.weights.withUnsafeBufferPointer { transposeMatrix($0.baseAddress!, rows: n, columns: count, into: out.pointer + lower * n) }
        return UnsafePointer(out.pointer)
    }

    /// `x[rows] (=|+=) op(source[rows])` for afferent `j` of layer `k`.
    /// - Parameters:
    ///   - transposed: padded `Wᵀ` from ``preparedTransposedWeights(_:_:_:)`` (dense, event-driven), if prepared.
    ///   - density: the spike density of these rows (decides event-driven vs dense), if known.
    ///   - parallel: split event-driven, convolution and pooling rows across ``threadCount`` threads (dense products
    ///     always let ``parallelSGEMM(parts:_:_:m:n:k:alpha:a:lda:b:ldb:beta:c:ldc:)`` decide by size).
    func propagate(_ k: Int, _ j: Int, _ p: Projection, rows: Range<Int>, into x: UnsafeMutablePointer<Float>, overwrite: Bool,
                   transposed: UnsafePointer<Float>?, density: Double?, parallel: Bool) {
        let events = sourceEvents(p.source)
        let eventDriven = usesEvents(events, density: density)
        let parts = parallel ? threadCount : 1
        switch p.operation {
        case .dense:
            propagateDense(p, rows: rows, into: x, overwrite: overwrite, transposed: transposed ?? (eventDriven ? preparedTransposedWeights(k, j, p) : nil),
                           density: density, events: events, eventRows: rows, parts: parts)
        case let .convolution(shape):
            let packed = UnsafePointer(layers[k].preparedBuffer(j).pointer)
            let src = eventDriven ? nil : sourcePointer(p.source).0
            parallelChunks(rows.count, parts: parts) { chunk, _ in
                let r = (rows.lowerBound + chunk.lowerBound)..<(rows.lowerBound + chunk.upperBound)
                if let src {
                    convolutionForward(shape: shape, source: src, rows: r, packedWeights: packed, into: x, overwrite: overwrite)
                } else {
                    convolutionForward(shape: shape, events: events!, rows: r, packedWeights: packed, into: x, overwrite: overwrite)
                }
            }
        case let .pooling(kind, shape):
            let (src, _) = sourcePointer(p.source)
            let b = layers[k]
            if kind == .max { b.argmax.reserve(window * batch * shape.outputUnits) }
            let argmax = kind == .max ? b.argmax.pointer : nil
            parallelChunks(rows.count, parts: parts) { chunk, _ in
                let r = (rows.lowerBound + chunk.lowerBound)..<(rows.lowerBound + chunk.upperBound)
                poolingForward(kind: kind, shape: shape, source: src, rows: r, into: x, argmax: argmax)
            }
        }
    }

    /// `x[rows] (=|+=) W·source[rows]` for a dense projection: event-driven from `events` below the crossover density
    /// (rows `eventRows` of the list are the source's `rows`; `transposed` is the padded `Wᵀ`), else BLAS.
    /// - Parameters:
    ///   - parts: threads to split the rows across.
    ///   - sourceRows: the source's row `rows.lowerBound` for the dense product (default: in the source's buffer).
    func propagateDense(_ p: Projection, rows: Range<Int>, into x: UnsafeMutablePointer<Float>, overwrite: Bool,
                        transposed: UnsafePointer<Float>?, density: Double?, events: SpikeEventList?, eventRows: Range<Int>, parts: Int,
                        sourceRows: UnsafePointer<Float>? = nil) {
        let n = p.weights.shape[0]
        if usesEvents(events, density: density), let events, let transposed {
            // Output row of list row r: r + shift (the list may hold a part of the batch, see the time loop).
            let out = x + (rows.lowerBound - eventRows.lowerBound) * n
            parallelChunks(rows.count, parts: parts) { chunk, _ in
                accumulateEvents(events, rows: (eventRows.lowerBound + chunk.lowerBound)..<(eventRows.lowerBound + chunk.upperBound),
                                 transposedWeights: transposed, outputs: n, into: out, overwrite: overwrite)
            }
        } else {
            let (lower, count, width) = sourceRange(p)
            let first = sourceRows ?? UnsafePointer(sourcePointer(p.source).0 + rows.lowerBound * width)
            p.weights.withUnsafeBufferPointer { w in
                parallelSGEMM(parts: parts, .none, .transposed, m: rows.count, n: n, k: count, alpha: 1,
                              a: first + lower, lda: width, b: w.baseAddress!, ldb: count,
                              beta: overwrite ? 0 : 1, c: x + rows.lowerBound * n, ldc: n)
            }
        }
    }

    /// `gSource[rows] += opᵀ(gX[rows])` for afferent `j` of layer `k` (`gSource` is the full-width source gradient).
    func accumulateInputGradient(_ k: Int, _ j: Int, _ p: Projection, gradInput gx: UnsafePointer<Float>, rows: Range<Int>,
                                 into gsrc: UnsafeMutablePointer<Float>, parallel: Bool, gemmParts: Int? = nil) {
        let parts = parallel ? threadCount : 1
        switch p.operation {
        case .dense:
            let n = p.weights.shape[0]
            let (lower, count, width) = sourceRange(p)
            p.weights.withUnsafeBufferPointer { w in
                parallelSGEMM(parts: gemmParts ?? threadCount, .none, .none, m: rows.count, n: count, k: n, alpha: 1, a: gx + rows.lowerBound * n, lda: n,
                              b: w.baseAddress!, ldb: count, beta: 1, c: gsrc + rows.lowerBound * width + lower, ldc: width)
            }
        case let .convolution(shape):
            let packed = UnsafePointer(layers[k].preparedBuffer(j).pointer)
            parallelChunks(rows.count, parts: parts) { chunk, _ in
                let r = (rows.lowerBound + chunk.lowerBound)..<(rows.lowerBound + chunk.upperBound)
                convolutionInputGradient(shape: shape, gradOutput: gx, rows: r, packedWeights: packed, into: gsrc)
            }
        case let .pooling(kind, shape):
            let argmax = kind == .max ? UnsafePointer(layers[k].argmax.pointer) : nil
            parallelChunks(rows.count, parts: parts) { chunk, _ in
                let r = (rows.lowerBound + chunk.lowerBound)..<(rows.lowerBound + chunk.upperBound)
                poolingBackward(kind: kind, shape: shape, gradOutput: gx, rows: r, argmax: argmax, into: gsrc)
            }
        }
    }

    /// `gW += ∂/∂W Σ gX·op(source)` over all rows, for afferent `j` of layer `k`.
    func accumulateWeightGradient(_ p: Projection, gradInput gx: UnsafePointer<Float>, into gradient: inout Tensor) {
        let rows = window * batch
        let events = sourceEvents(p.source)
        let eventDriven = usesEvents(events)
        switch p.operation {
        case .dense:
            let n = p.weights.shape[0]
            let (lower, count, width) = sourceRange(p)
            if eventDriven, let events {
                let partials = partialBuffers(width * n)
                parallelChunks(rows, parts: partials.count) { chunk, i in
                    partials[i].update(repeating: 0, count: width * n)   // (each thread zeroes its own)
                    accumulateEventGradients(events, rows: chunk, gradOutput: gx, outputs: n, intoTransposed: partials[i])
                }
                gradient.withUnsafeMutableBufferPointer {
                    addTransposed(partials.map { UnsafePointer($0 + lower * n) }, into: $0.baseAddress!, rows: n, columns: count, parts: threadCount)
                }
            } else {
                let (src, _) = sourcePointer(p.source)
                gradient.withUnsafeMutableBufferPointer { gw in
                    parallelSGEMM(parts: threadCount, .transposed, .none, m: n, n: count, k: rows, alpha: 1, a: gx, lda: n,
                                  b: src + lower, ldb: width, beta: 1, c: gw.baseAddress!, ldc: count)
                }
            }
        case let .convolution(shape):
            let size = packedConvolutionWeightCount(shape: shape)
            let partials = partialBuffers(size)
            let src = eventDriven ? nil : sourcePointer(p.source).0
            parallelChunks(rows, parts: partials.count) { chunk, i in
                partials[i].update(repeating: 0, count: size)   // (each thread zeroes its own)
                if let src {
                    convolutionWeightGradient(shape: shape, source: src, gradOutput: gx, rows: chunk, into: partials[i])
                } else {
                    convolutionWeightGradient(shape: shape, events: events!, gradOutput: gx, rows: chunk, into: partials[i])
                }
            }
            for i in partials.indices.dropFirst() { addRow(partials[i], into: partials[0], count: size) }
            gradient.withUnsafeMutableBufferPointer { addUnpackedConvolutionGradient(partials[0], shape: shape, into: $0.baseAddress!) }
        case .pooling:
            break
        }
    }

    /// One scratch buffer of (at least) `count` floats per thread (the thread using it zeroes it).
    private func partialBuffers(_ count: Int) -> [UnsafeMutablePointer<Float>] {
        let parts = max(1, min(threadCount, window * batch))
        while gradientPartials.count < parts { gradientPartials.append(FloatBuffer()) }
        return (0..<parts).map { i in
            gradientPartials[i].reserve(count)
            return gradientPartials[i].pointer
        }
    }
}
