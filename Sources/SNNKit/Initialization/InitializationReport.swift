import Foundation

/// What an initialization did (per projection) and what it produced (per population, measured on real batches).
public struct InitializationReport: Sendable, Codable, CustomStringConvertible {
    /// One initialized projection.
    public struct ProjectionEntry: Sendable, Codable, Hashable {
        /// Target layer index.
        public var layer: Int
        /// Target layer name.
        public var layerName: String
        /// Index of the projection among the layer's afferents.
        public var afferent: Int
        /// Name of the source (`"input"` or a layer name).
        public var source: String
        /// Fan-in `n`.
        public var fanIn: Int
        /// Presynaptic rate ν used (Hz).
        public var nuHz: Double
        /// Weight mean μ_W.
        public var muW: Double
        /// Weight standard deviation σ_W.
        public var sigmaW: Double
        /// ε̄ of the target (s).
        public var epsilonBar: Double
        /// ε̂ of the target (s).
        public var epsilonHat: Double
        /// A remark (e.g. a fallback that was taken).
        public var note: String?
    }

    /// One population's targets and measured activity.
    public struct PopulationEntry: Sendable, Codable, Hashable {
        /// Layer index.
        public var layer: Int
        /// Layer name.
        public var name: String
        /// Number of neurons.
        public var size: Int
        /// Whether the layer spikes.
        public var isSpiking: Bool
        /// Target μ_U (fluctuation-driven only).
        public var targetMuU: Double?
        /// Target σ_U (fluctuation-driven only).
        public var targetSigmaU: Double?
        /// Measured mean of the free membrane (per-neuron temporal mean, averaged).
        public var measuredMuU: Double?
        /// Measured per-neuron temporal standard deviation of the free membrane, averaged over neurons and samples.
        public var measuredSigmaU: Double?
        /// Measured spread (standard deviation over neurons and samples) of the per-neuron temporal means of the free
        /// membrane.
        public var measuredMeanSpread: Double?
        /// Measured mean firing rate (Hz).
        public var measuredRateHz: Double?
        /// Rate (Hz) predicted by the diffusion approximation (Perez-Nieves & Goodman 2023): the Siegert formula with the
        /// Fourcaud–Brunel colored-noise correction (``LIFRatePredictor``) for the free membrane's μ_U and σ_U, averaged
        /// over the spread of the neurons' mean potentials. The statistics are the measured ones when a batch was
        /// simulated, else Campbell's theorem for the drawn weight statistics (``FreeMembraneStatistics``). Nil for
        /// non-spiking layers. A recurrent layer's measured free membrane lacks its own recurrent input (it does not
        /// spike), so its prediction is low.
        public var predictedRateHz: Double?
        /// Leading steps left out of the membrane statistics.
        public var burnInSteps: Int?
    }

    /// The rule used.
    public var method: WeightInitialization
    /// The input rate ν (Hz): measured mean over channels, or the fixed value.
    public var inputRateHz: Double
    /// Smallest and largest per-channel input rate (Hz), when measured.
    public var channelRateRangeHz: [Double]?
    /// Samples simulated for the measurements, if any.
    public var samplesMeasured: Int?
    /// Per projection.
    public var projections: [ProjectionEntry]
    /// Per population.
    public var populations: [PopulationEntry]

    /// A readable table.
    public var description: String {
        func f(_ x: Double?, _ digits: Int = 4) -> String { x.map { String(format: "%.\(digits)f", $0) } ?? "-" }
        var lines = ["initialization: \(methodName); input rate ν = \(f(inputRateHz, 2)) Hz" +
                     (channelRateRangeHz.map { " (channels \(f($0[0], 2))–\(f($0[1], 2)) Hz)" } ?? "") +
                     (samplesMeasured.map { "; measured on \($0) samples" } ?? "")]
        lines.append("projection                     fan_in   nu_hz     mu_w    sigma_w")
        for p in projections {
            let name = "\(p.source) → \(p.layerName)".padding(toLength: 28, withPad: " ", startingAt: 0)
            lines.append("  \(name) \(String(format: "%6d", p.fanIn)) \(f(p.nuHz, 2).leftPad(7)) \(f(p.muW).leftPad(8)) \(f(p.sigmaW).leftPad(10))" +
                         (p.note.map { "  (\($0))" } ?? ""))
        }
        lines.append("population          target σ_U  measured σ_U  measured μ_U  rate (Hz)  predicted (Hz)")
        for p in populations {
            lines.append("  \(p.name.padding(toLength: 18, withPad: " ", startingAt: 0)) \(f(p.targetSigmaU, 3).leftPad(9)) \(f(p.measuredSigmaU, 3).leftPad(13)) \(f(p.measuredMuU, 3).leftPad(13)) \(p.isSpiking ? f(p.measuredRateHz, 2).leftPad(10) : "-".leftPad(10)) \(p.isSpiking ? f(p.predictedRateHz, 2).leftPad(15) : "-".leftPad(15))")
        }
        return lines.joined(separator: "\n")
    }

