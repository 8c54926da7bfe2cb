import Foundation
import SNNKit

/// One seeded perturbation of spike trains, for data augmentation of SHD/SSC and other event data (SPEC §7).
///
/// Augmentations act on the binned events of a `SpikeDataset` and are applied in the order given:
///
/// ```swift
/// let noisy = try train.augmented([.drop(probability: 0.1), .insert(hertz: 1),
///                                  .timeJitter(sigma: .milliseconds(5)), .unitJitter(sigma: 2)], seed: 7)
/// ```
/// For fresh noise every epoch, augment once per epoch with a seed derived from the epoch (e.g. `seed &+ UInt64(epoch)`).
public enum SpikeAugmentation: Sendable, Hashable, CustomStringConvertible {
    /// Removes each event independently with `probability` ∈ [0, 1].
    case drop(probability: Double)
    /// Adds the events of a homogeneous Poisson process of rate `hertz` (ν_insert) on every channel over the whole
    /// window, each at a uniformly random time (binned to its step) and channel.
    case insert(hertz: Double)
    /// Moves each event by an independent Gaussian offset of standard deviation `sigma` (σ_t): the new step is
    /// `round(step + σ_t/Δt · z)`, `z ~ N(0, 1)`, clipped to `0..<T`.
    case timeJitter(sigma: Duration)
    /// Moves each event to another channel by an independent Gaussian offset of standard deviation `sigma` channels
    /// (σ_u): the new channel is `round(channel + σ_u · z)`, clipped to `0..<N`.
    case unitJitter(sigma: Double)

    /// `drop(p 0.1)`, `insert(1 Hz)`, `timeJitter(σ 5 ms)`, `unitJitter(σ 2 channels)`.
    public var description: String {
        switch self {
        case let .drop(p): return "drop(p \(p))"
        case let .insert(hertz): return "insert(\(hertz) Hz)"
        case let .timeJitter(sigma): return "timeJitter(σ \(sigma.seconds * 1000) ms)"
        case let .unitJitter(sigma): return "unitJitter(σ \(sigma) channels)"
        }
    }

    /// Checks the parameter.
    /// - Throws: `ConfigurationError.outOfRange` naming the augmentation.
    public func validate() throws(ConfigurationError) {
        switch self {
        case let .drop(p):
            guard p >= 0, p <= 1 else { throw .outOfRange(field: "augmentation drop(probability:)", value: p, range: "[0, 1]") }
        case let .insert(hertz):
            guard hertz >= 0, hertz.isFinite else {
                throw .outOfRange(field: "augmentation insert(hertz:)", value: hertz, range: "[0, ∞) Hz, finite")
            }
        case let .timeJitter(sigma):
            guard sigma >= .zero else {
                throw .outOfRange(field: "augmentation timeJitter(sigma:)", value: sigma.seconds, range: "≥ 0 s")
            }
        case let .unitJitter(sigma):
            guard sigma >= 0, sigma.isFinite else {
                throw .outOfRange(field: "augmentation unitJitter(sigma:)", value: sigma, range: "[0, ∞) channels, finite")
            }
        }
    }

    /// Applies the augmentation to one sample's events (`steps` and `channels` have equal length).
    func apply(steps: inout [Int32], channels: inout [Int32], in data: SpikeDataset, using rng: inout Xoshiro256StarStar) {
        switch self {
        case let .drop(p):
            guard p > 0 else { return }
            var keptSteps: [Int32] = [], keptChannels: [Int32] = []
            keptSteps.reserveCapacity(steps.count)
            keptChannels.reserveCapacity(steps.count)
            for e in steps.indices where rng.nextUniform() >= p {
                keptSteps.append(steps[e])
                keptChannels.append(channels[e])
            }
            steps = keptSteps
            channels = keptChannels
        case let .insert(hertz):
            let rate = hertz * Double(data.channels)   // events per second over all channels
            guard rate > 0 else { return }
            let duration = data.durationSeconds, dt = data.timeStep.seconds
            var t = rng.nextExponential(rate: rate)
            while t < duration {
                steps.append(Int32(min(Int(t / dt), data.steps - 1)))
                channels.append(Int32(Int.random(in: 0..<data.channels, using: &rng)))
                t += rng.nextExponential(rate: rate)
            }
        case let .timeJitter(sigma):
            let scale = sigma.seconds / data.timeStep.seconds
            guard scale > 0 else { return }
            for e in steps.indices {
                steps[e] = Int32(Self.clipped(Double(steps[e]) + scale * rng.nextStandardNormal(), below: data.steps))
            }
        case let .unitJitter(sigma):
            guard sigma > 0 else { return }
            for e in channels.indices {
                channels[e] = Int32(Self.clipped(Double(channels[e]) + sigma * rng.nextStandardNormal(), below: data.channels))
            }
        }
    }

    /// `round(x)` clipped to `0..<limit`.
    private static func clipped(_ x: Double, below limit: Int) -> Int {
        let r = x.rounded()
        return r <= 0 ? 0 : r >= Double(limit - 1) ? limit - 1 : Int(r)
    }
}

