namespace Platform.Engine.Contracts;

/// <summary>
/// A source that can wait for data without taking any (a broker or a log at its tail), so the engine checkpoints
/// on time while it has nothing to read. Without it a checkpoint falls due only between reads: a source waiting
/// in <see cref="IChunkSource.ReadAsync"/> holds the next one back until data comes.
/// </summary>
public interface IWaitableSource
{
    /// <summary>
    /// Completes when a <see cref="IChunkSource.ReadAsync"/> would likely not wait: data is there, the input ended or
    /// the source failed (the read reports which). Moves no position: the engine may take a checkpoint
    /// (<see cref="ICheckpointableSource.SavePosition"/>) while this is pending. At most one wait at a time.
    /// </summary>
    ValueTask WaitToReadAsync(CancellationToken cancellationToken);
}