    private var methodName: String {
        switch method {
        case let .fluctuationDriven(f):
            switch f.target {
            case let .centered(s): return "fluctuation-driven, centered σ_U = \(s), α = \(f.feedForwardShare), ε \(f.integration.rawValue)"
            case let .meanAndThresholdDistance(m, xi): return "fluctuation-driven, μ_U = \(m), ξ = \(xi), α = \(f.feedForwardShare), ε \(f.integration.rawValue)"
            }
        case let .kaimingNormal(gain): return "Kaiming normal, gain \(gain)"
        case let .scaled(d, s, g): return "\(d.rawValue), \(s.rawValue), gain \(g)"
        case let .deepPropagation(d):
            let width: String
            switch d.finiteWidth {
            case .none: width = ""
            case let .wilsonLowerBound(confidence): width = ", finite width (Wilson lower bound, \(confidence))"
            }
            return "deep propagation, n·Var[W] = 1/(1 − Φ(\(d.threshold))) = \(String(format: "%.4f", DeepPropagationInitializer.fanInVariance(threshold: d.threshold)))" + width
        case let .targetRate(t):
            return "target rate \(t.hertz) Hz (Siegert, \(t.noiseCorrection.rawValue)), centered fluctuation-driven, α = \(t.feedForwardShare), ε \(t.integration.rawValue)"
        }
    }

    /// The report as JSON-ready dictionaries: one object per projection and per population with the keys
    /// `fan_in`, `nu_hz`, `mu_w`, `sigma_w` (projections) and `target_sigma_u`, `measured_sigma_u`, `measured_mu_u`,
    /// `measured_mean_spread`, `measured_rate_hz`, `predicted_rate_hz` (populations).
    public var jsonObject: [String: Any] {
        let projectionObjects: [[String: Any]] = projections.map { p in
            var o: [String: Any] = ["kind": "projection", "layer": p.layer, "target": p.layerName, "source": p.source, "afferent": p.afferent,
                                    "fan_in": p.fanIn, "nu_hz": p.nuHz, "mu_w": p.muW, "sigma_w": p.sigmaW,
                                    "epsilon_bar": p.epsilonBar, "epsilon_hat": p.epsilonHat]
            if let n = p.note { o["note"] = n }
            return o
        }
        let populationObjects: [[String: Any]] = populations.map { p in
            ["kind": "population", "layer": p.layer, "name": p.name, "size": p.size, "spiking": p.isSpiking,
             "target_sigma_u": p.targetSigmaU ?? NSNull(), "target_mu_u": p.targetMuU ?? NSNull(),
             "measured_sigma_u": p.measuredSigmaU ?? NSNull(), "measured_mu_u": p.measuredMuU ?? NSNull(),
             "measured_mean_spread": p.measuredMeanSpread ?? NSNull(),
             "measured_rate_hz": p.measuredRateHz ?? NSNull(), "predicted_rate_hz": p.predictedRateHz ?? NSNull(),
             "burn_in_steps": p.burnInSteps ?? NSNull()]
        }
        return ["method": methodName, "input_rate_hz": inputRateHz, "projections": projectionObjects, "populations": populationObjects]
    }
}

extension String {
    func leftPad(_ width: Int) -> String { count >= width ? self : String(repeating: " ", count: width - count) + self }
}
