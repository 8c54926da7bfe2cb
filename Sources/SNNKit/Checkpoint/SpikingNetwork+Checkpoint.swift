import Foundation

extension SpikingNetwork {
    /// Reads the network of a checkpoint written by ``Trainer/saveCheckpoint(to:)`` or ``Checkpoint/write(to:)``.
    /// - Throws: ``CheckpointError`` naming the file and the tensor or metadata key.
    public static func load(checkpoint url: URL) throws(CheckpointError) -> SpikingNetwork {
        try Checkpoint(contentsOf: url).network
    }
}
