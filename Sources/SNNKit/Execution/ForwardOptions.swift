/// How the forward pass emits spikes.
public enum SpikeMode: Sendable, Hashable {
    /// The Heaviside step (normal simulation and training).
    case step
    /// The surrogate's antiderivative in place of the step, so that finite differences of the network equal the
    /// surrogate gradient computed by the backward pass (gradient checks; see DESIGN.md).
    case smoothSurrogate
}

/// Options of one forward pass over the whole window.
public struct ForwardOptions: Sendable, Hashable {
    /// Step or smooth spikes.
    public var spikeMode: SpikeMode
    /// Replays the reset factors recorded by an earlier forward pass as constants in layers whose reset is detached
    /// (gradient checks: finite differences then see exactly the detached gradient).
    public var replaysRecordedResets: Bool
    /// Records the reset factors of this pass so that a later pass can replay them.
    public var recordsResets: Bool
    /// Layers simulated without spikes or reset (the free membrane of initialization reports).
    public var freeMembraneLayers: Set<Int>
    /// Seeds the escape noise of stochastic layers (paper 4); nil draws the next seed of the workspace's own sequence
    /// (``SimulationWorkspace/noiseSeed``), so repeated passes differ but a run is reproducible.
    public var noiseSeed: UInt64?
    /// Seeds the dropout masks of layers with ``Layer/dropout`` > 0 (training); nil = no dropout (inference).
    public var dropoutSeed: UInt64?

    /// Creates options; the defaults simulate normally.
    public init(spikeMode: SpikeMode = .step, replaysRecordedResets: Bool = false, recordsResets: Bool = false,
                freeMembraneLayers: Set<Int> = [], dropoutSeed: UInt64? = nil, noiseSeed: UInt64? = nil) {
        self.noiseSeed = noiseSeed
        self.dropoutSeed = dropoutSeed
        self.spikeMode = spikeMode
        self.replaysRecordedResets = replaysRecordedResets
        self.recordsResets = recordsResets
        self.freeMembraneLayers = freeMembraneLayers
    }
}

/// How a projection from a binary spike source is multiplied.
public enum ProductStrategy: Sendable, Hashable {
    /// Event-driven below ``crossoverDensity`` spike density, dense BLAS above (decided per call; per step for recurrence).
    case automatic
    /// Always dense BLAS (the straightforward reference path).
    case dense
    /// Always event-driven when the source is binary.
    case eventDriven

    /// The spike density below which event-driven products are used (measured, see docs/benchmarks.md).
    public static let crossoverDensity = 0.15
}
