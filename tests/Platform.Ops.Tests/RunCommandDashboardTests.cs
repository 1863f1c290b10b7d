using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Platform.Host.Running;

namespace Platform.Ops.Tests;

public class RunCommandDashboardTests
{
    [Fact]
    public async Task RunAsync_WithHttpPort_ServesTheDashboardOfTheRunningPipeline()
    {
        using var dir = new TempDir();
        var yaml = File.ReadAllText(Path.Combine(RepoPaths.Root, "samples", "iot-anomaly", "pipeline.yaml"))
            .Replace("events: 2000000", "events: 0", StringComparison.Ordinal)
            .Replace("rate: 0 ", "rate: 20000 ", StringComparison.Ordinal)
            .Replace("path: out/iot-anomaly.duckdb", $"path: {dir.File("iot.duckdb")}", StringComparison.Ordinal)
            .Replace("path: out/iot-anomaly.dlq.ndjson", $"path: {dir.File("iot.dlq.ndjson")}", StringComparison.Ordinal);
        var path = dir.File("pipeline.yaml");
        File.WriteAllText(path, yaml);
        var port = FreePort();

        var run = RunCommand.RunAsync(new RunCommand.RunRequest(path, null, TimeSpan.FromSeconds(6), 2, port, null));
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}/"), Timeout = TimeSpan.FromSeconds(5) };
        JsonElement? snapshot = null;
        for (var i = 0; i < 40 && snapshot is null && !run.IsCompleted; i++)
        {
            try
            {
                using var doc = JsonDocument.Parse(await http.GetStringAsync("dashboard/snapshot"));
                if (doc.RootElement.GetProperty("counters").GetProperty("recordsIn").GetInt64() > 0) snapshot = doc.RootElement.Clone();
            }
            catch (HttpRequestException) { }
            catch (JsonException) { }
            if (snapshot is null) await Task.Delay(250);
        }

        Assert.Equal(0, await run);
        Assert.NotNull(snapshot);
        Assert.Equal("iot-anomaly", snapshot.Value.GetProperty("pipeline").GetString());
        Assert.True(snapshot.Value.GetProperty("stages").GetArrayLength() >= 4);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
