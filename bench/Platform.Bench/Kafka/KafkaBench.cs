using System.Diagnostics;
using System.Globalization;
using System.Text;
using Confluent.Kafka;
using Platform.Connectors.Kafka;
using Platform.Engine.DeadLetters;
using Platform.Engine.Records;
using Platform.Engine.Runtime;
using Platform.Engine.Windows;
using Platform.Formats;
using Platform.Sinks.Kafka;

namespace Platform.Bench.Kafka;

/// <summary>
/// <c>dotnet run -c Release --project bench/Platform.Bench -- kafka [--records N]</c>: on librdkafka's mock cluster,
/// side by side in one run, the same telemetry topic (6 partitions) read by
/// (1) a raw librdkafka loop: consume → produce each message as it is to an output topic (the floor of Kafka I/O);
/// (2) Platform's job: Kafka → parse → key by device × sensor → 10 s tumbling windows → Kafka, one pipeline task per
/// partition, checkpoints every 10 s (the default) and a final one on stop, offsets committed on checkpoints.
/// Both use the same consumer (read_committed, cooperative-sticky, manual commits) and producer settings (acks=all,
/// idempotence, snappy, linger 5 ms). Prints records/s of both and the ratio. Streamiz.Kafka.Net is not a column:
/// its windowed aggregation needs changelog topics made with CreateTopics, which the mock cluster does not answer.
/// </summary>
internal static class KafkaBench
{
    private const int Partitions = 6;
    private const int Devices = 2000;
    /// <summary>The default checkpoint interval; every partition also takes a final checkpoint when the group stops.</summary>
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(10);

    public static async Task<int> RunAsync(string[] args)
    {
        var records = 150_000;
        for (var i = 0; i + 1 < args.Length; i++)
        {
            if (args[i] == "--records") records = int.Parse(args[i + 1], CultureInfo.InvariantCulture);
        }
        using var cluster = new KafkaMockCluster();
        cluster.CreateTopic("bench-in", Partitions);
        cluster.CreateTopic("raw-out", Partitions);
        cluster.CreateTopic("platform-out", Partitions);
        Console.WriteLine($"producing {records:N0} telemetry records to a {Partitions}-partition topic on the mock cluster …");
        Produce(cluster.BootstrapServers, "bench-in", records);

        var cpu = CpuSeconds();
        var raw = RawLoop(cluster.BootstrapServers, records);
        var rawCpu = CpuSeconds() - cpu;
        cpu = CpuSeconds();
        var platform = await PlatformJobAsync(cluster.BootstrapServers, records);
        var platformCpu = CpuSeconds() - cpu;

        Console.WriteLine();
        Console.WriteLine("| engine | records | seconds | records/s | ratio to raw | CPU s (process, mock brokers included) | records per CPU s | ratio to raw | output messages |");
        Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|");
        Console.WriteLine($"| raw librdkafka consume→produce | {records:N0} | {raw.Seconds:0.00} | {records / raw.Seconds:N0} | 1.00 | {rawCpu:0.00} | {records / rawCpu:N0} | 1.00 | {raw.Output:N0} |");
        Console.WriteLine($"| Platform Kafka→parse→window→Kafka | {records:N0} | {platform.Seconds:0.00} | {records / platform.Seconds:N0} | {raw.Seconds / platform.Seconds:0.00} | {platformCpu:0.00} | {records / platformCpu:N0} | {rawCpu / platformCpu:0.00} | {platform.Output:N0} |");
        return 0;
    }

    private static double CpuSeconds() => Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds;

    private static ProducerConfig ProducerConfig(string bootstrap) => new()
    {
        BootstrapServers = bootstrap, Acks = Acks.All, EnableIdempotence = true, CompressionType = CompressionType.Snappy, LingerMs = 5,
    };

    private static byte[] Line(int i)
    {
        var device = i % Devices;
        var time = 1_767_225_600_000L + (long)(i / Devices) * 1000;
        var sensor = (i / Devices) % 2 == 0 ? "temperature" : "humidity";
        return Encoding.UTF8.GetBytes($"{{\"deviceId\":\"dev-{device:D5}\",\"timestamp\":{time},\"sensorType\":\"{sensor}\",\"payload\":{{\"value\":{i % 100}.25,\"unit\":\"u\"}}}}");
    }

    private static void Produce(string bootstrap, string topic, int records)
    {
        using var producer = new ProducerBuilder<byte[], byte[]>(ProducerConfig(bootstrap)).Build();
        for (var i = 0; i < records; i++)
        {
            var message = new Message<byte[], byte[]> { Key = Encoding.UTF8.GetBytes($"dev-{i % Devices:D5}"), Value = Line(i) };
            while (true)
            {
                try
                {
                    producer.Produce(topic, message);
                    break;
                }
                catch (ProduceException<byte[], byte[]> e) when (e.Error.Code == ErrorCode.Local_QueueFull)
                {
                    producer.Poll(TimeSpan.FromMilliseconds(10));
                }
            }
        }
        if (producer.Flush(TimeSpan.FromMinutes(2)) > 0) throw new InvalidOperationException("The input was not delivered.");
    }

