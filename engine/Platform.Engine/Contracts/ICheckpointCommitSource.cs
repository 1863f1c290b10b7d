namespace Platform.Engine.Contracts;

/// <summary>
/// A checkpointable source told when a checkpoint is complete on disk, with the positions recorded in it,
/// so it can acknowledge them upstream (commit Kafka offsets, say). Called on the sink task after the
/// manifest is written and the sinks have committed; never for a checkpoint that did not complete.
/// </summary>
public interface ICheckpointCommitSource : ICheckpointableSource
{
    /// <summary>Checkpoint <paramref name="checkpointId"/> is complete; <paramref name="positions"/> are its positions (one per partition).</summary>
    void OnCheckpointComplete(long checkpointId, IReadOnlyList<byte[]> positions);
}
