using Confluent.Kafka;

namespace Platform.Bench.Kafka;

/// <summary>Reads every message of a topic (each partition from its start to its high watermark), for checking outputs.</summary>
internal static class KafkaTopicReader
{
    public static List<(byte[]? Key, byte[] Value)> ReadAll(string bootstrap, string topic, int partitions)
    {
        using var consumer = new ConsumerBuilder<byte[]?, byte[]>(new ConsumerConfig
        {
            BootstrapServers = bootstrap, GroupId = "bench-reader-" + Guid.NewGuid().ToString("N"), EnableAutoCommit = false,
        }).Build();
        var ends = new Dictionary<int, long>();
        var assigned = new List<TopicPartitionOffset>();
        for (var p = 0; p < partitions; p++)
        {
            var high = consumer.QueryWatermarkOffsets(new TopicPartition(topic, p), TimeSpan.FromSeconds(30)).High.Value;
            if (high <= 0) continue;
            ends[p] = high;
            assigned.Add(new TopicPartitionOffset(topic, p, Offset.Beginning));
        }
        var messages = new List<(byte[]?, byte[])>();
        if (assigned.Count == 0) return messages;
        consumer.Assign(assigned);
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(2);
        while (ends.Count > 0)
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"reading {topic}: partitions {string.Join(",", ends.Keys)} did not reach their end");
            var r = consumer.Consume(TimeSpan.FromMilliseconds(200));
            if (r?.Message is null) continue;
            messages.Add((r.Message.Key, r.Message.Value));
            if (r.Offset.Value + 1 >= ends.GetValueOrDefault(r.Partition.Value, long.MaxValue)) ends.Remove(r.Partition.Value);
        }
        return messages;
    }
}
