using Confluent.Kafka;
using Platform.Connectors.Tests.Infrastructure;
using Platform.Kafka.Tests.Infrastructure;
using Platform.Sinks.Kafka;

namespace Platform.Kafka.Tests.Transactions;

/// <summary>
/// The exactly-once sink's protocol on the mock cluster, every producer call and its outcome observed: through
/// checkpoints, a failed checkpoint, a crash between pre-commit and commit, a restart with the same transactional.id.
/// The mock accepts the transactional API but does not filter aborted records, store transactional offsets or fence
/// zombies, so what a read_committed reader would see is proven from the calls, not read back.
/// </summary>
public sealed class ExactlyOnceSinkTests(SharedMockCluster fixture) : IClassFixture<SharedMockCluster>
{
    private readonly MockKafkaCluster _cluster = fixture.Cluster;
    private const string PerCheckpoint = "Produce×50";

    private (string Topic, string TransactionalId) Names()
    {
        var topic = MockKafkaCluster.UniqueTopic("eos");
        _cluster.CreateTopic(topic, 3);
        return (topic, "platform-" + topic);
    }

    [Fact]
    public async Task ThroughCheckpoints_EachCheckpointIsOneCommittedTransaction()
    {
        using var dir = new TempDirectory();
        var (topic, id) = Names();
        await using var sink = new TransactionHarness(_cluster, topic, id, dir.File("journal"), "p1");

        await sink.StartAsync(restoredSnapshot: null);
        for (var n = 1; n <= 3; n++) await sink.CheckpointAsync(n, tag: n);

        Assert.Equal(
            ["InitTransactions:ok", "BeginTransaction:ok",
             PerCheckpoint, "CommitTransaction:ok", "BeginTransaction:ok",
             PerCheckpoint, "CommitTransaction:ok", "BeginTransaction:ok",
             PerCheckpoint, "CommitTransaction:ok", "BeginTransaction:ok"],
            sink.Producer.Protocol());
        Assert.Equal(3, sink.Journal.LastCommitted);
        Assert.Equal(3, sink.Session.Commits);
        Assert.Equal(TransactionalState.InTransaction, sink.Session.State);
        Assert.Equal(new Dictionary<int, int> { [1] = 50, [2] = 50, [3] = 50 }, TransactionHarness.TagsIn(_cluster, topic, 150));
        // transaction.timeout.ms travels to the producer, and must outlive the checkpoint interval.
        Assert.Equal(60_000, sink.Options.ToProducerConfig().TransactionTimeoutMs);
        Assert.Null(sink.Options.CheckAgainstCheckpointInterval(TimeSpan.FromSeconds(10)));
        Assert.NotNull(sink.Options.CheckAgainstCheckpointInterval(TimeSpan.FromSeconds(60)));
    }

    [Fact]
    public async Task PreCommit_SendsTheConsumedOffsetsWithTheConsumerGroupMetadata_Kip447()
    {
        using var dir = new TempDirectory();
        var (topic, id) = Names();
        var input = MockKafkaCluster.UniqueTopic("eos-in");
        _cluster.CreateTopic(input, 2);
        _cluster.Produce(input, Enumerable.Range(0, 20).Select(i => ((string?)null, new[] { (byte)i }, (int?)(i % 2))));
        var group = "eos-group-" + Guid.NewGuid().ToString("N")[..6];
        using var consumer = new ConsumerBuilder<byte[], byte[]>(_cluster.ConsumerConfig(group)).Build();
        consumer.Subscribe(input);
        var next = new Dictionary<TopicPartition, Offset>();
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (next.Values.Sum(o => o.Value) < 20 && DateTime.UtcNow < deadline)
            if (consumer.Consume(TimeSpan.FromMilliseconds(200)) is { IsPartitionEOF: false, Message: not null } r)
                next[r.TopicPartition] = r.Offset + 1;
        var groupMetadata = consumer.ConsumerGroupMetadata; // a new object per call: keep the one handed over
        var offsets = new FixedOffsets(new TransactionalOffsets(
            next.Select(kv => new TopicPartitionOffset(kv.Key, kv.Value)).ToList(), groupMetadata));
        await using var sink = new TransactionHarness(_cluster, topic, id, dir.File("journal"), "p1", offsets: offsets);

        await sink.StartAsync(null);
        await sink.CheckpointAsync(1, tag: 1);

        Assert.Equal(["InitTransactions:ok", "BeginTransaction:ok", PerCheckpoint, "SendOffsetsToTransaction:ok", "CommitTransaction:ok", "BeginTransaction:ok"],
            sink.Producer.Protocol());
        var (sent, metadata) = Assert.Single(sink.Producer.SentOffsets);
        Assert.Same(groupMetadata, metadata);
        Assert.Equal(20, sent.Sum(o => o.Offset.Value));
        Assert.Equal(2, sent.Count);
        // What the mock does with them: it accepts TxnOffsetCommit but stores nothing for the group (printed, not asserted).
        var committed = consumer.Committed(sent.Select(o => o.TopicPartition), TimeSpan.FromSeconds(10));
        TestContext.Current.TestOutputHelper?.WriteLine("mock: group offsets after the transactional commit: " + string.Join(", ", committed.Select(c => $"{c.Partition.Value}@{c.Offset}")));
        consumer.Close();
    }

