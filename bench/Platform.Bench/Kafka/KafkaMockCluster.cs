using System.Reflection;
using System.Runtime.InteropServices;
using System.Text.RegularExpressions;
using Confluent.Kafka;

namespace Platform.Bench.Kafka;

/// <summary>
/// librdkafka's in-process mock cluster for the Kafka benchmark (the same setup as the Kafka tests' fixture): three
/// brokers on 127.0.0.1, the address read from the "Mock cluster enabled: … replaced with …" log line, topics made
/// through <c>rd_kafka_mock_topic_create</c> on the cluster handle (the mock does not answer CreateTopics).
/// </summary>
internal sealed partial class KafkaMockCluster : IDisposable
{
    private readonly IProducer<byte[], byte[]> _owner;
    private readonly IntPtr _cluster;
    private readonly IntPtr _library;

    public KafkaMockCluster()
    {
        var seen = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        var config = new ProducerConfig { BootstrapServers = "mock-bootstrap:9092" };
        config.Set("test.mock.num.brokers", "3");
        _owner = new ProducerBuilder<byte[], byte[]>(config)
            .SetLogHandler((_, m) =>
            {
                if (Address().Match(m.Message) is { Success: true } match) seen.TrySetResult(match.Groups[1].Value);
            })
            .Build();
        if (!seen.Task.Wait(TimeSpan.FromSeconds(30))) throw new InvalidOperationException("The mock cluster did not log its address.");
        BootstrapServers = seen.Task.Result;
        var path = File.ReadLines("/proc/self/maps").Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Where(f => f.Length >= 6 && Path.GetFileName(f[5]).Contains("librdkafka", StringComparison.Ordinal)).Select(f => f[5]).First();
        _library = NativeLibrary.Load(path);
        var handle = (SafeHandle)_owner.Handle.GetType().GetProperty("LibrdkafkaHandle", BindingFlags.Instance | BindingFlags.NonPublic | BindingFlags.Public)!.GetValue(_owner.Handle)!;
        unsafe
        {
            var mock = (delegate* unmanaged<IntPtr, IntPtr>)NativeLibrary.GetExport(_library, "rd_kafka_handle_mock_cluster");
            _cluster = mock(handle.DangerousGetHandle());
            var delay = (delegate* unmanaged<IntPtr, int, void>)NativeLibrary.GetExport(_library, "rd_kafka_mock_group_initial_rebalance_delay_ms");
            delay(_cluster, 50);
        }
    }

    public string BootstrapServers { get; }

    public unsafe void CreateTopic(string topic, int partitions)
    {
        var create = (delegate* unmanaged<IntPtr, byte*, int, int, int>)NativeLibrary.GetExport(_library, "rd_kafka_mock_topic_create");
        var name = System.Text.Encoding.UTF8.GetBytes(topic + "\0");
        fixed (byte* p = name)
        {
            var err = create(_cluster, p, partitions, 1);
            if (err != 0) throw new InvalidOperationException($"rd_kafka_mock_topic_create({topic}) failed: {(ErrorCode)err}");
        }
    }

    public void Dispose() => _owner.Dispose();

    [GeneratedRegex(@"replaced with (127\.0\.0\.1:\d+(?:,127\.0\.0\.1:\d+)*)")]
    private static partial Regex Address();
}
