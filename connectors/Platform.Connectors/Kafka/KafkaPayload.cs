using Confluent.Kafka;

namespace Platform.Connectors.Kafka;

/// <summary>Marker value type: the message bytes themselves stay in <see cref="KafkaPayloadDeserializer"/>'s buffer.</summary>
internal readonly struct KafkaPayload;

/// <summary>
/// Copies each message value into one reused buffer instead of a new array per message; the poll thread appends it
/// to its partition's chunk before the next Consume. Used by the poll thread only.
/// </summary>
internal sealed class KafkaPayloadDeserializer : IDeserializer<KafkaPayload>
{
    private byte[] _buffer = new byte[16 * 1024];
    private int _length;

    /// <summary>The value of the message last consumed (empty for a null value).</summary>
    public ReadOnlySpan<byte> Last => _buffer.AsSpan(0, _length);

    public KafkaPayload Deserialize(ReadOnlySpan<byte> data, bool isNull, SerializationContext context)
    {
        _length = 0;
        if (isNull) return default;
        if (data.Length > _buffer.Length) _buffer = new byte[Math.Max(data.Length, _buffer.Length * 2)];
        data.CopyTo(_buffer);
        _length = data.Length;
        return default;
    }
}
