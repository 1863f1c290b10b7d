using System.Buffers;
using System.IO.Hashing;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Platform.Engine.Records;
using Platform.Engine.Symbols;
using Platform.Formats.Json;

namespace Platform.Formats;

internal static partial class TelemetryLineParser
{
    private const int PValue = 1, PUnit = 2, PX = 4, PY = 8, PZ = 16;
    private const int LLat = 1, LLon = 2;

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
        if (raw.Length == 0 && !allowEmpty) return FailAt(ref failure, TelemetryParseError.EmptyString, field, i, parent);
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

    private static int ReadPayload(ReadOnlySpan<byte> s, int i, SymbolCache symbols, ref Telemetry r, ref TelemetryParseFailure failure)
    {
        const TelemetryField parent = TelemetryField.Payload;
        i = JsonScan.SkipWhitespace(s, i + 1);
        var seen = 0;
        var key = TelemetryField.Payload;
        int keyStart = 0, keyLength = 0;
        if ((uint)i < (uint)s.Length && s[i] == (byte)'}')
        {
            i++;
            goto Done;
        }
        while (true)
        {
            if ((uint)i >= (uint)s.Length || s[i] != (byte)'"') return FailAt(ref failure, TelemetryParseError.ExpectedKey, key, i, parent, keyStart, keyLength, nested: key == TelemetryField.Payload);
            var keyAt = i;
            var match = MatchPayloadKey(s, i);
            if (match != 0)
            {
                key = (TelemetryField)(match & 0xFF);
                i += match >> 8;
            }
            else
            {
                keyStart = i + 1;
                match = ClassifyKey(s, i, KeySet.Payload, ref failure);
                if (match < 0) return -1;
                key = (TelemetryField)(match & 0xFF);
                i = match >> 8;
                keyLength = i - 1 - keyStart;
            }
            i = JsonScan.SkipWhitespace(s, i);
            if ((uint)i >= (uint)s.Length) return FailAt(ref failure, TelemetryParseError.UnexpectedEnd, key, s.Length, parent, keyStart, keyLength);
            if (s[i] != (byte)':') return FailAt(ref failure, TelemetryParseError.ExpectedColon, key, i, parent, keyStart, keyLength);
            i = JsonScan.SkipWhitespace(s, i + 1);
            if ((uint)i >= (uint)s.Length) return FailAt(ref failure, TelemetryParseError.UnexpectedEnd, key, s.Length, parent, keyStart, keyLength);
            switch (key)
            {
                case TelemetryField.Value:
                    if ((seen & PValue) != 0) return DuplicateAt(ref failure, key, parent, keyAt);
                    seen |= PValue;
                    i = ReadNumber(s, i, key, parent, out r.Value, ref failure);
                    break;
                case TelemetryField.X:
                    if ((seen & PX) != 0) return DuplicateAt(ref failure, key, parent, keyAt);
                    seen |= PX;
                    i = ReadNumber(s, i, key, parent, out r.X, ref failure);
                    break;
                case TelemetryField.Y:
                    if ((seen & PY) != 0) return DuplicateAt(ref failure, key, parent, keyAt);
                    seen |= PY;
                    i = ReadNumber(s, i, key, parent, out r.Y, ref failure);
                    break;
                case TelemetryField.Z:
                    if ((seen & PZ) != 0) return DuplicateAt(ref failure, key, parent, keyAt);
                    seen |= PZ;
                    i = ReadNumber(s, i, key, parent, out r.Z, ref failure);
                    break;
                case TelemetryField.Unit:
                    if ((seen & PUnit) != 0) return DuplicateAt(ref failure, key, parent, keyAt);
                    seen |= PUnit;
                    i = s[i] == (byte)'n' && s.Slice(i).StartsWith("null"u8)
                        ? i + 4
                        : ReadSymbol(s, i, symbols, key, parent, true, out r.Unit, ref failure);
                    break;
                default:
                    var skipped = JsonScan.SkipValue(s, i, 2, out var error, out var at);
                    if (skipped < 0) return FailScanAt(ref failure, error, key, parent, at, keyStart, keyLength);
                    i = skipped;
                    break;
            }
            if (i < 0) return -1;
            i = JsonScan.SkipWhitespace(s, i);
            if ((uint)i >= (uint)s.Length) return FailAt(ref failure, TelemetryParseError.UnexpectedEnd, key, s.Length, parent, keyStart, keyLength);
            var b = s[i];
            if (b == (byte)',')
            {
                i = JsonScan.SkipWhitespace(s, i + 1);
                continue;
            }
            if (b == (byte)'}')
            {
                i++;
                break;
            }
            return FailAt(ref failure, TelemetryParseError.ExpectedCommaOrEnd, key, i, parent, keyStart, keyLength);
        }

    Done:
        var vector = seen & (PX | PY | PZ);
        if (vector == (PX | PY | PZ))
        {
            if ((seen & PValue) != 0) return FailPayload(ref failure, TelemetryParseError.PayloadAmbiguous, 0);
            r.Flags |= TelemetryFlags.Vector;
            r.Value = Math.Sqrt(r.X * r.X + r.Y * r.Y + r.Z * r.Z);
            return i;
        }
        if (vector != 0) return FailPayload(ref failure, TelemetryParseError.PayloadIncompleteVector, (byte)((~vector >> 2) & 7));
        if ((seen & PValue) == 0) return FailPayload(ref failure, TelemetryParseError.PayloadMissingValue, 0);
        return i;
    }

