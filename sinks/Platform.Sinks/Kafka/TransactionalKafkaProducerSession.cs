using System.Buffers;
using Confluent.Kafka;
using Platform.Engine.Contracts;

namespace Platform.Sinks.Kafka;

/// <summary>
/// The exactly-once delivery mode of a Kafka sink: a transactional producer whose transactions follow the
/// checkpoints (two-phase commit, as Flink's Kafka sink).
/// <list type="number">
/// <item><b>Open</b>: <c>InitTransactions</c> (on a real broker this aborts whatever the previous incarnation with the
/// same <c>transactional.id</c> left open and fences it), then <c>BeginTransaction</c>.</item>
/// <item><b>Barrier</b> (<see cref="OnFlushedAsync"/>, after the sink has every delivery report): the pre-commit —
/// <c>SendOffsetsToTransaction</c> with the consumer group metadata (KIP-447) when an offset source is given.</item>
/// <item><b>Checkpoint snapshot</b> (<see cref="Snapshot"/>, as an <see cref="ICheckpointParticipant"/>): the pending
/// transaction's sequence number and records go into the checkpoint.</item>
/// <item><b>Checkpoint complete</b>: <c>CommitTransaction</c>, the journal records the sequence, <c>BeginTransaction</c>.</item>
/// <item><b>Failure</b> (the pipeline stops without completing the checkpoint): <c>AbortTransaction</c>; the replay
/// from the last checkpoint produces those results again.</item>
/// <item><b>Recovery</b> (<see cref="Restore"/>): the restored checkpoint holds transaction <i>s</i>. If the journal
/// says <i>s</i> committed, nothing is left to do. If not, the crash came between the checkpoint's completion and
/// the commit, and the protocol demands the commit: librdkafka cannot resume another producer's transaction, so the
/// records saved with the checkpoint are produced again in a fresh transaction and committed before anything else.</item>
/// </list>
/// Register the session as a checkpoint participant (<c>CheckpointOptions.Participants</c>) of its pipeline.
/// <c>transaction.timeout.ms</c> must exceed the checkpoint interval (<see cref="KafkaSinkOptions.CheckAgainstCheckpointInterval"/>).
/// </summary>
public sealed class TransactionalKafkaProducerSession : KafkaProducerSession, ICheckpointParticipant
{
    /// <summary>How long one transactional call (init, commit, abort, send offsets) may take before it fails.</summary>
    public static readonly TimeSpan DefaultCallTimeout = TimeSpan.FromSeconds(30);

    private const int SnapshotVersion = 1;
    private readonly TransactionalCommitJournal _journal;
    private readonly ITransactionalOffsetSource? _offsets;
    private readonly TimeSpan _callTimeout;
    private readonly List<(string Topic, Message<byte[], byte[]> Message)> _pending = [];
    private readonly object _gate = new();
    private long _sequence;

    /// <summary>A session with its own transactional producer built from <paramref name="options"/>.</summary>
    /// <param name="options">Sink options with <see cref="KafkaDeliveryGuarantee.ExactlyOnce"/> and a transactional id.</param>
    /// <param name="journalPath">Where the last committed transaction is recorded (next to the checkpoints, say).</param>
    /// <param name="offsets">The source's offsets to commit in each transaction (KIP-447), or null.</param>
    public TransactionalKafkaProducerSession(KafkaSinkOptions options, string journalPath, ITransactionalOffsetSource? offsets = null)
        : this(new ProducerBuilder<byte[], byte[]>(RequireExactlyOnce(options).ToProducerConfig()).Build(), ownsProducer: true,
            new TransactionalCommitJournal(journalPath), offsets, DefaultCallTimeout, options.TransactionalId!)
    {
    }

