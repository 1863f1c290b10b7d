using System.Diagnostics.Metrics;
using Platform.Engine.Runtime;

namespace Platform.Engine.Metrics;

/// <summary>
/// The engine's instruments, read from a pipeline's <see cref="PipelineStats"/> when a listener
/// collects (observable instruments: nothing is recorded per record). One meter per running
/// pipeline, tagged with its name, so several pipelines in one process stay apart.
/// </summary>
public sealed class EngineMetrics : IDisposable
{
    /// <summary>The meter name every engine instrument is published under.</summary>
    public const string MeterName = "Platform.Engine";

    private readonly Meter _meter;

    /// <summary>Publishes <paramref name="stats"/> of pipeline <paramref name="pipeline"/>.</summary>
    public EngineMetrics(string pipeline, PipelineStats stats)
    {
        _meter = new Meter(MeterName, version: null, tags: [new("pipeline", pipeline)]);
        _meter.CreateObservableCounter("records_in", () => stats.Records, "{record}", "Records parsed from sources.");
        _meter.CreateObservableCounter("bytes_in", () => stats.Bytes, "By", "Bytes read from sources.");
        _meter.CreateObservableCounter("dead_letters", () => stats.Rejected, "{record}", "Records rejected by parsers and sent to the dead-letter queue.");
        _meter.CreateObservableCounter("records_out", () => stats.Output, "{record}", "Records written to sinks.");
        _meter.CreateObservableCounter("late_records", () => stats.Late, "{record}", "Records that arrived after their window fired.");
        _meter.CreateObservableGauge("watermark", () => stats.CurrentWatermark == long.MinValue ? 0 : stats.CurrentWatermark, "ms", "Event-time watermark (Unix ms), lowest over keyed workers.");
        _meter.CreateObservableGauge("chunk_queue_depth", () => stats.ChunkQueueDepth, "{chunk}", "Chunks waiting for a parse worker (source ahead of parsing).");
        _meter.CreateObservableCounter("checkpoints_completed", () => stats.CheckpointsCompleted, "{checkpoint}", "Checkpoints completed.");
        _meter.CreateObservableGauge("checkpoint_last_id", () => stats.LastCheckpointId, "{checkpoint}", "Id of the newest complete checkpoint.");
        _meter.CreateObservableGauge("checkpoint_duration", () => stats.LastCheckpointDuration.TotalSeconds, "s", "Duration of the newest checkpoint, barrier injection to manifest on disk.");
        _meter.CreateObservableGauge("checkpoint_size", () => stats.LastCheckpointBytes, "By", "Bytes of the newest checkpoint's state files.");
        _meter.CreateObservableGauge("checkpoint_alignment", () => stats.LastAlignmentTime.TotalSeconds, "s", "Longest barrier alignment wait of the newest checkpoint.");
        _meter.CreateObservableGauge("sink_queue_depth", () => stats.SinkQueueDepth, "{batch}", "Batches waiting for sinks (backpressure from sinks).");
    }

    /// <summary>Stops publishing.</summary>
    public void Dispose() => _meter.Dispose();
}
