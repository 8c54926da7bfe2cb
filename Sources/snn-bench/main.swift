// snn-bench: times SNNKit on the reference workload of ../shared/peer-bench (stork SHD-style RSNN):
// 700 Bernoulli inputs (p = 0.02) → 256 current-based LIF (τ 20/10 ms, Δt 1 ms, SuperSpike β 20) → 20 leaky readout,
// T = 100, B = 256, max-over-time cross-entropy, Adam 1e-3. Prints medians, min–max, peak memory, the dense-FLOP bound
// (dense FLOPs ÷ SGEMM GFLOP/s measured in this run, right before and after each workload's timings) and the ratio
// to it; `--json` prints one JSON object per workload.
import Foundation
import SNNKernels
import SNNKit

struct Workload {
    var name: String
    var layers: Int
    var recurrent: Bool
    var probability: Double
    var steps = 100
    /// Convolutional hidden layers (1×700 input grid) instead of dense ones.
    var isConvolutional = false
    var batch = 256
    /// Steps per time chunk (bounded-memory mode), nil for the whole window.
    var timeChunk: Int? = nil
    /// Feed the input as events of a ``SpikeDataset`` (the path of `Trainer.fit`) instead of a dense `[T, B, N]` buffer.
    var eventInput = false
}

let arguments = CommandLine.arguments.dropFirst()
let asJSON = arguments.contains("--json")
let repetitions = arguments.firstIndex(of: "--reps").flatMap { Int(arguments[$0 + 1]) } ?? 11
let selected = arguments.firstIndex(of: "--workloads").map { arguments[$0 + 1].split(separator: ",").map(String.init) }
let threads = arguments.firstIndex(of: "--threads").flatMap { Int(arguments[$0 + 1]) } ?? 2
/// `--time-chunk N` sets the chunk of every workload (0: whole window).
let chunkOverride = arguments.firstIndex(of: "--time-chunk").flatMap { Int(arguments[$0 + 1]) }
let eventInputEverywhere = arguments.contains("--event-input")
configureDefaultBLASThreads()

let inputs = 700, hidden = 256, outputs = 20
let scaling = arguments.contains("--scaling")
let workloads = [
    Workload(name: "reference", layers: 1, recurrent: true, probability: 0.02),
    Workload(name: "feedforward", layers: 1, recurrent: false, probability: 0.02),
    Workload(name: "deep3", layers: 3, recurrent: true, probability: 0.02),
    Workload(name: "conv1d", layers: 2, recurrent: true, probability: 0.02, isConvolutional: true),
    // Long sequences in the bounded-memory mode (run it alone: peak memory is the process's maximum so far).
    Workload(name: "long", layers: 1, recurrent: true, probability: 0.02, steps: 2000, batch: 64, timeChunk: 100, eventInput: true),
].filter { selected?.contains($0.name) ?? ($0.name != "long") && !scaling }
    + (scaling ? [100, 400, 1600].map { Workload(name: "reference T=\($0)", layers: 1, recurrent: true, probability: 0.02, steps: $0) }
        + [0.01, 0.05, 0.10, 0.20].map { Workload(name: "reference p=\($0)", layers: 1, recurrent: true, probability: $0) } : [])

func peakRSSMegabytes() -> Double {
    var usage = rusage()
    #if os(Linux)
    getrusage(RUSAGE_SELF.rawValue, &usage)
    return Double(usage.ru_maxrss) / 1024
    #else
    getrusage(RUSAGE_SELF, &usage)
    return Double(usage.ru_maxrss) / (1024 * 1024)
    #endif
}

func median(_ xs: [Double]) -> Double {
    let s = xs.sorted()
    return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
}

func time(_ body: () throws -> Void) rethrows -> Double {
    let t0 = DispatchTime.now().uptimeNanoseconds
    try body()
    return Double(DispatchTime.now().uptimeNanoseconds - t0) * 1e-9
}

