using System.Buffers.Binary;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Confluent.Kafka;
using Microsoft.Extensions.Logging;
using Streamiz.Kafka.Net;
using Streamiz.Kafka.Net.SerDes;
using Streamiz.Kafka.Net.Stream;
using Streamiz.Kafka.Net.Table;

namespace Platform.Bench.Kafka;

/// <summary>
/// The same job in Streamiz.Kafka.Net (a Kafka Streams port): parse the value (Utf8JsonReader) → re-key by
/// device × sensor (a repartition topic) → 10 s tumbling windows in an in-memory window store with a changelog topic
/// (its fault tolerance, as checkpoints are Platform's) → count, sum, min, max → output topic. One stream thread,
/// at-least-once, commit every 10 s, the record timestamp as event time (the input is stamped with it), producer
/// settings as Platform's (acks=all, idempotence, snappy, linger 5 ms, 1 MiB batches). Kafka Streams emits a window's
/// running aggregate on every cache flush (commit), so it writes updates, not one final row per window.
/// <para>
/// The mock cluster does not answer CreateTopics, so the internal topics (named from the topology's description)
/// are made beforehand through <see cref="KafkaMockCluster.CreateTopic"/>; Streamiz finds them with the partition
/// count it expects and creates nothing.
/// </para>
/// </summary>
internal static class KafkaStreamizJob
{
    private const string StoreName = "bench-windows";

    public static async Task<(TimeSpan Elapsed, long Output)> RunAsync(KafkaMockCluster cluster, KafkaBenchTopics topics, int partitions, int records, string stateRoot)
    {
        long aggregated = 0;
        long output = 0;
        var builder = new StreamBuilder();
        builder.Stream(topics.Input, new StringSerDes(), new ByteArraySerDes())
            .Map((_, value, _) => StreamizReading.Parse(value))
            .GroupByKey<StringSerDes, DoubleSerDes>()
            .WindowedBy(TumblingWindowOptions.Of(KafkaBenchWorkload.Window))
            .Aggregate(
                () => new StreamizWindowStats(0, 0, double.PositiveInfinity, double.NegativeInfinity),
                (_, value, stats) =>
                {
                    // Counted where the records arrive from the repartition topic: the job is done when all are aggregated.
                    Interlocked.Increment(ref aggregated);
                    return stats.Add(value);
                },
                InMemoryWindows.As<string, StreamizWindowStats, StringSerDes, StreamizWindowStatsSerDes>(StoreName))
            .ToStream()
            .Map((window, stats, _) => KeyValuePair.Create(window.Key, stats.ToJson(window.Key, window.Window.StartMs, window.Window.EndMs)))
            .Peek((_, _, _) => Interlocked.Increment(ref output))
            .To(topics.StreamizOutput, new StringSerDes(), new StringSerDes());
        var topology = builder.Build();
        foreach (var topic in InternalTopics(topology, topics)) cluster.CreateTopic(topic, partitions);

        var config = new StreamConfig<StringSerDes, ByteArraySerDes>
        {
            ApplicationId = topics.StreamizApplication,
            BootstrapServers = cluster.BootstrapServers,
            AutoOffsetReset = AutoOffsetReset.Earliest,
            IsolationLevel = IsolationLevel.ReadCommitted,
            StateDir = Path.Combine(stateRoot, topics.StreamizApplication),
            NumStreamThreads = 1,
            CommitIntervalMs = 10_000,
            Acks = Acks.All,
            EnableIdempotence = true,
            CompressionType = CompressionType.Snappy,
            LingerMs = 5,
            BatchSize = 1024 * 1024,
            Logger = LoggerFactory.Create(b => b.SetMinimumLevel(LogLevel.Warning).AddConsole()),
        };
        var clock = Stopwatch.StartNew();
        var stream = new KafkaStream(topology, config);
        await stream.StartAsync();
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(5);
        while (Interlocked.Read(ref aggregated) < records)
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"streamiz: {Interlocked.Read(ref aggregated):N0} of {records:N0} records aggregated in 5 minutes");
            await Task.Delay(2);
        }
        stream.Dispose(); // flushes the caches (the last updates), commits, closes
        clock.Stop();
        return (clock.Elapsed, Interlocked.Read(ref output));
    }

    /// <summary>Repartition topics and the store's changelog, with the application id in front as Streamiz names them.</summary>
    private static IEnumerable<string> InternalTopics(Topology topology, KafkaBenchTopics topics)
    {
        var named = new HashSet<string>();
        foreach (var sub in topology.Describe().SubTopologies)
        {
            foreach (var node in sub.Nodes)
            {
                if (node is ISourceNodeDescription source) named.UnionWith(source.Topics);
                if (node is ISinkNodeDescription { Topic: { } sink }) named.Add(sink);
            }
        }
        named.Remove(topics.Input);
        named.Remove(topics.StreamizOutput);
        foreach (var topic in named)
            yield return topic.StartsWith(topics.StreamizApplication + "-", StringComparison.Ordinal) ? topic : topics.StreamizApplication + "-" + topic;
        yield return $"{topics.StreamizApplication}-{StoreName}-changelog";
    }
}

