using Confluent.Kafka;
using Platform.Connectors.Files;
using Platform.Connectors.Tests.Infrastructure;
using Platform.Engine.Checkpoints;
using Platform.Engine.DeadLetters;
using Platform.Engine.Records;
using Platform.Engine.Runtime;
using Platform.Engine.Symbols;
using Platform.Engine.Windows;
using Platform.Formats;
using Platform.Kafka.Tests.Infrastructure;
using Platform.Sinks.Kafka;

namespace Platform.Kafka.Tests.Transactions;

/// <summary>
/// A bounded run with an exactly-once Kafka sink: the results after the last periodic checkpoint are committed by a
/// final checkpoint when the input ends, instead of staying in an open transaction that is aborted when the sink goes.
/// </summary>
public sealed class FinalCheckpointTests(SharedMockCluster fixture) : IClassFixture<SharedMockCluster>
{
    private readonly MockKafkaCluster _cluster = fixture.Cluster;

    [Fact]
    public async Task EndOfInput_WithNoPeriodicCheckpoint_TheFinalCheckpointCommitsEveryResult()
    {
        using var dir = new TempDirectory();
        var topic = MockKafkaCluster.UniqueTopic("eos-end");
        _cluster.CreateTopic(topic, 3);
        var workload = new TelemetryWorkload(3_000, 30);
        var input = dir.File("input.ndjson");
        await File.WriteAllLinesAsync(input, Enumerable.Range(0, workload.Records).Select(i => System.Text.Encoding.UTF8.GetString(workload.Line(i))),
            TestContext.Current.CancellationToken);
        var expected = workload.ExpectedWindows();

        var transactionalId = "platform-" + topic;
        var options = new KafkaSinkOptions
        {
            BootstrapServers = _cluster.BootstrapServers,
            Topic = topic,
            DeliveryGuarantee = KafkaDeliveryGuarantee.ExactlyOnce,
            TransactionalId = transactionalId,
            TransactionTimeout = TimeSpan.FromSeconds(60),
        };
        using var inner = new ProducerBuilder<byte[], byte[]>(options.ToProducerConfig()).Build();
        var producer = new RecordingProducer(inner, "p1");
        var journal = new TransactionalCommitJournal(dir.File("journal"));
        using var session = new TransactionalKafkaProducerSession(producer, ownsProducer: false, journal, offsets: null, TimeSpan.FromSeconds(30), transactionalId);
        var symbols = new SymbolTable();
        var deadLetters = new CountingDeadLetterSink();
        await using var sink = options.CreateSink<WindowResult, KafkaWindowResultEncoder>(new KafkaWindowResultEncoder(new SymbolUtf8Cache(symbols)), deadLetters, session);
        var checkpoints = dir.File("checkpoints");
        var pipelineOptions = new PipelineOptions
        {
            Workers = 2,
            // An hour: no periodic checkpoint in this run, so only a final one can commit the results.
            Checkpoint = new CheckpointOptions { Directory = checkpoints, Interval = TimeSpan.FromHours(1), Participants = [new SymbolTableCheckpoint(symbols), session] },
        };
        var result = await Pipeline.Create("eos-end", pipelineOptions)
            .From(new NdjsonFileSource(new NdjsonFileSourceOptions { Paths = [input] }))
            .Parse(new TelemetryNdjsonParser(symbols))
            .KeyBy(new TelemetrySensorKey())
            .Window(WindowSpec.Tumbling(TimeSpan.FromMilliseconds(TelemetryWorkload.WindowMs)))
            .Aggregate(new TelemetryValue())
            .To(sink)
            .RunAsync(TestContext.Current.CancellationToken);

        // The input's end fires every window; all of them went out in the one transaction the final checkpoint committed.
        Assert.Equal(expected.Count, result.RecordsOut);
        Assert.Equal(
            ["InitTransactions:ok", "BeginTransaction:ok", $"Produce×{expected.Count}", "CommitTransaction:ok", "BeginTransaction:ok"],
            producer.Protocol());
        Assert.Equal(1, session.Commits);
        Assert.Equal(0, session.PendingRecords);
        Assert.Equal(1, journal.LastCommitted);
        Assert.Equal(0, deadLetters.Count);

        // The final checkpoint's position is the end of the input: a re-run resumes there and writes nothing again.
        var store = new CheckpointStore(checkpoints);
        var last = Assert.Single(store.Ids());
        var manifest = store.Inspect(last).Manifest!;
        Assert.Equal(new FileInfo(input).Length, BitConverter.ToInt64(Assert.Single(manifest.Positions)));

        var tally = new WindowTally(expected);
        _cluster.ReadAll(topic, tally.Take, TimeSpan.FromSeconds(60));
        Assert.Empty(tally.Missing());
        Assert.Empty(tally.Wrong());
        Assert.Equal(0, tally.Duplicates);
    }
}
