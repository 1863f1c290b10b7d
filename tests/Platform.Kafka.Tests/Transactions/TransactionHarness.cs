using System.Buffers;
using System.Collections.Concurrent;
using Confluent.Kafka;
using Platform.Engine.Batching;
using Platform.Engine.Contracts;
using Platform.Engine.DeadLetters;
using Platform.Engine.Records;
using Platform.Engine.Symbols;
using Platform.Kafka.Tests.Infrastructure;
using Platform.Sinks.Kafka;

namespace Platform.Kafka.Tests.Transactions;

/// <summary>
/// One incarnation of an exactly-once Kafka sink on the mock cluster, driven the way the engine drives it:
/// open → restore → (write… → flush = pre-commit → participant snapshot → commit)* — each producer call observed.
/// </summary>
internal sealed class TransactionHarness : IAsyncDisposable
{
    public const int RecordsPerCheckpoint = 50;
    private static readonly BatchPool<WindowResult> Pool = new(RecordsPerCheckpoint);
    private readonly SymbolTable _symbols = new();

    public TransactionHarness(MockKafkaCluster cluster, string topic, string transactionalId, string journalPath,
        string label, TransactionalCallLog? shared = null, ITransactionalOffsetSource? offsets = null)
    {
        Options = new KafkaSinkOptions
        {
            BootstrapServers = cluster.BootstrapServers,
            Topic = topic,
            DeliveryGuarantee = KafkaDeliveryGuarantee.ExactlyOnce,
            TransactionalId = transactionalId,
            TransactionTimeout = TimeSpan.FromSeconds(60),
        };
        Producer = new RecordingProducer(new ProducerBuilder<byte[], byte[]>(Options.ToProducerConfig()).Build(), label) { Shared = shared };
        Journal = new TransactionalCommitJournal(journalPath);
        Session = new TransactionalKafkaProducerSession(Producer, ownsProducer: false, Journal, offsets, TimeSpan.FromSeconds(30), transactionalId);
        Sink = Options.CreateSink<WindowResult, KafkaWindowResultEncoder>(new KafkaWindowResultEncoder(new SymbolUtf8Cache(_symbols)), DeadLetters, Session);
    }

    public KafkaSinkOptions Options { get; }
    public RecordingProducer Producer { get; }
    public TransactionalCommitJournal Journal { get; }
    public TransactionalKafkaProducerSession Session { get; }
    public ISink<WindowResult> Sink { get; }
    public CountingDeadLetterSink DeadLetters { get; } = new();

    /// <summary>Open, then restore the participant's snapshot of the checkpoint recovered (if any) — the engine's order.</summary>
    public async Task StartAsync(byte[]? restoredSnapshot)
    {
        await Sink.OpenAsync(TestContext.Current.CancellationToken);
        if (restoredSnapshot is not null) Session.Restore(new ReadOnlySequence<byte>(restoredSnapshot));
    }

    /// <summary>Writes one checkpoint's results, tagged with <paramref name="tag"/> in the window start so a reader can tell them apart.</summary>
    public async Task WriteAsync(int tag)
    {
        using var batch = Pool.Rent();
        for (var i = 0; i < RecordsPerCheckpoint; i++)
        {
            var key = new SensorKey(_symbols.Intern($"dev-{i % 10:D3}"), _symbols.Intern("temperature"));
            batch.Add(new WindowResult { Key = key.Packed, WindowStart = tag * 1_000_000L + i, WindowEnd = tag * 1_000_000L + i + 10_000, Count = 1 });
        }
        await Sink.WriteAsync(batch, TestContext.Current.CancellationToken);
    }

    /// <summary>The barrier: the sink flushes (pre-commit).</summary>
    public Task PreCommitAsync() => Sink.FlushAsync(TestContext.Current.CancellationToken).AsTask();

    /// <summary>The checkpoint is written: the participant's snapshot, as the coordinator would store it.</summary>
    public byte[] Snapshot()
    {
        var writer = new ArrayBufferWriter<byte>();
        Session.Snapshot(writer);
        return writer.WrittenSpan.ToArray();
    }

    /// <summary>The checkpoint completed: the sink commits.</summary>
    public Task CommitAsync(long checkpointId) => ((ICheckpointAwareSink)Sink).CommitAsync(checkpointId, TestContext.Current.CancellationToken).AsTask();

    /// <summary>One whole checkpoint: write, pre-commit, snapshot, commit. Returns the snapshot.</summary>
    public async Task<byte[]> CheckpointAsync(long checkpointId, int tag)
    {
        await WriteAsync(tag);
        await PreCommitAsync();
        var snapshot = Snapshot();
        await CommitAsync(checkpointId);
        return snapshot;
    }

    /// <summary>kill -9: the producer vanishes mid-protocol; nothing is aborted, nothing committed.</summary>
    public void Crash() => Producer.Inner.Dispose();

    /// <summary>A stop: the sink and the session are disposed (an open transaction is aborted), then the producer.</summary>
    public async ValueTask DisposeAsync()
    {
        await Sink.DisposeAsync();
        Session.Dispose();
        try { Producer.Inner.Dispose(); } catch (ObjectDisposedException) { }
    }

    /// <summary>Tags (window start / 1e6) of the results in <paramref name="topic"/>, with how often each record appears.</summary>
    public static Dictionary<int, int> TagsIn(MockKafkaCluster cluster, string topic, int expected)
    {
        var read = cluster.ReadAll(topic, r => r.Count >= expected, TimeSpan.FromSeconds(60));
        var tags = new ConcurrentDictionary<int, int>();
        foreach (var m in read)
        {
            var start = System.Text.Json.JsonDocument.Parse(m.Message.Value).RootElement.GetProperty("windowStart").GetInt64();
            tags.AddOrUpdate((int)(start / 1_000_000), 1, (_, n) => n + 1);
        }
        return new Dictionary<int, int>(tags);
    }
}
