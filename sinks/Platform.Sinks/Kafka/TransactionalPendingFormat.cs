using System.Buffers;
using System.Buffers.Binary;
using System.Text;
using Confluent.Kafka;

namespace Platform.Sinks.Kafka;

/// <summary>
/// The checkpoint form of a pending transaction: version, sequence number, then each record's topic, key, value,
/// timestamp and headers (lengths little-endian, -1 for a null key or header value).
/// </summary>
internal static class TransactionalPendingFormat
{
    public static void Write(IBufferWriter<byte> writer, int version, long sequence, IReadOnlyList<(string Topic, Message<byte[], byte[]> Message)> records)
    {
        WriteInt(writer, version);
        WriteLong(writer, sequence);
        WriteInt(writer, records.Count);
        foreach (var (topic, m) in records)
        {
            WriteBytes(writer, Encoding.UTF8.GetBytes(topic));
            WriteBytes(writer, m.Key);
            WriteBytes(writer, m.Value);
            WriteLong(writer, m.Timestamp.UnixTimestampMs);
            WriteInt(writer, m.Headers?.Count ?? 0);
            if (m.Headers is null) continue;
            foreach (var h in m.Headers)
            {
                WriteBytes(writer, Encoding.UTF8.GetBytes(h.Key));
                WriteBytes(writer, h.GetValueBytes());
            }
        }
    }

    public static (long Sequence, List<(string Topic, Message<byte[], byte[]> Message)> Records) Read(ReadOnlySequence<byte> snapshot, int expectedVersion)
    {
        var reader = new SequenceReader<byte>(snapshot);
        var version = ReadInt(ref reader);
        if (version != expectedVersion) throw new InvalidDataException($"pending Kafka transaction has format version {version}; this build reads {expectedVersion}.");
        var sequence = ReadLong(ref reader);
        var count = ReadInt(ref reader);
        if (count < 0) throw new InvalidDataException($"pending Kafka transaction claims {count} records.");
        var records = new List<(string, Message<byte[], byte[]>)>(Math.Min(count, 1 << 16));
        for (var i = 0; i < count; i++)
        {
            var topic = Encoding.UTF8.GetString(ReadBytes(ref reader) ?? throw new InvalidDataException("pending record without topic."));
            var message = new Message<byte[], byte[]>
            {
                Key = ReadBytes(ref reader)!,
                Value = ReadBytes(ref reader)!,
                Timestamp = new Timestamp(ReadLong(ref reader), TimestampType.CreateTime),
                Headers = [],
            };
            for (var h = ReadInt(ref reader); h > 0; h--)
                message.Headers.Add(Encoding.UTF8.GetString(ReadBytes(ref reader) ?? []), ReadBytes(ref reader));
            records.Add((topic, message));
        }
        if (!reader.End) throw new InvalidDataException($"{reader.Remaining} bytes after the pending Kafka transaction's last record.");
        return (sequence, records);
    }

    private static void WriteInt(IBufferWriter<byte> w, int v)
    {
        BinaryPrimitives.WriteInt32LittleEndian(w.GetSpan(4), v);
        w.Advance(4);
    }

    private static void WriteLong(IBufferWriter<byte> w, long v)
    {
        BinaryPrimitives.WriteInt64LittleEndian(w.GetSpan(8), v);
        w.Advance(8);
    }

    private static void WriteBytes(IBufferWriter<byte> w, byte[]? bytes)
    {
        WriteInt(w, bytes?.Length ?? -1);
        if (bytes is { Length: > 0 }) w.Write(bytes);
    }

    private static int ReadInt(ref SequenceReader<byte> r) =>
        r.TryReadLittleEndian(out int v) ? v : throw new InvalidDataException("pending Kafka transaction is truncated.");

    private static long ReadLong(ref SequenceReader<byte> r) =>
        r.TryReadLittleEndian(out long v) ? v : throw new InvalidDataException("pending Kafka transaction is truncated.");

    private static byte[]? ReadBytes(ref SequenceReader<byte> r)
    {
        var length = ReadInt(ref r);
        if (length < 0) return null;
        if (length > r.Remaining) throw new InvalidDataException($"pending Kafka transaction is truncated (a field of {length} bytes, {r.Remaining} left).");
        var bytes = new byte[length];
        r.TryCopyTo(bytes);
        r.Advance(length);
        return bytes;
    }
}
