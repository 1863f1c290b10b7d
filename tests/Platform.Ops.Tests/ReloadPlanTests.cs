using System.Buffers;
using Platform.Engine.Batching;
using Platform.Engine.Records;
using Platform.Engine.Symbols;
using Platform.Engine.Windows;
using Platform.Host.Config;
using Platform.Host.Running;
using Platform.Operators.Anomaly;
using Platform.Operators.Quality;
using Platform.Sinks.Alerts;

namespace Platform.Ops.Tests;

public class ReloadPlanTests
{
    private static PipelineConfig Config(string steps, string extra = "") => PipelineConfigLoader.Parse($"""
        name: plan
        source:
          type: generator
          events: 1000
        steps:
          - op: key-by
            fields: [deviceId, sensorType]
          - op: window
            kind: tumbling
            size: {steps}
          - op: aggregate
            functions: [count]
        {extra}sinks:
          - type: null

        """, "plan.yaml").Config ?? throw new InvalidOperationException("invalid");

    private const string Volume3 = "  - op: volume\n    tolerance: 3\n";
    private const string Volume5 = "  - op: volume\n    tolerance: 5\n";
    private const string Anomaly = "  - op: anomaly\n    threshold: 0.99\n";

    [Fact]
    public void Decide_ClassifiesChanges()
    {
        var running = Config("10s", Volume3);

        Assert.Equal(ReloadKind.None, ReloadPlan.Decide(running, Config("10s", Volume3), checkpointsOn: true).Kind);
        Assert.Equal(ReloadKind.Live, ReloadPlan.Decide(running, Config("10s", Volume5), checkpointsOn: false).Kind);
        Assert.Equal(ReloadKind.Restart, ReloadPlan.Decide(running, Config("10s", Volume5 + Anomaly), checkpointsOn: true).Kind);
        var noCheckpoint = ReloadPlan.Decide(running, Config("10s", Volume3 + Anomaly), checkpointsOn: false);
        Assert.Equal(ReloadKind.Rejected, noCheckpoint.Kind);
        Assert.Contains("checkpoint", noCheckpoint.Reason, StringComparison.Ordinal);
        var window = ReloadPlan.Decide(running, Config("20s", Volume3), checkpointsOn: true);
        Assert.Equal(ReloadKind.Rejected, window.Kind);
        Assert.Contains("window", window.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void KeyFreshness_SilentKeyWhileOthersGoOn_OneAlert_SurvivesSnapshot()
    {
        var alerts = new List<QualityAlert>();
        var monitor = new KeyFreshnessMonitor(TimeSpan.FromSeconds(60), k => "key-" + k, alerts.Add);
        for (long t = 0; t < 600_000; t += 1000)
        {
            monitor.Observe(1, t);
            if (t < 120_000) monitor.Observe(2, t); // key 2 stops after two minutes
            monitor.OnWatermark(t);
        }

        var alert = Assert.Single(alerts);
        Assert.Equal("key-2", alert.Subject);
        Assert.InRange(alert.Observed, 60, 76);

        var buffer = new ArrayBufferWriter<byte>();
        monitor.Snapshot(buffer);
        var restored = new KeyFreshnessMonitor(TimeSpan.FromSeconds(60), k => "key-" + k, alerts.Add);
        restored.Restore(buffer.WrittenSpan);
        Assert.Equal(2, restored.KeyCount);
        restored.OnWatermark(700_000);
        Assert.Equal(2, alerts.Count); // key 1 is now silent for 101 s; key 2 was alerted before the snapshot, not again
        Assert.Equal("key-1", alerts[1].Subject);
        Assert.Single(alerts, a => a.Subject == "key-2");
    }

    [Fact]
    public async Task KeyedStage_SnapshotWithSideOperators_RestoresWindowsIntoAnyShape()
    {
        await using var hub = new AlertHub(new AlertFeed());
        var symbols = new SymbolTable();
        var windows = new WindowOperatorOptions { Spec = WindowSpec.Tumbling(TimeSpan.FromSeconds(10)) }.Validate();
        TelemetryKeyedStage<TelemetrySensorKey> Stage(bool sides) => new(windows, null,
            sides ? new AnomalyDetectorOptions { Detectors = AnomalyDetectors.RobustZ } : null, sides ? TimeSpan.FromMinutes(1) : TimeSpan.Zero, k => k.ToString(System.Globalization.CultureInfo.InvariantCulture), hub, null);
        var device = symbols.Intern("d1"u8);
        var sensor = symbols.Intern("temperature"u8);
        var records = Enumerable.Range(0, 50).Select(i => new Telemetry { Device = device, Sensor = sensor, Timestamp = 1_000 + i * 100, Value = i }).ToArray();

        var full = Stage(sides: true);
        full.OnRecords(records, new Discard());
        var snapshot = new ArrayBufferWriter<byte>();
        full.Snapshot(snapshot);

        foreach (var sides in new[] { true, false })
        {
            var restored = Stage(sides);
            restored.Restore(new ReadOnlySequence<byte>(snapshot.WrittenMemory));
            var output = new Collect();
            restored.OnWatermark(long.MaxValue, output);
            var result = Assert.Single(output.Results);
            Assert.Equal(50, result.Count);
        }
    }

    private sealed class Discard : IBatchOutput<WindowResult>
    {
        public void Emit(in WindowResult record) { }
    }

    private sealed class Collect : IBatchOutput<WindowResult>
    {
        public List<WindowResult> Results { get; } = [];
        public void Emit(in WindowResult record) => Results.Add(record);
    }
}
