using System.Buffers;
using Platform.Connectors.DurableLog;
using Platform.Engine.Contracts;

namespace Platform.Host.Ingest;

/// <summary>
/// Puts a durable log's retention under checkpoint control: records from the last completed
/// checkpoint's position on are never deleted (a restart resumes there), older ones may go by size
/// and age. A checkpoint participant, because the coordinator completes checkpoints in order on one
/// task and snapshots participants only once every worker's state is written: when checkpoint n is
/// being completed, checkpoint n-1's manifest is on disk, so n-1's position becomes the floor.
/// Checkpoint n's own position is the one the source saved when n began (<see cref="Begun"/>).
/// </summary>
internal sealed class LogCheckpointRetention(DurableLog log, string name) : ICheckpointParticipant
{
    private readonly Queue<LogPosition> _begun = new();
    private LogPosition? _lastCompleted;

    /// <inheritdoc />
    public string Name => "log-retention-" + name;

    /// <summary>Checkpoints are on: until one completes (or is restored) nothing may be deleted.</summary>
    public LogCheckpointRetention Enable()
    {
        log.RetainFrom(log.Beginning);
        return this;
    }

    /// <summary>The source saved <paramref name="position"/> for the checkpoint that begins now.</summary>
    public void Begun(byte[] position)
    {
        lock (_begun) _begun.Enqueue(LogPosition.Read(position));
    }

    /// <inheritdoc />
    public void Snapshot(IBufferWriter<byte> writer)
    {
        LogPosition completing;
        lock (_begun)
        {
            if (!_begun.TryDequeue(out completing)) throw new InvalidOperationException($"{Name}: a checkpoint completes that never began.");
        }
        if (_lastCompleted is { } done) log.RetainFrom(done);
        _lastCompleted = completing;
        completing.WriteTo(writer.GetSpan(LogPosition.SerializedSize));
        writer.Advance(LogPosition.SerializedSize);
    }

    /// <inheritdoc />
    public void Restore(ReadOnlySequence<byte> snapshot)
    {
        if (snapshot.Length != LogPosition.SerializedSize) throw new InvalidDataException($"{Name}: expected a {LogPosition.SerializedSize}-byte log position, got {snapshot.Length} bytes.");
        var restored = LogPosition.Read(snapshot.ToArray());
        _lastCompleted = restored;
        log.RetainFrom(restored);
    }
}