extension SpikeDataset {
    /// A copy with `augmentations` applied, in order, to every sample; labels, channels and the time grid are kept.
    ///
    /// Reproducible: sample `i` draws its randomness from `Xoshiro256StarStar(seed: seed, stream: i)`, so the result
    /// depends only on the data, the augmentations and `seed`. Each augmented sample's events are sorted by step, then
    /// channel, and events that land in the same step and channel are merged (the dense form counts them once anyway).
    /// ``SpikeSampleSource/augmented(_:seed:)`` does the same per batch for a streamed source.
    ///
    /// - Throws: `ConfigurationError` for an augmentation parameter out of range (see ``SpikeAugmentation/validate()``).
    public func augmented(_ augmentations: [SpikeAugmentation], seed: UInt64) throws(ConfigurationError) -> SpikeDataset {
        for augmentation in augmentations { try augmentation.validate() }
        return try augmentedSamples(Array(0..<count), numbered: Array(0..<count), augmentations, seed: seed)
    }

    /// The samples `indices`, in order, each augmented with the random stream of its number in `numbers` (see
    /// ``augmented(_:seed:)``), as a data set of their own.
    func augmentedSamples(_ indices: [Int], numbered numbers: [Int], _ augmentations: [SpikeAugmentation],
                          seed: UInt64) throws(ConfigurationError) -> SpikeDataset {
        var offsets = [0], allSteps: [Int32] = [], allChannels: [Int32] = []
        offsets.reserveCapacity(indices.count + 1)
        for (i, number) in zip(indices, numbers) {
            let range = eventOffsets[i]..<eventOffsets[i + 1]
            var steps = Array(eventSteps[range]), channels = Array(eventChannels[range])
            var rng = Xoshiro256StarStar(seed: seed, stream: UInt64(number))
            for augmentation in augmentations { augmentation.apply(steps: &steps, channels: &channels, in: self, using: &rng) }
            var keys = zip(steps, channels).map { Int64($0) << 32 | Int64($1) }
            keys.sort()
            var previous: Int64 = -1
            for key in keys where key != previous {
                allSteps.append(Int32(truncatingIfNeeded: key >> 32))
                allChannels.append(Int32(truncatingIfNeeded: key))
                previous = key
            }
            offsets.append(allSteps.count)
        }
        return try SpikeDataset(channels: self.channels, steps: self.steps, timeStep: timeStep, classes: classes, eventOffsets: offsets,
                                eventSteps: allSteps, eventChannels: allChannels, labels: indices.map { labels[$0] })
    }
}

/// A ``SpikeSampleSource`` whose samples are augmented as they are read, batch by batch (for streamed data, where
/// ``SpikeDataset/augmented(_:seed:)`` cannot copy the whole set). Made by ``SpikeSampleSource/augmented(_:seed:)``.
///
/// Sample `i` is augmented with `Xoshiro256StarStar(seed: seed, stream: i)`, so every batch holding it gets the same
/// events, equal to those of ``SpikeDataset/augmented(_:seed:)`` of the same samples in memory. For fresh noise every
/// epoch, make a source per epoch with a seed derived from the epoch and call `Trainer.fit` with `epochs:` counting up
/// (`fit` continues at the next epoch).
public struct AugmentedSpikeSource<Base: SpikeSampleSource>: SpikeSampleSource {
    /// Reading fails as the base's reading does.
    public typealias Failure = Base.Failure

    /// The source whose samples are augmented.
    public let base: Base
    /// The augmentations, applied in order.
    public let augmentations: [SpikeAugmentation]
    /// The seed of the samples' random streams.
    public let seed: UInt64

    /// `base` with `augmentations` applied to each sample read, seeded by `seed`.
    ///
    /// - Throws: `ConfigurationError` for an augmentation parameter out of range (see ``SpikeAugmentation/validate()``).
    public init(_ base: Base, augmentations: [SpikeAugmentation], seed: UInt64) throws(ConfigurationError) {
        for augmentation in augmentations { try augmentation.validate() }
        self.base = base
        self.augmentations = augmentations
        self.seed = seed
    }

    /// The base's number of samples.
    public var count: Int { base.count }
    /// The base's number of channels.
    public var channels: Int { base.channels }
    /// The base's number of time steps.
    public var steps: Int { base.steps }
    /// The base's time step.
    public var timeStep: Duration { base.timeStep }
    /// The base's number of classes.
    public var classes: Int { base.classes }
    /// The base's labels.
    public var labels: [Int] { base.labels }

    /// The samples `indices` read from the base and augmented.
    ///
    /// - Throws: the base's ``SpikeSampleSource/Failure``.
    public func batch(_ indices: [Int]) throws(Failure) -> SpikeBatch {
        let read = try base.batch(indices)
        do throws(ConfigurationError) {
            return SpikeBatch(try read.dataset.augmentedSamples(read.indices, numbered: indices, augmentations, seed: seed))
        } catch {
            preconditionFailure("augmented events left the grid: \(error)")   // apply() clips to the grid
        }
    }
}

extension AugmentedSpikeSource: Sendable where Base: Sendable {}

extension SpikeSampleSource {
    /// This source with `augmentations` applied, in order, to each sample when a batch reads it (see
    /// ``AugmentedSpikeSource``); nothing is read or copied now.
    ///
    /// - Throws: `ConfigurationError` for an augmentation parameter out of range (see ``SpikeAugmentation/validate()``).
    public func augmented(_ augmentations: [SpikeAugmentation], seed: UInt64) throws(ConfigurationError) -> AugmentedSpikeSource<Self> {
        try AugmentedSpikeSource(self, augmentations: augmentations, seed: seed)
    }
}
