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

    /// Creates options; the defaults simulate normally.
    public init(spikeMode: SpikeMode = .step, replaysRecordedResets: Bool = false, recordsResets: Bool = false,
                freeMembraneLayers: Set<Int> = []) {
        self.spikeMode = spikeMode
        self.replaysRecordedResets = replaysRecordedResets
        self.recordsResets = recordsResets
        self.freeMembraneLayers = freeMembraneLayers
    }
}
