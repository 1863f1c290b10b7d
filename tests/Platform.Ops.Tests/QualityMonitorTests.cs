using System.Text;
using Platform.Operators.Quality;

namespace Platform.Ops.Tests;

public class QualityMonitorTests
{
    private static readonly DateTimeOffset Start = new(2026, 11, 28, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Freshness_SourceStops_RaisesExactlyOneAlert_AndReArmsWhenDataReturns()
    {
        var clock = new ManualClock(Start);
        var alerts = new List<QualityAlert>();
        var monitor = new FreshnessMonitor("generator", new FreshnessOptions { MaxSilence = TimeSpan.FromSeconds(30) }, alerts.Add, clock);

        for (var i = 0; i < 120; i++) // two minutes of data, checked every second
        {
            monitor.Observe(500);
            clock.Advance(TimeSpan.FromSeconds(1));
            monitor.Check();
        }
        Assert.Empty(alerts);
        for (var i = 0; i < 600; i++) // the source stops for ten minutes
        {
            clock.Advance(TimeSpan.FromSeconds(1));
            monitor.Check();
        }

        var alert = Assert.Single(alerts);
        Assert.Equal("freshness", alert.Monitor);
        Assert.Equal("generator", alert.Subject);
        Assert.Equal(QualitySeverity.Critical, alert.Severity);
        Assert.InRange(alert.Observed, 30, 31);
        Assert.True(monitor.Stale);

        monitor.Observe(1);
        monitor.Check();
        Assert.False(monitor.Stale);
        clock.Advance(TimeSpan.FromSeconds(45));
        monitor.Check();
        Assert.Equal(2, alerts.Count);
    }

    [Fact]
    public void Volume_SustainedDrop_RaisesExactlyOneAlert_SteadyNoiseNone()
    {
        var clock = new ManualClock(Start);
        var alerts = new List<QualityAlert>();
        var monitor = new VolumeMonitor("generator", new VolumeOptions { Window = TimeSpan.FromSeconds(10), WarmUpWindows = 5 }, alerts.Add, clock);
        var random = new Random(7);

        void RunWindows(int windows, int perSecond)
        {
            for (var w = 0; w < windows; w++)
            {
                for (var s = 0; s < 10; s++)
                {
                    monitor.Observe(perSecond + random.Next(-20, 21));
                    clock.Advance(TimeSpan.FromSeconds(1));
                    monitor.Check();
                }
            }
        }

        RunWindows(30, 1000);
        Assert.Empty(alerts);
        Assert.InRange(monitor.Mean, 9_700, 10_300);

        RunWindows(20, 250); // the volume drops to a quarter and stays there

        var alert = Assert.Single(alerts);
        Assert.Equal("volume", alert.Monitor);
        Assert.Contains("drop", alert.Message, StringComparison.Ordinal);
        Assert.InRange(alert.Observed, 2_000, 3_000);
        Assert.True(alert.ExpectedLow > alert.Observed);
        Assert.True(monitor.OutOfBand);

        RunWindows(3, 1000); // back to normal: in band again, nothing new
        Assert.Single(alerts);
        Assert.False(monitor.OutOfBand);
    }

    [Fact]
    public void SchemaDrift_NewField_RaisesExactlyOneAlert()
    {
        var alerts = new List<QualityAlert>();
        var monitor = new SchemaDriftMonitor("sensors", new SchemaDriftOptions { WarmUpSamples = 100, WindowSamples = 50 }, alerts.Add);

        for (var i = 0; i < 300; i++) monitor.ObserveLine(Line(i));
        Assert.True(monitor.Learned);
        Assert.Empty(alerts);
        for (var i = 0; i < 500; i++) monitor.ObserveLine(Line(i, extra: ",\"firmware\":\"2.1.0\""));

        var alert = Assert.Single(alerts);
        Assert.Equal("schema-drift", alert.Monitor);
        Assert.Equal("sensors.firmware", alert.Subject);
        Assert.Contains("new field 'firmware' (string)", alert.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void SchemaDrift_RetypedMissingAndNullFields_EachRaiseOneAlert()
    {
        var alerts = new List<QualityAlert>();
        var monitor = new SchemaDriftMonitor("sensors", new SchemaDriftOptions { WarmUpSamples = 100, WindowSamples = 50, NullShare = 0.5 }, alerts.Add);
        for (var i = 0; i < 100; i++) monitor.ObserveLine(Line(i));

        for (var i = 0; i < 200; i++) monitor.ObserveLine(Encoding.UTF8.GetBytes($"{{\"deviceId\":\"d{i}\",\"timestamp\":\"2026-11-28T12:00:00Z\",\"sensorType\":\"temperature\",\"payload\":{{\"value\":1,\"unit\":\"C\"}}}}"));
        for (var i = 0; i < 200; i++) monitor.ObserveLine(Encoding.UTF8.GetBytes($"{{\"timestamp\":{i},\"sensorType\":\"temperature\",\"payload\":{{\"value\":1,\"unit\":\"C\"}}}}"));
        for (var i = 0; i < 200; i++) monitor.ObserveLine(Encoding.UTF8.GetBytes($"{{\"deviceId\":\"d{i}\",\"timestamp\":{i},\"sensorType\":null,\"payload\":{{\"value\":1,\"unit\":\"C\"}}}}"));

        Assert.Equal(3, alerts.Count);
        Assert.Contains(alerts, a => a.Subject == "sensors.timestamp" && a.Message.Contains("changed type: string, learned as number", StringComparison.Ordinal));
        Assert.Contains(alerts, a => a.Subject == "sensors.deviceId" && a.Message.Contains("missing", StringComparison.Ordinal));
        Assert.Contains(alerts, a => a.Subject == "sensors.sensorType" && a.Message.Contains("null in", StringComparison.Ordinal));
    }

    [Fact]
    public void SchemaDrift_Sample_TakesTheFirstLineAndOnePerSampleBytes()
    {
        var alerts = new List<QualityAlert>();
        var monitor = new SchemaDriftMonitor("s", new SchemaDriftOptions { SampleBytes = 1024, WarmUpSamples = 1_000_000 }, alerts.Add);
        var chunk = new StringBuilder();
        for (var i = 0; i < 1000; i++) chunk.Append(Encoding.UTF8.GetString(Line(i))).Append('\n');
        var bytes = Encoding.UTF8.GetBytes(chunk.ToString());

        monitor.Sample(bytes);

        var fields = monitor.Schema;
        Assert.Equal(JsonKinds.Number, fields["timestamp"]);
        Assert.Equal(JsonKinds.Object, fields["payload"]);
        Assert.Equal(4, fields.Count);
    }

    private static byte[] Line(int i, string extra = "") => Encoding.UTF8.GetBytes(
        $"{{\"deviceId\":\"device-{i % 50}\",\"timestamp\":{1_700_000_000_000L + i * 1000L},\"sensorType\":\"temperature\",\"payload\":{{\"value\":{20 + i % 7},\"unit\":\"C\"}}{extra}}}");
}
