using System.Globalization;
using System.Numerics;
using System.Runtime.InteropServices;
using System.Runtime.CompilerServices;
using csFastFloat;

namespace Platform.Formats.Json;

/// <summary>Outcome of parsing a JSON number.</summary>
internal enum JsonNumberStatus : byte
{
    Ok = 0,
    Invalid,
    OutOfRange,
    NotInteger,
}

/// <summary>Strict JSON number parsing on UTF-8 spans into double or long.</summary>
internal static class JsonNumber
{
    private static readonly double[] PowersOf10 =
    [
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
        1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
    ];

    /// <summary>
    /// Parses a strict JSON number at <paramref name="i"/>; returns the index after it, or the negated
    /// <see cref="JsonNumberStatus"/> when it fails. Short decimals take an exact (Clinger) fast path; everything
    /// else goes to csFastFloat. Infinite results are out of range. (Indexes travel by value, not by ref: a ref'd
    /// index would live in memory and put a store-load round trip on every step of the scan.)
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int ParseDouble(ReadOnlySpan<byte> s, int i, out double value)
    {
        var start = i;
        var p = i;
        // Branch-free sign: signs of coordinates are random and would mispredict.
        var negative = (uint)p < (uint)s.Length && s[p] == (byte)'-';
        p += negative ? 1 : 0;
        ulong mantissa = 0;
        var digits = 0; // digits accumulated in mantissa (a bound on the significant ones)
        var exponent = 0;
        if ((uint)p >= (uint)s.Length)
        {
            value = 0;
            return -(int)JsonNumberStatus.Invalid;
        }
        uint d = (uint)(s[p] - '0');
        if (d == 0)
        {
            p++;
        }
        else if (d <= 9)
        {
            var n = Digits8(s, p, out mantissa);
            if (n < 0)
            {
                mantissa = 0;
                n = 0;
            }
            digits = n;
            p += n;
            if (n == 8 || n == 0)
            {
                while ((uint)p < (uint)s.Length && (d = (uint)(s[p] - '0')) <= 9)
                {
                    mantissa = mantissa * 10 + d;
                    digits++;
                    p++;
                }
            }
        }
        else
        {
            value = 0;
            return -(int)JsonNumberStatus.Invalid;
        }
        if ((uint)p < (uint)s.Length && s[p] == (byte)'.')
        {
            p++;
            var fracStart = p;
            var n = Digits8(s, p, out var fraction);
            if (n > 0)
            {
                mantissa = mantissa * PowersOf10Int[n] + fraction;
                digits += n;
                p += n;
            }
            if (n == 8 || n < 0)
            {
                while ((uint)p < (uint)s.Length && (d = (uint)(s[p] - '0')) <= 9)
                {
                    mantissa = mantissa * 10 + d;
                    digits++;
                    p++;
                }
            }
            if (p == fracStart)
            {
                value = 0;
                return -(int)JsonNumberStatus.Invalid;
            }
            exponent = fracStart - p;
        }
        if ((uint)p < (uint)s.Length && (s[p] | 0x20) == (byte)'e')
        {
            p++;
            var expNegative = false;
            if ((uint)p < (uint)s.Length && (s[p] == (byte)'+' || s[p] == (byte)'-'))
            {
                expNegative = s[p] == (byte)'-';
                p++;
            }
            var expStart = p;
            var e = 0;
            while ((uint)p < (uint)s.Length && (d = (uint)(s[p] - '0')) <= 9)
            {
                if (e < 100_000) e = e * 10 + (int)d;
                p++;
            }
            if (p == expStart)
            {
                value = 0;
                return -(int)JsonNumberStatus.Invalid;
            }
            exponent += expNegative ? -e : e;
        }
        if ((uint)p < (uint)s.Length && JsonScan.IsDigit(s[p]))
        {
            value = 0;
            return -(int)JsonNumberStatus.Invalid; // a digit after a leading zero: "01"
        }
        i = p;
        if (digits <= 19 && mantissa <= (1UL << 53) && (uint)(exponent + 22) <= 44)
        {
            double m = mantissa;
            value = exponent >= 0 ? m * PowersOf10[exponent] : m / PowersOf10[-exponent];
            value = BitConverter.Int64BitsToDouble(BitConverter.DoubleToInt64Bits(value) ^ ((long)(negative ? 1 : 0) << 63));
            return p;
        }
        var status = ParseSlow(s.Slice(start, p - start), mantissa == 0 && digits == 0, out value);
        return status == JsonNumberStatus.Ok ? p : -(int)status;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static JsonNumberStatus ParseSlow(ReadOnlySpan<byte> token, bool zero, out double value)
    {
        if (zero)
        {
            value = token[0] == (byte)'-' ? -0.0 : 0.0;
            return JsonNumberStatus.Ok;
        }
        value = FastDoubleParser.ParseDouble(token, out var consumed, NumberStyles.Float, (byte)'.');
        if (consumed != token.Length) return JsonNumberStatus.Invalid;
        return double.IsFinite(value) ? JsonNumberStatus.Ok : JsonNumberStatus.OutOfRange;
    }

    private static ReadOnlySpan<ulong> PowersOf10Int => [1, 10, 100, 1000, 10_000, 100_000, 1_000_000, 10_000_000, 100_000_000];

    /// <summary>
    /// Counts the leading ASCII digits among the 8 bytes at <paramref name="p"/> and returns their value, with SWAR
    /// arithmetic (fast_float's eight-digit trick) instead of a data-dependent loop. -1 when fewer than 8 bytes remain.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int Digits8(ReadOnlySpan<byte> s, int p, out ulong value)
    {
        if (s.Length - p < 8 || !BitConverter.IsLittleEndian)
        {
            value = 0;
            return -1;
        }
        var w = Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref MemoryMarshal.GetReference(s), p));
        // Per byte: >= '0' sets bit 7 of b+0x50, > '9' sets bit 7 of b+0x46; non-ASCII bytes count as non-digits.
        // Carries only move toward later bytes, which never decide the count of leading digits.
        var nonDigit = ((w + 0x4646464646464646UL) | ~(w + 0x5050505050505050UL) | w) & 0x8080808080808080UL;
        var n = BitOperations.TrailingZeroCount(nonDigit) >> 3; // 64 >> 3 = 8 when all are digits
        if (n == 0)
        {
            value = 0;
            return 0;
        }
        // Shift the digits to the top (the zeros below act as leading zeros), then combine pairwise.
        var t = (w - 0x3030303030303030UL) << ((8 - n) * 8);
        t = (t * 10) + (t >> 8);
        value = (((t & 0x000000FF000000FFUL) * (100 + (1000000UL << 32))) + (((t >> 16) & 0x000000FF000000FFUL) * (1 + (10000UL << 32)))) >> 32;
        return n;
    }

    /// <summary>
    /// Parses a strict JSON integer (no fraction, no exponent) that fits a long; returns the index after it, or
    /// the negated <see cref="JsonNumberStatus"/>.
    /// </summary>
    public static int ParseInt64(ReadOnlySpan<byte> s, int i, out long value)
    {
        value = 0;
        var end = JsonScan.ScanNumber(s, i);
        if (end < 0) return -(int)JsonNumberStatus.Invalid;
        var p = i;
        var negative = s[p] == (byte)'-';
        if (negative) p++;
        ulong acc = 0;
        while (p < end && JsonScan.IsDigit(s[p]))
        {
            var d = (uint)(s[p] - '0');
            if (acc > (ulong.MaxValue - d) / 10) return -(int)JsonNumberStatus.OutOfRange;
            acc = acc * 10 + d;
            p++;
        }
        if (p != end) return -(int)JsonNumberStatus.NotInteger;
        if (negative ? acc > (ulong)long.MaxValue + 1 : acc > long.MaxValue) return -(int)JsonNumberStatus.OutOfRange;
        value = negative ? (long)(0 - acc) : (long)acc;
        return end;
    }
}
