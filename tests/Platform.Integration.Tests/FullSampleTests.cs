using System.Text.Json;
using System.Text.RegularExpressions;
using Confluent.Kafka;
using DuckDB.NET.Data;
using Platform.Host.Running;

namespace Platform.Integration.Tests;

/// <summary>
/// samples/iot-anomaly/full.yaml end to end (fewer events): registry enrichment, geofences and location fraud raise
/// alerts, and every alert lands both in the DuckDB alert table and on the Kafka topic.
/// </summary>
public sealed partial class FullSampleTests
{
    [Fact]
    public async Task RunAsync_FullSample_EveryAlertInDuckDbAndOnTheKafkaTopic()
    {
        using var dir = new TempDir();
        var sample = Path.Combine(RepoPaths.Root, "samples", "iot-anomaly");
        foreach (var input in new[] { "devices.csv", "regions.geojson", "fences.geojson" }) File.Copy(Path.Combine(sample, input), dir.File(input));
        using var cluster = new MockCluster();
        var yaml = File.ReadAllText(Path.Combine(sample, "full.yaml"))
            .Replace("events: 2000000", "events: 500000", StringComparison.Ordinal)
            .Replace("path: out/", "path: " + dir.Path + "/", StringComparison.Ordinal)
            .Replace("topic: iot-alerts", "topic: iot-alerts\n      bootstrap-servers: " + cluster.BootstrapServers, StringComparison.Ordinal);
        Assert.Contains(cluster.BootstrapServers, yaml, StringComparison.Ordinal);
        var path = dir.File("full.yaml");
        File.WriteAllText(path, yaml);
        var summary = dir.File("summary.json");

        var exit = await RunCommand.RunAsync(new RunCommand.RunRequest(path, null, null, 2, null, summary));

        Assert.Equal(0, exit);
        var totals = JsonSerializer.Deserialize(File.ReadAllText(summary), RunTotalsJson.Default.RunTotals)!;
        Assert.Equal(500_000, totals.RecordsIn + totals.DeadLetters);
        var bySource = AlertsBySource(dir.File("iot-alerts.duckdb"));
        var stored = bySource.Values.Sum();
        // The registry gives 42 devices a site whose region does not hold them; 76 devices sit inside a depot fence.
        Assert.True(bySource.GetValueOrDefault("outside-region") > 20, Describe(bySource));
        Assert.True(bySource.GetValueOrDefault("geofence-enter") > 40, Describe(bySource));
        Assert.True(bySource.GetValueOrDefault("geofence-dwell") > 0, Describe(bySource));
        Assert.True(bySource.GetValueOrDefault("anomaly") > 0, Describe(bySource));
        Assert.Equal(totals.Alerts, stored);

        var onTopic = cluster.Count("iot-alerts", stored, TimeSpan.FromSeconds(120));
        Assert.Equal(stored, onTopic);
    }

    private static string Describe(Dictionary<string, long> bySource) => string.Join(", ", bySource.Select(p => $"{p.Key}={p.Value}"));

    private static Dictionary<string, long> AlertsBySource(string path)
    {
        using var connection = new DuckDBConnection($"Data Source={path};ACCESS_MODE=READ_ONLY");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT source, count(*) FROM alerts GROUP BY source";
        using var reader = command.ExecuteReader();
        var counts = new Dictionary<string, long>();
        while (reader.Read()) counts[reader.GetString(0)] = reader.GetInt64(1);
        return counts;
    }

    /// <summary>librdkafka's in-process mock cluster, owned by this test (its address comes from the owner's log).</summary>
    private sealed class MockCluster : IDisposable
    {
        private readonly IProducer<byte[], byte[]> _owner;

        public MockCluster()
        {
            var seen = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
            var config = new ProducerConfig { BootstrapServers = "mock-bootstrap:9092", ClientId = "full-sample-test-cluster" };
            config.Set("test.mock.num.brokers", "3");
            _owner = new ProducerBuilder<byte[], byte[]>(config)
                .SetLogHandler((_, m) =>
                {
                    if (BootstrapLine().Match(m.Message) is { Success: true } match) seen.TrySetResult(match.Groups[1].Value);
                })
                .Build();
            Assert.True(seen.Task.Wait(TimeSpan.FromSeconds(60)), "the mock cluster did not log its address");
            BootstrapServers = seen.Task.Result.TrimEnd('.', ' ');
        }

        public string BootstrapServers { get; }

        /// <summary>Messages on <paramref name="topic"/> (all partitions), read until <paramref name="expected"/> are seen or the time is up.</summary>
        public long Count(string topic, long expected, TimeSpan timeout)
        {
            using var consumer = new ConsumerBuilder<string, byte[]>(new ConsumerConfig
            {
                BootstrapServers = BootstrapServers,
                GroupId = "full-sample-" + Guid.NewGuid().ToString("N"),
                AutoOffsetReset = AutoOffsetReset.Earliest,
                EnableAutoCommit = false,
            }).Build();
            consumer.Subscribe(topic);
            long count = 0;
            var deadline = DateTime.UtcNow + timeout;
            while (DateTime.UtcNow < deadline && count < expected)
            {
                var r = consumer.Consume(TimeSpan.FromMilliseconds(200));
                if (r is { IsPartitionEOF: false, Message: not null })
                {
                    using var json = JsonDocument.Parse(r.Message.Value);
                    Assert.Equal(r.Message.Key, json.RootElement.GetProperty("key").GetString());
                    count++;
                }
            }
            // A little longer: more than expected would be a duplicate.
            var extra = consumer.Consume(TimeSpan.FromSeconds(2));
            if (extra is { IsPartitionEOF: false, Message: not null }) count++;
            consumer.Close();
            return count;
        }

        public void Dispose() => _owner.Dispose();
    }

    [GeneratedRegex(@"replaced with (127\.0\.0\.1:\d+(?:,127\.0\.0\.1:\d+)*)")]
    private static partial Regex BootstrapLine();
}
