using System.Buffers;
using System.Buffers.Binary;

namespace Platform.Engine.Checkpoints;

/// <summary>
/// Little-endian writer of operator state for <see cref="Contracts.IKeyedOperator{TIn, TOut}.Snapshot"/>:
/// fixed-width integers and doubles straight into the <see cref="IBufferWriter{T}"/>, no intermediate buffer.
/// Read back with <see cref="SnapshotReader"/>.
/// </summary>
public readonly struct SnapshotWriter(IBufferWriter<byte> writer)
{
    /// <summary>One byte.</summary>
    public void U8(byte v)
    {
        writer.GetSpan(1)[0] = v;
        writer.Advance(1);
    }

    /// <summary>A 32-bit integer.</summary>
    public void I32(int v)
    {
        BinaryPrimitives.WriteInt32LittleEndian(writer.GetSpan(4), v);
        writer.Advance(4);
    }

    /// <summary>An unsigned 32-bit integer.</summary>
    public void U32(uint v)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(writer.GetSpan(4), v);
        writer.Advance(4);
    }

    /// <summary>A 64-bit integer.</summary>
    public void I64(long v)
    {
        BinaryPrimitives.WriteInt64LittleEndian(writer.GetSpan(8), v);
        writer.Advance(8);
    }

    /// <summary>A double, bit for bit.</summary>
    public void F64(double v) => I64(BitConverter.DoubleToInt64Bits(v));

    /// <summary>A length-prefixed array of doubles (read with <see cref="SnapshotReader.F64s"/>, which checks the length).</summary>
    public void F64s(ReadOnlySpan<double> values)
    {
        I32(values.Length);
        foreach (var v in values) F64(v);
    }
}
