using System.Buffers.Text;
using Confluent.Kafka;
using Platform.Connectors.Aws;
using Platform.Engine.Batching;
using Platform.Engine.Contracts;
using Platform.Engine.DeadLetters;
using Platform.Sinks.DuckDb;

namespace Platform.Sinks.Kafka;

/// <summary>
/// Writes records to a Kafka topic: key from the encoder (device id by default), headers <c>sensorType</c> and
/// <c>timestamp</c>, through a <see cref="KafkaProducerSession"/> (acks=all, idempotent). Every delivery report is
/// checked: a record the broker still refuses when the producer's retries are spent goes to the dead-letter queue
/// with the broker's error, never dropped silently; a fatal producer error fails the pipeline. On a barrier
/// (<see cref="FlushAsync"/>) the sink waits until every record it produced has its report, so a checkpoint never
/// completes ahead of its results.
/// <para>
/// Confluent.Kafka takes a <see cref="Message{TKey, TValue}"/> with its own value array per record; keys and header
/// values are cached arrays per symbol. Results are far fewer than input records, so this is off the hot path.
/// </para>
/// </summary>
internal sealed class KafkaSink<T, TEncoder> : ISink<T>, ICheckpointAwareSink
    where TEncoder : struct, IKafkaRecordEncoder<T>
{
    private readonly KafkaSinkOptions _options;
    private readonly KafkaProducerSession _session;
    private readonly bool _ownsSession;
    private readonly TEncoder _encoder;
    private readonly IDeadLetterSink _deadLetters;
    private readonly PooledBufferWriter _value = new(4096);
    private readonly Action<DeliveryReport<byte[], byte[]>> _onDelivered;
    private readonly SinkInstruments _instruments;
    private readonly Lock _lock = new();
    private TaskCompletionSource? _drained;
    private long _inFlight;
    private long _delivered;
    private long _refused;
    private volatile Error? _fatal;
    private long _lastTimestamp = long.MinValue;
    private byte[] _lastTimestampDigits = [];

    public KafkaSink(KafkaSinkOptions options, KafkaProducerSession session, bool ownsSession, TEncoder encoder, IDeadLetterSink deadLetters)
    {
        _options = options;
        _session = session;
        _ownsSession = ownsSession;
        _encoder = encoder;
        _deadLetters = deadLetters;
        _onDelivered = OnDelivered;
        Name = options.Name ?? "kafka:" + options.Topic;
        _instruments = new SinkInstruments(Name, null);
    }

    public string Name { get; }

    /// <summary>Records acknowledged by the brokers.</summary>
    public long Delivered => Interlocked.Read(ref _delivered);

    /// <summary>Records refused for good (now in the dead-letter queue).</summary>
    public long Refused => Interlocked.Read(ref _refused);

    public ValueTask OpenAsync(CancellationToken cancellationToken) => _session.OpenAsync(cancellationToken);

    public async ValueTask WriteAsync(Batch<T> batch, CancellationToken cancellationToken)
    {
        ThrowIfFatal();
        var start = System.Diagnostics.Stopwatch.GetTimestamp();
        for (var i = 0; i < batch.Count; i++)
        {
            ref readonly var record = ref batch.Items[i];
            _value.Reset();
            _encoder.WriteValue(record, _value);
            var timestamp = _encoder.TimestampOf(record);
            var message = new Message<byte[], byte[]>
            {
                Key = _encoder.KeyOf(record)!,
                Value = _value.WrittenSpan.ToArray(),
                Timestamp = new Timestamp(timestamp, TimestampType.CreateTime),
                Headers = new Headers
                {
                    { KafkaHeaders.SensorType, _encoder.SensorTypeOf(record) },
                    { KafkaHeaders.Timestamp, TimestampDigits(timestamp) },
                },
            };
            await ProduceAsync(message, cancellationToken);
        }
        _instruments.Written(batch.Count, start);
    }

    /// <summary>
    /// The timestamp header's bytes; the results a window fires share their window end, so the last one is kept
    /// (librdkafka copies header values when a message is produced, so one array serves them all).
    /// </summary>
    private byte[] TimestampDigits(long timestamp)
    {
        if (timestamp != _lastTimestamp)
        {
            _lastTimestampDigits = Digits(timestamp);
            _lastTimestamp = timestamp;
        }
        return _lastTimestampDigits;
    }

    private static byte[] Digits(long value)
    {
        Span<byte> digits = stackalloc byte[20];
        Utf8Formatter.TryFormat(value, digits, out var length);
        return digits[..length].ToArray();
    }

    /// <summary>Produces one message; a full local queue is backpressure (wait, try again), any other local error dead-letters it.</summary>
    private async ValueTask ProduceAsync(Message<byte[], byte[]> message, CancellationToken cancellationToken)
    {
        while (true)
        {
            Interlocked.Increment(ref _inFlight);
            try
            {
                _session.Produce(_options.Topic, message, _onDelivered);
                return;
            }
            catch (ProduceException<byte[], byte[]> e)
            {
                Interlocked.Decrement(ref _inFlight);
                if (e.Error.Code != ErrorCode.Local_QueueFull)
                {
                    Refuse(message, -1, e.Error);
                    return;
                }
            }
            catch
            {
                Interlocked.Decrement(ref _inFlight);
                throw;
            }
            await Task.Delay(1, cancellationToken);
            ThrowIfFatal();
        }
    }

    private void OnDelivered(DeliveryReport<byte[], byte[]> report)
    {
        if (report.Error.IsError)
        {
            if (report.Error.IsFatal) _fatal = report.Error;
            Refuse(report.Message, report.Partition.Value, report.Error);
        }
        else Interlocked.Increment(ref _delivered);
        if (Interlocked.Decrement(ref _inFlight) == 0)
        {
            TaskCompletionSource? waiting;
            lock (_lock)
            {
                waiting = _drained;
                _drained = null;
            }
            waiting?.TrySetResult();
        }
    }

    private void Refuse(Message<byte[], byte[]> message, int partition, Error error)
    {
        Interlocked.Increment(ref _refused);
        _deadLetters.Write(Name, partition, message.Timestamp.UnixTimestampMs,
            $"Kafka refused the record for topic '{_options.Topic}'{(error.IsLocalError ? " locally" : " after the producer's retries")}: {error.Code} ({error.Reason})",
            message.Value);
    }

    /// <summary>Waits until every record produced so far has its delivery report (the pre-commit of a checkpoint).</summary>
    public async ValueTask FlushAsync(CancellationToken cancellationToken)
    {
        // Waits for the last report without blocking a thread (Producer.Flush would, once per sink, on a small pool):
        // records leave within linger.ms anyway, and the producer's poll thread serves the reports.
        while (true)
        {
            ThrowIfFatal();
            TaskCompletionSource waiting;
            lock (_lock)
            {
                if (Interlocked.Read(ref _inFlight) == 0) break;
                waiting = _drained ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            }
            try
            {
                await waiting.Task.WaitAsync(TimeSpan.FromMilliseconds(500), cancellationToken);
            }
            catch (TimeoutException)
            {
                // Look at a fatal error, then wait on.
            }
        }
        await _session.OnFlushedAsync(cancellationToken);
    }

    public ValueTask CommitAsync(long checkpointId, CancellationToken cancellationToken) =>
        _session.OnCheckpointCompleteAsync(checkpointId, cancellationToken);

    private void ThrowIfFatal()
    {
        if (_fatal is { } e) throw new KafkaException(e);
    }

    public ValueTask DisposeAsync()
    {
        _value.Dispose();
        _instruments.Dispose();
        if (_ownsSession) _session.Dispose();
        return ValueTask.CompletedTask;
    }
}
