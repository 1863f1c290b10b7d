using Confluent.Kafka;

namespace Platform.Sinks.Kafka;

/// <summary>
/// The producer behind Kafka sinks and the checkpoint hooks of its delivery mode. This base is at-least-once: an
/// idempotent producer whose hooks do nothing, since the sink itself waits for every delivery report on a barrier.
/// The exactly-once mode derives from it (begin a transaction on open, pre-commit on the barrier, commit when the
/// checkpoint completes, abort on failure), so the sink's encode / produce / delivery-report path is one for both.
/// </summary>
public class KafkaProducerSession : IDisposable
{
    private readonly bool _ownsProducer;

    /// <summary>An at-least-once session with its own producer built from <paramref name="options"/>.</summary>
    public KafkaProducerSession(KafkaSinkOptions options)
        : this(new ProducerBuilder<byte[], byte[]>(options.Validate().ToProducerConfig()).Build(), ownsProducer: true)
    {
    }

    /// <summary>A session over <paramref name="producer"/> (disposed with the session when <paramref name="ownsProducer"/>).</summary>
    protected KafkaProducerSession(IProducer<byte[], byte[]> producer, bool ownsProducer)
    {
        Producer = producer;
        _ownsProducer = ownsProducer;
    }

    /// <summary>The producer.</summary>
    public IProducer<byte[], byte[]> Producer { get; }

    /// <summary>Before the first record of a sink (exactly-once: init transactions, begin the first one).</summary>
    public virtual ValueTask OpenAsync(CancellationToken cancellationToken) => ValueTask.CompletedTask;

    /// <summary>Hands one message to the producer; throws <see cref="ProduceException{TKey, TValue}"/> on a local error.</summary>
    public virtual void Produce(string topic, Message<byte[], byte[]> message, Action<DeliveryReport<byte[], byte[]>> onDelivered) =>
        Producer.Produce(topic, message, onDelivered);

    /// <summary>
    /// A barrier reached the sink and every message produced so far has its delivery report (exactly-once: the
    /// pre-commit; nothing new goes into this checkpoint's transaction).
    /// </summary>
    public virtual ValueTask OnFlushedAsync(CancellationToken cancellationToken) => ValueTask.CompletedTask;

    /// <summary>Checkpoint <paramref name="checkpointId"/> is complete (exactly-once: commit its transaction, begin the next).</summary>
    public virtual ValueTask OnCheckpointCompleteAsync(long checkpointId, CancellationToken cancellationToken) => ValueTask.CompletedTask;

    /// <summary>Releases the producer (when owned).</summary>
    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    /// <summary>Releases the producer (when owned).</summary>
    protected virtual void Dispose(bool disposing)
    {
        if (disposing && _ownsProducer) Producer.Dispose();
    }
}