    private static (double Seconds, long Output) RawLoop(string bootstrap, int records)
    {
        using var consumer = new ConsumerBuilder<byte[], byte[]>(new ConsumerConfig
        {
            BootstrapServers = bootstrap, GroupId = "raw-loop", AutoOffsetReset = AutoOffsetReset.Earliest, EnableAutoCommit = false,
            IsolationLevel = IsolationLevel.ReadCommitted, PartitionAssignmentStrategy = PartitionAssignmentStrategy.CooperativeSticky,
        }).Build();
        using var producer = new ProducerBuilder<byte[], byte[]>(ProducerConfig(bootstrap)).Build();
        long failed = 0;
        Action<DeliveryReport<byte[], byte[]>> report = r =>
        {
            if (r.Error.IsError) Interlocked.Increment(ref failed);
        };
        var clock = Stopwatch.StartNew();
        consumer.Subscribe("bench-in");
        var count = 0;
        while (count < records)
        {
            var r = consumer.Consume(TimeSpan.FromMilliseconds(100));
            if (r?.Message is null) continue;
            var message = new Message<byte[], byte[]> { Key = r.Message.Key, Value = r.Message.Value };
            while (true)
            {
                try
                {
                    producer.Produce("raw-out", message, report);
                    break;
                }
                catch (ProduceException<byte[], byte[]> e) when (e.Error.Code == ErrorCode.Local_QueueFull)
                {
                    producer.Poll(TimeSpan.FromMilliseconds(1));
                }
            }
            count++;
        }
        producer.Flush(TimeSpan.FromMinutes(2));
        consumer.Commit();
        clock.Stop();
        consumer.Close();
        if (failed > 0) throw new InvalidOperationException($"raw loop: {failed} deliveries failed");
        return (clock.Elapsed.TotalSeconds, count);
    }

    private static async Task<(double Seconds, long Output)> PlatformJobAsync(string bootstrap, int records)
    {
        var dir = Path.Combine(Path.GetTempPath(), "platform-kafka-bench-" + Guid.NewGuid().ToString("N"));
        var sinkOptions = new KafkaSinkOptions { BootstrapServers = bootstrap, Topic = "platform-out" };
        using var session = new KafkaProducerSession(sinkOptions);
        var failures = new CountingDeadLetterSink();
        var sinks = new System.Collections.Concurrent.ConcurrentBag<KafkaSink<WindowResult, KafkaWindowResultEncoder>>();
        var group = new KafkaPipelineGroup(
            new KafkaSourceOptions
            {
                BootstrapServers = bootstrap, Topic = "bench-in", GroupId = "platform-job", CheckpointDirectory = dir,
                CheckpointInterval = Interval,
            },
            new PipelineOptions(),
            ctx =>
            {
                var sink = sinkOptions.CreateSink<WindowResult, KafkaWindowResultEncoder>(new KafkaWindowResultEncoder(new SymbolUtf8Cache(ctx.Symbols)), failures, session);
                ctx.Own(sink);
                sinks.Add((KafkaSink<WindowResult, KafkaWindowResultEncoder>)sink);
                return Pipeline.Create("kafka-bench", ctx.Options)
                    .From(ctx.Source)
                    .Parse(new TelemetryNdjsonParser(ctx.Symbols))
                    .KeyBy(new TelemetrySensorKey())
                    .Window(WindowSpec.Tumbling(TimeSpan.FromSeconds(10)))
                    .Aggregate(new TelemetryValue())
                    .To(sink);
            });
        var clock = Stopwatch.StartNew();
        group.Start();
        var assigned = TimeSpan.Zero;
        while (group.RecordsIn < records)
        {
            if (group.Completion.IsFaulted) await group.Completion;
            if (assigned == TimeSpan.Zero && group.AssignedPartitions.Count == Partitions) assigned = clock.Elapsed;
            await Task.Delay(2);
        }
        var parsed = clock.Elapsed;
        await group.StopAsync(); // final checkpoint per partition: sinks flushed, offsets committed
        clock.Stop();
        Console.WriteLine($"platform poll thread: {group.MessagesPolled:N0} messages in {group.ChunksHandedOff:N0} chunks; {(double)group.ConsumeTicks / Stopwatch.Frequency:0.00} s in Consume, {(double)group.HandOffWaitTicks / Stopwatch.Frequency:0.00} s waiting for tasks to take chunks");
        Console.WriteLine($"platform job: all partitions assigned at {assigned.TotalSeconds:0.00} s, every record parsed at {parsed.TotalSeconds:0.00} s, stopped (final checkpoints, flush, commit) at {clock.Elapsed.TotalSeconds:0.00} s");
        var output = sinks.Sum(s => s.Delivered);
        await group.DisposeAsync();
        try
        {
            Directory.Delete(dir, recursive: true);
        }
        catch (IOException)
        {
        }
        if (failures.Count > 0) throw new InvalidOperationException($"platform job: {failures.Count} results refused");
        return (clock.Elapsed.TotalSeconds, output);
    }
}
