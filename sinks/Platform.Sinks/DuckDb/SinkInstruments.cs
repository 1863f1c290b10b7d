using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Platform.Sinks;

/// <summary>
/// The instruments every sink shares (records written, batches, write latency), tagged with the
/// sink's name. Uses the meter it is given, or owns one named <see cref="MeterName"/>.
/// </summary>
internal sealed class SinkInstruments : IDisposable
{
    public const string MeterName = "Platform.Sinks";

    private readonly Meter? _owned;
    private readonly Counter<long> _records;
    private readonly Counter<long> _batches;
    private readonly Histogram<double> _latency;
    private readonly KeyValuePair<string, object?> _tag;

    public SinkInstruments(string sinkName, Meter? meter)
    {
        _owned = meter is null ? new Meter(MeterName) : null;
        var m = meter ?? _owned!;
        _records = m.CreateCounter<long>("sink.records", "{record}", "Records written by a sink.");
        _batches = m.CreateCounter<long>("sink.batches", "{batch}", "Batches written by a sink.");
        _latency = m.CreateHistogram<double>("sink.write.duration", "ms", "Time a sink took to write one batch.");
        _tag = new KeyValuePair<string, object?>("sink", sinkName);
    }

    /// <summary>Records a batch of <paramref name="records"/> written since <paramref name="startTimestamp"/> (<see cref="Stopwatch.GetTimestamp"/>).</summary>
    public void Written(int records, long startTimestamp)
    {
        _records.Add(records, _tag);
        _batches.Add(1, _tag);
        _latency.Record(Stopwatch.GetElapsedTime(startTimestamp).TotalMilliseconds, _tag);
    }

    public void Dispose() => _owned?.Dispose();
}
