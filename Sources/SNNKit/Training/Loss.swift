import Foundation

/// A classification loss on the output layer's sequence `O[t, b, c]` (a readout trace or spikes), mean over the batch.
public enum Loss: String, Sendable, Hashable, Codable, CaseIterable {
    /// Cross-entropy on `m_c = max_t O_c[t]` (the reference default); prediction `argmax_c m_c`.
    case maxOverTimeCrossEntropy
    /// Cross-entropy on `Σ_t O_c[t]` (on a spiking output layer: the spike-count loss of Micheli et al. 2024).
    case sumOverTimeCrossEntropy
    /// Cross-entropy on the last step `O_c[T−1]`.
    case lastStepCrossEntropy
    /// Mean over steps of the cross-entropy of `O[t]`; prediction from `Σ_t O`.
    case everyStepCrossEntropy
    /// Mean over steps, samples and classes of `(O_c[t] − y_c)²` with one-hot `y`; prediction from `Σ_t O`.
    case meanSquaredError

    /// Computes the loss of a `[T, B, C]` output for `labels`, writes `∂L/∂O` into `gradient` (if given, overwriting it)
    /// and returns the loss with each sample's predicted class.
    public func evaluate(output: UnsafeBufferPointer<Float>, steps: Int, batch: Int, classes: Int, labels: [Int],
                         gradient: UnsafeMutableBufferPointer<Float>?) -> (loss: Double, predictions: [Int]) {
        precondition(output.count >= steps * batch * classes && labels.count == batch, "loss: shape mismatch")
        gradient?.update(repeating: 0)
        var total = 0.0
        var predictions = [Int](repeating: 0, count: batch)
        var logits = [Double](repeating: 0, count: classes), probabilities = logits
        var argmaxStep = [Int](repeating: 0, count: classes)
        let invB = 1 / Double(batch)
        func at(_ t: Int, _ b: Int, _ c: Int) -> Int { (t * batch + b) * classes + c }
        // Max over time of every (sample, class), scanning the time-major output in memory order (first maximum wins).
        var peaks = [Float](), peakSteps = [Int32]()
        if self == .maxOverTimeCrossEntropy {
            let slice = batch * classes
            peaks = [Float](repeating: -.infinity, count: slice)
            peakSteps = [Int32](repeating: 0, count: slice)
            peaks.withUnsafeMutableBufferPointer { peak in
                peakSteps.withUnsafeMutableBufferPointer { step in Self.trackMaxima(output, steps: steps, slice: slice, peak, step) }
            }
        }
        for b in 0..<batch {
            let y = labels[b]
            switch self {
            case .maxOverTimeCrossEntropy:
                for c in 0..<classes {
                    logits[c] = Double(peaks[b * classes + c])
                    argmaxStep[c] = Int(peakSteps[b * classes + c])
                }
                total += Self.crossEntropy(logits, y, &probabilities)
                if let gradient {
                    for c in 0..<classes { gradient[at(argmaxStep[c], b, c)] += Float((probabilities[c] - (c == y ? 1 : 0)) * invB) }
                }
            case .sumOverTimeCrossEntropy, .lastStepCrossEntropy:
                let range = self == .lastStepCrossEntropy ? (steps - 1)..<steps : 0..<steps
                for c in 0..<classes { logits[c] = range.reduce(0) { $0 + Double(output[at($1, b, c)]) } }
                total += Self.crossEntropy(logits, y, &probabilities)
                if let gradient {
                    for c in 0..<classes {
                        let g = Float((probabilities[c] - (c == y ? 1 : 0)) * invB)
                        for t in range { gradient[at(t, b, c)] += g }
                    }
                }
            case .everyStepCrossEntropy:
                for t in 0..<steps {
                    for c in 0..<classes { logits[c] = Double(output[at(t, b, c)]) }
                    total += Self.crossEntropy(logits, y, &probabilities) / Double(steps)
                    if let gradient {
                        for c in 0..<classes { gradient[at(t, b, c)] += Float((probabilities[c] - (c == y ? 1 : 0)) * invB / Double(steps)) }
                    }
                }
                for c in 0..<classes { logits[c] = (0..<steps).reduce(0) { $0 + Double(output[at($1, b, c)]) } }
            case .meanSquaredError:
                let norm = 1 / Double(steps * classes)
                for t in 0..<steps {
                    for c in 0..<classes {
                        let d = Double(output[at(t, b, c)]) - (c == y ? 1 : 0)
                        total += d * d * norm
                        gradient?[at(t, b, c)] += Float(2 * d * norm * invB)
                    }
                }
                for c in 0..<classes { logits[c] = (0..<steps).reduce(0) { $0 + Double(output[at($1, b, c)]) } }
            }
            predictions[b] = logits.indices.max { logits[$0] < logits[$1] } ?? 0
        }
        return (total * invB, predictions)
    }

    /// `−log softmax(logits)[label]`, computed stably; leaves the softmax in `probabilities`.
    /// `peak[e] = max_t x[t, e]`, `step[e]` = the first step reaching it (branch-free, 8 elements at a time; the
    /// buffers start at −∞ and 0).
    private static func trackMaxima(_ x: UnsafeBufferPointer<Float>, steps: Int, slice: Int,
                                    _ peak: UnsafeMutableBufferPointer<Float>, _ step: UnsafeMutableBufferPointer<Int32>) {
        let p = peak.baseAddress!, s = step.baseAddress!
        for t in 0..<steps {
            let row = x.baseAddress! + t * slice
            let now = SIMD8<Int32>(repeating: Int32(t))
            var e = 0
            while e + 8 <= slice {
                let v = UnsafeRawPointer(row + e).loadUnaligned(as: SIMD8<Float>.self)
                let best = UnsafeRawPointer(p + e).loadUnaligned(as: SIMD8<Float>.self)
                let at = UnsafeRawPointer(s + e).loadUnaligned(as: SIMD8<Int32>.self)
                let higher = v .> best
                UnsafeMutableRawPointer(p + e).storeBytes(of: best.replacing(with: v, where: higher), as: SIMD8<Float>.self)
                UnsafeMutableRawPointer(s + e).storeBytes(of: at.replacing(with: now, where: higher), as: SIMD8<Int32>.self)
                e += 8
            }
            for e in e..<slice where row[e] > p[e] {
                p[e] = row[e]
                s[e] = Int32(t)
            }
        }
    }

    static func crossEntropy(_ logits: [Double], _ label: Int, _ probabilities: inout [Double]) -> Double {
        let m = logits.max() ?? 0
        var z = 0.0
        for c in logits.indices {
            probabilities[c] = Foundation.exp(logits[c] - m)
            z += probabilities[c]
        }
        for c in logits.indices { probabilities[c] /= z }
        return -(logits[label] - m - Foundation.log(z))
    }
}
