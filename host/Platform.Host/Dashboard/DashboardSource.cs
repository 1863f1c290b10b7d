using System.Text.Json;
using Platform.Engine.Runtime;
using Platform.Sinks.Alerts;

namespace Platform.Host.Dashboard;

/// <summary>
/// Turns a running pipeline's counters into dashboard snapshots: totals, rates between two samples,
/// a records/s history for the sparkline, watermark lag, channel fill, checkpoint status and the
/// recent alerts of an <see cref="AlertFeed"/>. <see cref="Sample"/> is called by one timer
/// (<see cref="DashboardEndpoints"/>), so it needs no lock beyond publishing the latest bytes.
/// </summary>
internal sealed class DashboardSource
{
    /// <summary>Records/s points kept for the sparkline (60 s at the 500 ms cadence).</summary>
    public const int HistoryLength = 120;
    /// <summary>Rates are averaged over this span.</summary>
    public static readonly TimeSpan RateWindow = TimeSpan.FromSeconds(3);
    /// <summary>Alerts sent in each snapshot.</summary>
    public const int AlertsShown = 50;

    private volatile Generation _current;
    private readonly TimeProvider _clock;
    private readonly int _chunkCapacity;
    private readonly int _sinkCapacity;
    private readonly DateTimeOffset _started;
    private readonly Queue<double> _history = new();
    private readonly Queue<(DateTimeOffset At, long In, long Out)> _window = new();
    private DateTimeOffset _lastAt;
    private double _inRate;
    private double _outRate;
    private volatile byte[] _latest = [];

    public DashboardSource(PipelineDefinition definition, PipelineStats stats, AlertFeed alerts, TimeProvider? clock = null)
    {
        ArgumentNullException.ThrowIfNull(definition);
        _current = new Generation(definition.Graph, stats ?? throw new ArgumentNullException(nameof(stats)), CarriedTotals.None);
        var graph = definition.Graph;
        Alerts = alerts ?? throw new ArgumentNullException(nameof(alerts));
        _clock = clock ?? TimeProvider.System;
        // The engine's chunk channel holds two chunks per parse worker; batch channels hold ChannelCapacity.
        var workers = graph.Stages.FirstOrDefault(s => s.Kind == StageKind.Parse)?.Parallelism ?? definition.Options.EffectiveWorkers;
        _chunkCapacity = Math.Max(2, workers * 2);
        _sinkCapacity = definition.Options.ChannelCapacity;
        _started = _lastAt = _clock.GetUtcNow();
    }

    /// <summary>
    /// Shows another run of the pipeline (after a hot reload): its graph and live counters, on top of the
    /// totals of the runs before it, so counters keep rising across a reload.
    /// </summary>
    public void Attach(PipelineDefinition definition, PipelineStats stats, CarriedTotals carried)
    {
        ArgumentNullException.ThrowIfNull(definition);
        ArgumentNullException.ThrowIfNull(stats);
        _current = new Generation(definition.Graph, stats, carried);
    }

    /// <summary>Monitors and side operators shown after the graph (e.g. <c>anomaly ≥ 0.999</c>, <c>freshness 30s</c>).</summary>
    public IReadOnlyList<string> SideStages { get; set; } = [];

    /// <summary>Hot reloads applied so far (shown on the page).</summary>
    public int Reloads { get; set; }

    /// <summary>The feed whose recent alerts the page lists; alert-producing stages publish into it.</summary>
    public AlertFeed Alerts { get; }

    /// <summary>Checkpoint status provider; null shows "off".</summary>
    public Func<DashboardCheckpoint?>? Checkpoints { get; set; }

    /// <summary>Shown next to the pipeline name: running, draining, stopped, failed.</summary>
    public string Status { get; set; } = "running";

    /// <summary>The latest snapshot as UTF-8 JSON (empty before the first <see cref="Sample"/>).</summary>
    public ReadOnlyMemory<byte> Latest => _latest;

