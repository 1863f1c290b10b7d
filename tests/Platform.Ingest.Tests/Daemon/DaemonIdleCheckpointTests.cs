using System.Globalization;
using Platform.Ingest.Tests.DurableLog;

namespace Platform.Ingest.Tests.Daemon;

/// <summary>An ingest source with nothing to read still checkpoints on schedule (the log's tail is waitable).</summary>
public sealed class DaemonIdleCheckpointTests
{
    [Fact]
    public async Task HttpSource_NoRequests_CheckpointsKeepCompleting()
    {
        using var dir = new TempDir();
        var metricsPort = LoopbackPort.Free();
        var yaml = Path.Combine(dir.Path, "pipeline.yaml");
        File.WriteAllText(yaml, $"""
            name: ingest-idle
            source:
              type: http
              port: {LoopbackPort.Free()}
              log: {Path.Combine(dir.Path, "log")}
              fsync: interval
            {YamlSteps.CountPerSensorToNull()}
            checkpoint:
              dir: {Path.Combine(dir.Path, "checkpoints")}
              interval: 1s
            http:
              port: {metricsPort}
            """);
        using var daemon = new PlatformDaemon(yaml);
        await daemon.WaitListeningAsync();
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{metricsPort}/"), Timeout = TimeSpan.FromSeconds(10) };

        // No request is ever sent: before sources could wait, the engine checkpointed only between reads, so never.
        long completed = 0;
        for (var i = 0; i < 1200 && completed < 3; i++)
        {
            await Task.Delay(100, TestContext.Current.CancellationToken);
            var metrics = await http.GetStringAsync("metrics", TestContext.Current.CancellationToken);
            completed = metrics.Split('\n').Where(l => l.StartsWith("platform_engine_checkpoints_completed ", StringComparison.Ordinal))
                .Select(l => (long)double.Parse(l[(l.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture)).DefaultIfEmpty(0).Sum();
        }
        Assert.True(completed >= 3, $"{completed} checkpoints completed while idle; stderr: {daemon.Stderr}");
    }
}
