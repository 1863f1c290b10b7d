using Confluent.Kafka;
using Platform.Kafka.Tests.Infrastructure;

namespace Platform.Kafka.Tests.Cluster;

/// <summary>The fixture itself: address from the log line, topics with any partition count, a round trip.</summary>
public sealed class MockClusterTests
{
    [Fact]
    public void CreateTopic_SixPartitions_MetadataShowsSixAndMessagesRoundTrip()
    {
        using var cluster = new MockKafkaCluster();
        Assert.Matches(@"^127\.0\.0\.1:\d+(,127\.0\.0\.1:\d+){2}$", cluster.BootstrapServers);
        cluster.CreateTopic("six", 6);
        using (var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = cluster.BootstrapServers }).Build())
        {
            var meta = admin.GetMetadata("six", TimeSpan.FromSeconds(30));
            Assert.Equal(6, meta.Topics.Single().Partitions.Count);
        }
        cluster.Produce("six", Enumerable.Range(0, 60).Select(i => ((string?)$"k{i}", System.Text.Encoding.UTF8.GetBytes($"v{i}"), (int?)(i % 6))));
        var read = cluster.ReadAll("six", r => r.Count >= 60, TimeSpan.FromSeconds(60));
        Assert.Equal(60, read.Count);
        Assert.Equal(6, read.Select(r => r.Partition.Value).Distinct().Count());
    }
}
