import Foundation
import SNNKernels
import SNNKit

/// Deep activity propagation in a binary threshold network (Micheli et al. 2024, SPEC §4): the fraction of active
/// units per layer of a 100-layer network for several initializations and widths.
///
/// The model, exactly (T = 1, no time, no leak):
/// - **input**: u ~ N(0, 1)^{B×n} i.i.d. (standardized), passed through the threshold unit: s₀ = H(u − θ), so about
///   1 − Φ(θ) = 15.9 % of the input units are active (θ = 1);
/// - **layer l = 1 … L**: a_l = W_l s_{l−1} with W_l ∈ ℝ^{n×n} i.i.d. N(0, σ_l²), fresh for every layer, and
///   s_l = H(a_l − θ) with H(x) = 1 for x > 0, else 0; no bias;
/// - **measured**: the fraction of active units of s_l, over the B samples and n units, at the reported layers.
///
/// Under Micheli's rule n·σ_l² = 1/(1 − Φ(θ)) every pre-activation is again standardized (Var a = n σ² E[s²] = 1),
/// so the fraction stays at 1 − Φ(θ); under Kaiming's n·σ² = 2 the variance shrinks to 2·0.159 = 0.32 in the first
/// layer and the network is silent by layer ~3. The products W·s are single-precision BLAS GEMMs
/// (`[B, n] × [n, n]ᵀ`). Once a layer is entirely silent (and θ > 0) every later layer is too; those layers are
/// recorded as 0 without drawing their weights.
public struct PropagationExperiment: Sendable {
    /// A weight initialization compared by the experiment.
    public enum Initialization: String, Sendable, CaseIterable, Codable {
        /// Kaiming normal: n·σ² = 2 (the θ = 0 case of Micheli's rule).
        case kaiming
        /// Micheli et al. 2024: n·σ² = 1/(1 − Φ(θ)) (6.3030 at θ = 1), ``DeepPropagationInitializer``.
        case micheli
        /// Micheli's rule with the finite-width correction: 1 − Φ(θ) replaced by its Wilson 95 % lower bound for n units
        /// (``FiniteWidthCorrection/wilson95``).
        case micheliFiniteWidth = "micheli-finite-width"
        /// Fluctuation-driven (Rossbroich et al. 2022) applied to the T = 1 network: the PSP kernel of a binary unit is a
        /// single step of height 1 (ε̄ = ε̂ = 1 in units of steps), the presynaptic rate ν is the active fraction of the
        /// source measured layer by layer on the batch (SPEC §3.4), and the target is centered with σ_U = 1 (ξ = θ/σ_U
        /// = 1): σ² = σ_U²/(n ν), computed by ``FluctuationDrivenInitializer/weightStatistics(afferents:kernel:threshold:)``.
        /// With ν = 1 − Φ(θ) this is Micheli's rule; measuring ν corrects the drift of finite widths.
        case fluctuationDriven = "fluctuation-driven"
    }

    /// One (width, initialization) run.
    public struct Row: Sendable, Codable, Hashable {
        /// Units per layer n.
        public var width: Int
        /// The initialization.
        public var initialization: Initialization
        /// The reported layer numbers (1-based).
        public var layers: [Int]
        /// Fraction of active units at each reported layer.
        public var activeFraction: [Double]
        /// Fraction of active units of the input s₀.
        public var inputFraction: Double
        /// Wall time (s).
        public var seconds: Double
    }

    /// Layer widths n.
    public var widths = [1000, 100]
    /// Initializations compared.
    public var initializations: [Initialization] = Initialization.allCases
    /// Number of layers L.
    public var depth = 100
    /// Samples B.
    public var batch = 256
    /// θ.
    public var threshold = 1.0
    /// Layers whose active fraction is reported (1-based, ≤ depth).
    public var reportedLayers = [1, 2, 5, 10, 50, 100]
    /// Seed of input and weights (each (width, initialization) run derives its own stream from it).
    public var seed: UInt64 = 1

    /// Creates the experiment with the defaults above (SPEC §4).
    public init() {}

    /// Runs every (width, initialization) pair; `onRow` is called as each finishes.
    public func run(onRow: (Row) -> Void = { _ in }) -> [Row] {
        var rows: [Row] = []
        for width in widths {
            for initialization in initializations {
                let row = run(width: width, initialization: initialization)
                rows.append(row)
                onRow(row)
            }
        }
        return rows
    }

