using System.Buffers;

namespace Platform.Sinks.Kafka;

/// <summary>
/// Turns a record into a Kafka message: key, value, and the <c>sensorType</c> / <c>timestamp</c> headers.
/// Implement as a struct: the sink is specialised on it. Returned arrays may be cached and reused (the
/// producer copies them), but must not change afterwards.
/// </summary>
public interface IKafkaRecordEncoder<T>
{
    /// <summary>The message key's bytes, or null for no key.</summary>
    byte[]? KeyOf(in T record);

    /// <summary>The <see cref="KafkaHeaders.SensorType"/> header's bytes.</summary>
    byte[] SensorTypeOf(in T record);

    /// <summary>Event time, Unix ms: the <see cref="KafkaHeaders.Timestamp"/> header and the message timestamp.</summary>
    long TimestampOf(in T record);

    /// <summary>Writes the message value.</summary>
    void WriteValue(in T record, IBufferWriter<byte> value);
}
