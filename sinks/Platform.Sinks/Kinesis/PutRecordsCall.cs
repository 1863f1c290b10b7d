using System.Text.Json;
using Platform.Connectors.Aws;
using Platform.Sinks.Aws;

namespace Platform.Sinks.Kinesis;

/// <summary>
/// One PutRecords request being filled or sent: the entries' key and data bytes in one pooled buffer
/// and their offsets, within the AWS limits (≤ 500 records, ≤ 5 MiB of data + partition keys; an
/// explicit hash key does not count). Reused.
/// </summary>
internal sealed class PutRecordsCall(string streamName) : IAwsBatchCall, IDisposable
{
    public const int MaxRecords = 500;
    public const int MaxBytes = 5 * 1024 * 1024;

    internal struct Entry
    {
        public int KeyOffset, KeyLength, HashKeyOffset, HashKeyLength, DataOffset, DataLength;
        public long Ordinal;
    }

    private readonly PooledBufferWriter _store = new(64 * 1024);
    private Entry[] _entries = new Entry[64];

    public int Count { get; private set; }
    public long Bytes { get; private set; }

    public ref readonly Entry this[int index] => ref _entries[index];

    public bool CanTake(int keyLength, int dataLength) =>
        Count < MaxRecords && Bytes + keyLength + dataLength <= MaxBytes;

    /// <summary>Adds an entry; <paramref name="explicitHashKey"/> is empty when the partition key's hash decides the shard.</summary>
    public void Add(ReadOnlySpan<byte> key, ReadOnlySpan<byte> explicitHashKey, ReadOnlySpan<byte> data, long ordinal)
    {
        if (Count == _entries.Length) Array.Resize(ref _entries, Math.Min(MaxRecords, Count * 2));
        ref var e = ref _entries[Count++];
        e.KeyOffset = _store.WrittenCount;
        e.KeyLength = key.Length;
        _store.Write(key);
        e.HashKeyOffset = _store.WrittenCount;
        e.HashKeyLength = explicitHashKey.Length;
        _store.Write(explicitHashKey);
        e.DataOffset = _store.WrittenCount;
        e.DataLength = data.Length;
        _store.Write(data);
        e.Ordinal = ordinal;
        Bytes += key.Length + data.Length;
    }

    public ReadOnlySpan<byte> KeyOf(int index) => _store.Array.AsSpan(_entries[index].KeyOffset, _entries[index].KeyLength);

    public ReadOnlySpan<byte> DataOf(int index) => _store.Array.AsSpan(_entries[index].DataOffset, _entries[index].DataLength);

    public long OrdinalOf(int entry) => _entries[entry].Ordinal;

    /// <summary>A dead letter keeps the record's data.</summary>
    public ReadOnlySpan<byte> PayloadOf(int entry) => DataOf(entry);

    /// <summary>Writes the request for the entries at <paramref name="indices"/>: base64 of the data straight into the JSON.</summary>
    public void WriteRequest(Utf8JsonWriter writer, List<int> indices)
    {
        writer.WriteStartObject();
        writer.WriteStartArray("Records"u8);
        foreach (var i in indices)
        {
            writer.WriteStartObject();
            writer.WriteBase64String("Data"u8, DataOf(i));
            writer.WriteString("PartitionKey"u8, KeyOf(i));
            if (_entries[i].HashKeyLength > 0) writer.WriteString("ExplicitHashKey"u8, _store.Array.AsSpan(_entries[i].HashKeyOffset, _entries[i].HashKeyLength));
            writer.WriteEndObject();
        }
        writer.WriteEndArray();
        writer.WriteString("StreamName"u8, streamName);
        writer.WriteEndObject();
        writer.Flush();
    }

    public void Clear()
    {
        Count = 0;
        Bytes = 0;
        _store.Reset();
    }

    public void Dispose() => _store.Dispose();
}
