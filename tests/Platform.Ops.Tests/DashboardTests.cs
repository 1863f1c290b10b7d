using System.Text;
using System.Text.Json;
using Platform.Sinks.Alerts;

namespace Platform.Ops.Tests;

public class DashboardTests
{
    [Fact]
    public async Task Events_RunningPipeline_StreamsSnapshotsWithRisingCountersAndPublishedAlerts()
    {
        await using var fixture = await DashboardFixture.StartAsync(rate: 20_000);
        using var http = new HttpClient { BaseAddress = fixture.Address, Timeout = TimeSpan.FromSeconds(30) };

        var page = await http.GetStringAsync("/dashboard");
        Assert.Contains("<title>Platform dashboard</title>", page, StringComparison.Ordinal);
        Assert.Contains("text/javascript", (await http.GetAsync("/dashboard/app.js")).Content.Headers.ContentType!.ToString(), StringComparison.Ordinal);
        Assert.Equal(200, (int)(await http.GetAsync("/metrics")).StatusCode);

        using var response = await http.GetAsync("/dashboard/events", HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType!.MediaType);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(), Encoding.UTF8);

        var first = await NextSnapshotAsync(reader, s => s.GetProperty("counters").GetProperty("recordsIn").GetInt64() > 0);
        fixture.Alerts.Publish(new Alert("device-3/vibration", DateTimeOffset.UtcNow, 12.5, 9.1, 0, 4, "vibration spike", AlertSeverity.Critical, "anomaly"));
        var second = await NextSnapshotAsync(reader, s => s.GetProperty("alerts").GetArrayLength() > 0);

        Assert.True(second.GetProperty("counters").GetProperty("recordsIn").GetInt64() > first.GetProperty("counters").GetProperty("recordsIn").GetInt64());
        Assert.Equal(fixture.Graph.Stages.Count, second.GetProperty("stages").GetArrayLength());
        Assert.Equal("off", second.GetProperty("checkpoint").GetProperty("status").GetString());
        var alert = second.GetProperty("alerts")[0];
        Assert.Equal("device-3/vibration", alert.GetProperty("key").GetString());
        Assert.Equal("critical", alert.GetProperty("severity").GetString());
    }

    [Fact]
    public void AlertFeed_KeepsTheNewestUpToCapacity_NewestFirst()
    {
        var feed = new AlertFeed(capacity: 3);
        for (var i = 0; i < 5; i++) feed.Publish(new Alert("k" + i, DateTimeOffset.UnixEpoch, i, 0, 0, 0, "", AlertSeverity.Info, "test"));

        Assert.Equal(5, feed.Published);
        Assert.Equal(new[] { "k4", "k3", "k2" }, feed.Recent().Select(a => a.Key));
        Assert.Equal(new[] { "k4" }, feed.Recent(1).Select(a => a.Key));
    }

    private static async Task<JsonElement> NextSnapshotAsync(StreamReader reader, Func<JsonElement, bool> until)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        while (true)
        {
            var line = await reader.ReadLineAsync(timeout.Token) ?? throw new EndOfStreamException("event stream ended");
            if (!line.StartsWith("data: ", StringComparison.Ordinal)) continue;
            var snapshot = JsonDocument.Parse(line["data: ".Length..]).RootElement.Clone();
            if (until(snapshot)) return snapshot;
        }
    }
}