    /// <summary>Fast match of a payload field name: the field in the low byte, the quoted name's length above it; or 0.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int MatchPayloadKey(ReadOnlySpan<byte> s, int i)
    {
        var rest = s.Slice(i);
        if (rest.Length < 4) return 0;
        switch (rest[1])
        {
            case (byte)'v':
                if (rest.StartsWith("\"value\""u8)) return (7 << 8) | (int)TelemetryField.Value;
                break;
            case (byte)'u':
                if (rest.StartsWith("\"unit\""u8)) return (6 << 8) | (int)TelemetryField.Unit;
                break;
            case (byte)'x':
                if (rest[2] == (byte)'"') return (3 << 8) | (int)TelemetryField.X;
                break;
            case (byte)'y':
                if (rest[2] == (byte)'"') return (3 << 8) | (int)TelemetryField.Y;
                break;
            case (byte)'z':
                if (rest[2] == (byte)'"') return (3 << 8) | (int)TelemetryField.Z;
                break;
        }
        return 0;
    }

    private static int ReadLocation(ReadOnlySpan<byte> s, int i, ref Telemetry r, ref TelemetryParseFailure failure)
    {
        const TelemetryField parent = TelemetryField.Location;
        if (s[i] != (byte)'{')
        {
            if (s.Slice(i).StartsWith("null"u8)) return i + 4;
            return FailAt(ref failure, TelemetryParseError.WrongType, TelemetryField.Location, i, TelemetryField.None);
        }
        i = JsonScan.SkipWhitespace(s, i + 1);
        var seen = 0;
        var key = TelemetryField.Location;
        int keyStart = 0, keyLength = 0;
        if ((uint)i < (uint)s.Length && s[i] == (byte)'}')
        {
            i++;
            goto Done;
        }
        while (true)
        {
            if ((uint)i >= (uint)s.Length || s[i] != (byte)'"') return FailAt(ref failure, TelemetryParseError.ExpectedKey, key, i, parent, keyStart, keyLength, nested: key == TelemetryField.Location);
            var keyAt = i;
            var match = MatchLocationKey(s, i);
            if (match != 0)
            {
                key = (TelemetryField)(match & 0xFF);
                i += match >> 8;
            }
            else
            {
                keyStart = i + 1;
                match = ClassifyKey(s, i, KeySet.Location, ref failure);
                if (match < 0) return -1;
                key = (TelemetryField)(match & 0xFF);
                i = match >> 8;
                keyLength = i - 1 - keyStart;
            }
            i = JsonScan.SkipWhitespace(s, i);
            if ((uint)i >= (uint)s.Length) return FailAt(ref failure, TelemetryParseError.UnexpectedEnd, key, s.Length, parent, keyStart, keyLength);
            if (s[i] != (byte)':') return FailAt(ref failure, TelemetryParseError.ExpectedColon, key, i, parent, keyStart, keyLength);
            i = JsonScan.SkipWhitespace(s, i + 1);
            if ((uint)i >= (uint)s.Length) return FailAt(ref failure, TelemetryParseError.UnexpectedEnd, key, s.Length, parent, keyStart, keyLength);
            switch (key)
            {
                case TelemetryField.Latitude:
                    if ((seen & LLat) != 0) return DuplicateAt(ref failure, key, parent, keyAt);
                    seen |= LLat;
                    i = ReadNumber(s, i, key, parent, out r.Latitude, ref failure);
                    break;
                case TelemetryField.Longitude:
                    if ((seen & LLon) != 0) return DuplicateAt(ref failure, key, parent, keyAt);
                    seen |= LLon;
                    i = ReadNumber(s, i, key, parent, out r.Longitude, ref failure);
                    break;
                default:
                    var skipped = JsonScan.SkipValue(s, i, 2, out var error, out var at);
                    if (skipped < 0) return FailScanAt(ref failure, error, key, parent, at, keyStart, keyLength);
                    i = skipped;
                    break;
            }
            if (i < 0) return -1;
            i = JsonScan.SkipWhitespace(s, i);
            if ((uint)i >= (uint)s.Length) return FailAt(ref failure, TelemetryParseError.UnexpectedEnd, key, s.Length, parent, keyStart, keyLength);
            var b = s[i];
            if (b == (byte)',')
            {
                i = JsonScan.SkipWhitespace(s, i + 1);
                continue;
            }
            if (b == (byte)'}')
            {
                i++;
                break;
            }
            return FailAt(ref failure, TelemetryParseError.ExpectedCommaOrEnd, key, i, parent, keyStart, keyLength);
        }

    Done:
        if (seen != (LLat | LLon))
        {
            failure = default;
            failure._error = TelemetryParseError.LocationIncomplete;
            failure._field = TelemetryField.Location;
            failure._missing = (byte)(~seen & 3);
            return -1;
        }
        r.Flags |= TelemetryFlags.Location;
        return i;
    }

