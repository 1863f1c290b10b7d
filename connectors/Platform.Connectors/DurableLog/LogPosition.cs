using System.Buffers.Binary;

namespace Platform.Connectors.DurableLog;

/// <summary>
/// A place in a durable log: a segment id and a byte offset in that segment's file. Ordered, and
/// exportable as 12 bytes (<see cref="WriteTo"/>/<see cref="Read"/>) or packed into one
/// <see cref="long"/> (<see cref="Pack"/>, segment in the high 24 bits, offset in the low 40) for
/// <see cref="Engine.Contracts.IChunkSource.PositionOf"/>.
/// </summary>
/// <param name="Segment">Segment id (file name), ≥ 0.</param>
/// <param name="Offset">Byte offset in the segment file.</param>
public readonly record struct LogPosition(int Segment, long Offset) : IComparable<LogPosition>
{
    /// <summary>Bytes of the binary form.</summary>
    public const int SerializedSize = 12;

    private const int OffsetBits = 40;
    private const long OffsetMask = (1L << OffsetBits) - 1;

    /// <summary>The start of a log (before every record).</summary>
    public static LogPosition Start { get; } = new(0, 0);

    /// <summary>Writes the 12-byte form (segment u32 LE, offset i64 LE).</summary>
    public void WriteTo(Span<byte> destination)
    {
        BinaryPrimitives.WriteInt32LittleEndian(destination, Segment);
        BinaryPrimitives.WriteInt64LittleEndian(destination[4..], Offset);
    }

    /// <summary>The 12-byte form as a new array (for checkpoint blobs).</summary>
    public byte[] ToBytes()
    {
        var b = new byte[SerializedSize];
        WriteTo(b);
        return b;
    }

    /// <summary>Reads the 12-byte form.</summary>
    /// <exception cref="ArgumentException">Fewer than 12 bytes, or negative fields.</exception>
    public static LogPosition Read(ReadOnlySpan<byte> source)
    {
        if (source.Length < SerializedSize) throw new ArgumentException($"A log position needs {SerializedSize} bytes, got {source.Length}.", nameof(source));
        var p = new LogPosition(BinaryPrimitives.ReadInt32LittleEndian(source), BinaryPrimitives.ReadInt64LittleEndian(source[4..]));
        if (p.Segment < 0 || p.Offset < 0) throw new ArgumentException($"Invalid log position {p}.", nameof(source));
        return p;
    }

    /// <summary>Packs into one long (segment &lt; 2^23, offset &lt; 2^40).</summary>
    public long Pack() => ((long)Segment << OffsetBits) | (Offset & OffsetMask);

    /// <summary>The inverse of <see cref="Pack"/>.</summary>
    public static LogPosition Unpack(long packed) => new((int)(packed >> OffsetBits), packed & OffsetMask);

    /// <inheritdoc />
    public int CompareTo(LogPosition other) => Segment != other.Segment ? Segment.CompareTo(other.Segment) : Offset.CompareTo(other.Offset);

    /// <summary>Orders positions.</summary>
    public static bool operator <(LogPosition a, LogPosition b) => a.CompareTo(b) < 0;

    /// <summary>Orders positions.</summary>
    public static bool operator >(LogPosition a, LogPosition b) => a.CompareTo(b) > 0;

    /// <summary>Orders positions.</summary>
    public static bool operator <=(LogPosition a, LogPosition b) => a.CompareTo(b) <= 0;

    /// <summary>Orders positions.</summary>
    public static bool operator >=(LogPosition a, LogPosition b) => a.CompareTo(b) >= 0;

    /// <inheritdoc />
    public override string ToString() => $"{Segment}:{Offset}";
}
