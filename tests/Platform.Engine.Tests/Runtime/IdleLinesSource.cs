using Platform.Engine.Contracts;
using Platform.Engine.Tests.Checkpoints;

namespace Platform.Engine.Tests.Runtime;

/// <summary>
/// Serves its first <paramref name="linesBeforeIdle"/> lines, then has nothing to read until <see cref="Release"/>
/// (a broker or a log at its tail): a read or a wait for data waits, honouring its token. Resumable like
/// <see cref="ResumableLinesSource"/>, whose lines and positions it serves.
/// </summary>
internal sealed class IdleLinesSource(IReadOnlyList<string> lines, int linesBeforeIdle, int linesPerChunk = 10) : IChunkSource, ICheckpointableSource, IWaitableSource
{
    private readonly ResumableLinesSource _lines = new(lines, linesPerChunk);
    private readonly TaskCompletionSource _released = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private volatile bool _waiting;
    private volatile bool _cancelled;

    public string Name => "idle-lines";
    public int Partitions => 1;

    /// <summary>A read is waiting for data right now.</summary>
    public bool Waiting => _waiting;

    /// <summary>A waiting read ended because its token was cancelled.</summary>
    public bool ReadCancelled => _cancelled;

    public void Release() => _released.TrySetResult();

    public async ValueTask WaitToReadAsync(CancellationToken cancellationToken)
    {
        if (_lines.PositionOf(0) < linesBeforeIdle || _released.Task.IsCompleted) return;
        _waiting = true;
        try
        {
            await _released.Task.WaitAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            _cancelled = true;
            throw;
        }
        finally
        {
            _waiting = false;
        }
    }

    public async ValueTask<Chunk?> ReadAsync(CancellationToken cancellationToken)
    {
        await WaitToReadAsync(cancellationToken);
        return await _lines.ReadAsync(cancellationToken);
    }

    public long PositionOf(int partition) => _lines.PositionOf(partition);

    public byte[] SavePosition(int partition) => _lines.SavePosition(partition);

    public void Seek(IReadOnlyList<byte[]> positions) => _lines.Seek(positions);

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
