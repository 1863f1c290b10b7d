using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using Platform.Engine.Records;
using Platform.Formats.Json;

namespace Platform.Formats;

/// <summary>
/// The usual-layout path: one straight line of code for records written the way the generator (and most
/// producers) write them — the six fields in their usual order, no whitespace, short plain strings, a canonical
/// ISO-8601 "…T…:…:….mmmZ" or epoch-millis timestamp, a canonical UUID. No loop, no key dispatch, no
/// "seen" bits. It only ever accepts a strict subset of what the general path accepts and writes the same record:
/// every value goes through the same readers (numbers, UUID, symbol keys) or an exact-layout special case of them;
/// at the first byte that differs from the layout it gives up (-1) and the general path parses the line from its
/// start, so every error, reason and position still comes from there.
/// </summary>
internal static partial class TelemetryLineParser
{
    /// <summary>
    /// Parses <paramref name="s"/> when it starts with a record in the usual layout; returns where its line ends
    /// (the '\n' or <paramref name="s"/>.Length), or -1 (nothing reported) for the general path.
    /// <paramref name="deviceKey"/> gets the device id's cache key (always a short plain string here).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static int TryParseUsual(ReadOnlySpan<byte> s, SymbolCache symbols, ref Telemetry r, out SymbolCache.Key deviceKey)
    {
        Unsafe.SkipInit(out deviceKey);
        // {"deviceId":"
        if (!s.StartsWith("{\"deviceId\":\""u8)) return -1;
        var start = 13;
        var close = ShortPlainString(s, start);
        if (close < 0) return -1;
        SymbolCache.MakeKey(s, start, close - start, out deviceKey);
        symbols.Prefetch(deviceKey);

        // ,"timestamp":
        var i = close + 1;
        if (!s.Slice(i).StartsWith(",\"timestamp\":"u8)) return -1;
        i += 13;
        if ((uint)i >= (uint)s.Length) return -1;
        if (s[i] == (byte)'"')
        {
            i = UsualIsoTimestamp(s, i + 1, out r.Timestamp);
        }
        else
        {
            i = JsonNumber.ParseInt64(s, i, out r.Timestamp);
        }
        if (i < 0) return -1;

        // ,"sensorType":"
        if (!s.Slice(i).StartsWith(",\"sensorType\":\""u8)) return -1;
        start = i + 15;
        close = ShortPlainString(s, start);
        if (close < 0) return -1;
        r.Sensor = symbols.Intern(s, start, close - start);

        // ,"payload":{
        i = close + 1;
        if (!s.Slice(i).StartsWith(",\"payload\":{\""u8)) return -1;
        i = UsualPayload(s, i + 13, symbols, ref r);
        if (i < 0) return -1;

        // ,"correlationId":"<uuid>"
        if (!s.Slice(i).StartsWith(",\"correlationId\":\""u8)) return -1;
        start = i + 18;
        if (s.Length - start <= 36 || s[start + 36] != (byte)'"' || !TryParseUuid(s.Slice(start, 36), out r.CorrelationId)) return -1;
        i = start + 37;

        // ,"location":{"lat":N,"lon":N}}
        if (!s.Slice(i).StartsWith(",\"location\":{\"lat\":"u8)) return -1;
        i = JsonNumber.ParseDouble(s, i + 19, out r.Latitude);
        if (i < 0 || !s.Slice(i).StartsWith(",\"lon\":"u8)) return -1;
        i = JsonNumber.ParseDouble(s, i + 7, out r.Longitude);
        if (i < 0 || !s.Slice(i).StartsWith("}}"u8)) return -1;
        i += 2;
        if ((uint)i < (uint)s.Length && s[i] != (byte)'\n') return -1;
        r.Flags = TelemetryFlags.Location | TelemetryFlags.Correlation | r.Flags;
        return i;
    }

    /// <summary>
    /// The payload's fields after its opening <c>{"</c> (at <paramref name="i"/>): <c>value":N</c> or
    /// <c>x":N,"y":N,"z":N</c>, then <c>,"unit":"U"}</c> or <c>}</c>. Returns the index after the '}', or -1.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int UsualPayload(ReadOnlySpan<byte> s, int i, SymbolCache symbols, ref Telemetry r)
    {
        if (s.Slice(i).StartsWith("value\":"u8))
        {
            i = JsonNumber.ParseDouble(s, i + 7, out r.Value);
            if (i < 0) return -1;
        }
        else
        {
            if (!s.Slice(i).StartsWith("x\":"u8)) return -1;
            i = JsonNumber.ParseDouble(s, i + 3, out r.X);
            if (i < 0 || !s.Slice(i).StartsWith(",\"y\":"u8)) return -1;
            i = JsonNumber.ParseDouble(s, i + 5, out r.Y);
            if (i < 0 || !s.Slice(i).StartsWith(",\"z\":"u8)) return -1;
            i = JsonNumber.ParseDouble(s, i + 5, out r.Z);
            if (i < 0) return -1;
            // As the general path computes it, so the values are bit for bit the same.
            r.Flags = TelemetryFlags.Vector;
            r.Value = Math.Sqrt(r.X * r.X + r.Y * r.Y + r.Z * r.Z);
        }
        if ((uint)i >= (uint)s.Length) return -1;
        if (s[i] == (byte)'}') return i + 1;
        if (!s.Slice(i).StartsWith(",\"unit\":\""u8)) return -1;
        var start = i + 9;
        var close = ShortPlainString(s, start);
        if (close < 0 || (uint)(close + 1) >= (uint)s.Length || s[close + 1] != (byte)'}') return -1;
        r.Unit = symbols.Intern(s, start, close - start);
        return close + 2;
    }