/// SGEMM rates (GFLOP/s) of `repetitions` products n³, n = 2048, on BLAS's 2 threads (BLAS goes back to 1 thread after).
func measureGEMM(repetitions: Int) -> [Double] {
    let n = 2048
    var rng = Xoshiro256StarStar(seed: 1)
    let a = (0..<(n * n)).map { _ in Float(rng.nextUniform()) }, b = a
    var c = [Float](repeating: 0, count: n * n)
    setBLASThreadCount(2)   // the dense bound uses the machine's 2-thread SGEMM rate whatever --threads says
    defer {
        setBLASThreadCount(1)   // SNNKit splits products across its own threads (--threads); BLAS workers would compete
        // OpenBLAS's idle workers keep spinning for a while (THREAD_TIMEOUT, 2^28 cycles ≈ 0.1 s) after a threaded
        // product: timings started right away lose a core to them (the scan GEMM of `--kernels`: 53 ms instead of 29).
        Thread.sleep(forTimeInterval: 0.3)
    }
    return (0..<repetitions).map { _ in
        let seconds = time {
            a.withUnsafeBufferPointer { ap in b.withUnsafeBufferPointer { bp in c.withUnsafeMutableBufferPointer { cp in
                sgemm(.none, .none, m: n, n: n, k: n, alpha: 1, a: ap.baseAddress!, lda: n, b: bp.baseAddress!, ldb: n,
                      beta: 0, c: cp.baseAddress!, ldc: n)
            } } }
        }
        return 2 * Double(n * n * n) / seconds / 1e9
    }
}

/// Dense matrix-multiply FLOPs of the peer harness (common.py): forward, and a training step without the data layer's
/// input gradient. A convolution counts as the dense product it is (output units × fan-in per row).
func denseFLOPs(_ net: SpikingNetwork, steps: Int, batch: Int) -> (forward: Double, train: Double) {
    let bt = Double(steps * batch)
    var forward = 0.0, fromInput = 0.0
    for layer in net.layers {
        for p in layer.afferents where p.operation.hasWeights {
            let f = 2 * bt * Double(p.targetSize * p.fanIn)
            forward += f
            if p.source == .input { fromInput += f }
        }
    }
    return (forward, 3 * forward - fromInput)
}

func makeNetwork(_ w: Workload) throws -> SpikingNetwork {
    var net = try SpikingNetwork(inputs: inputs, timeStep: .milliseconds(1)) {
        if w.isConvolutional {
            // The SPEC §8 conv-recurrent front end: 1×700 → 16×68 (k 21, stride 10) → 32×21 (k 7, stride 3), recurrent k 5.
            ConvolutionalLIFLayer(channels: 16, kernel: [21], stride: [10], recurrentKernel: [5])
            ConvolutionalLIFLayer(channels: 32, kernel: [7], stride: [3], recurrentKernel: [5])
        } else {
            for _ in 0..<w.layers {
                LIFLayer(hidden, tauMembrane: .milliseconds(20), tauSynapse: .milliseconds(10), isRecurrent: w.recurrent,
                         surrogate: .superSpike(beta: 20))
            }
        }
        LeakyReadout(outputs, tauMembrane: .milliseconds(20), tauSynapse: .milliseconds(10), initialState: -1e-3)
    }
    // The harness's canonical scale: std = gain/√fan_in with gain 5 (input, hidden→hidden), 1 (recurrent, readout).
    var rng = Xoshiro256StarStar(seed: 2)
    for id in net.parameterIDs {
        let p = net.layers[id.layer].afferents[id.afferent]
        let gain: Double = id.layer == net.layers.count - 1 ? 1 : (p.source == .layer(id.layer) ? 1 : 5)
        net[id].scalars = WeightDistribution.normal.sample(count: net[id].count, mean: 0, scale: gain / Double(p.fanIn).squareRoot(), using: &rng)
    }
    return net
}

let initialGFLOPS = median(measureGEMM(repetitions: 5))
let cpu = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8))?
    .split(separator: "\n").first { $0.hasPrefix("model name") }?.split(separator: ":").last?.trimmingCharacters(in: .whitespaces) ?? "unknown"
if !asJSON {
    print("snn-bench: T = 100, B = 256 (unless stated), \(inputs) → \(hidden) LIF → \(outputs) readout, Δt 1 ms, Adam 1e-3, max-over-time CE")
    print("machine: \(cpu), \(ProcessInfo.processInfo.activeProcessorCount) cores; SNNKit threads \(threads), BLAS 1 thread; SGEMM 2048³ \(String(format: "%.1f", initialGFLOPS)) GFLOP/s at start (each workload's bound uses the rate measured around its own timings: last column)")
    print("workload        train ms (min–max)        fwd ms (min–max)       dense bound train/fwd ms   ratio train/fwd   rates Hz   peak MB   SGEMM GFLOP/s")
}