    [Fact]
    public async Task FailedCheckpoint_AbortsItsTransaction_AndTheRestartCommitsTheReplayOnce()
    {
        using var dir = new TempDirectory();
        var (topic, id) = Names();
        byte[] checkpoint1;
        var first = new TransactionHarness(_cluster, topic, id, dir.File("journal"), "p1");
        await first.StartAsync(null);
        checkpoint1 = await first.CheckpointAsync(1, tag: 1);
        await first.WriteAsync(tag: 2);
        await first.PreCommitAsync();
        // Checkpoint 2 fails before its manifest (a worker's snapshot could not be written, say): the pipeline stops.
        await first.DisposeAsync();

        Assert.Equal(["InitTransactions:ok", "BeginTransaction:ok", PerCheckpoint, "CommitTransaction:ok", "BeginTransaction:ok", PerCheckpoint, "AbortTransaction:ok"],
            first.Producer.Protocol());
        Assert.Equal(1, first.Journal.LastCommitted);

        await using var second = new TransactionHarness(_cluster, topic, id, dir.File("journal"), "p2");
        await second.StartAsync(checkpoint1); // recovery restores checkpoint 1, whose transaction committed
        await second.CheckpointAsync(2, tag: 2); // the replay from checkpoint 1's positions produces tag 2 again

        Assert.Equal(0, second.Session.RecoveredRecords);
        Assert.Equal(["InitTransactions:ok", "BeginTransaction:ok", PerCheckpoint, "CommitTransaction:ok", "BeginTransaction:ok"], second.Producer.Protocol());
        Assert.Equal(2, second.Journal.LastCommitted);
        // Committed transactions hold tag 1 once (p1's first) and tag 2 once (p2's); the aborted copy of tag 2 is still in
        // the log, and the mock hands it even to read_committed readers (a real broker filters it).
        Assert.Equal(new Dictionary<int, int> { [1] = 50, [2] = 100 }, TransactionHarness.TagsIn(_cluster, topic, 150));
    }

    [Fact]
    public async Task CrashAfterTheCheckpointCompletedButBeforeCommit_RecoveryCommitsThatTransaction()
    {
        using var dir = new TempDirectory();
        var (topic, id) = Names();
        var first = new TransactionHarness(_cluster, topic, id, dir.File("journal"), "p1");
        await first.StartAsync(null);
        await first.CheckpointAsync(1, tag: 1);
        await first.WriteAsync(tag: 2);
        await first.PreCommitAsync();
        var checkpoint2 = first.Snapshot(); // the manifest of checkpoint 2 is on disk…
        first.Crash();                      // …and the process dies before CommitTransaction.

        await using var second = new TransactionHarness(_cluster, topic, id, dir.File("journal"), "p2");
        await second.StartAsync(checkpoint2);

        Assert.Equal(["InitTransactions:ok", "BeginTransaction:ok", PerCheckpoint, "CommitTransaction:ok", "BeginTransaction:ok"], second.Producer.Protocol());
        Assert.Equal(50, second.Session.RecoveredRecords);
        Assert.Equal(2, second.Journal.LastCommitted);
        // Going on from checkpoint 2: the next transaction gets the next sequence number, so no checkpoint is committed twice.
        var checkpoint3 = await second.CheckpointAsync(3, tag: 3);
        Assert.Equal(3, second.Journal.LastCommitted);
        await using var third = new TransactionHarness(_cluster, topic, id, dir.File("journal"), "p3");
        await third.StartAsync(checkpoint3);
        Assert.Equal(0, third.Session.RecoveredRecords); // already committed: nothing redone
    }

