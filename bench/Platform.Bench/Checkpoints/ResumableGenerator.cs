using System.Diagnostics;
using Platform.Connectors.Generator;
using Platform.Engine.Contracts;

namespace Platform.Bench.Checkpoints;

/// <summary>
/// The telemetry generator behind the checkpoint contract: its position is the chunk count, recorded but not
/// replayed (the benchmark measures the cost of checkpoints and the time to restore state, not replay). Notes
/// when the first read after a restore happens, i.e. when the pipeline is ready to process again.
/// </summary>
internal sealed class ResumableGenerator(TelemetryGeneratorSource inner) : IChunkSource, ICheckpointableSource
{
    private long _chunks;

    public string Name => inner.Name;
    public int Partitions => inner.Partitions;

    /// <summary><see cref="Stopwatch.GetTimestamp"/> of the first read (0 before).</summary>
    public long FirstRead { get; private set; }

    /// <summary>Stop after the first read (restart measurement).</summary>
    public bool EndAfterFirstRead { get; init; }

    public ValueTask<Chunk?> ReadAsync(CancellationToken cancellationToken)
    {
        if (FirstRead == 0)
        {
            FirstRead = Stopwatch.GetTimestamp();
            if (EndAfterFirstRead) return ValueTask.FromResult<Chunk?>(null);
        }
        _chunks++;
        return inner.ReadAsync(cancellationToken);
    }

    public long PositionOf(int partition) => _chunks;

    public byte[] SavePosition(int partition) => BitConverter.GetBytes(_chunks);

    public void Seek(IReadOnlyList<byte[]> positions) => _chunks = BitConverter.ToInt64(positions[0]);

    public ValueTask DisposeAsync() => inner.DisposeAsync();
}
