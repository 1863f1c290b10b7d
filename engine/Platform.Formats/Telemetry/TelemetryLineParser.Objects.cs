using System.Buffers;
using System.IO.Hashing;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Platform.Engine.Records;
using Platform.Engine.Symbols;
using Platform.Formats.Json;

namespace Platform.Formats;

/// <summary>The nested objects: payload and location.</summary>
internal static partial class TelemetryLineParser
{

    private const int PValue = 1, PUnit = 2, PX = 4, PY = 8, PZ = 16;
    private const int LLat = 1, LLon = 2;

    private static int ReadPayload(ReadOnlySpan<byte> s, int i, SymbolCache symbols, ref Telemetry r, ref TelemetryParseFailure failure)
    {
        // Straight-line fast path for the usual shape {"value":N} / {"value":N,"unit":"U"}; anything else, and
        // every error, takes the general path below from the start of the object.
        if (s.Slice(i).StartsWith("{\"value\":"u8))
        {
            var p = JsonNumber.ParseDouble(s, i + 9, out var value);
            if (p > 0 && (uint)p < (uint)s.Length)
            {
                if (s[p] == (byte)'}')
                {
                    r.Value = value;
                    return p + 1;
                }
                if (s.Slice(p).StartsWith(",\"unit\":\""u8))
                {
                    var start = p + 9;
                    var end = JsonScan.ScanString(s, start, out var escaped, out _, out _);
                    if (end >= 0 && !escaped && end - start <= SymbolCache.MaxKeyBytes && (uint)(end + 1) < (uint)s.Length && s[end + 1] == (byte)'}')
                    {
                        r.Value = value;
                        r.Unit = end == start ? default : symbols.Intern(s, start, end - start);
                        return end + 2;
                    }
                }
            }
        }
        return ReadPayloadGeneral(s, i, symbols, ref r, ref failure);
    }

    private static int ReadPayloadGeneral(ReadOnlySpan<byte> s, int i, SymbolCache symbols, ref Telemetry r, ref TelemetryParseFailure failure)
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
        // Straight-line fast path for {"lat":N,"lon":N}; anything else, and every error, takes the general path.
        if (s.Slice(i).StartsWith("{\"lat\":"u8))
        {
            var p = JsonNumber.ParseDouble(s, i + 7, out var lat);
            if (p > 0 && s.Slice(p).StartsWith(",\"lon\":"u8))
            {
                var q = JsonNumber.ParseDouble(s, p + 7, out var lon);
                if (q > 0 && (uint)q < (uint)s.Length && s[q] == (byte)'}')
                {
                    r.Latitude = lat;
                    r.Longitude = lon;
                    r.Flags |= TelemetryFlags.Location;
                    return q + 1;
                }
            }
        }
        return ReadLocationGeneral(s, i, ref r, ref failure);
    }

    private static int ReadLocationGeneral(ReadOnlySpan<byte> s, int i, ref Telemetry r, ref TelemetryParseFailure failure)
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
}
