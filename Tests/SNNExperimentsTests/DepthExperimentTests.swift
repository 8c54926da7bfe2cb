import SNNExperiments
import Testing

@Suite("Depth experiment")
struct DepthExperimentTests {
    @Test("Small run: every (depth, strategy) row, one initial rate per hidden layer, layer-wise init keeps deep layers active")
    func smallRun() throws {
        var e = DepthExperiment()
        e.depths = [1, 4]
        e.epochs = 2
        e.primingEpochs = 1
        e.hidden = 64
        e.samplesPerClass = 40
        let rows = try e.run()
        #expect(rows.count == 6)
        for r in rows {
            #expect(r.initialRatesHz.count == r.depth)
            #expect(r.testAccuracy >= 0 && r.testAccuracy <= 1)
        }
        // Layer-wise ν keeps the deepest layer firing at initialization.
        let deep = rows.first { $0.depth == 4 && $0.strategy == .layerWiseHomeostasis }!
        #expect(deep.initialRatesHz.last! > 0.5)
    }
}
