using System.Collections.Concurrent;
using System.Diagnostics;
using Platform.Ingest.Tests.DurableLog;
using Platform.Ingest.Tests.Mqtt;

namespace Platform.Ingest.Tests.Daemon;

/// <summary>
/// The daemon with an MQTT source, killed with SIGKILL while devices publish QoS 1: whatever it
/// acknowledged (PUBACK) must be in its durable log, because the broker never redelivers an
/// acknowledged message. A PUBACK sent before the log write would show up here as a missing message.
/// </summary>
[Collection(nameof(MosquittoCollection))]
public sealed class DaemonMqttKillTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Sigkill_WhileDevicesPublish_EveryMessageTheBrokerAcceptedIsInTheLogAfterRestart()
    {
        var ct = TestContext.Current.CancellationToken;
        using var dir = new TempDir();
        var clientId = "platform-" + Guid.NewGuid().ToString("N");
        var logDir = Path.Combine(dir.Path, "log");
        var yaml = Path.Combine(dir.Path, "pipeline.yaml");
        File.WriteAllText(yaml, $"""
            name: mqtt-kill
            source:
              type: mqtt
              host: 127.0.0.1
              port: {MosquittoBroker.Port}
              client-id: {clientId}
              topics: [{clientId}/+/telemetry]
              log: {logDir}
            {YamlSteps.CountPerSensorToNull()}
            http:
              port: 0
            """);
        var accepted = new ConcurrentBag<string>();
        const int devices = 10, perDevice = 1000;
        Task[] workers;
        int loggedAtKill;
        using (var first = new PlatformDaemon(yaml))
        {
            await first.WaitForAsync("mqtt: connected");
            workers = MqttLoad.PublishUntilAccepted(clientId, devices, perDevice, accepted, ct);
            var clock = Stopwatch.StartNew();
            while (MqttLoad.CorrelationIdsInFiles(logDir).Count < 1000 && clock.Elapsed < TimeSpan.FromSeconds(120)) await Task.Delay(50, ct);
            first.Process.Kill(); // SIGKILL, mid-run: acknowledged, in flight and queued messages alike
            await first.Process.WaitForExitAsync(ct);
            loggedAtKill = MqttLoad.CorrelationIdsInFiles(logDir).Count;
        }
        using var second = new PlatformDaemon(yaml);
        await second.WaitForAsync("mqtt: connected");
        await Task.WhenAll(workers).WaitAsync(TimeSpan.FromSeconds(180), ct);
        var logged = MqttLoad.CorrelationIdsInFiles(logDir);
        var wait = Stopwatch.StartNew();
        while (!accepted.All(logged.Contains) && wait.Elapsed < TimeSpan.FromSeconds(120))
        {
            await Task.Delay(200, ct);
            logged = MqttLoad.CorrelationIdsInFiles(logDir);
        }
        var missing = accepted.Where(a => !logged.Contains(a)).ToList();
        output.WriteLine($"accepted by the broker {accepted.Count}; in the log at the kill {loggedAtKill}, at the end {logged.Count}; missing {missing.Count}: {string.Join(", ", missing.Take(5))}");
        Assert.True(loggedAtKill >= 1000 && loggedAtKill < devices * perDevice, $"killed mid-run ({loggedAtKill} logged)");
        Assert.Equal(devices * perDevice, accepted.Count);
        Assert.Empty(missing);
    }
}