    /// <summary>Fast match of a location field name: the field in the low byte, the quoted name's length above it; or 0.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int MatchLocationKey(ReadOnlySpan<byte> s, int i)
    {
        var rest = s.Slice(i);
        if (rest.Length < 5 || rest[1] != (byte)'l') return 0;
        if (rest.StartsWith("\"lat\""u8)) return (5 << 8) | (int)TelemetryField.Latitude;
        if (rest.StartsWith("\"lon\""u8)) return (5 << 8) | (int)TelemetryField.Longitude;
        if (rest.StartsWith("\"latitude\""u8)) return (10 << 8) | (int)TelemetryField.Latitude;
        if (rest.StartsWith("\"longitude\""u8)) return (11 << 8) | (int)TelemetryField.Longitude;
        return 0;
    }

    // ---- failure recording: out of line, no strings ----

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static bool Fail(ref TelemetryParseFailure failure, TelemetryParseError error, TelemetryField field, int at,
        TelemetryField parent = TelemetryField.None, int keyStart = 0, int keyLength = 0, bool nested = false)
    {
        failure = default;
        failure._error = error;
        failure._field = field;
        failure._parent = parent;
        failure._column = at + 1;
        failure._keyStart = keyStart;
        failure._keyLength = keyLength;
        failure._nested = nested;
        return false;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static int FailAt(ref TelemetryParseFailure failure, TelemetryParseError error, TelemetryField field, int at,
        TelemetryField parent = TelemetryField.None, int keyStart = 0, int keyLength = 0, bool nested = false)
    {
        Fail(ref failure, error, field, at, parent, keyStart, keyLength, nested);
        return -1;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static int FailScanAt(ref TelemetryParseFailure failure, JsonScanError error, TelemetryField field, TelemetryField parent, int at,
        int keyStart = 0, int keyLength = 0)
    {
        FailScan(ref failure, error, field, parent, at, keyStart, keyLength);
        return -1;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static int DuplicateAt(ref TelemetryParseFailure failure, TelemetryField key, TelemetryField parent, int keyAt)
    {
        Fail(ref failure, TelemetryParseError.DuplicateKey, key, keyAt, parent);
        return -1;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static bool FailAfter(ref TelemetryParseFailure failure, TelemetryParseError error, TelemetryField key, int at, int keyStart, int keyLength) =>
        Fail(ref failure, error, key, at, TelemetryField.None, keyStart, keyLength);

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static bool Duplicate(ref TelemetryParseFailure failure, TelemetryField key, TelemetryField parent, int keyAt) =>
        Fail(ref failure, TelemetryParseError.DuplicateKey, key, keyAt, parent);

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static int FailPayload(ref TelemetryParseFailure failure, TelemetryParseError error, byte missing)
    {
        failure = default;
        failure._error = error;
        failure._field = TelemetryField.Payload;
        failure._missing = missing;
        return -1;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static bool FailScan(ref TelemetryParseFailure failure, JsonScanError error, TelemetryField field, TelemetryField parent, int at, int keyStart, int keyLength)
    {
        var (code, nested) = error switch
        {
            JsonScanError.UnexpectedEnd => (TelemetryParseError.UnexpectedEnd, false),
            JsonScanError.InvalidUtf8 => (TelemetryParseError.InvalidUtf8, false),
            JsonScanError.ControlCharacter => (TelemetryParseError.ControlCharacter, false),
            JsonScanError.InvalidEscape => (TelemetryParseError.InvalidEscape, false),
            JsonScanError.InvalidNumber => (TelemetryParseError.InvalidNumber, false),
            JsonScanError.TooDeep => (TelemetryParseError.TooDeep, false),
            JsonScanError.ExpectedKey => (TelemetryParseError.ExpectedKey, true),
            JsonScanError.ExpectedColon => (TelemetryParseError.ExpectedColon, true),
            JsonScanError.ExpectedCommaOrClose => (TelemetryParseError.ExpectedCommaOrEnd, true),
            _ => (TelemetryParseError.InvalidValue, false),
        };
        return Fail(ref failure, code, field, at, parent, keyStart, keyLength, nested);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static bool Missing(ref TelemetryParseFailure failure, int seen)
    {
        var field = (seen & SeenDevice) == 0 ? TelemetryField.DeviceId
            : (seen & SeenTimestamp) == 0 ? TelemetryField.Timestamp
            : (seen & SeenSensor) == 0 ? TelemetryField.SensorType
            : TelemetryField.Payload;
        failure = default;
        failure._error = TelemetryParseError.MissingField;
        failure._field = field;
        return false;
    }
}