    /// <summary>Reads the counters, updates rates and history, and returns the snapshot JSON.</summary>
    public byte[] Sample()
    {
        var now = _clock.GetUtcNow();
        var current = _current;
        var stats = current.Stats;
        var carried = current.Carried;
        var recordsIn = carried.RecordsIn + stats.Records;
        var recordsOut = carried.RecordsOut + stats.Output;
        var seconds = (now - _lastAt).TotalSeconds;
        if (seconds > 0.05)
        {
            // Rates over the last RateWindow: windows fire in bursts, so a per-sample rate of the
            // output side would jump between zero and a spike.
            _window.Enqueue((now, recordsIn, recordsOut));
            while (_window.Count > 2 && now - _window.Peek().At > RateWindow) _window.Dequeue();
            var (oldAt, oldIn, oldOut) = _window.Count > 1 ? _window.Peek() : (_started, 0L, 0L);
            var span = Math.Max(0.05, (now - oldAt).TotalSeconds);
            _inRate = Math.Max(0, recordsIn - oldIn) / span;
            _outRate = Math.Max(0, recordsOut - oldOut) / span;
            _lastAt = now;
            _history.Enqueue(_inRate);
            while (_history.Count > HistoryLength) _history.Dequeue();
        }

        using var buffer = new MemoryStream(4096);
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("pipeline", current.Graph.Name);
            json.WriteString("status", Status);
            json.WriteNumber("reloads", Reloads);
            json.WriteNumber("time", now.ToUnixTimeMilliseconds());
            json.WriteNumber("uptimeSeconds", Math.Round((now - _started).TotalSeconds, 1));

            json.WriteStartArray("stages");
            foreach (var stage in current.Graph.Stages)
            {
                json.WriteStartObject();
                json.WriteString("name", stage.Name);
                json.WriteString("kind", stage.Kind.ToString().ToLowerInvariant());
                json.WriteNumber("parallelism", stage.Parallelism);
                json.WriteBoolean("fused", stage.FusedWithPrevious);
                json.WriteNumber("recordsPerSecond", Math.Round(stage.Kind == StageKind.Sink ? _outRate : _inRate, 1));
                json.WriteEndObject();
            }
            foreach (var side in SideStages)
            {
                json.WriteStartObject();
                json.WriteString("name", side);
                json.WriteString("kind", "monitor");
                json.WriteNumber("parallelism", 1);
                json.WriteBoolean("fused", false);
                json.WriteNumber("recordsPerSecond", Math.Round(_inRate, 1));
                json.WriteEndObject();
            }
            json.WriteEndArray();

            json.WriteStartObject("counters");
            json.WriteNumber("recordsIn", recordsIn);
            json.WriteNumber("recordsOut", recordsOut);
            json.WriteNumber("deadLetters", carried.DeadLetters + stats.Rejected);
            json.WriteNumber("late", carried.Late + stats.Late);
            json.WriteNumber("bytes", carried.Bytes + stats.Bytes);
            json.WriteEndObject();

            json.WriteStartObject("rates");
            json.WriteNumber("inPerSecond", Math.Round(_inRate, 1));
            json.WriteNumber("outPerSecond", Math.Round(_outRate, 1));
            json.WriteStartArray("history");
            foreach (var r in _history) json.WriteNumberValue(Math.Round(r, 1));
            json.WriteEndArray();
            json.WriteEndObject();

            json.WriteStartObject("watermark");
            var watermark = stats.CurrentWatermark;
            if (watermark == long.MinValue)
            {
                json.WriteNull("time");
                json.WriteNull("lagMs");
            }
            else
            {
                json.WriteNumber("time", watermark);
                json.WriteNumber("lagMs", now.ToUnixTimeMilliseconds() - watermark);
            }
            json.WriteEndObject();

            json.WriteStartObject("queues");
            json.WriteNumber("chunk", stats.ChunkQueueDepth);
            json.WriteNumber("chunkCapacity", _chunkCapacity);
            json.WriteNumber("sink", stats.SinkQueueDepth);
            json.WriteNumber("sinkCapacity", _sinkCapacity);
            json.WriteEndObject();

            json.WriteStartObject("checkpoint");
            if (Checkpoints?.Invoke() is { } cp)
            {
                json.WriteString("status", cp.Status);
                if (cp.LastId is { } id) json.WriteNumber("lastId", id);
                if (cp.LastCompleted is { } at) json.WriteNumber("lastCompleted", at.ToUnixTimeMilliseconds());
                if (cp.LastDuration is { } d) json.WriteNumber("lastDurationMs", Math.Round(d.TotalMilliseconds, 1));
            }
            else
            {
                json.WriteString("status", "off");
            }
            json.WriteEndObject();

            json.WriteNumber("alertsPublished", Alerts.Published);
            json.WriteStartArray("alerts");
            foreach (var alert in Alerts.Recent(AlertsShown))
            {
                json.WriteStartObject();
                json.WriteNumber("time", alert.Time.ToUnixTimeMilliseconds());
                json.WriteString("key", alert.Key);
                json.WriteString("severity", alert.Severity.ToString().ToLowerInvariant());
                Number(json, "value", alert.Value);
                Number(json, "score", alert.Score);
                Number(json, "expectedLow", alert.ExpectedLow);
                Number(json, "expectedHigh", alert.ExpectedHigh);
                json.WriteString("source", alert.Source);
                json.WriteString("message", alert.Message);
                json.WriteEndObject();
            }
            json.WriteEndArray();
            json.WriteEndObject();
        }
        var bytes = buffer.ToArray();
        _latest = bytes;
        return bytes;
    }

    private static void Number(Utf8JsonWriter json, string name, double value)
    {
        if (double.IsFinite(value)) json.WriteNumber(name, Math.Round(value, 4));
        else json.WriteNull(name);
    }
}

/// <summary>Totals of the runs before the current one (hot reloads), added to its live counters.</summary>
internal sealed record CarriedTotals(long RecordsIn, long RecordsOut, long DeadLetters, long Late, long Bytes)
{
    public static CarriedTotals None { get; } = new(0, 0, 0, 0, 0);

    public CarriedTotals Add(PipelineStats s) => new(RecordsIn + s.Records, RecordsOut + s.Output, DeadLetters + s.Rejected, Late + s.Late, Bytes + s.Bytes);
}

/// <summary>The run the dashboard shows.</summary>
internal sealed record Generation(PipelineGraph Graph, PipelineStats Stats, CarriedTotals Carried);
