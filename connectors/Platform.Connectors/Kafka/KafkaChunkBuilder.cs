using Platform.Engine.Contracts;

namespace Platform.Connectors.Kafka;

/// <summary>
/// Gathers one partition's messages into a chunk of NDJSON lines for the parser: each message value becomes one
/// line (a CR or LF inside it becomes a space — JSON whitespace — so a message is never split into two records).
/// Positions are virtual bytes of the partition's line stream; <see cref="KafkaChunkOffsets"/> maps them back to
/// Kafka offsets. Used by the poll thread only.
/// </summary>
internal sealed class KafkaChunkBuilder(int chunkBytes) : IDisposable
{
    private Chunk? _chunk;
    private KafkaChunkOffsets? _offsets;
    private long _position;
    private long _next = -1;

    /// <summary>Bytes gathered so far.</summary>
    public int Length => _chunk?.Length ?? 0;

    /// <summary>Appends one message value (empty and null values carry no record but still advance the offset).</summary>
    public void Append(ReadOnlySpan<byte> value, long offset)
    {
        _next = offset + 1;
        if (value.IsEmpty) return;
        if (_chunk is null)
        {
            _chunk = new Chunk(Math.Max(chunkBytes, value.Length + 1));
            _offsets = new KafkaChunkOffsets { ChunkPosition = _position };
        }
        var start = _chunk.Length;
        _chunk.EnsureCapacity(start + value.Length + 1);
        var line = _chunk.Buffer.AsSpan(start, value.Length);
        value.CopyTo(line);
        line.Replace((byte)'\n', (byte)' ');
        line.Replace((byte)'\r', (byte)' ');
        _chunk.Buffer[start + value.Length] = (byte)'\n';
        _chunk.Length = start + value.Length + 1;
        _offsets!.Add(start, offset);
    }

    /// <summary>The chunk gathered so far and its offsets (null when empty); starts a new one.</summary>
    public (Chunk Chunk, KafkaChunkOffsets Offsets)? Take()
    {
        if (_chunk is null) return null;
        var chunk = _chunk;
        var offsets = _offsets!;
        chunk.Position = _position;
        offsets.Next = _next;
        _position += chunk.Length;
        _chunk = null;
        _offsets = null;
        return (chunk, offsets);
    }

    /// <summary>Drops what was gathered (the partition is going away; those offsets are read again by its next owner).</summary>
    public void Discard()
    {
        _chunk?.Dispose();
        _offsets?.Release();
        _chunk = null;
        _offsets = null;
    }

    public void Dispose() => Discard();
}
