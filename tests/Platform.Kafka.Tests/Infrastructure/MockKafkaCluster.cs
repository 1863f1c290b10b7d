using System.Collections.Concurrent;
using System.Reflection;
using System.Runtime.InteropServices;
using System.Text.RegularExpressions;
using Confluent.Kafka;

namespace Platform.Kafka.Tests.Infrastructure;

/// <summary>
/// librdkafka's in-process mock cluster (<c>test.mock.num.brokers=3</c>): a real Kafka protocol server on
/// 127.0.0.1, owned by one producer handle that lives as long as this object. Clients reach it through
/// <see cref="BootstrapServers"/>, read from the "Mock cluster enabled: … replaced with 127.0.0.1:PORT,…" log line.
/// Topics with any partition count come from <c>rd_kafka_mock_topic_create</c> (the mock does not handle
/// CreateTopics; auto-created topics get 4 partitions). Facts about the mock (Confluent.Kafka 2.16): idempotent
/// producers and consumer groups work; transactions are accepted but not enforced; a partition keeps ~5 MiB.
/// </summary>
public sealed partial class MockKafkaCluster : IDisposable
{
    private readonly IProducer<byte[], byte[]> _owner;
    private readonly IntPtr _cluster;
    private readonly MockNative _native;
    private readonly ConcurrentQueue<string> _log = new();

    /// <summary>Three brokers, first group join after 50 ms (usable as a class fixture).</summary>
    public MockKafkaCluster() : this(3, 50)
    {
    }

    /// <summary>Starts a cluster of <paramref name="brokers"/> brokers and waits for its address.</summary>
    public MockKafkaCluster(int brokers, int initialRebalanceDelayMs)
    {
        var seen = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        _owner = new ProducerBuilder<byte[], byte[]>(new ProducerConfig
        {
            BootstrapServers = "mock-bootstrap:9092",
            ClientId = "mock-cluster-owner",
        }.With("test.mock.num.brokers", brokers.ToString()))
            .SetLogHandler((_, m) =>
            {
                _log.Enqueue(m.Message);
                if (BootstrapLine().Match(m.Message) is { Success: true } match) seen.TrySetResult(match.Groups[1].Value);
            })
            .Build();
        if (!seen.Task.Wait(TimeSpan.FromSeconds(30)))
            throw new InvalidOperationException("The mock cluster did not log its bootstrap address in 30 s. Log: " + string.Join(" | ", _log));
        BootstrapServers = seen.Task.Result.TrimEnd('.', ' ');
        _native = MockNative.Load();
        _cluster = _native.HandleMockCluster(RawHandle(_owner));
        if (_cluster == IntPtr.Zero) throw new InvalidOperationException("rd_kafka_handle_mock_cluster returned no cluster.");
        if (initialRebalanceDelayMs >= 0) _native.GroupInitialRebalanceDelayMs(_cluster, initialRebalanceDelayMs);
    }

    /// <summary>"127.0.0.1:PORT,127.0.0.1:PORT,…".</summary>
    public string BootstrapServers { get; }

    /// <summary>Creates <paramref name="topic"/> with <paramref name="partitions"/> partitions (replication 1–3).</summary>
    public void CreateTopic(string topic, int partitions, int replicationFactor = 1)
    {
        var err = _native.TopicCreate(_cluster, topic, partitions, replicationFactor);
        if (err != 0) throw new InvalidOperationException($"rd_kafka_mock_topic_create({topic}, {partitions}) failed: {(ErrorCode)err}.");
    }

    /// <summary>
    /// The next <paramref name="errors"/>.Length requests of API <paramref name="apiKey"/> (0 = Produce, 1 = Fetch, 8 = OffsetCommit, …)
    /// fail with these error codes, one each, on whichever broker gets them.
    /// </summary>
    public void PushRequestErrors(short apiKey, params ErrorCode[] errors)
    {
        var codes = errors.Select(e => (int)e).ToArray();
        _native.PushRequestErrorsArray(_cluster, apiKey, (nuint)codes.Length, codes);
    }

    /// <summary>A producer config pointing at this cluster.</summary>
    public ProducerConfig ProducerConfig() => new() { BootstrapServers = BootstrapServers, EnableIdempotence = true, Acks = Acks.All, LingerMs = 5 };

