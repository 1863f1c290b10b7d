using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;
using MQTTnet;
using MQTTnet.Protocol;
using Platform.Connectors.DurableLog;
using Platform.Connectors.Mqtt;
using Platform.Ingest.Tests.DurableLog;
using Log = Platform.Connectors.DurableLog.DurableLog;

namespace Platform.Ingest.Tests.Mqtt;

/// <summary>Against the real mosquitto of tests/services/mosquitto.sh. One at a time: one test restarts the broker.</summary>
[Collection(nameof(MosquittoCollection))]
public sealed class MqttSourceTests(ITestOutputHelper output)
{
    private static HashSet<string> CorrelationIds(Log log)
    {
        var ids = new HashSet<string>(StringComparer.Ordinal);
        var reader = log.OpenReader(new DurableLogReaderOptions { Follow = false });
        while (reader.ReadAsync(default).AsTask().GetAwaiter().GetResult() is { } chunk)
        {
            using (chunk)
            {
                foreach (var line in Encoding.UTF8.GetString(chunk.Span).Split('\n', StringSplitOptions.RemoveEmptyEntries))
                {
                    var at = line.IndexOf("\"correlationId\":\"", StringComparison.Ordinal) + 17;
                    ids.Add(line[at..line.IndexOf('"', at)]);
                }
            }
        }
        reader.DisposeAsync().AsTask().GetAwaiter().GetResult();
        return ids;
    }

    [Fact]
    public async Task Qos1_100Devices_EveryMessageArrivesInTheLogWithDeviceIdFromTopic()
    {
        var ct = TestContext.Current.CancellationToken;
        var devices = 100;
        // The issue's 100 k (1,000 per device). PLATFORM_TEST_MQTT_MESSAGES_PER_DEVICE scales it.
        var perDevice = int.TryParse(Environment.GetEnvironmentVariable("PLATFORM_TEST_MQTT_MESSAGES_PER_DEVICE"), out var m) ? m : 1000;
        using var dir = new TempDir();
        await using var log = Log.Open(new DurableLogOptions { Directory = dir.Path, Fsync = FsyncPolicy.Always });
        var clientId = "platform-" + Guid.NewGuid().ToString("N");
        await using var source = new MqttSource(new MqttSourceOptions { Host = "127.0.0.1", Port = MosquittoBroker.Port, ClientId = clientId, Topics = [$"{clientId}/+/telemetry"], CleanStart = true }, log);
        await source.StartAsync(ct);
        var clock = Stopwatch.StartNew();
        var publishers = await Task.WhenAll(Enumerable.Range(0, devices).Select(d => MqttLoad.PublisherAsync($"{clientId}-pub{d}", ct)));
        await Task.WhenAll(publishers.Select((p, d) => Task.Run(async () =>
        {
            for (var n = 0; n < perDevice; n++)
            {
                var r = await p.PublishAsync(new MqttApplicationMessageBuilder().WithTopic($"{clientId}/dev{d}/telemetry").WithPayload(MqttLoad.Payload(d, n))
                    .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build(), ct);
                Assert.True(r.IsSuccess, r.ReasonString);
            }
        }, ct)));
        var published = clock.Elapsed;
        var total = devices * perDevice;
        // Bounded, not timed: generous for a loaded parallel suite (a quiet run takes ~10 s).
        while (source.Acknowledged < total && clock.Elapsed < TimeSpan.FromSeconds(240)) await Task.Delay(50, ct);
        output.WriteLine($"{total} QoS 1 messages from {devices} devices: broker accepted all at {published.TotalSeconds:F1} s, Platform acknowledged all at {clock.Elapsed.TotalSeconds:F1} s " +
            $"({total / clock.Elapsed.TotalSeconds:F0} msg/s); received {source.Received}, acked {source.Acknowledged}; {log.GroupsCommitted} group commits " +
            $"({(double)log.RecordsAppended / Math.Max(1, log.GroupsCommitted):F0} messages each), {log.Fsyncs} fsyncs");
        foreach (var p in publishers) p.Dispose();
        Assert.Equal(total, source.Acknowledged);
        var ids = CorrelationIds(log);
        Assert.Equal(total, ids.Count);
        await using var reader = log.OpenReader(new DurableLogReaderOptions { Follow = false });
        using var first = (await reader.ReadAsync(ct))!;
        Assert.Contains("{\"deviceId\":\"dev", Encoding.UTF8.GetString(first.Span), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Qos1_BrokerRestartMidRun_LosesNoAcceptedMessage_AndAcksOnlyWhatIsLogged()
    {
        var ct = TestContext.Current.CancellationToken;
        using var dir = new TempDir();
        await using var log = Log.Open(new DurableLogOptions { Directory = dir.Path, Fsync = FsyncPolicy.Always });
        var clientId = "platform-" + Guid.NewGuid().ToString("N");
        await using var source = new MqttSource(new MqttSourceOptions
        {
            Host = "127.0.0.1", Port = MosquittoBroker.Port, ClientId = clientId, Topics = [$"{clientId}/+/telemetry"],
            CleanStart = true, ReconnectMinDelay = TimeSpan.FromMilliseconds(50), ReconnectMaxDelay = TimeSpan.FromMilliseconds(500),
        }, log);
        await source.StartAsync(ct);
        var accepted = new ConcurrentBag<string>();
        const int devices = 10, perDevice = 1000;
        var workers = MqttLoad.PublishUntilAccepted(clientId, devices, perDevice, accepted, ct);
        var clock = Stopwatch.StartNew();
        // Mid-run: the broker has accepted a third, and Platform has acknowledged some of it.
        while ((accepted.Count < devices * perDevice / 3 || source.Acknowledged == 0) && clock.Elapsed < TimeSpan.FromSeconds(60)) await Task.Delay(10, ct);
        var ackedBefore = source.Acknowledged;
        await MosquittoBroker.RestartAsync(TimeSpan.FromMilliseconds(500));
        await Task.WhenAll(workers).WaitAsync(TimeSpan.FromSeconds(120), ct);
        var logged = CorrelationIds(log);
        clock.Restart();
        while (!accepted.All(logged.Contains) && clock.Elapsed < TimeSpan.FromSeconds(60))
        {
            await Task.Delay(200, ct);
            logged = CorrelationIds(log);
        }
        var missing = accepted.Where(a => !logged.Contains(a)).ToList();
        output.WriteLine($"accepted by the broker {accepted.Count}, received {source.Received}, acknowledged by Platform {source.Acknowledged} ({ackedBefore} before the restart), " +
            $"in the log {logged.Count} distinct / {log.RecordsAppended} records, connects {source.Connects}; missing {missing.Count}: {string.Join(", ", missing.Take(5))}");
        Assert.True(source.Connects >= 2, "the source reconnected after the broker restart");
        Assert.True(ackedBefore > 0 && source.Acknowledged > ackedBefore, "acknowledged before and after the restart");
        Assert.Empty(missing);
        Assert.True(source.Acknowledged <= log.RecordsAppended, "every PUBACK follows a commit");
    }
}

[CollectionDefinition(nameof(MosquittoCollection), DisableParallelization = true)]
public sealed class MosquittoCollection;