    [Fact]
    public async Task CrashBeforeTheCheckpointCompleted_RecoveryAbortsAndReplays()
    {
        using var dir = new TempDirectory();
        var (topic, id) = Names();
        var first = new TransactionHarness(_cluster, topic, id, dir.File("journal"), "p1");
        await first.StartAsync(null);
        var checkpoint1 = await first.CheckpointAsync(1, tag: 1);
        await first.WriteAsync(tag: 2);
        await first.PreCommitAsync();
        first.Crash(); // before checkpoint 2's manifest: recovery will restore checkpoint 1

        await using var second = new TransactionHarness(_cluster, topic, id, dir.File("journal"), "p2");
        await second.StartAsync(checkpoint1);

        // InitTransactions with the same transactional.id is what aborts p1's open transaction on a broker; nothing is
        // re-produced from the checkpoint (its transaction committed), the replay regenerates tag 2.
        Assert.Equal(["InitTransactions:ok", "BeginTransaction:ok"], second.Producer.Protocol());
        Assert.Equal(0, second.Session.RecoveredRecords);
        Assert.Equal(1, second.Journal.LastCommitted);
        Assert.Equal(2, second.Session.Sequence);
    }

    [Fact]
    public async Task Restart_WithTheSameTransactionalId_OnlyTheNewProducerWrites()
    {
        using var dir = new TempDirectory();
        var (topic, id) = Names();
        var log = new TransactionalCallLog();
        var first = new TransactionHarness(_cluster, topic, id, dir.File("journal"), "old", log);
        await first.StartAsync(null);
        var checkpoint1 = await first.CheckpointAsync(1, tag: 1);
        await first.WriteAsync(tag: 2);
        first.Crash();

        await using var second = new TransactionHarness(_cluster, topic, id, dir.File("journal"), "new", log);
        await second.StartAsync(checkpoint1);
        await second.CheckpointAsync(2, tag: 2);
        await second.CheckpointAsync(3, tag: 3);

        var calls = log.Calls;
        var restart = calls.ToList().FindIndex(c => c is ("new", "InitTransactions:ok"));
        Assert.True(restart > 0);
        Assert.All(calls.Take(restart), c => Assert.Equal("old", c.Producer));
        Assert.All(calls.Skip(restart), c => Assert.Equal("new", c.Producer));
        Assert.Equal(100, calls.Skip(restart).Count(c => c.Call == "Produce:ok"));
        Assert.Equal(3, second.Journal.LastCommitted);

        // A zombie that is still alive (a paused process with the same transactional.id): on a real broker its next
        // transactional call fails with a fencing error once the new producer has called InitTransactions. The mock does
        // not fence; its outcome is printed so the README's claim stays checked by eye, not asserted.
        using var zombie = new ProducerBuilder<byte[], byte[]>(second.Options.ToProducerConfig()).Build();
        string outcome;
        try
        {
            zombie.InitTransactions(TimeSpan.FromSeconds(30));
            zombie.BeginTransaction();
            zombie.Produce(topic, new Message<byte[], byte[]> { Value = [9] });
            zombie.CommitTransaction(TimeSpan.FromSeconds(30));
            outcome = "zombie committed (the mock does not fence)";
        }
        catch (KafkaException e)
        {
            outcome = "zombie fenced: " + e.Error.Code;
        }
        TestContext.Current.TestOutputHelper?.WriteLine("mock: " + outcome);
    }

    [Fact]
    public async Task ProtocolGuards_RefuseCallsOutOfOrder()
    {
        using var dir = new TempDirectory();
        var (topic, id) = Names();
        await using var sink = new TransactionHarness(_cluster, topic, id, dir.File("journal"), "p1");

        Assert.Throws<InvalidOperationException>(() => sink.Session.Produce(topic, new Message<byte[], byte[]> { Value = [1] }, _ => { }));
        Assert.Throws<InvalidOperationException>(() => sink.Session.Restore(new System.Buffers.ReadOnlySequence<byte>(new byte[12])));
        await sink.StartAsync(null);
        await Assert.ThrowsAsync<InvalidOperationException>(() => sink.CommitAsync(1)); // commit without pre-commit
        await Assert.ThrowsAsync<InvalidOperationException>(() => sink.Session.OpenAsync(TestContext.Current.CancellationToken).AsTask());
        Assert.Equal(["InitTransactions:ok", "BeginTransaction:ok"], sink.Producer.Protocol());
    }

    private sealed class FixedOffsets(TransactionalOffsets offsets) : ITransactionalOffsetSource
    {
        public TransactionalOffsets? OffsetsForPreCommit() => offsets;
    }
}
