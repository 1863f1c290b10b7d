using System.Diagnostics;
using Confluent.Kafka;
using Platform.Connectors.Kafka;
using Platform.Sinks.Kafka;

namespace Platform.Bench.Kafka;

/// <summary>
/// The floor of Kafka I/O: one thread consumes the input topic and produces every message as it is (key and value)
/// to an output topic, with the very consumer and producer settings Platform's job uses (built by the same
/// <see cref="KafkaSourceOptions.ToConsumerConfig"/> and <see cref="KafkaSinkOptions.ToProducerConfig"/>), and commits
/// its offsets once at the end and leaves the group (timed, as Platform's stop is). Every delivery report is checked.
/// </summary>
internal static class KafkaRawLoop
{
    public static (TimeSpan Elapsed, long Output) Run(string bootstrap, KafkaBenchTopics topics, int records, string checkpointRoot)
    {
        var consumerConfig = new KafkaSourceOptions { BootstrapServers = bootstrap, Topic = topics.Input, GroupId = topics.Prefix + "-raw", CheckpointDirectory = checkpointRoot }
            .Validate().ToConsumerConfig();
        var producerConfig = new KafkaSinkOptions { BootstrapServers = bootstrap, Topic = topics.RawOutput, Name = "raw-loop" }.Validate().ToProducerConfig();
        using var consumer = new ConsumerBuilder<byte[], byte[]>(consumerConfig).Build();
        using var producer = new ProducerBuilder<byte[], byte[]>(producerConfig).Build();
        long failed = 0, delivered = 0;
        Action<DeliveryReport<byte[], byte[]>> report = r =>
        {
            if (r.Error.IsError) Interlocked.Increment(ref failed);
            else Interlocked.Increment(ref delivered);
        };
        var clock = Stopwatch.StartNew();
        consumer.Subscribe(topics.Input);
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
                    producer.Produce(topics.RawOutput, message, report);
                    break;
                }
                catch (ProduceException<byte[], byte[]> e) when (e.Error.Code == ErrorCode.Local_QueueFull)
                {
                    producer.Poll(TimeSpan.FromMilliseconds(1));
                }
            }
            count++;
        }
        if (producer.Flush(TimeSpan.FromMinutes(2)) > 0) throw new InvalidOperationException("raw loop: output not delivered in 2 minutes");
        consumer.Commit(consumer.Assignment.Select(tp => new TopicPartitionOffset(tp, consumer.Position(tp))));
        consumer.Close(); // leaves the group, as Platform's stop does
        clock.Stop();
        if (failed > 0) throw new InvalidOperationException($"raw loop: {failed} deliveries failed");
        return (clock.Elapsed, Interlocked.Read(ref delivered));
    }
}
