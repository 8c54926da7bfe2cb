/// The layout of a layer's units: `channels` at each position of a 0-, 1- or 2-D spatial grid, channels-last.
///
/// Unit index = position · channels + channel, positions row-major over `spatial` (1-D: x; 2-D: y · width + x).
/// A flat population of N units is `ActivityShape(channels: N)`. Dense projections read any shape as a flat vector
/// (flattening is free); convolutions and pooling use the grid.
public struct ActivityShape: Sendable, Hashable, Codable, CustomStringConvertible {
    /// Channels `C` per position.
    public var channels: Int
    /// Spatial extent (empty for a flat population; `[L]` for 1-D, `[H, W]` for 2-D).
    public var spatial: [Int]

    /// Creates a shape.
    public init(channels: Int, spatial: [Int] = []) {
        self.channels = channels
        self.spatial = spatial
    }

    /// A flat population of `count` units.
    public static func flat(_ count: Int) -> ActivityShape { ActivityShape(channels: count) }

    /// Total number of units.
    public var count: Int { channels * spatial.reduce(1, *) }

    /// `"16×68"` (channels × spatial) or `"128"`.
    public var description: String { ([channels] + spatial).map(String.init).joined(separator: "×") }
}
