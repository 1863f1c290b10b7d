using System.Text.Json;
using DuckDB.NET.Data;
using Platform.Sinks.Alerts;
using Platform.Sinks.Alerts.Recording;

namespace Platform.Ops.Tests;

/// <summary>alerts.record targets: every alert is kept, unthrottled and in batches, beyond what the notification queue holds.</summary>
public sealed class AlertRecorderTests
{
    private static Alert Numbered(int i, AlertSeverity severity = AlertSeverity.Info) =>
        new($"dev-{i % 50}", DateTimeOffset.FromUnixTimeMilliseconds(1_767_225_600_000 + i), i, 0.5, 0, 100, $"alert {i}", severity, "geofence-enter");

    [Fact]
    public async Task Hub_RecordOnlySink_KeepsEveryAlertPastTheNotificationQueue()
    {
        using var dir = new TempDir();
        var path = dir.File("alerts.duckdb");
        var count = AlertHub.QueueCapacity * 3;
        await using (var hub = new AlertHub(new AlertFeed(), new AlertNotificationSink(new AlertNotificationOptions(), [], recorders: [new DuckDbAlertRecorder(path)])))
        {
            for (var i = 0; i < count; i++) hub.Publish(Numbered(i));
            Assert.Equal(0, hub.Dropped);
        }

        using var connection = new DuckDBConnection($"Data Source={path};ACCESS_MODE=READ_ONLY");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT count(*), count(DISTINCT message), max(value), min(alert_time), any_value(severity) FROM alerts";
        using var reader = command.ExecuteReader();
        reader.Read();
        Assert.Equal(count, reader.GetInt64(0));
        Assert.Equal(count, reader.GetInt64(1));
        Assert.Equal(count - 1, reader.GetDouble(2));
        Assert.Equal(new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc), DateTime.SpecifyKind(reader.GetDateTime(3), DateTimeKind.Utc));
        Assert.Equal("info", reader.GetString(4));
    }

    [Fact]
    public void Kafka_NoBootstrap_StartsAMockClusterAndDeliversEveryAlert()
    {
        var recorder = new KafkaAlertRecorder(null, "alerts-" + Guid.NewGuid().ToString("N")[..8]);
        for (var i = 0; i < 500; i++) recorder.Record(Numbered(i, AlertSeverity.Critical));

        recorder.Dispose();

        Assert.Contains("mock cluster", recorder.Name, StringComparison.Ordinal);
        Assert.Equal((500L, 0L, 0L), (recorder.Written, recorder.Failed, recorder.Dropped));
    }

    [Fact]
    public void Kafka_Encode_OneJsonObjectWithEveryField()
    {
        var alert = new Alert("dev-7/temperature", new DateTimeOffset(2026, 1, 1, 0, 0, 1, TimeSpan.Zero), 51.5, 1, double.NaN, 45, "value 51.5 above", AlertSeverity.Warning, "device-limits");

        using var json = JsonDocument.Parse(KafkaAlertRecorder.Encode(alert));

        var root = json.RootElement;
        Assert.Equal("dev-7/temperature", root.GetProperty("key").GetString());
        Assert.Equal("2026-01-01T00:00:01Z", root.GetProperty("time").GetString());
        Assert.Equal(51.5, root.GetProperty("value").GetDouble());
        Assert.Equal(JsonValueKind.Null, root.GetProperty("expectedLow").ValueKind);
        Assert.Equal(("warning", "device-limits"), (root.GetProperty("severity").GetString(), root.GetProperty("source").GetString()));
    }
}
