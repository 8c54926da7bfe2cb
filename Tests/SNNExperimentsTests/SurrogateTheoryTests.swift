import SNNExperiments
import Testing

@Suite("Surrogate-gradient theory (paper 4)")
struct SurrogateTheoryTests {
    @Test("(a) Surrogate gradient = Monte-Carlo derivative of E[S] within 5 standard errors at every weight")
    func derivative() {
        var e = SurrogateTheoryExperiment()
        e.samples = 100_000
        for r in e.derivativeRows() {
            #expect(abs(r.surrogateGradient - r.monteCarloDerivative) < 5 * r.standardError + 0.01 * abs(r.surrogateGradient), "w = \(r.weight)")
        }
    }

    @Test("(b) The surrogate field's loop integral is non-zero; the true gradient's is zero to quadrature accuracy")
    func loop() {
        let r = SurrogateTheoryExperiment().loop()
        #expect(abs(r.trueGradientCirculation) < 1e-6)
        #expect(abs(r.surrogateCirculation) > 1e-2)
    }
}
