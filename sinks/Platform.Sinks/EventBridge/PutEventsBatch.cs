using System.Text.Json;
using Platform.Connectors.Aws;
using Platform.Sinks.Aws;

namespace Platform.Sinks.EventBridge;

/// <summary>The entries of one PutEvents call (≤ 10, ≤ 256 KiB as AWS counts it): Detail bytes in one pooled buffer. Reused.</summary>
internal sealed class PutEventsBatch(EventBridgeSinkOptions options) : IAwsBatchCall, IDisposable
{
    internal struct Entry
    {
        public int DetailOffset, DetailLength;
        public long TimeMs;
        public bool HasTime;
        public long Ordinal;
    }

    private readonly PooledBufferWriter _details = new(16 * 1024);
    private readonly Entry[] _entries = new Entry[PutEventsEntrySize.MaxEntries];

    public int Count { get; private set; }
    public int Size { get; private set; }

    public ref readonly Entry this[int index] => ref _entries[index];

    public bool CanTake(int size) => Count < PutEventsEntrySize.MaxEntries && Size + size <= PutEventsEntrySize.MaxRequestBytes;

    public void Add(ReadOnlySpan<byte> detail, long? timeMs, int size, long ordinal)
    {
        ref var e = ref _entries[Count++];
        e.DetailOffset = _details.WrittenCount;
        e.DetailLength = detail.Length;
        _details.Write(detail);
        e.HasTime = timeMs.HasValue;
        e.TimeMs = timeMs.GetValueOrDefault();
        e.Ordinal = ordinal;
        Size += size;
    }

    public ReadOnlySpan<byte> DetailOf(int index) => _details.Array.AsSpan(_entries[index].DetailOffset, _entries[index].DetailLength);

    public long OrdinalOf(int entry) => _entries[entry].Ordinal;

    /// <summary>A dead letter keeps the event's Detail.</summary>
    public ReadOnlySpan<byte> PayloadOf(int entry) => DetailOf(entry);

    public void WriteRequest(Utf8JsonWriter w, List<int> indices)
    {
        var o = options;
        w.WriteStartObject();
        w.WriteStartArray("Entries"u8);
        foreach (var i in indices)
        {
            ref readonly var e = ref _entries[i];
            w.WriteStartObject();
            w.WriteString("Source"u8, o.Source);
            w.WriteString("DetailType"u8, o.DetailType);
            w.WriteString("Detail"u8, DetailOf(i));
            w.WriteString("EventBusName"u8, o.EventBusName);
            if (e.HasTime) w.WriteNumber("Time"u8, e.TimeMs / 1000.0);
            if (o.Resources.Count > 0)
            {
                w.WriteStartArray("Resources"u8);
                foreach (var r in o.Resources) w.WriteStringValue(r);
                w.WriteEndArray();
            }
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteEndObject();
        w.Flush();
    }

    public void Clear()
    {
        Count = 0;
        Size = 0;
        _details.Reset();
    }

    public void Dispose() => _details.Dispose();
}
