using System.Buffers;
using System.IO.Hashing;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Platform.Engine.Records;
using Platform.Engine.Symbols;
using Platform.Formats.Json;

namespace Platform.Formats;

/// <summary>Scalar fields: symbols, timestamps, numbers, correlation ids.</summary>
internal static partial class TelemetryLineParser
{
    /// <summary>Reads a string field into a symbol; <paramref name="i"/> is at the value. Returns the index after it, or -1.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int ReadSymbol(ReadOnlySpan<byte> s, int i, SymbolCache symbols, TelemetryField field, TelemetryField parent,
        bool allowEmpty, out Symbol symbol, ref TelemetryParseFailure failure)
    {
        symbol = default;
        if (s[i] != (byte)'"') return FailAt(ref failure, TelemetryParseError.WrongType, field, i, parent);
        var start = i + 1;
        var end = JsonScan.ScanString(s, start, out var escaped, out var error, out var at);
        if (end < 0) return FailScanAt(ref failure, error, field, parent, at);
        var raw = s.Slice(start, end - start);
        if (escaped) return InternEscaped(raw, i, end, symbols, field, parent, allowEmpty, out symbol, ref failure);
        if (raw.Length == 0) return allowEmpty ? end + 1 : FailAt(ref failure, TelemetryParseError.EmptyString, field, i, parent);
        if (raw.Length > SymbolTable.MaxSymbolBytes) return FailAt(ref failure, TelemetryParseError.StringTooLong, field, i, parent);
        symbol = raw.Length <= SymbolCache.MaxKeyBytes ? symbols.Intern(s, start, raw.Length) : symbols.Table.Intern(raw);
        return end + 1;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static int InternEscaped(ReadOnlySpan<byte> raw, int i, int end, SymbolCache symbols, TelemetryField field, TelemetryField parent,
        bool allowEmpty, out Symbol symbol, ref TelemetryParseFailure failure)
    {
        symbol = default;
        Span<byte> buffer = stackalloc byte[SymbolTable.MaxSymbolBytes];
        var n = JsonScan.Unescape(raw, buffer);
        if (n == -1) return FailAt(ref failure, TelemetryParseError.StringTooLong, field, i, parent);
        if (n < 0) return FailAt(ref failure, TelemetryParseError.InvalidEscape, field, i, parent);
        if (n == 0 && !allowEmpty) return FailAt(ref failure, TelemetryParseError.EmptyString, field, i, parent);
        symbol = symbols.Table.Intern(buffer[..n]);
        return end + 1;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int ReadTimestamp(ReadOnlySpan<byte> s, int i, out long unixMs, ref TelemetryParseFailure failure)
    {
        var b = s[i];
        if (b == (byte)'"')
        {
            var start = i + 1;
            // Usual case: parse straight from the string body; digits and separators need no string scan.
            var n = Iso8601.ParsePrefix(s.Slice(start), out unixMs);
            if (n > 0 && (uint)(start + n) < (uint)s.Length && s[start + n] == (byte)'"') return start + n + 1;
            var end = JsonScan.ScanString(s, start, out var escaped, out var error, out var at);
            if (end < 0)
            {
                unixMs = 0;
                return FailScanAt(ref failure, error, TelemetryField.Timestamp, TelemetryField.None, at);
            }
            var raw = s.Slice(start, end - start);
            if (escaped ? !TryParseEscapedTimestamp(raw, out unixMs) : !Iso8601.TryParseUnixMs(raw, out unixMs))
            {
                return FailAt(ref failure, TelemetryParseError.InvalidTimestamp, TelemetryField.Timestamp, i, TelemetryField.None);
            }
            return end + 1;
        }
        if (b == (byte)'-' || JsonScan.IsDigit(b))
        {
            var next = JsonNumber.ParseInt64(s, i, out unixMs);
            if (next >= 0) return next;
            var code = (JsonNumberStatus)(-next) switch
            {
                JsonNumberStatus.NotInteger => TelemetryParseError.TimestampNotInteger,
                JsonNumberStatus.OutOfRange => TelemetryParseError.NumberOutOfRange,
                _ => TelemetryParseError.InvalidNumber,
            };
            return FailAt(ref failure, code, TelemetryField.Timestamp, i, TelemetryField.None);
        }
        unixMs = 0;
        return FailAt(ref failure, TelemetryParseError.WrongType, TelemetryField.Timestamp, i, TelemetryField.None);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static bool TryParseEscapedTimestamp(ReadOnlySpan<byte> raw, out long unixMs)
    {
        unixMs = 0;
        Span<byte> buffer = stackalloc byte[64];
        var n = JsonScan.Unescape(raw, buffer);
        return n > 0 && Iso8601.TryParseUnixMs(buffer[..n], out unixMs);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int ReadNumber(ReadOnlySpan<byte> s, int i, TelemetryField field, TelemetryField parent, out double value, ref TelemetryParseFailure failure)
    {
        var b = s[i];
        if (b != (byte)'-' && !JsonScan.IsDigit(b))
        {
            value = 0;
            return FailAt(ref failure, TelemetryParseError.WrongType, field, i, parent);
        }
        var next = JsonNumber.ParseDouble(s, i, out value);
        if (next >= 0) return next;
        return FailAt(ref failure, next == -(int)JsonNumberStatus.OutOfRange ? TelemetryParseError.NumberOutOfRange : TelemetryParseError.InvalidNumber, field, i, parent);
    }

    private static int ReadCorrelation(ReadOnlySpan<byte> s, int i, ref Telemetry record, ref TelemetryParseFailure failure)
    {
        var b = s[i];
        if (b == (byte)'"')
        {
            var start = i + 1;
            // Usual case: a canonical UUID needs no string scan (hex digits and hyphens only).
            if (s.Length - start > 36 && s[start + 36] == (byte)'"' && TryParseUuid(s.Slice(start, 36), out record.CorrelationId))
            {
                record.Flags |= TelemetryFlags.Correlation;
                return start + 37;
            }
            var end = JsonScan.ScanString(s, start, out var escaped, out var error, out var at);
            if (end < 0) return FailScanAt(ref failure, error, TelemetryField.CorrelationId, TelemetryField.None, at);
            var raw = s.Slice(start, end - start);
            if (escaped)
            {
                if (!HashEscaped(raw, out record.CorrelationId)) return FailAt(ref failure, TelemetryParseError.InvalidEscape, TelemetryField.CorrelationId, i, TelemetryField.None);
            }
            else if (!TryParseUuid(raw, out record.CorrelationId))
            {
                record.CorrelationId = XxHash128.HashToUInt128(raw);
            }
            record.Flags |= TelemetryFlags.Correlation;
            return end + 1;
        }
        if (s.Slice(i).StartsWith("null"u8)) return i + 4;
        return FailAt(ref failure, TelemetryParseError.WrongType, TelemetryField.CorrelationId, i, TelemetryField.None);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static bool HashEscaped(ReadOnlySpan<byte> raw, out UInt128 hash)
    {
        hash = default;
        var rented = ArrayPool<byte>.Shared.Rent(raw.Length);
        try
        {
            var n = JsonScan.Unescape(raw, rented);
            if (n < 0) return false;
            var text = rented.AsSpan(0, n);
            if (!TryParseUuid(text, out hash)) hash = XxHash128.HashToUInt128(text);
            return true;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    /// <summary>A canonical UUID (8-4-4-4-12 hex digits, any case) as the 128-bit number its digits spell.</summary>
    internal static bool TryParseUuid(ReadOnlySpan<byte> s, out UInt128 value)
    {
        value = default;
        if (s.Length != 36 || s[8] != (byte)'-' || s[13] != (byte)'-' || s[18] != (byte)'-' || s[23] != (byte)'-') return false;
        // Branch-free table decoding: random hex digits would mispredict any digit/letter branch.
        ref var p = ref MemoryMarshal.GetReference(s);
        var bad = 0UL;
        var hi = (Hex8(ref p, ref bad) << 32) | (Hex4(ref Unsafe.Add(ref p, 9), ref bad) << 16) | Hex4(ref Unsafe.Add(ref p, 14), ref bad);
        var lo = (Hex4(ref Unsafe.Add(ref p, 19), ref bad) << 48) | (Hex4(ref Unsafe.Add(ref p, 24), ref bad) << 32) | Hex8(ref Unsafe.Add(ref p, 28), ref bad);
        if ((bad & 0xF0) != 0) return false;
        value = new UInt128(hi, lo);
        return true;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong Hex4(ref byte p, ref ulong bad)
    {
        ref var t = ref MemoryMarshal.GetReference(HexTable);
        ulong a = Unsafe.Add(ref t, p), b = Unsafe.Add(ref t, Unsafe.Add(ref p, 1));
        ulong c = Unsafe.Add(ref t, Unsafe.Add(ref p, 2)), d = Unsafe.Add(ref t, Unsafe.Add(ref p, 3));
        bad |= a | b | c | d;
        return (a << 12) | (b << 8) | (c << 4) | d;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong Hex8(ref byte p, ref ulong bad) => (Hex4(ref p, ref bad) << 16) | Hex4(ref Unsafe.Add(ref p, 4), ref bad);

    /// <summary>Hex digit values; 0xFF for anything else.</summary>
    private static ReadOnlySpan<byte> HexTable =>
    [
        0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
        0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
        0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
        0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
        0xFF, 10, 11, 12, 13, 14, 15, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
        0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
        0xFF, 10, 11, 12, 13, 14, 15, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
        0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
        0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
        0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
        0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
        0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
        0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
        0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
        0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
        0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
    ];
}
