using System.Buffers;
using Platform.Engine.Batching;
using Platform.Engine.Contracts;
using Platform.Engine.Records;
using Platform.Engine.Windows;
using Platform.Host.Benchmarks;
using Platform.Operators.Anomaly;

namespace Platform.Bench.Anomaly;

/// <summary>
/// The iot-anomaly keyed stage with the anomaly ensemble on: every reading goes through
/// <see cref="WindowZScoreOperator"/> (the job as benchmarked elsewhere) and through an
/// <see cref="AnomalyDetectorOperator{T,TKey,TTime,TValue}"/> keyed by the same device × sensor.
/// The runtime has one keyed stage per pipeline, so the two share it; the window rows leave as the
/// job's output and the per-reading scores are counted (alerts) rather than shipped, so the sink
/// does the same work with the ensemble on and off.
/// </summary>
internal sealed class EnsembleWindowOperator : IKeyedOperator<Telemetry, ScoredWindow>, IBatchOutput<AnomalyScore>
{
    private readonly WindowZScoreOperator _windows;
    private readonly AnomalyDetectorOperator<Telemetry, TelemetrySensorKey, TelemetryEventTime, TelemetryValue> _detector;

    public EnsembleWindowOperator(IotJobSettings job, AnomalyDetectorOptions options)
    {
        _windows = new WindowZScoreOperator(job);
        _detector = new(options);
    }

    /// <summary>Readings scored by the ensemble.</summary>
    public long Scored { get; private set; }

    /// <summary>Readings at or above the alert threshold.</summary>
    public long Alerts { get; private set; }

    public void OnRecords(ReadOnlySpan<Telemetry> input, IBatchOutput<ScoredWindow> output)
    {
        _windows.OnRecords(input, output);
        _detector.OnRecords(input, this);
    }

    public void OnWatermark(long watermark, IBatchOutput<ScoredWindow> output)
    {
        _windows.OnWatermark(watermark, output);
        _detector.OnWatermark(watermark, this);
    }

    public void Emit(in AnomalyScore record)
    {
        Scored++;
        if (record.IsAlert) Alerts++;
    }

    public void Snapshot(IBufferWriter<byte> writer) => throw new NotSupportedException("Benchmark operator: no checkpoints.");

    public void Restore(ReadOnlySequence<byte> snapshot) => throw new NotSupportedException("Benchmark operator: no checkpoints.");
}
