using System.Text.Json;
using Platform.Host.Running;

namespace Platform.Ops.Tests;

public class RunCommandDashboardTests
{
    [Fact]
    public async Task RunAsync_WithHttpPort_ServesTheDashboardOfTheRunningPipeline()
    {
        using var dir = new TempDir();
        var path = PipelineYaml.WriteSample(dir, events: 0, rate: 20000);
        var port = LoopbackPort.Free();

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
}