/// <summary>Reads deviceId, sensorType and payload.value of a telemetry line: the re-keyed pair (device|sensor, value).</summary>
internal static class StreamizReading
{
    public static KeyValuePair<string, double> Parse(byte[] line)
    {
        var reader = new Utf8JsonReader(line);
        string? device = null, sensor = null;
        var value = double.NaN;
        var depth = 0;
        while (reader.Read())
        {
            switch (reader.TokenType)
            {
                case JsonTokenType.StartObject:
                    depth++;
                    break;
                case JsonTokenType.EndObject:
                    depth--;
                    break;
                case JsonTokenType.PropertyName when depth == 1 && reader.ValueTextEquals("deviceId"u8):
                    reader.Read();
                    device = reader.GetString();
                    break;
                case JsonTokenType.PropertyName when depth == 1 && reader.ValueTextEquals("sensorType"u8):
                    reader.Read();
                    sensor = reader.GetString();
                    break;
                case JsonTokenType.PropertyName when depth == 2 && reader.ValueTextEquals("value"u8):
                    reader.Read();
                    value = reader.GetDouble();
                    break;
            }
        }
        return KeyValuePair.Create($"{device}|{sensor}", value);
    }
}

/// <summary>A window's running count, sum, min and max (Streamiz keeps it serialized in the store and the changelog).</summary>
internal sealed record StreamizWindowStats(long Count, double Sum, double Min, double Max)
{
    public StreamizWindowStats Add(double value) => new(Count + 1, Sum + value, Math.Min(Min, value), Math.Max(Max, value));

    public string ToJson(string key, long start, long end)
    {
        var bar = key.IndexOf('|', StringComparison.Ordinal);
        return string.Create(CultureInfo.InvariantCulture,
            $"{{\"deviceId\":\"{key[..bar]}\",\"sensorType\":\"{key[(bar + 1)..]}\",\"windowStart\":{start},\"windowEnd\":{end},\"count\":{Count},\"sum\":{Sum:R},\"min\":{Min:R},\"max\":{Max:R}}}");
    }
}

/// <summary>32 bytes, little-endian: count, sum, min, max.</summary>
internal sealed class StreamizWindowStatsSerDes : AbstractSerDes<StreamizWindowStats>
{
    public override byte[] Serialize(StreamizWindowStats data, SerializationContext context)
    {
        var bytes = new byte[32];
        BinaryPrimitives.WriteInt64LittleEndian(bytes, data.Count);
        BinaryPrimitives.WriteDoubleLittleEndian(bytes.AsSpan(8), data.Sum);
        BinaryPrimitives.WriteDoubleLittleEndian(bytes.AsSpan(16), data.Min);
        BinaryPrimitives.WriteDoubleLittleEndian(bytes.AsSpan(24), data.Max);
        return bytes;
    }

    public override StreamizWindowStats Deserialize(byte[] data, SerializationContext context) => new(
        BinaryPrimitives.ReadInt64LittleEndian(data),
        BinaryPrimitives.ReadDoubleLittleEndian(data.AsSpan(8)),
        BinaryPrimitives.ReadDoubleLittleEndian(data.AsSpan(16)),
        BinaryPrimitives.ReadDoubleLittleEndian(data.AsSpan(24)));
}