    /// <summary>A session over a transactional <paramref name="producer"/> (tests wrap the real one to observe every call).</summary>
    public TransactionalKafkaProducerSession(IProducer<byte[], byte[]> producer, bool ownsProducer, TransactionalCommitJournal journal,
        ITransactionalOffsetSource? offsets, TimeSpan callTimeout, string transactionalId)
        : base(producer, ownsProducer)
    {
        _journal = journal;
        _offsets = offsets;
        _callTimeout = callTimeout;
        Name = "kafka-txn-" + string.Concat(transactionalId.Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' ? c : '_'));
    }

    /// <inheritdoc />
    public string Name { get; }

    /// <summary>Where the protocol is.</summary>
    public TransactionalState State { get; private set; } = TransactionalState.Created;

    /// <summary>The open (or pre-committed) transaction's sequence number; sequence numbers only grow, across restarts too.</summary>
    public long Sequence => _sequence;

    /// <summary>Transactions committed by this session (recovery commits included).</summary>
    public int Commits { get; private set; }

    /// <summary>Transactions aborted by this session.</summary>
    public int Aborts { get; private set; }

    /// <summary>Records of a pending transaction produced again by <see cref="Restore"/> (the recovery commit).</summary>
    public int RecoveredRecords { get; private set; }

    /// <summary>Records produced into the open transaction so far.</summary>
    public int PendingRecords
    {
        get
        {
            lock (_gate) return _pending.Count;
        }
    }

    /// <inheritdoc />
    public override async ValueTask OpenAsync(CancellationToken cancellationToken)
    {
        if (State != TransactionalState.Created) throw new InvalidOperationException($"Session {Name} is {State}; open it once.");
        await Task.Run(() => Producer.InitTransactions(_callTimeout), cancellationToken);
        _sequence = _journal.LastCommitted + 1;
        Begin();
    }

    /// <inheritdoc />
    public override void Produce(string topic, Message<byte[], byte[]> message, Action<DeliveryReport<byte[], byte[]>> onDelivered)
    {
        lock (_gate)
        {
            switch (State)
            {
                case TransactionalState.InTransaction: break;
                case TransactionalState.Aborted: Begin(); break;
                default: throw new InvalidOperationException($"Session {Name} cannot take records while {State}.");
            }
            _pending.Add((topic, message));
        }
        base.Produce(topic, message, onDelivered);
    }

    /// <summary>The pre-commit: every record of the transaction is acknowledged; its input offsets join it (KIP-447).</summary>
    public override async ValueTask OnFlushedAsync(CancellationToken cancellationToken)
    {
        if (State == TransactionalState.Aborted) Begin();
        if (State is not (TransactionalState.InTransaction or TransactionalState.PreCommitted))
            throw new InvalidOperationException($"Session {Name} cannot pre-commit while {State}.");
        if (_offsets?.OffsetsForPreCommit() is { Offsets.Count: > 0 } offsets)
            await CallAsync(() => Producer.SendOffsetsToTransaction(offsets.Offsets, offsets.Group, _callTimeout), cancellationToken);
        State = TransactionalState.PreCommitted;
    }

    /// <summary>The commit: the checkpoint that holds this transaction is complete.</summary>
    public override async ValueTask OnCheckpointCompleteAsync(long checkpointId, CancellationToken cancellationToken)
    {
        if (State != TransactionalState.PreCommitted)
            throw new InvalidOperationException($"Session {Name}: checkpoint {checkpointId} completed but the transaction is {State}, not pre-committed.");
        await CallAsync(() => Producer.CommitTransaction(_callTimeout), cancellationToken);
        CommitDone();
        Begin();
    }

    /// <summary>Aborts the open transaction (a failed checkpoint, a stop without a final checkpoint). Its records are replayed later.</summary>
    public async ValueTask AbortAsync(CancellationToken cancellationToken)
    {
        if (State is not (TransactionalState.InTransaction or TransactionalState.PreCommitted)) return;
        await Task.Run(() => Producer.AbortTransaction(_callTimeout), cancellationToken);
        lock (_gate) _pending.Clear();
        Aborts++;
        State = TransactionalState.Aborted;
    }

    /// <summary>Writes the pending transaction: its sequence number and records (version, sequence, count, records).</summary>
    public void Snapshot(IBufferWriter<byte> writer)
    {
        lock (_gate) TransactionalPendingFormat.Write(writer, SnapshotVersion, _sequence, _pending);
    }

    /// <summary>
    /// Recovery, after <see cref="OpenAsync"/>: commits the restored checkpoint's transaction when the journal shows it did
    /// not commit before the crash (by producing its saved records again in the fresh transaction and committing).
    /// </summary>
    public void Restore(ReadOnlySequence<byte> snapshot)
    {
        if (State != TransactionalState.InTransaction)
            throw new InvalidOperationException($"Session {Name}: restore needs an open session (OpenAsync first), it is {State}.");
        var (sequence, records) = TransactionalPendingFormat.Read(snapshot, SnapshotVersion);
        if (sequence <= _journal.LastCommitted) return; // committed before the crash: nothing to redo
        var failed = 0;
        foreach (var (topic, message) in records)
        {
            lock (_gate) _pending.Add((topic, message));
            base.Produce(topic, message, report => { if (report.Error.IsError) Interlocked.Increment(ref failed); });
        }
        Producer.Flush(_callTimeout);
        if (Volatile.Read(ref failed) > 0 || Producer.Flush(TimeSpan.Zero) > 0)
            throw new InvalidOperationException($"Session {Name}: {failed} records of transaction {sequence} could not be produced again during recovery; not committing.");
        Producer.CommitTransaction(_callTimeout);
        RecoveredRecords += records.Count;
        _sequence = Math.Max(_sequence, sequence);
        CommitDone();
        Begin();
    }

    private void Begin()
    {
        Producer.BeginTransaction();
        State = TransactionalState.InTransaction;
    }

    private void CommitDone()
    {
        _journal.RecordCommitted(_sequence);
        lock (_gate) _pending.Clear();
        Commits++;
        _sequence++;
    }

    /// <summary>Runs a transactional call: retriable errors are retried within the call timeout; one needing an abort aborts.</summary>
    private async Task CallAsync(Action call, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + _callTimeout;
        while (true)
        {
            try
            {
                await Task.Run(call, cancellationToken);
                return;
            }
            catch (KafkaRetriableException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(100, cancellationToken);
            }
            catch (KafkaTxnRequiresAbortException)
            {
                await AbortAsync(cancellationToken);
                throw;
            }
            catch (KafkaException e) when (e.Error.IsFatal)
            {
                State = TransactionalState.Failed;
                throw;
            }
        }
    }

    private static KafkaSinkOptions RequireExactlyOnce(KafkaSinkOptions options)
    {
        options.Validate();
        if (options.DeliveryGuarantee != KafkaDeliveryGuarantee.ExactlyOnce)
            throw new ArgumentException("A transactional session needs DeliveryGuarantee = ExactlyOnce.", nameof(options));
        return options;
    }

    /// <summary>Aborts an open transaction (a stop that did not complete its checkpoint), then releases the producer.</summary>
    protected override void Dispose(bool disposing)
    {
        if (disposing && State is TransactionalState.InTransaction or TransactionalState.PreCommitted)
        {
            try
            {
                Producer.AbortTransaction(_callTimeout);
                Aborts++;
            }
            catch (KafkaException)
            {
                // Fenced or gone: the next InitTransactions with this transactional.id aborts it anyway.
            }
        }
        State = TransactionalState.Closed;
        base.Dispose(disposing);
    }
}
