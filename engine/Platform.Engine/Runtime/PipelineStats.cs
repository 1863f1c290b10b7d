namespace Platform.Engine.Runtime;

/// <summary>Live counters of a running pipeline, updated per chunk or batch (never per record).</summary>
public sealed class PipelineStats
{
    internal long ChunksIn;
    internal long BytesIn;
    internal long RecordsIn;
    internal long ParseErrors;
    internal long RecordsOut;
    internal long BatchesOut;
    internal long Watermark = long.MinValue;
    internal long LateRecords;
    internal long CheckpointsDone;
    internal long LastCheckpoint;
    internal long LastCheckpointMicros;
    internal long LastCheckpointSize;
    internal long LastAlignmentMicros;
    internal long Restored;

    /// <summary>Bytes read from the source.</summary>
    public long Bytes => Interlocked.Read(ref BytesIn);
    /// <summary>Records parsed successfully.</summary>
    public long Records => Interlocked.Read(ref RecordsIn);
    /// <summary>Records rejected by the parser (sent to the dead-letter queue).</summary>
    public long Rejected => Interlocked.Read(ref ParseErrors);
    /// <summary>Records written to the sinks.</summary>
    public long Output => Interlocked.Read(ref RecordsOut);
    /// <summary>Records that arrived after their window fired (per the late policy).</summary>
    public long Late => Interlocked.Read(ref LateRecords);
    /// <summary>The lowest event-time watermark over keyed workers (Unix ms; <see cref="long.MinValue"/> before any).</summary>
    public long CurrentWatermark => Interlocked.Read(ref Watermark);
    /// <summary>Chunks waiting for a parse worker.</summary>
    public int ChunkQueueDepth { get; internal set; }
    /// <summary>Batches waiting for the sinks.</summary>
    public int SinkQueueDepth { get; internal set; }
    /// <summary>Checkpoints completed by this run.</summary>
    public long CheckpointsCompleted => Interlocked.Read(ref CheckpointsDone);
    /// <summary>Id of the newest complete checkpoint (0 = none yet; after a restore, the restored one until the next completes).</summary>
    public long LastCheckpointId => Interlocked.Read(ref LastCheckpoint);
    /// <summary>How long the newest checkpoint took, from barrier injection to its manifest on disk.</summary>
    public TimeSpan LastCheckpointDuration => TimeSpan.FromMicroseconds(Interlocked.Read(ref LastCheckpointMicros));
    /// <summary>Bytes of the newest checkpoint's state files.</summary>
    public long LastCheckpointBytes => Interlocked.Read(ref LastCheckpointSize);
    /// <summary>Longest time a worker of the newest checkpoint waited for the other workers' barriers.</summary>
    public TimeSpan LastAlignmentTime => TimeSpan.FromMicroseconds(Interlocked.Read(ref LastAlignmentMicros));
    /// <summary>The checkpoint this run resumed from (0 = started afresh).</summary>
    public long RestoredCheckpointId => Interlocked.Read(ref Restored);
}
