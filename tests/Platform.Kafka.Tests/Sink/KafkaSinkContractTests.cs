using System.Text.Json;
using Platform.Connectors.Tests.Infrastructure;
using Platform.Engine.Contracts;
using Platform.Engine.DeadLetters;
using Platform.Engine.Records;
using Platform.Kafka.Tests.Infrastructure;
using Platform.Sinks.Kafka;

namespace Platform.Kafka.Tests.Sink;

/// <summary>The shared window-result sink contract, run against the Kafka sink on the mock cluster (rows read back from the topic).</summary>
public sealed class KafkaSinkContractTests(SharedMockCluster shared) : SinkContractTests, IClassFixture<SharedMockCluster>
{
    private readonly MockKafkaCluster _cluster = shared.Cluster;
    private readonly string _topic = MockKafkaCluster.UniqueTopic("contract");

    protected override ISink<WindowResult> CreateSink()
    {
        _cluster.CreateTopic(_topic, 3);
        return new KafkaSinkOptions { BootstrapServers = _cluster.BootstrapServers, Topic = _topic }
            .CreateSink<WindowResult, KafkaWindowResultEncoder>(new KafkaWindowResultEncoder(new SymbolUtf8Cache(Symbols)), new CountingDeadLetterSink());
    }

    protected override long CountOf(ISink<WindowResult> sink) => ((KafkaSink<WindowResult, KafkaWindowResultEncoder>)sink).Delivered;

    protected override Task<IReadOnlyList<SinkRow>?> ReadBackAsync(ISink<WindowResult> sink)
    {
        var expected = CountOf(sink);
        // Nothing expected: read a little while, so a stray record would still show up.
        var messages = _cluster.ReadAll(_topic, r => expected > 0 && r.Count >= expected, expected > 0 ? TimeSpan.FromSeconds(60) : TimeSpan.FromSeconds(3));
        IReadOnlyList<SinkRow> rows = messages.Select(m =>
        {
            var root = JsonDocument.Parse(m.Message.Value).RootElement;
            return new SinkRow(root.GetProperty("deviceId").GetString()!, root.GetProperty("sensorType").GetString()!,
                root.GetProperty("windowStart").GetInt64(), root.GetProperty("count").GetInt64(), root.GetProperty("sum").GetDouble());
        }).ToList();
        return Task.FromResult<IReadOnlyList<SinkRow>?>(rows);
    }
}
