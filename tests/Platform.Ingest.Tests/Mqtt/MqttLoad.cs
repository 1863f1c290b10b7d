using System.Collections.Concurrent;
using System.Text;
using MQTTnet;
using MQTTnet.Protocol;
using Platform.Connectors.DurableLog;

namespace Platform.Ingest.Tests.Mqtt;

/// <summary>Simulated devices for the MQTT tests, and a read-only view of a durable log's files.</summary>
internal static class MqttLoad
{
    public static string Payload(int device, int n) =>
        $$"""{"timestamp":"2026-05-01T12:00:00.000Z","sensorType":"temperature","payload":{"value":{{n}},"unit":"Celsius"},"correlationId":"d{{device}}-{{n}}"}""";

    public static async Task<IMqttClient> PublisherAsync(string id, CancellationToken ct)
    {
        var client = new MqttClientFactory().CreateMqttClient();
        await client.ConnectAsync(new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", MosquittoBroker.Port).WithClientId(id)
            .WithProtocolVersion(MQTTnet.Formatter.MqttProtocolVersion.V500).WithTimeout(TimeSpan.FromSeconds(5)).Build(), ct);
        return client;
    }

    /// <summary>
    /// Devices publishing QoS 1 to <c>{prefix}/dev{d}/telemetry</c>, each message retried (reconnecting) until the broker
    /// acknowledges it; what the broker acknowledged is added to <paramref name="accepted"/> as <c>d{device}-{n}</c>.
    /// </summary>
    public static Task[] PublishUntilAccepted(string prefix, int devices, int perDevice, ConcurrentBag<string> accepted, CancellationToken ct) =>
        Enumerable.Range(0, devices).Select(d => Task.Run(async () =>
        {
            IMqttClient? p = null;
            for (var n = 0; n < perDevice; n++)
            {
                while (true)
                {
                    try
                    {
                        p ??= await PublisherAsync($"{prefix}-pub{d}", ct);
                        var r = await p.PublishAsync(new MqttApplicationMessageBuilder().WithTopic($"{prefix}/dev{d}/telemetry").WithPayload(Payload(d, n))
                            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build(), ct);
                        if (r.IsSuccess)
                        {
                            accepted.Add($"d{d}-{n}");
                            break;
                        }
                    }
                    catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
                    {
                        p?.Dispose();
                        p = null;
                        await Task.Delay(100, ct);
                    }
                }
            }
            p?.Dispose();
        }, ct)).ToArray();

    /// <summary>The correlation ids in a log's segment files, read without opening the log (another process may own it).</summary>
    public static HashSet<string> CorrelationIdsInFiles(string directory)
    {
        var ids = new HashSet<string>(StringComparer.Ordinal);
        if (!Directory.Exists(directory)) return ids;
        foreach (var path in Directory.GetFiles(directory, "*" + LogRecordFormat.Extension).Order())
        {
            byte[] data;
            using (var fs = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete)) 
            {
                data = new byte[fs.Length];
                fs.ReadExactly(data);
            }
            var at = LogRecordFormat.SegmentHeaderSize;
            while (at < data.Length && LogRecordFormat.TryRead(data.AsSpan(at), DurableLogOptions.DefaultMaxRecordBytes, out var length) == RecordRead.Ok)
            {
                foreach (var line in Encoding.UTF8.GetString(data, at + LogRecordFormat.RecordHeaderSize, length).Split('\n', StringSplitOptions.RemoveEmptyEntries))
                {
                    var start = line.IndexOf("\"correlationId\":\"", StringComparison.Ordinal) + 17;
                    ids.Add(line[start..line.IndexOf('"', start)]);
                }
                at += LogRecordFormat.RecordHeaderSize + length;
            }
        }
        return ids;
    }
}
