using System.Buffers;

namespace Platform.Engine.Checkpoints;

/// <summary>
/// Reads what <see cref="SnapshotWriter"/> wrote, over a possibly multi-segment snapshot. Every read throws
/// <see cref="InvalidDataException"/> naming <c>what</c> and the byte offset when the snapshot is truncated.
/// </summary>
public ref struct SnapshotReader(ReadOnlySequence<byte> sequence, string what)
{
    private SequenceReader<byte> _reader = new(sequence);

    /// <summary>Bytes read so far.</summary>
    public readonly long Consumed => _reader.Consumed;

    /// <summary>One byte.</summary>
    public byte U8() => _reader.TryRead(out var v) ? v : throw Truncated();

    /// <summary>A 32-bit integer.</summary>
    public int I32() => _reader.TryReadLittleEndian(out int v) ? v : throw Truncated();

    /// <summary>An unsigned 32-bit integer.</summary>
    public uint U32() => (uint)I32();

    /// <summary>A 64-bit integer.</summary>
    public long I64() => _reader.TryReadLittleEndian(out long v) ? v : throw Truncated();

    /// <summary>A double, bit for bit.</summary>
    public double F64() => BitConverter.Int64BitsToDouble(I64());

    /// <summary>A length-prefixed array of doubles into <paramref name="target"/>, whose length it must have.</summary>
    public void F64s(Span<double> target)
    {
        var n = I32();
        if (n != target.Length) throw new InvalidDataException($"{what} snapshot has an array of {n} values where {target.Length} were expected (options changed?).");
        for (var i = 0; i < n; i++) target[i] = F64();
    }

    private readonly InvalidDataException Truncated() => new($"{what} snapshot is truncated at byte {_reader.Consumed}.");
}
