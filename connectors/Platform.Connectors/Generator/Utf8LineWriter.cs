using System.Buffers.Text;
using System.Runtime.CompilerServices;

namespace Platform.Connectors.Generator;

/// <summary>Appends ASCII pieces of one line into a span; the caller guarantees the room.</summary>
internal ref struct Utf8LineWriter(Span<byte> buffer)
{
    private static ReadOnlySpan<byte> Hex => "0123456789abcdef"u8;

    private readonly Span<byte> _buffer = buffer;

    public int Length;

    public readonly Span<byte> Written => _buffer[..Length];

    public readonly byte Last => _buffer[Length - 1];

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Raw(ReadOnlySpan<byte> bytes)
    {
        bytes.CopyTo(_buffer[Length..]);
        Length += bytes.Length;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Byte(byte b) => _buffer[Length++] = b;

    /// <summary>A ',' unless the line so far ends an opening brace (for fields that may be left out).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Separator()
    {
        if (_buffer[Length - 1] != (byte)'{') _buffer[Length++] = (byte)',';
    }

    public void Integer(long value)
    {
        Utf8Formatter.TryFormat(value, _buffer[Length..], out var n);
        Length += n;
    }

    public void Padded(long value, byte digits)
    {
        Utf8Formatter.TryFormat(value, _buffer[Length..], out var n, new System.Buffers.StandardFormat('D', digits));
        Length += n;
    }

    /// <summary>Two decimal digits (00–99).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Two(int value)
    {
        _buffer[Length] = (byte)('0' + value / 10);
        _buffer[Length + 1] = (byte)('0' + value % 10);
        Length += 2;
    }

    /// <summary>A decimal with <paramref name="decimals"/> fraction digits from its value × 10^decimals.</summary>
    public void Fixed(long scaled, int decimals, long pow10)
    {
        if (scaled < 0)
        {
            Byte((byte)'-');
            scaled = -scaled;
        }
        var whole = Math.DivRem(scaled, pow10, out var frac);
        Integer(whole);
        Byte((byte)'.');
        for (var i = decimals - 1; i >= 0; i--)
        {
            _buffer[Length + i] = (byte)('0' + frac % 10);
            frac /= 10;
        }
        Length += decimals;
    }

    /// <summary><paramref name="count"/> lowercase hex digits of the top of <paramref name="value"/>, starting at nibble <paramref name="from"/>.</summary>
    public void HexDigits(ulong value, int from, int count)
    {
        var hex = Hex;
        for (var i = 0; i < count; i++)
        {
            _buffer[Length + i] = hex[(int)((value >> (60 - 4 * (from + i))) & 0xF)];
        }
        Length += count;
    }

    /// <summary>A canonical version-4 UUID from 128 random bits.</summary>
    public void Uuid(ulong hi, ulong lo)
    {
        hi = (hi & 0xFFFFFFFFFFFF0FFFUL) | 0x0000000000004000UL;
        lo = (lo & 0x3FFFFFFFFFFFFFFFUL) | 0x8000000000000000UL;
        HexDigits(hi, 0, 8);
        Byte((byte)'-');
        HexDigits(hi, 8, 4);
        Byte((byte)'-');
        HexDigits(hi, 12, 4);
        Byte((byte)'-');
        HexDigits(lo, 0, 4);
        Byte((byte)'-');
        HexDigits(lo, 4, 12);
    }
}