    /// <summary>
    /// The closing quote of a string starting at <paramref name="start"/> that is 1–<see cref="SymbolCache.MaxKeyBytes"/>
    /// bytes of printable ASCII without escapes; -1 for anything else (including non-ASCII: the general path
    /// validates UTF-8). One 32-byte compare finds the first quote, backslash, control or non-ASCII byte.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int ShortPlainString(ReadOnlySpan<byte> s, int start)
    {
        int k;
        if (Vector256.IsHardwareAccelerated && s.Length - start >= Vector256<byte>.Count)
        {
            var v = Vector256.LoadUnsafe(ref MemoryMarshal.GetReference(s), (nuint)start);
            // Signed: bytes 0x80–0xFF are negative, so one compare catches control and non-ASCII bytes.
            var stops = Vector256.Equals(v, Vector256.Create((byte)'"'))
                | Vector256.Equals(v, Vector256.Create((byte)'\\'))
                | Vector256.LessThan(v.AsSByte(), Vector256.Create((sbyte)0x20)).AsByte();
            var bits = stops.ExtractMostSignificantBits();
            k = BitOperations.TrailingZeroCount(bits); // 32 when none
        }
        else
        {
            var end = JsonScan.ScanString(s, start, out var escaped, out _, out _);
            if (end < 0 || escaped) return -1;
            k = end - start;
        }
        if ((uint)(k - 1) >= SymbolCache.MaxKeyBytes || s[start + k] != (byte)'"') return -1;
        return start + k;
    }

    /// <summary>
    /// A timestamp string body at <paramref name="start"/> in exactly the layout <c>YYYY-MM-DDTHH:MM:SS.mmmZ"</c>
    /// (one 32-byte compare checks every digit and separator); returns the index after the closing quote, or -1.
    /// The value is <see cref="Iso8601.ParsePrefix"/>'s for the same bytes.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int UsualIsoTimestamp(ReadOnlySpan<byte> s, int start, out long unixMs)
    {
        unixMs = 0;
        if (!Vector256.IsHardwareAccelerated || s.Length - start < Vector256<byte>.Count) return -1;
        ref var p = ref Unsafe.Add(ref MemoryMarshal.GetReference(s), start);
        var v = Vector256.LoadUnsafe(ref p);
        var digits = Vector256.LessThanOrEqual(v - Vector256.Create((byte)'0'), Vector256.Create((byte)9));
        var separators = Vector256.Equals(v, IsoLayout);
        // Bits 0–24: a digit where the layout has one, the layout's byte everywhere else.
        var ok = Vector256.ConditionalSelect(IsoDigitPositions, digits, separators).ExtractMostSignificantBits();
        if ((ok & 0x1FF_FFFF) != 0x1FF_FFFF) return -1;
        var year = Two(ref p, 0) * 100 + Two(ref p, 2);
        var month = Two(ref p, 5);
        var day = Two(ref p, 8);
        var hour = Two(ref p, 11);
        var minute = Two(ref p, 14);
        var second = Two(ref p, 17);
        var ms = Two(ref p, 20) * 10 + (Unsafe.Add(ref p, 22) - '0');
        if (year == 0 || (uint)(month - 1) > 11 || hour > 23 || minute > 59 || second > 59) return -1;
        if ((uint)(day - 1) >= (uint)Iso8601.DaysInMonth(year, month)) return -1;
        unixMs = Iso8601.ToUnixMs(year, month, day, hour, minute, second, ms, 0);
        return start + 25;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int Two(ref byte p, int at) => (Unsafe.Add(ref p, at) - '0') * 10 + (Unsafe.Add(ref p, at + 1) - '0');

    /// <summary>The fixed bytes of <c>YYYY-MM-DDTHH:MM:SS.mmmZ"</c> (digit positions are checked as digits instead).</summary>
    private static readonly Vector256<byte> IsoLayout = Vector256.Create(
        0, 0, 0, 0, (byte)'-', 0, 0, (byte)'-', 0, 0, (byte)'T', 0, 0, (byte)':', 0, 0,
        (byte)':', 0, 0, (byte)'.', 0, 0, 0, (byte)'Z', (byte)'"', 0, 0, 0, 0, 0, 0, 0);

    /// <summary>0xFF where <c>YYYY-MM-DDTHH:MM:SS.mmmZ"</c> has a digit.</summary>
    private static readonly Vector256<byte> IsoDigitPositions = Vector256.Create(
        0xFF, 0xFF, 0xFF, 0xFF, 0, 0xFF, 0xFF, 0, 0xFF, 0xFF, 0, 0xFF, 0xFF, 0, 0xFF, 0xFF,
        0, 0xFF, 0xFF, 0, 0xFF, 0xFF, 0xFF, 0, 0, 0, 0, 0, 0, 0, 0, (byte)0);
}