/// What one workload's timings measured (the trainer is gone when it is returned: its memory is not held while the
/// SGEMM rate is measured after it).
struct Timings {
    var train: [Double] = [], forward: [Double] = []
    var rates: [Double] = []
    var peakMegabytes = 0.0
    var flops = (forward: 0.0, train: 0.0)
}

func timeWorkload(_ w: Workload) throws -> Timings {
    let batch = w.batch
    let net = try makeNetwork(w)
    let trainer = try Trainer(network: net, loss: .maxOverTimeCrossEntropy, optimizer: Adam(learningRate: 1e-3))
    trainer.threadCount = threads
    trainer.timeChunkSteps = w.timeChunk
    var rng = Xoshiro256StarStar(seed: 1)
    if w.eventInput {
        // The same Bernoulli draws, kept as events (as `Trainer.fit` feeds a data set's samples).
        var offsets = [0], stepsOfEvents: [Int32] = [], channels: [Int32] = []
        var perSample = [[(Int32, Int32)]](repeating: [], count: batch)
        for t in 0..<w.steps {
            for b in 0..<batch {
                for c in 0..<inputs where rng.nextUniform() < w.probability { perSample[b].append((Int32(t), Int32(c))) }
            }
        }
        for events in perSample {
            for (t, c) in events { stepsOfEvents.append(t); channels.append(c) }
            offsets.append(stepsOfEvents.count)
        }
        let data = try SpikeDataset(channels: inputs, steps: w.steps, timeStep: .milliseconds(1), classes: outputs, eventOffsets: offsets,
                                    eventSteps: stepsOfEvents, eventChannels: channels, labels: [Int](repeating: 0, count: batch))
        trainer.prepareBatch(from: data, samples: Array(0..<batch))
    } else {
        let input = trainer.prepareBatch(steps: w.steps, batch: batch)
        for e in input.indices { input[e] = rng.nextUniform() < w.probability ? 1 : 0 }
    }
    let labels = (0..<batch).map { _ in Int(rng.next() % UInt64(outputs)) }
    var result = Timings()
    result.rates = try trainer.forward(labels: labels).firingRatesHz
    let profile = arguments.contains("--profile")
    trainer.isProfiling = profile
    for k in 0..<(repetitions + 2) {
        let t = try time { _ = try trainer.step(labels: labels) }
        if k >= 2 { result.train.append(t) }
    }
    let trainPhases = trainer.phaseSeconds
    for k in 0..<(repetitions + 1) {
        let t = try time { _ = try trainer.forward(labels: labels) }
        if k >= 1 { result.forward.append(t) }
    }
    if profile {
        // Phases may nest ("recurrent products" is part of "time loop" and "backward loop").
        func line(_ phases: [String: Double], per calls: Int) -> String {
            phases.sorted { $0.key < $1.key }.map { String(format: "%@ %.1f", $0.key, $0.value * 1e3 / Double(calls)) }.joined(separator: ", ")
        }
        let forwardPhases = trainer.phaseSeconds.merging(trainPhases) { all, train in all - train }
        print("  phases of \(w.name), ms per train step: " + line(trainPhases, per: repetitions + 2))
        print("  phases of \(w.name), ms per forward pass: " + line(forwardPhases, per: repetitions + 1))
    }
    result.flops = denseFLOPs(net, steps: w.steps, batch: batch)
    result.peakMegabytes = peakRSSMegabytes()
    return result
}

