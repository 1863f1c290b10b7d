using System.Buffers.Text;
using System.Runtime.CompilerServices;

namespace Platform.Connectors.Generator;

/// <summary>Appends ASCII pieces of one line into a span; the caller guarantees the room.</summary>
internal ref struct Utf8LineWriter(Span<byte> buffer)
{
    // Two lowercase hex digits per byte value, so a UUID takes 16 lookups instead of 32.
    private static readonly ushort[] HexPairs = BuildHexPairs();

    private static ushort[] BuildHexPairs()
    {
        var pairs = new ushort[256];
        for (var i = 0; i < 256; i++)
        {
            var hi = "0123456789abcdef"[i >> 4];
            var lo = "0123456789abcdef"[i & 0xF];
            pairs[i] = BitConverter.IsLittleEndian ? (ushort)(hi | (lo << 8)) : (ushort)((hi << 8) | lo);
        }
        return pairs;
    }

    private readonly Span<byte> _buffer = buffer;

    public int Length;

    public readonly Span<byte> Written => _buffer[..Length];

    public readonly byte Last => _buffer[Length - 1];

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Raw(scoped ReadOnlySpan<byte> bytes)
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

    /// <summary>A non-negative number left-padded with zeros to <paramref name="digits"/> digits (more if it needs them).</summary>
    public void Padded(long value, int digits)
    {
        var length = Math.Max(digits, CountDigits((ulong)value));
        var target = _buffer.Slice(Length, length);
        for (var i = length - 1; i >= 0; i--)
        {
            target[i] = (byte)('0' + value % 10);
            value /= 10;
        }
        Length += length;
    }

    private static int CountDigits(ulong value)
    {
        var n = 1;
        while (value >= 10)
        {
            value /= 10;
            n++;
        }
        return n;
    }

    /// <summary>Two decimal digits (00–99).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Two(int value)
    {
        _buffer[Length] = (byte)('0' + value / 10);
        _buffer[Length + 1] = (byte)('0' + value % 10);
        Length += 2;
    }

    /// <summary>A decimal with <paramref name="decimals"/> fraction digits (at most 18) from its value × 10^decimals.</summary>
    public void Fixed(long scaled, int decimals)
    {
        if (scaled < 0)
        {
            Byte((byte)'-');
            scaled = -scaled;
        }
        var u = (ulong)scaled;
        Span<byte> digits = stackalloc byte[24];
        var i = digits.Length;
        for (var d = 0; d < decimals; d++)
        {
            var q = u / 10;
            digits[--i] = (byte)('0' + (u - q * 10));
            u = q;
        }
        digits[--i] = (byte)'.';
        do
        {
            var q = u / 10;
            digits[--i] = (byte)('0' + (u - q * 10));
            u = q;
        }
        while (u != 0);
        Raw(digits[i..]);
    }

    /// <summary><paramref name="count"/> bytes of <paramref name="value"/> (big-endian order) from byte <paramref name="from"/>, as hex pairs.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void HexBytes(ulong value, int from, int count)
    {
        var pairs = HexPairs;
        var target = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, ushort>(_buffer.Slice(Length, count * 2));
        for (var i = 0; i < count; i++)
        {
            target[i] = pairs[(int)((value >> (56 - 8 * (from + i))) & 0xFF)];
        }
        Length += count * 2;
    }

    /// <summary>A canonical version-4 UUID from 128 random bits.</summary>
    public void Uuid(ulong hi, ulong lo)
    {
        hi = (hi & 0xFFFFFFFFFFFF0FFFUL) | 0x0000000000004000UL;
        lo = (lo & 0x3FFFFFFFFFFFFFFFUL) | 0x8000000000000000UL;
        HexBytes(hi, 0, 4);
        Byte((byte)'-');
        HexBytes(hi, 4, 2);
        Byte((byte)'-');
        HexBytes(hi, 6, 2);
        Byte((byte)'-');
        HexBytes(lo, 0, 2);
        Byte((byte)'-');
        HexBytes(lo, 2, 6);
    }
}