    /// One run: the active fraction of every layer 1 … `depth` (index l − 1), and of the input.
    public func activeFractions(width n: Int, initialization: Initialization) -> (input: Double, layers: [Double]) {
        configureDefaultBLASThreads()
        // The same input for every initialization of a width; weights from a stream per (width, initialization).
        var inputStream = Xoshiro256StarStar(seed: seed &+ UInt64(n))
        var weightStream = Xoshiro256StarStar(seed: seed &+ UInt64(n) &* 0x9E37_79B9 &+ UInt64(Initialization.allCases.firstIndex(of: initialization)!) &+ 1)
        var spikes = [Float](repeating: 0, count: batch * n)
        var normals = [Float](repeating: 0, count: batch * n)
        fillStandardNormal(&normals, scale: 1, using: &inputStream)
        for e in spikes.indices { spikes[e] = Double(normals[e]) > threshold ? 1 : 0 }
        let inputFraction = fraction(spikes)
        var weights = [Float](repeating: 0, count: n * n)
        var preactivation = [Float](repeating: 0, count: batch * n)
        var fractions: [Double] = []
        var sourceFraction = inputFraction
        let deep = DeepPropagationInitializer(threshold: threshold)
        let finite = DeepPropagationInitializer(threshold: threshold, finiteWidth: .wilson95)
        let fluctuation = FluctuationDrivenInitializer(target: .centered(sigmaU: 1))
        for _ in 0..<depth {
            if sourceFraction == 0 && threshold > 0 {   // silent stays silent: H(0 − θ) = 0
                fractions.append(0)
                continue
            }
            let sigma: Double
            switch initialization {
            case .kaiming: sigma = (2 / Double(n)).squareRoot()
            case .micheli: sigma = deep.weightStandardDeviation(fanIn: Double(n))
            case .micheliFiniteWidth: sigma = finite.weightStandardDeviation(fanIn: Double(n))
            case .fluctuationDriven:
                let afferent = FluctuationDrivenInitializer.Afferent(fanIn: Double(n), rate: sourceFraction, isRecurrent: false)
                sigma = (try? fluctuation.weightStatistics(afferents: [afferent], kernel: PSPKernelIntegrals(mean: 1, meanSquare: 1),
                                                           threshold: threshold))?.first?.sigma ?? 0
            }
            fillStandardNormal(&weights, scale: Float(sigma), using: &weightStream)
            // a = s · Wᵀ: [B, n] × [n_out, n_in]ᵀ.
            spikes.withUnsafeBufferPointer { s in
                weights.withUnsafeBufferPointer { w in
                    preactivation.withUnsafeMutableBufferPointer { a in
                        sgemm(.none, .transposed, m: batch, n: n, k: n, alpha: 1, a: s.baseAddress!, lda: n, b: w.baseAddress!, ldb: n,
                              beta: 0, c: a.baseAddress!, ldc: n)
                    }
                }
            }
            let theta = Float(threshold)
            for e in spikes.indices { spikes[e] = preactivation[e] > theta ? 1 : 0 }
            sourceFraction = fraction(spikes)
            fractions.append(sourceFraction)
        }
        return (inputFraction, fractions)
    }

    func run(width: Int, initialization: Initialization) -> Row {
        let start = Date()
        let (input, all) = activeFractions(width: width, initialization: initialization)
        let layers = reportedLayers.filter { $0 >= 1 && $0 <= depth }
        return Row(width: width, initialization: initialization, layers: layers, activeFraction: layers.map { all[$0 - 1] },
                   inputFraction: input, seconds: Date().timeIntervalSince(start))
    }

    private func fraction(_ spikes: [Float]) -> Double {
        var total = 0.0
        for s in spikes { total += Double(s) }
        return total / Double(spikes.count)
    }

    /// A text table: width, initialization, then the active fraction at each reported layer.
    public static func table(_ rows: [Row]) -> String {
        let layers = rows.first?.layers ?? []
        var lines = ["width  init                   " + layers.map { "L\($0)".leftPadded(8) }.joined()]
        for r in rows {
            lines.append(String(format: "%5d  ", r.width) + r.initialization.rawValue.padding(toLength: 22, withPad: " ", startingAt: 0)
                         + r.activeFraction.map { String(format: "%8.4f", $0) }.joined())
        }
        return lines.joined(separator: "\n")
    }

    /// `{"rows": [{"width", "init", "layers", "active_fraction", "input_fraction", "seconds"}, …]}`.
    public static func jsonObject(_ rows: [Row]) -> [String: Any] {
        ["rows": rows.map { r in
            ["width": r.width, "init": r.initialization.rawValue, "layers": r.layers, "active_fraction": r.activeFraction,
             "input_fraction": r.inputFraction, "seconds": r.seconds] as [String: Any]
        }]
    }
}

/// Fills `values` with N(0, scale²) samples: Box–Muller, both outputs of each pair used.
func fillStandardNormal(_ values: inout [Float], scale: Float, using rng: inout Xoshiro256StarStar) {
    let count = values.count
    values.withUnsafeMutableBufferPointer { v in
        var k = 0
        while k < count {
            let bits = rng.next()
            // Two 32-bit uniforms: u1 in (0, 1], u2 in [0, 1).
            let u1 = (Double(bits >> 32) + 1) * 0x1.0p-32
            let u2 = Double(bits & 0xFFFF_FFFF) * 0x1.0p-32
            let radius = Float((-2 * Foundation.log(u1)).squareRoot()) * scale
            let angle = 2 * Double.pi * u2
            v[k] = radius * Float(Foundation.cos(angle))
            if k + 1 < count { v[k + 1] = radius * Float(Foundation.sin(angle)) }
            k += 2
        }
    }
}

extension String {
    func leftPadded(_ width: Int) -> String { count >= width ? self : String(repeating: " ", count: width - count) + self }
}