for var w in workloads {
    if let c = chunkOverride { w.timeChunk = c > 0 ? c : nil }
    if eventInputEverywhere { w.eventInput = true }
    // The bound's SGEMM rate is measured right before and right after this workload's timings (median of 6), so that
    // the ratio compares like with like on a shared host whose speed drifts between workloads.
    let before = measureGEMM(repetitions: 3)
    let m = try timeWorkload(w)
    let gflops = median(before + measureGEMM(repetitions: 3))
    let (train, forward, rates, peak, flops) = (m.train, m.forward, m.rates, m.peakMegabytes, m.flops)
    let boundTrain = flops.train / (gflops * 1e9), boundForward = flops.forward / (gflops * 1e9)
    let trainMedian = median(train), forwardMedian = median(forward)
    if asJSON {
        let object: [String: Any] = [
            "workload": w.name, "train_ms_median": trainMedian * 1e3, "train_ms_min": train.min()! * 1e3, "train_ms_max": train.max()! * 1e3,
            "forward_ms_median": forwardMedian * 1e3, "forward_ms_min": forward.min()! * 1e3, "forward_ms_max": forward.max()! * 1e3,
            "dense_bound_ms": boundTrain * 1e3, "dense_bound_forward_ms": boundForward * 1e3,
            "ratio_train_to_bound": trainMedian / boundTrain, "ratio_forward_to_bound": forwardMedian / boundForward,
            "peak_rss_mb": peak, "gemm_gflops": gflops, "hidden_rates_hz": rates, "repetitions": repetitions, "cpu": cpu,
            "steps": w.steps, "batch": w.batch, "time_chunk": w.timeChunk ?? 0, "event_input": w.eventInput,
        ]
        let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
        print(String(decoding: data, as: UTF8.self))
    } else {
        print(w.name.padding(toLength: 20, withPad: " ", startingAt: 0) + String(format: " %7.1f (%.1f–%.1f)   %7.1f (%.1f–%.1f)   %8.1f / %6.1f         %5.2f / %5.2f   %@   %6.0f",
                     trainMedian * 1e3, train.min()! * 1e3, train.max()! * 1e3,
                     forwardMedian * 1e3, forward.min()! * 1e3, forward.max()! * 1e3, boundTrain * 1e3, boundForward * 1e3,
                     trainMedian / boundTrain, forwardMedian / boundForward,
                     rates.map { String(format: "%.1f", $0) }.joined(separator: "/") as NSString, peak) + String(format: "   %5.1f", gflops))
    }
}

// `--kernels`: the event-driven weight gradient of the reference input projection (25 600 rows, 700 inputs at 2 %,
// 256 outputs), blocked kernel vs the straightforward one-row-update-per-event loop, interleaved runs, one thread.
if arguments.contains("--kernels") {
    let rows = 25_600, width = 700, n = 256
    var rng = Xoshiro256StarStar(seed: 3)
    let dense = (0..<(rows * width)).map { _ in rng.nextUniform() < 0.02 ? Float(1) : 0 }
    let gx = (0..<(rows * n)).map { _ in Float(rng.nextUniform()) }
    let events = SpikeEventList()
    dense.withUnsafeBufferPointer { events.rebuild(from: $0.baseAddress!, rows: rows, width: width) }
    var gwt = [Float](repeating: 0, count: width * n)
    var blocked: [Double] = [], perEvent: [Double] = []
    gx.withUnsafeBufferPointer { g in
        gwt.withUnsafeMutableBufferPointer { out in
            for _ in 0..<repetitions {
                blocked.append(time { accumulateEventGradients(events, rows: 0..<rows, gradOutput: g.baseAddress!, outputs: n, intoTransposed: out.baseAddress!) })
                perEvent.append(time {
                    for r in 0..<rows {
                        for e in Int(events.rowOffsets[r])..<Int(events.rowOffsets[r + 1]) {
                            addRow(g.baseAddress! + r * n, into: out.baseAddress! + Int(events.indices[e]) * n, count: n)
                        }
                    }
                })
            }
        }
    }
    print(String(format: "event weight gradient (%d events): blocked %.2f ms, per-event %.2f ms (medians of %d)",
                 events.count, median(blocked) * 1e3, median(perEvent) * 1e3, repetitions))
    try measureScanGEMM()
}

