using Platform.Engine.Checkpoints;
using Platform.Engine.DeadLetters;
using Platform.Engine.Time;

namespace Platform.Engine.Runtime;

/// <summary>How a pipeline runs: parallelism, batching, buffering, event time. Immutable; validated by <see cref="Validate"/>.</summary>
public sealed record PipelineOptions
{
    /// <summary>Default records per batch.</summary>
    public const int DefaultBatchSize = 2048;
    /// <summary>Default batches buffered per channel (bounds memory and gives backpressure).</summary>
    public const int DefaultChannelCapacity = 16;

    /// <summary>Worker threads (parse + keyed); 0 means one per core.</summary>
    public int Workers { get; init; }
    /// <summary>Records per batch.</summary>
    public int BatchSize { get; init; } = DefaultBatchSize;
    /// <summary>Batches buffered per channel.</summary>
    public int ChannelCapacity { get; init; } = DefaultChannelCapacity;
    /// <summary>Watermarks (allowed lateness, idle timeout) and what happens to late records.</summary>
    public EventTimeOptions EventTime { get; init; } = EventTimeOptions.Default;
    /// <summary>Where records that fail to parse go; counted only when null.</summary>
    public IDeadLetterSink? DeadLetters { get; init; }
    /// <summary>Wall clock for idle detection and rates; tests inject their own.</summary>
    public TimeProvider Clock { get; init; } = TimeProvider.System;

    /// <summary>
    /// Periodic aligned checkpoints and recovery at start; null = off. With checkpoints on, a graceful stop
    /// takes a final checkpoint and does not fire open windows (they go on after a restart); at the end of a
    /// bounded input every window still fires.
    /// </summary>
    public CheckpointOptions? Checkpoint { get; init; }

    /// <summary>The worker count in effect.</summary>
    public int EffectiveWorkers => Workers > 0 ? Workers : Environment.ProcessorCount;

    /// <summary>Throws <see cref="ArgumentException"/> naming the first invalid setting.</summary>
    public PipelineOptions Validate()
    {
        if (Workers < 0) throw new ArgumentException($"Workers must be ≥ 0 (0 = one per core), got {Workers}.");
        if (BatchSize < 1) throw new ArgumentException($"BatchSize must be ≥ 1, got {BatchSize}.");
        if (ChannelCapacity < 1) throw new ArgumentException($"ChannelCapacity must be ≥ 1, got {ChannelCapacity}.");
        EventTime.Validate();
        Checkpoint?.Validate();
        return this;
    }
}
