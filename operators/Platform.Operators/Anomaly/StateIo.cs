using System.Buffers;
using System.Buffers.Binary;

namespace Platform.Operators.Anomaly;

/// <summary>Little-endian writer of detector state into an <see cref="IBufferWriter{T}"/>.</summary>
internal readonly struct StateWriter(IBufferWriter<byte> writer)
{
    public void Int(int v)
    {
        BinaryPrimitives.WriteInt32LittleEndian(writer.GetSpan(4), v);
        writer.Advance(4);
    }

    public void Long(long v)
    {
        BinaryPrimitives.WriteInt64LittleEndian(writer.GetSpan(8), v);
        writer.Advance(8);
    }

    public void Double(double v)
    {
        BinaryPrimitives.WriteDoubleLittleEndian(writer.GetSpan(8), v);
        writer.Advance(8);
    }

    public void Doubles(ReadOnlySpan<double> values)
    {
        Int(values.Length);
        foreach (var v in values) Double(v);
    }
}

/// <summary>Reader matching <see cref="StateWriter"/>; throws <see cref="InvalidDataException"/> on a truncated snapshot.</summary>
internal ref struct StateReader(ReadOnlySpan<byte> data)
{
    private ReadOnlySpan<byte> _data = data;

    public readonly bool End => _data.IsEmpty;

    public int Int()
    {
        var v = BinaryPrimitives.ReadInt32LittleEndian(Take(4));
        return v;
    }

    public long Long() => BinaryPrimitives.ReadInt64LittleEndian(Take(8));

    public double Double() => BinaryPrimitives.ReadDoubleLittleEndian(Take(8));

    public void Doubles(Span<double> target)
    {
        var n = Int();
        if (n != target.Length) throw new InvalidDataException($"Snapshot array of {n} values, expected {target.Length} (options changed?).");
        for (var i = 0; i < n; i++) target[i] = Double();
    }

    private ReadOnlySpan<byte> Take(int n)
    {
        if (_data.Length < n) throw new InvalidDataException("Anomaly snapshot is truncated.");
        var s = _data[..n];
        _data = _data[n..];
        return s;
    }
}