/// The one dense product the reference train step cannot avoid: the backward scan's per-step
/// `gS[t−1] = [gX[t] | gY[t]]·[V; W_out]` (the surrogate derivative makes `gX` dense), as `--threads` parts of the batch
/// each multiply `B/threads` rows on one thread, T = 100 steps on fresh rows, between SGEMM 2048³ rates measured before
/// and after (as for the workloads): once with a BLAS call per step on stacked rows, once with ``PackedGEMM`` (weights
/// packed once, `gX` and `gY` read as two segments) as the scan runs it on AVX2 hosts. Its share of the bound is a floor
/// for the train step's ratio on this machine.
func measureScanGEMM() throws {
    let steps = 100, batch = 256, depth = hidden + outputs
    var g = Xoshiro256StarStar(seed: 2)
    let gx = (0..<(steps * batch * hidden)).map { _ in Float(g.nextUniform()) }, gy = (0..<(steps * batch * outputs)).map { _ in Float(g.nextUniform()) }
    var a = [Float](repeating: 0, count: steps * batch * depth)   // the stacked rows [gX | gY] the BLAS call reads
    for r in 0..<(steps * batch) {
        for j in 0..<hidden { a[r * depth + j] = gx[r * hidden + j] }
        for j in 0..<outputs { a[r * depth + hidden + j] = gy[r * outputs + j] }
    }
    let b = (0..<(depth * hidden)).map { _ in Float(g.nextUniform()) }
    var c = [Float](repeating: 0, count: steps * batch * hidden)
    var packed = [Float](repeating: 0, count: PackedGEMM.packedCount(k: depth, n: hidden))
    let scratches = (0..<threads).map { _ in UnsafeMutablePointer<Float>.allocate(capacity: PackedGEMM.scratchCount(m: batch, k: depth)) }
    defer { scratches.forEach { $0.deallocate() } }
    var blas: [Double] = [], own: [Double] = [], rates: [Double] = []
    a.withUnsafeBufferPointer { ap in b.withUnsafeBufferPointer { bp in c.withUnsafeMutableBufferPointer { cp in
    gx.withUnsafeBufferPointer { xp in gy.withUnsafeBufferPointer { yp in packed.withUnsafeMutableBufferPointer { pp in
        nonisolated(unsafe) let (a, b, c, packed) = (ap.baseAddress!, bp.baseAddress!, cp.baseAddress!, pp.baseAddress!)
        let segments = [(pointer: xp.baseAddress!, width: hidden), (pointer: yp.baseAddress!, width: outputs)]
        rates = measureGEMM(repetitions: 3)
        for _ in 0..<repetitions {
            blas.append(time {
                parallelChunks(batch, parts: threads) { rows, _ in
                    for t in (0..<steps).reversed() {
                        sgemm(.none, .none, m: rows.count, n: hidden, k: depth, alpha: 1, a: a + (t * batch + rows.lowerBound) * depth, lda: depth,
                              b: b, ldb: hidden, beta: 0, c: c + (t * batch + rows.lowerBound) * hidden, ldc: hidden)
                    }
                }
            })
            guard PackedGEMM.isAvailable else { continue }
            own.append(time {
                PackedGEMM.pack(b, k: depth, n: hidden, ldb: hidden, into: packed)
                parallelChunks(batch, parts: threads) { rows, part in
                    for t in (0..<steps).reversed() {
                        PackedGEMM.multiply(rows: (t * batch + rows.lowerBound)..<(t * batch + rows.upperBound), n: hidden, segments: segments,
                                            packed: packed, beta: 0, c: c, ldc: hidden, scratch: scratches[part])
                    }
                }
            })
        }
    } } } } } }
    rates += measureGEMM(repetitions: 3)
    let flops = 2 * Double(steps * batch * hidden * depth), rate = median(rates)
    let reference = Workload(name: "reference", layers: 1, recurrent: true, probability: 0.02)
    let referenceTrain = denseFLOPs(try makeNetwork(reference), steps: reference.steps, batch: reference.batch).train
    for (name, times) in [("BLAS per step", blas), ("PackedGEMM", own)] where !times.isEmpty {
        print(String(format: "backward-scan GEMM, %@ (T %d, %d parts of %d rows, N %d, K %d): %.2f ms, %.1f GFLOP/s; SGEMM 2048³ %.1f GFLOP/s; "
                     + "share of the reference train bound %.3f", name, steps, threads, batch / threads, hidden, depth, median(times) * 1e3,
                     flops / median(times) / 1e9, rate, median(times) / (referenceTrain / (rate * 1e9))))
    }
}
