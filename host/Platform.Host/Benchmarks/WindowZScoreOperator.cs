using System.Buffers;
using Platform.Engine.Batching;
using Platform.Engine.Contracts;
using Platform.Engine.Records;
using Platform.Engine.Symbols;
using Platform.Engine.Windows;

namespace Platform.Host.Benchmarks;

/// <summary>A fired window with its z-score against the key's earlier windows.</summary>
public struct ScoredWindow
{
    /// <summary>The window's statistics.</summary>
    public WindowResult Window;
    /// <summary>z of the window mean against the key's earlier window means (NaN while the history is short or flat).</summary>
    public double Z;
    /// <summary>|z| above the threshold.</summary>
    public bool Alert;
}

/// <summary>
/// The iot-anomaly keyed stage as one operator (the runtime has one keyed stage per pipeline): a
/// <see cref="WindowStatsOperator{TIn, TKey, TTime, TValue}"/> whose fired windows are scored per key
/// (<see cref="ZScoreState"/>) before they leave. Single-threaded, one instance per keyed worker.
/// Steady state allocates nothing but table growth for new keys.
/// </summary>
public sealed class WindowZScoreOperator : IKeyedOperator<Telemetry, ScoredWindow>, IBatchOutput<WindowResult>, IKeyPrefetch
{
    private readonly WindowStatsOperator<Telemetry, TelemetrySensorKey, TelemetryEventTime, TelemetryValue> _windows;
    private readonly KeyedTable<ZScoreState> _history = new();
    private readonly double _threshold;
    private readonly int _minHistory;
    private IBatchOutput<ScoredWindow>? _out;

    /// <summary>Creates the operator for <paramref name="job"/>.</summary>
    public WindowZScoreOperator(IotJobSettings job)
    {
        _windows = new(new WindowOperatorOptions { Spec = WindowSpec.Tumbling(job.WindowMs) });
        _threshold = job.ZThreshold;
        _minHistory = job.MinHistory;
    }

    /// <summary>Keys with history.</summary>
    public int Keys => _history.Count;

    /// <summary>Approximate bytes of state: the window operator's plus the history map's.</summary>
    public long StateBytes => _windows.StateBytes + _history.FootprintBytes;

    /// <inheritdoc />
    public void OnRecords(ReadOnlySpan<Telemetry> input, IBatchOutput<ScoredWindow> output)
    {
        _out = output;
        _windows.OnRecords(input, this);
    }

    /// <inheritdoc />
    public void OnWatermark(long watermark, IBatchOutput<ScoredWindow> output)
    {
        _out = output;
        _windows.OnWatermark(watermark, this);
    }

    /// <summary>Scores a fired window (called by the inner window operator).</summary>
    void IBatchOutput<WindowResult>.Emit(in WindowResult record)
    {
        ref var h = ref _history.GetOrAdd(record.Key);
        var z = h.ScoreAndAdd(record.Mean, _minHistory);
        var scored = new ScoredWindow { Window = record, Z = z, Alert = ZScoreState.IsAlert(z, _threshold) };
        _out!.Emit(in scored);
    }

    /// <summary>Starts loading a key's history while the window operator fires the windows before it.</summary>
    void IKeyPrefetch.Prefetch(long key) => _history.Prefetch(key);

    /// <inheritdoc />
    public void Snapshot(IBufferWriter<byte> writer) => _windows.Snapshot(writer);

    /// <inheritdoc />
    public void Restore(ReadOnlySequence<byte> snapshot) => _windows.Restore(snapshot);
}
