using System.Collections.Concurrent;
using Confluent.Kafka;

namespace Platform.Kafka.Tests.Transactions;

/// <summary>
/// Wraps a real producer (on the mock cluster) and records every transactional call and produce with its outcome
/// ("ok" or the error code), in order, so a test can assert the protocol rather than trust it.
/// </summary>
internal sealed class RecordingProducer(IProducer<byte[], byte[]> inner, string label) : IProducer<byte[], byte[]>
{
    public ConcurrentQueue<string> Calls { get; } = new();
    public TransactionalCallLog? Shared { get; init; }
    public IProducer<byte[], byte[]> Inner => inner;
    public List<(IReadOnlyList<TopicPartitionOffset> Offsets, IConsumerGroupMetadata Group)> SentOffsets { get; } = [];

    private void Record(string call) { Calls.Enqueue(call); Shared?.Add(label, call); }

    private void Observe(string call, Action action)
    {
        try
        {
            action();
            Record(call + ":ok");
        }
        catch (KafkaException e)
        {
            Record($"{call}:{e.Error.Code}");
            throw;
        }
    }

    public void InitTransactions(TimeSpan timeout) => Observe("InitTransactions", () => inner.InitTransactions(timeout));
    public void BeginTransaction() => Observe("BeginTransaction", inner.BeginTransaction);
    public void CommitTransaction(TimeSpan timeout) => Observe("CommitTransaction", () => inner.CommitTransaction(timeout));
    public void CommitTransaction() => Observe("CommitTransaction", inner.CommitTransaction);
    public void AbortTransaction(TimeSpan timeout) => Observe("AbortTransaction", () => inner.AbortTransaction(timeout));
    public void AbortTransaction() => Observe("AbortTransaction", inner.AbortTransaction);

    public void SendOffsetsToTransaction(IEnumerable<TopicPartitionOffset> offsets, IConsumerGroupMetadata groupMetadata, TimeSpan timeout)
    {
        var list = offsets.ToList();
        SentOffsets.Add((list, groupMetadata));
        Observe("SendOffsetsToTransaction", () => inner.SendOffsetsToTransaction(list, groupMetadata, timeout));
    }

    public void Produce(string topic, Message<byte[], byte[]> message, Action<DeliveryReport<byte[], byte[]>>? deliveryHandler = null) =>
        Observe("Produce", () => inner.Produce(topic, message, deliveryHandler));

    public void Produce(TopicPartition topicPartition, Message<byte[], byte[]> message, Action<DeliveryReport<byte[], byte[]>>? deliveryHandler = null) =>
        Observe("Produce", () => inner.Produce(topicPartition, message, deliveryHandler));

    public Task<DeliveryResult<byte[], byte[]>> ProduceAsync(string topic, Message<byte[], byte[]> message, CancellationToken cancellationToken = default)
    {
        Record("ProduceAsync");
        return inner.ProduceAsync(topic, message, cancellationToken);
    }

    public Task<DeliveryResult<byte[], byte[]>> ProduceAsync(TopicPartition topicPartition, Message<byte[], byte[]> message, CancellationToken cancellationToken = default)
    {
        Record("ProduceAsync");
        return inner.ProduceAsync(topicPartition, message, cancellationToken);
    }

    public int Poll(TimeSpan timeout) => inner.Poll(timeout);
    public int Flush(TimeSpan timeout) => inner.Flush(timeout);
    public void Flush(CancellationToken cancellationToken = default) => inner.Flush(cancellationToken);
    public Handle Handle => inner.Handle;
    public string Name => inner.Name;
    public int AddBrokers(string brokers) => inner.AddBrokers(brokers);
    public void SetSaslCredentials(string username, string password) => inner.SetSaslCredentials(username, password);
    public void Dispose() => inner.Dispose();

    /// <summary>The transactional calls only (produces folded into a count), for asserting the protocol's shape.</summary>
    public List<string> Protocol()
    {
        var result = new List<string>();
        var produced = 0;
        foreach (var call in Calls)
        {
            if (call == "Produce:ok") { produced++; continue; }
            if (produced > 0) { result.Add($"Produce×{produced}"); produced = 0; }
            result.Add(call);
        }
        if (produced > 0) result.Add($"Produce×{produced}");
        return result;
    }
}

/// <summary>Calls of several producers in one order (who did what, when).</summary>
internal sealed class TransactionalCallLog
{
    private readonly ConcurrentQueue<(string Producer, string Call)> _calls = new();
    public void Add(string producer, string call) => _calls.Enqueue((producer, call));
    public IReadOnlyList<(string Producer, string Call)> Calls => _calls.ToArray();
}
