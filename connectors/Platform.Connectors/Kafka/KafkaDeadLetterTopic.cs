using System.Globalization;
using System.Text;
using Confluent.Kafka;
using Platform.Engine.DeadLetters;

namespace Platform.Connectors.Kafka;

/// <summary>
/// Dead letters as messages of a Kafka topic: the value is the rejected bytes, the headers say why and where it
/// came from (<see cref="KafkaDeadLetterHeaders"/>: error, topic, partition, offset — <c>source</c>, <c>partition</c>
/// and <c>position</c> of <see cref="Write"/>). Idempotent producer, acks=all. <see cref="Flush"/> runs before a
/// checkpoint's offsets are committed, so a committed offset never covers a dead letter still in flight. A dead
/// letter the broker refuses is counted in <see cref="Undelivered"/> and its error kept in <see cref="LastError"/>.
/// Thread-safe.
/// </summary>
public sealed class KafkaDeadLetterTopic : IDeadLetterSink, IDisposable
{
    private readonly IProducer<byte[], byte[]> _producer;
    private readonly string _topic;
    private readonly Action<DeliveryReport<byte[], byte[]>> _onDelivered;
    private long _count;
    private long _undelivered;
    private volatile string? _lastError;

    /// <summary>A producer to <paramref name="topic"/> on <paramref name="bootstrapServers"/>.</summary>
    public KafkaDeadLetterTopic(string bootstrapServers, string topic, IReadOnlyDictionary<string, string>? extra = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(topic);
        var config = new ProducerConfig
        {
            BootstrapServers = bootstrapServers,
            Acks = Acks.All,
            EnableIdempotence = true,
            LingerMs = 5,
            ClientId = "platform-dead-letters",
        };
        foreach (var (k, v) in extra ?? new Dictionary<string, string>()) config.Set(k, v);
        _producer = new ProducerBuilder<byte[], byte[]>(config).Build();
        _topic = topic;
        _onDelivered = r =>
        {
            if (!r.Error.IsError) return;
            Interlocked.Increment(ref _undelivered);
            _lastError = $"{r.Error.Code}: {r.Error.Reason}";
        };
    }

    /// <summary>The dead-letter topic.</summary>
    public string Topic => _topic;

    /// <inheritdoc />
    public long Count => Interlocked.Read(ref _count);

    /// <summary>Dead letters the broker refused.</summary>
    public long Undelivered => Interlocked.Read(ref _undelivered);

    /// <summary>The latest refusal.</summary>
    public string? LastError => _lastError;

    /// <inheritdoc />
    public void Write(string source, int partition, long position, string reason, ReadOnlySpan<byte> raw)
    {
        Interlocked.Increment(ref _count);
        var message = new Message<byte[], byte[]>
        {
            Value = raw.ToArray(),
            Headers = new Headers
            {
                { KafkaDeadLetterHeaders.Error, Encoding.UTF8.GetBytes(reason) },
                { KafkaDeadLetterHeaders.Topic, Encoding.UTF8.GetBytes(source) },
                { KafkaDeadLetterHeaders.Partition, Encoding.UTF8.GetBytes(partition.ToString(CultureInfo.InvariantCulture)) },
                { KafkaDeadLetterHeaders.Offset, Encoding.UTF8.GetBytes(position.ToString(CultureInfo.InvariantCulture)) },
            },
        };
        while (true)
        {
            try
            {
                _producer.Produce(_topic, message, _onDelivered);
                return;
            }
            catch (ProduceException<byte[], byte[]> e) when (e.Error.Code == ErrorCode.Local_QueueFull)
            {
                // Rare (dead letters are few): wait for the queue on this parse thread rather than lose the letter.
                _producer.Flush(TimeSpan.FromMilliseconds(100));
            }
            catch (ProduceException<byte[], byte[]> e)
            {
                Interlocked.Increment(ref _undelivered);
                _lastError = $"{e.Error.Code}: {e.Error.Reason}";
                return;
            }
        }
    }

    /// <summary>Waits until every dead letter written so far is acknowledged (or <paramref name="timeout"/> passes); true when none is left.</summary>
    public bool Flush(TimeSpan timeout) => _producer.Flush(timeout) == 0;

    /// <inheritdoc />
    public void Dispose()
    {
        _producer.Flush(TimeSpan.FromSeconds(10));
        _producer.Dispose();
    }
}
