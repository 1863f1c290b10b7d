using Platform.Engine.Contracts;
using Platform.Engine.DeadLetters;
using Platform.Engine.Records;
using Platform.Engine.Symbols;
using Platform.Host.Config.Sinks;
using Platform.Sinks.Kafka;

namespace Platform.Host.Running;

/// <summary>
/// Builds the exactly-once Kafka sink of a YAML pipeline: a transactional producer session (a checkpoint participant
/// whose transaction commits when the checkpoint completes) and the sink writing through it. The session's commit
/// journal lives in the checkpoint folder, so whoever restores the checkpoint (another instance, after a failover)
/// also finds out whether the restored transaction committed.
/// </summary>
internal static class KafkaSinks
{
    /// <summary>The journal file of <paramref name="transactionalId"/> in <paramref name="checkpointDirectory"/>.</summary>
    public static string JournalPath(string checkpointDirectory, string transactionalId) =>
        Path.Combine(checkpointDirectory, "txn-" + string.Concat(transactionalId.Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' ? c : '_')) + ".journal");

    /// <summary>
    /// An exactly-once sink with its own session. Register <see cref="ExactlyOnceSink.Session"/> as a checkpoint participant
    /// and dispose it after the sink (an open transaction is aborted then).
    /// </summary>
    /// <param name="config">The YAML sink (mode exactly-once).</param>
    /// <param name="transactionalId">The producer's transactional.id: the YAML's, or one per partition for a Kafka source.</param>
    /// <param name="checkpointDirectory">The checkpoint folder the pipeline restores from.</param>
    /// <param name="symbols">The pipeline's symbol table (keys, sensor types).</param>
    /// <param name="deadLetters">Where records the broker refuses go.</param>
    /// <param name="offsets">Input offsets to commit in each transaction (KIP-447), or null.</param>
    public static ExactlyOnceSink ExactlyOnce(KafkaSinkConfig config, string transactionalId, string checkpointDirectory, SymbolTable symbols,
        IDeadLetterSink deadLetters, ITransactionalOffsetSource? offsets)
    {
        var options = config.ToOptions() with { TransactionalId = transactionalId };
        var session = new TransactionalKafkaProducerSession(options, JournalPath(checkpointDirectory, transactionalId), offsets);
        try
        {
            var sink = options.CreateSink<WindowResult, KafkaWindowResultEncoder>(
                new KafkaWindowResultEncoder(new SymbolUtf8Cache(symbols), config.Key), deadLetters, session);
            return new ExactlyOnceSink(sink, session);
        }
        catch
        {
            session.Dispose();
            throw;
        }
    }

    /// <summary>An at-least-once sink writing through a <paramref name="shared"/> producer session (one producer for every partition).</summary>
    public static ISink<WindowResult> AtLeastOnce(KafkaSinkConfig config, KafkaProducerSession shared, SymbolTable symbols, IDeadLetterSink deadLetters) =>
        config.ToOptions().CreateSink<WindowResult, KafkaWindowResultEncoder>(new KafkaWindowResultEncoder(new SymbolUtf8Cache(symbols), config.Key), deadLetters, shared);
}

/// <summary>An exactly-once sink and its transactional session (a checkpoint participant, disposed after the sink).</summary>
internal sealed record ExactlyOnceSink(ISink<WindowResult> Sink, TransactionalKafkaProducerSession Session)
{
    /// <summary>Disposes the session (aborting an open transaction) when the owner releases it.</summary>
    public IAsyncDisposable SessionLifetime => new Disposer(Session);

    private sealed class Disposer(IDisposable inner) : IAsyncDisposable
    {
        public ValueTask DisposeAsync()
        {
            inner.Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
