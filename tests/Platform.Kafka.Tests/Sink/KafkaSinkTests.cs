using System.Collections.Concurrent;
using System.Text;
using Confluent.Kafka;
using Platform.Engine.Batching;
using Platform.Engine.DeadLetters;
using Platform.Engine.Records;
using Platform.Engine.Symbols;
using Platform.Kafka.Tests.Infrastructure;
using Platform.Sinks.Kafka;

namespace Platform.Kafka.Tests.Sink;

/// <summary>What the Kafka sink puts on the wire, and what happens to records the broker refuses.</summary>
public sealed class KafkaSinkTests
{
    private sealed class RecordingDeadLetters : IDeadLetterSink
    {
        public readonly ConcurrentQueue<(string Source, string Reason, byte[] Raw)> Letters = new();
        public long Count => Letters.Count;
        public void Write(string source, int partition, long position, string reason, ReadOnlySpan<byte> raw) =>
            Letters.Enqueue((source, reason, raw.ToArray()));
    }

    private static Batch<WindowResult> Results(SymbolTable symbols, int count)
    {
        var batch = new BatchPool<WindowResult>(count).Rent();
        for (var i = 0; i < count; i++)
        {
            var key = new SensorKey(symbols.Intern($"dev-{i % 10:D3}"), symbols.Intern(i % 2 == 0 ? "temperature" : "humidity"));
            batch.Add(new WindowResult { Key = key.Packed, WindowStart = 1_000_000 + i * 10_000L, WindowEnd = 1_010_000 + i * 10_000L, Count = i + 1, Mean = i });
        }
        return batch;
    }

    [Fact]
    public async Task WriteAsync_WindowResults_KeyIsDeviceAndHeadersNameSensorAndTime()
    {
        using var cluster = new MockKafkaCluster();
        var topic = MockKafkaCluster.UniqueTopic("results");
        cluster.CreateTopic(topic, 6);
        var symbols = new SymbolTable();
        var dlq = new RecordingDeadLetters();
        await using var sink = new KafkaSinkOptions { BootstrapServers = cluster.BootstrapServers, Topic = topic, Compression = CompressionType.Snappy }
            .CreateSink<WindowResult, KafkaWindowResultEncoder>(new KafkaWindowResultEncoder(new SymbolUtf8Cache(symbols)), dlq);
        await sink.OpenAsync(TestContext.Current.CancellationToken);
        using (var batch = Results(symbols, 200)) await sink.WriteAsync(batch, TestContext.Current.CancellationToken);
        await sink.FlushAsync(TestContext.Current.CancellationToken);

        Assert.Equal(200, ((KafkaSink<WindowResult, KafkaWindowResultEncoder>)sink).Delivered);
        var read = cluster.ReadAll(topic, r => r.Count >= 200, TimeSpan.FromSeconds(60));
        Assert.Equal(200, read.Count);
        foreach (var m in read)
        {
            var json = System.Text.Json.JsonDocument.Parse(m.Message.Value).RootElement;
            Assert.Equal(json.GetProperty("deviceId").GetString(), Encoding.UTF8.GetString(m.Message.Key));
            Assert.Equal(json.GetProperty("sensorType").GetString(), Encoding.UTF8.GetString(m.Message.Headers.GetLastBytes(KafkaHeaders.SensorType)));
            var windowEnd = json.GetProperty("windowEnd").GetInt64();
            Assert.Equal(windowEnd.ToString(), Encoding.UTF8.GetString(m.Message.Headers.GetLastBytes(KafkaHeaders.Timestamp)));
            Assert.Equal(windowEnd, m.Message.Timestamp.UnixTimestampMs);
        }
        // One device's results share a partition (key = device id).
        Assert.All(read.GroupBy(m => Encoding.UTF8.GetString(m.Message.Key)), g => Assert.Single(g.Select(m => m.Partition.Value).Distinct()));
        Assert.Empty(dlq.Letters);
    }

    [Fact]
    public async Task FlushAsync_BrokerRefusesARequest_RefusedRecordsInDeadLettersWithTheErrorNoneDropped()
    {
        using var cluster = new MockKafkaCluster();
        var topic = MockKafkaCluster.UniqueTopic("refused");
        cluster.CreateTopic(topic, 1);
        var symbols = new SymbolTable();
        var dlq = new RecordingDeadLetters();
        // The first produce requests fail with an error the producer does not retry: the broker refuses those records for good.
        cluster.PushRequestErrors(0, ErrorCode.TopicAuthorizationFailed, ErrorCode.TopicAuthorizationFailed);
        await using var sink = new KafkaSinkOptions { BootstrapServers = cluster.BootstrapServers, Topic = topic, LingerMs = 0 }
            .CreateSink<WindowResult, KafkaWindowResultEncoder>(new KafkaWindowResultEncoder(new SymbolUtf8Cache(symbols)), dlq);
        await sink.OpenAsync(TestContext.Current.CancellationToken);
        using (var batch = Results(symbols, 100)) await sink.WriteAsync(batch, TestContext.Current.CancellationToken);
        await sink.FlushAsync(TestContext.Current.CancellationToken);

        var kafka = (KafkaSink<WindowResult, KafkaWindowResultEncoder>)sink;
        Assert.True(kafka.Refused >= 1, "the injected errors refused nothing");
        Assert.Equal(100, kafka.Delivered + kafka.Refused);
        Assert.Equal(kafka.Refused, dlq.Count);
        Assert.All(dlq.Letters, l => Assert.Contains("TopicAuthorizationFailed", l.Reason));
        Assert.All(dlq.Letters, l => Assert.StartsWith("{\"deviceId\":\"dev-", Encoding.UTF8.GetString(l.Raw)));
        var read = cluster.ReadAll(topic, r => r.Count >= kafka.Delivered, TimeSpan.FromSeconds(60));
        Assert.Equal(kafka.Delivered, read.Count);
    }
}