    /// <summary>A consumer config pointing at this cluster.</summary>
    public ConsumerConfig ConsumerConfig(string groupId) => new()
    {
        BootstrapServers = BootstrapServers,
        GroupId = groupId,
        AutoOffsetReset = AutoOffsetReset.Earliest,
        EnableAutoCommit = false,
    };

    /// <summary>
    /// Produces <paramref name="messages"/> (key, value, optional partition), waits for every delivery and returns
    /// where each one landed, in input order.
    /// </summary>
    public TopicPartitionOffset[] Produce(string topic, IEnumerable<(string? Key, byte[] Value, int? Partition)> messages)
    {
        using var producer = new ProducerBuilder<byte[], byte[]>(ProducerConfig()).Build();
        var list = messages.ToList();
        var landed = new TopicPartitionOffset[list.Count];
        var failures = 0;
        Exception? first = null;
        for (var i = 0; i < list.Count; i++)
        {
            var (key, value, partition) = list[i];
            var index = i;
            var msg = new Message<byte[], byte[]> { Key = key is null ? null! : System.Text.Encoding.UTF8.GetBytes(key), Value = value };
            Action<DeliveryReport<byte[], byte[]>> report = r =>
            {
                landed[index] = r.TopicPartitionOffset;
                if (r.Error.IsError && Interlocked.Increment(ref failures) == 1) first = new KafkaException(r.Error);
            };
            while (true)
            {
                try
                {
                    if (partition is { } p) producer.Produce(new TopicPartition(topic, p), msg, report);
                    else producer.Produce(topic, msg, report);
                    break;
                }
                catch (ProduceException<byte[], byte[]> e) when (e.Error.Code == ErrorCode.Local_QueueFull)
                {
                    producer.Poll(TimeSpan.FromMilliseconds(50));
                }
            }
        }
        producer.Flush(TimeSpan.FromSeconds(120));
        if (failures > 0) throw new InvalidOperationException($"{failures} test messages were not delivered.", first);
        return landed;
    }

    /// <summary>Reads every message of <paramref name="topic"/> (all partitions, from the start) until <paramref name="done"/> says so or the time is up.</summary>
    public List<ConsumeResult<byte[], byte[]>> ReadAll(string topic, Func<IReadOnlyList<ConsumeResult<byte[], byte[]>>, bool> done, TimeSpan timeout)
    {
        var config = ConsumerConfig("reader-" + Guid.NewGuid().ToString("N"));
        config.IsolationLevel = IsolationLevel.ReadUncommitted;
        using var consumer = new ConsumerBuilder<byte[], byte[]>(config).Build();
        consumer.Subscribe(topic);
        var all = new List<ConsumeResult<byte[], byte[]>>();
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline && !done(all))
        {
            var r = consumer.Consume(TimeSpan.FromMilliseconds(200));
            if (r is { IsPartitionEOF: false, Message: not null }) all.Add(r);
        }
        consumer.Close();
        return all;
    }

    /// <summary>Log lines of the owning client (for failure messages).</summary>
    public IEnumerable<string> Log => _log;

    /// <summary>A topic name no other test uses.</summary>
    public static string UniqueTopic(string prefix) => prefix + "-" + Guid.NewGuid().ToString("N")[..8];

    public void Dispose() => _owner.Dispose();

    [GeneratedRegex(@"replaced with (127\.0\.0\.1:\d+(?:,127\.0\.0\.1:\d+)*)")]
    private static partial Regex BootstrapLine();

    /// <summary>The librdkafka <c>rd_kafka_t*</c> behind a client (Confluent.Kafka keeps it internal).</summary>
    private static IntPtr RawHandle(IClient client)
    {
        var handle = client.Handle;
        var safe = handle.GetType().GetProperty("LibrdkafkaHandle", BindingFlags.Instance | BindingFlags.NonPublic | BindingFlags.Public)?.GetValue(handle) as SafeHandle
            ?? throw new InvalidOperationException("Confluent.Kafka's Handle has no LibrdkafkaHandle property (client version changed?).");
        return safe.DangerousGetHandle();
    }
}

/// <summary>Config helpers.</summary>
internal static class ClientConfigExtensions
{
    public static T With<T>(this T config, string key, string value) where T : ClientConfig
    {
        config.Set(key, value);
        return config;
    }
}
