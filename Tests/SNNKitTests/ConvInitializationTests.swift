import Foundation
import SNNKit
import Testing

/// SPEC §3.2 reference rows for convolutional layers: fan-in = in_channels × kernel elements, and the α split
/// between one feed-forward and one recurrent (conv-recurrent) afferent of the same population.
@Suite("Fluctuation-driven initialization of convolutional layers (SPEC §3.2 conv rows)")
struct ConvInitializationTests {
    /// One conv row of the table: a feed-forward afferent and, optionally, a recurrent one.
    struct ConvRow: Sendable, CustomStringConvertible {
        var name: String
        var feedForwardFanIn: Double, feedForwardSigmaW: Double
        var recurrentFanIn: Double?, recurrentSigmaW: Double?
        var nu = 15.8
        var description: String { name }
    }

    // Centered, σ_U 1, numerical ε, Δt 2 ms, τ_mem 20 ms, τ_syn 10 ms; α 0.9 where there is a recurrent afferent.
    static let rows: [ConvRow] = [
        .init(name: "conv L1: ff 1×21, rec 16×5", feedForwardFanIn: 21, feedForwardSigmaW: 1.154345,
              recurrentFanIn: 80, recurrentSigmaW: 0.197142),
        .init(name: "conv L2: ff 16×7, rec 32×5", feedForwardFanIn: 112, feedForwardSigmaW: 0.499846,
              recurrentFanIn: 160, recurrentSigmaW: 0.139400),
        .init(name: "conv L3: ff 32×7, rec 64×5", feedForwardFanIn: 224, feedForwardSigmaW: 0.353445,
              recurrentFanIn: 320, recurrentSigmaW: 0.098571),
        .init(name: "2-D conv first layer 2×3×3, ν 9.2 Hz", feedForwardFanIn: 18, feedForwardSigmaW: 1.722354, nu: 9.2),
    ]

    @Test("σ_W of the conv rows (α 0.9 split ff/rec, or a single ff afferent) to 1e-5 relative", arguments: rows)
    func convRow(row: ConvRow) throws {
        let kernel = PSPKernelIntegrals.numerical(tauMembrane: 20e-3, tauSynapse: 10e-3, timeStep: 2e-3)
        let f = FluctuationDrivenInitializer(target: .centered(sigmaU: 1), feedForwardShare: 0.9)
        var afferents = [FluctuationDrivenInitializer.Afferent(fanIn: row.feedForwardFanIn, rate: row.nu, isRecurrent: false)]
        if let n = row.recurrentFanIn { afferents.append(.init(fanIn: n, rate: row.nu, isRecurrent: true)) }
        let stats = try f.weightStatistics(afferents: afferents, kernel: kernel, threshold: 1)
        #expect(stats.count == afferents.count)
        #expect(stats.allSatisfy { $0.mean == 0 })
        #expect(relativeError(stats[0].sigma, row.feedForwardSigmaW) < 1e-5, "\(stats[0].sigma)")
        if let expected = row.recurrentSigmaW {
            #expect(relativeError(stats[1].sigma, expected) < 1e-5, "\(stats[1].sigma)")
        }
    }
}
