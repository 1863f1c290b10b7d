namespace Platform.Engine.Contracts;

/// <summary>
/// A sink taking part in two-phase checkpoints: <see cref="ISink{T}.FlushAsync"/> on the barrier is
/// the pre-commit; <see cref="CommitAsync"/> runs once the checkpoint is complete on disk. Output
/// after a checkpoint may be replayed after a crash, so such a sink writes idempotently or commits
/// transactionally here.
/// </summary>
public interface ICheckpointAwareSink
{
    /// <summary>Checkpoint <paramref name="checkpointId"/> is complete: everything flushed before it is final.</summary>
    ValueTask CommitAsync(long checkpointId, CancellationToken cancellationToken);
}
