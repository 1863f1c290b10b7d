using System.Buffers;

namespace Platform.Connectors.Kafka;

/// <summary>
/// Which Kafka offset each message of a chunk had: the parser reports a rejected line by its byte position, and
/// the dead-letter path turns that back into (partition, offset). Arrays are pooled; one instance per chunk.
/// </summary>
internal sealed class KafkaChunkOffsets
{
    private int[] _starts = ArrayPool<int>.Shared.Rent(256);
    private long[] _offsets = ArrayPool<long>.Shared.Rent(256);

    /// <summary>Virtual byte position of the chunk's first byte (<c>Chunk.Position</c>).</summary>
    public long ChunkPosition { get; set; }

    /// <summary>Messages recorded.</summary>
    public int Count { get; private set; }

    /// <summary>The offset after the chunk's last message (where the partition resumes after this chunk).</summary>
    public long Next { get; set; } = -1;

    /// <summary>Records that the message at <paramref name="offset"/> starts at byte <paramref name="start"/> of the chunk.</summary>
    public void Add(int start, long offset)
    {
        if (Count == _starts.Length)
        {
            Grow(ref _starts);
            Grow(ref _offsets);
        }
        _starts[Count] = start;
        _offsets[Count] = offset;
        Count++;
    }

    /// <summary>The offset of the message holding byte <paramref name="position"/> (virtual), or -1.</summary>
    public long OffsetAt(long position)
    {
        var relative = position - ChunkPosition;
        if (Count == 0 || relative < 0 || relative > int.MaxValue) return -1;
        var i = Array.BinarySearch(_starts, 0, Count, (int)relative);
        if (i < 0) i = ~i - 1;
        return i < 0 ? -1 : _offsets[i];
    }

    /// <summary>Returns the arrays to their pools.</summary>
    public void Release()
    {
        ArrayPool<int>.Shared.Return(_starts);
        ArrayPool<long>.Shared.Return(_offsets);
        _starts = [];
        _offsets = [];
        Count = 0;
    }

    private static void Grow<T>(ref T[] array)
    {
        var bigger = ArrayPool<T>.Shared.Rent(array.Length * 2);
        array.AsSpan().CopyTo(bigger);
        ArrayPool<T>.Shared.Return(array);
        array = bigger;
    }
}
