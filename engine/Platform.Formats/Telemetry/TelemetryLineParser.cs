using System.Runtime.CompilerServices;
using Platform.Engine.Records;
using Platform.Engine.Symbols;
using Platform.Formats.Json;

namespace Platform.Formats;

/// <summary>
/// The per-line telemetry scanner: one strict pass over a line's bytes, writing the record in place.
/// Field names are matched by their first byte plus one unrolled compare of the quoted literal (so the
/// usual spelling costs two loads in any order); anything else — escaped names, unknown fields — takes
/// the general path. Failures return a code in <see cref="TelemetryParseFailure"/>; no strings are built here.
/// </summary>
internal static partial class TelemetryLineParser
{
    private const int SeenDevice = 1, SeenTimestamp = 2, SeenSensor = 4, SeenPayload = 8, SeenCorrelation = 16, SeenLocation = 32;

    /// <summary>Parses one line (without its line terminator). On false, <paramref name="record"/> holds garbage.</summary>
    public static bool TryParse(ReadOnlySpan<byte> s, SymbolCache symbols, ref Telemetry record, ref TelemetryParseFailure failure) =>
        TryParse(s, symbols, ref record, ref failure, out _, deferDevice: false, out _);

    /// <summary>
    /// Parses the record at the start of <paramref name="s"/>, which may run on past the record's line: on success
    /// <paramref name="end"/> is the index of the line's '\n' or <paramref name="s"/>.Length. Over a single line (no
    /// '\n') this is exactly the one-line parse; over more, a record that is not complete on its line fails.
    /// With <paramref name="deferDevice"/>, a short device id is not looked up: <paramref name="deviceKey"/> gets its
    /// key (Length 0 when the device was set directly) for <see cref="SymbolCache.Defer"/>.
    /// </summary>
    public static bool TryParse(ReadOnlySpan<byte> s, SymbolCache symbols, ref Telemetry record, ref TelemetryParseFailure failure,
        out int end, bool deferDevice, out SymbolCache.Key deviceKey)
    {
        record = default;
        var usualEnd = TryParseUsual(s, symbols, ref record, out deviceKey);
        if (usualEnd >= 0)
        {
            end = usualEnd;
            if (!deferDevice)
            {
                record.Device = symbols.Lookup(deviceKey);
                deviceKey = default;
            }
            return true;
        }
        end = 0;
        deviceKey = default;
        record = default;
        var i = JsonScan.SkipWhitespace(s, 0);
        if ((uint)i >= (uint)s.Length) return Fail(ref failure, TelemetryParseError.UnexpectedEnd, TelemetryField.None, s.Length);
        if (s[i] != (byte)'{') return Fail(ref failure, TelemetryParseError.ExpectedObject, TelemetryField.None, i);
        i = JsonScan.SkipWhitespace(s, i + 1);
        var seen = 0;
        var key = TelemetryField.None;
        // The device id is looked up at the end, or records later: its cache slot is prefetched meanwhile
        // (100k devices miss the caches).
        var deviceDeferred = false;
        int keyStart = 0, keyLength = 0;
        if ((uint)i < (uint)s.Length && s[i] == (byte)'}')
        {
            i++;
            goto End;
        }
        while (true)
        {
            if ((uint)i >= (uint)s.Length || s[i] != (byte)'"') return FailAfter(ref failure, TelemetryParseError.ExpectedKey, key, i, keyStart, keyLength);
            var keyAt = i;
            var match = MatchRootKey(s, i);
            if (match != 0)
            {
                key = (TelemetryField)(match & 0xFF);
                i += match >> 8;
            }
            else
            {
                keyStart = i + 1;
                match = ClassifyKey(s, i, KeySet.Root, ref failure);
                if (match < 0) return false;
                key = (TelemetryField)(match & 0xFF);
                i = match >> 8;
                keyLength = i - 1 - keyStart;
            }
            i = JsonScan.SkipWhitespace(s, i);
            if ((uint)i >= (uint)s.Length) return FailAfter(ref failure, TelemetryParseError.UnexpectedEnd, key, s.Length, keyStart, keyLength);
            if (s[i] != (byte)':') return FailAfter(ref failure, TelemetryParseError.ExpectedColon, key, i, keyStart, keyLength);
            i = JsonScan.SkipWhitespace(s, i + 1);
            if ((uint)i >= (uint)s.Length) return FailAfter(ref failure, TelemetryParseError.UnexpectedEnd, key, s.Length, keyStart, keyLength);

            switch (key)
            {
                case TelemetryField.DeviceId:
                    if ((seen & SeenDevice) != 0) return Duplicate(ref failure, key, TelemetryField.None, keyAt);
                    seen |= SeenDevice;
                    if (s[i] == (byte)'"')
                    {
                        var start = i + 1;
                        var close = JsonScan.ScanString(s, start, out var escaped, out var scanError, out var scanAt);
                        if (close < 0) return FailScan(ref failure, scanError, key, TelemetryField.None, scanAt, 0, 0);
                        if (!escaped && close - start is > 0 and <= SymbolCache.MaxKeyBytes)
                        {
                            SymbolCache.MakeKey(s, start, close - start, out deviceKey);
                            symbols.Prefetch(deviceKey);
                            deviceDeferred = true;
                            i = close + 1;
                            break;
                        }
                    }
                    i = ReadSymbol(s, i, symbols, key, TelemetryField.None, false, out record.Device, ref failure);
                    if (i < 0) return false;
                    break;
                case TelemetryField.Timestamp:
                    if ((seen & SeenTimestamp) != 0) return Duplicate(ref failure, key, TelemetryField.None, keyAt);
                    seen |= SeenTimestamp;
                    i = ReadTimestamp(s, i, out record.Timestamp, ref failure);
                    if (i < 0) return false;
                    break;
                case TelemetryField.SensorType:
                    if ((seen & SeenSensor) != 0) return Duplicate(ref failure, key, TelemetryField.None, keyAt);
                    seen |= SeenSensor;
                    i = ReadSymbol(s, i, symbols, key, TelemetryField.None, false, out record.Sensor, ref failure);
                    if (i < 0) return false;
                    break;
                case TelemetryField.Payload:
                    if ((seen & SeenPayload) != 0) return Duplicate(ref failure, key, TelemetryField.None, keyAt);
                    seen |= SeenPayload;
                    if (s[i] != (byte)'{') return Fail(ref failure, TelemetryParseError.WrongType, key, i);
                    i = ReadPayload(s, i, symbols, ref record, ref failure);
                    if (i < 0) return false;
                    break;
                case TelemetryField.CorrelationId:
                    if ((seen & SeenCorrelation) != 0) return Duplicate(ref failure, key, TelemetryField.None, keyAt);
                    seen |= SeenCorrelation;
                    i = ReadCorrelation(s, i, ref record, ref failure);
                    if (i < 0) return false;
                    break;
                case TelemetryField.Location:
                    if ((seen & SeenLocation) != 0) return Duplicate(ref failure, key, TelemetryField.None, keyAt);
                    seen |= SeenLocation;
                    i = ReadLocation(s, i, ref record, ref failure);
                    if (i < 0) return false;
                    break;
                default:
                    i = JsonScan.SkipValue(s, i, 1, out var error, out var at);
                    if (i < 0) return FailScan(ref failure, error, key, TelemetryField.None, at, keyStart, keyLength);
                    break;
            }

            i = JsonScan.SkipWhitespace(s, i);
            if ((uint)i >= (uint)s.Length) return FailAfter(ref failure, TelemetryParseError.UnexpectedEnd, key, s.Length, keyStart, keyLength);
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
            return FailAfter(ref failure, TelemetryParseError.ExpectedCommaOrEnd, key, i, keyStart, keyLength);
        }

    End:
        i = JsonScan.SkipWhitespace(s, i);
        if ((uint)i < (uint)s.Length && s[i] != (byte)'\n') return Fail(ref failure, TelemetryParseError.TrailingData, TelemetryField.None, i);
        end = i;
        const int required = SeenDevice | SeenTimestamp | SeenSensor | SeenPayload;
        if ((seen & required) != required) return Missing(ref failure, seen);
        if (deviceDeferred && !deferDevice)
        {
            record.Device = symbols.Lookup(deviceKey);
            deviceKey = default;
        }
        return true;
    }

    /// <summary>
    /// Fast match of a usual root field name at <paramref name="i"/> (a quote): returns the field in the low byte
    /// and the name's length with quotes above it, or 0.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int MatchRootKey(ReadOnlySpan<byte> s, int i)
    {
        var rest = s.Slice(i);
        if (rest.Length < 3) return 0;
        switch (rest[1])
        {
            case (byte)'d':
                if (rest.StartsWith("\"deviceId\""u8)) return (10 << 8) | (int)TelemetryField.DeviceId;
                break;
            case (byte)'t':
                if (rest.StartsWith("\"timestamp\""u8)) return (11 << 8) | (int)TelemetryField.Timestamp;
                break;
            case (byte)'s':
                if (rest.StartsWith("\"sensorType\""u8)) return (12 << 8) | (int)TelemetryField.SensorType;
                break;
            case (byte)'p':
                if (rest.StartsWith("\"payload\""u8)) return (9 << 8) | (int)TelemetryField.Payload;
                break;
            case (byte)'c':
                if (rest.StartsWith("\"correlationId\""u8)) return (15 << 8) | (int)TelemetryField.CorrelationId;
                break;
            case (byte)'l':
                if (rest.StartsWith("\"location\""u8)) return (10 << 8) | (int)TelemetryField.Location;
                break;
        }
        return 0;
    }

    private enum KeySet : byte { Root, Payload, Location }

    private static ReadOnlySpan<byte> NamesOf(KeySet set) => set switch
    {
        KeySet.Root => "deviceId|timestamp|sensorType|payload|correlationId|location"u8,
        KeySet.Payload => "value|unit|x|y|z"u8,
        _ => "lat|lon|latitude|longitude"u8,
    };

    /// <summary>
    /// The general field-name path: scans the name string at <paramref name="i"/> (a quote), unescapes it when
    /// needed and looks it up in the names of <paramref name="set"/>. Returns the field (<see cref="TelemetryField.Unknown"/>
    /// for names not in the set) in the low byte and the index after the name above it; -1 on a scan error (failure set).
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static int ClassifyKey(ReadOnlySpan<byte> s, int i, KeySet set, ref TelemetryParseFailure failure)
    {
        var end = JsonScan.ScanString(s, i + 1, out var escaped, out var error, out var at);
        if (end < 0)
        {
            FailScan(ref failure, error, TelemetryField.None, TelemetryField.None, at, 0, 0);
            return -1;
        }
        scoped ReadOnlySpan<byte> raw = s.Slice(i + 1, end - i - 1);
        var next = (end + 1) << 8;
        Span<byte> buffer = stackalloc byte[32];
        if (escaped)
        {
            if (raw.Length > 32 * 6) return next | (int)TelemetryField.Unknown;
            var n = JsonScan.Unescape(raw, buffer);
            if (n < 0) return next | (int)TelemetryField.Unknown; // too long to be a known name, or an unpaired surrogate
            raw = buffer[..n];
        }
        var names = NamesOf(set);
        var index = 0;
        foreach (var range in names.Split((byte)'|'))
        {
            if (raw.SequenceEqual(names[range])) return next | (int)FieldOf(set, index);
            index++;
        }
        return next | (int)TelemetryField.Unknown;
    }

    private static TelemetryField FieldOf(KeySet set, int index) => set switch
    {
        KeySet.Root => index switch
        {
            0 => TelemetryField.DeviceId,
            1 => TelemetryField.Timestamp,
            2 => TelemetryField.SensorType,
            3 => TelemetryField.Payload,
            4 => TelemetryField.CorrelationId,
            _ => TelemetryField.Location,
        },
        KeySet.Payload => index switch
        {
            0 => TelemetryField.Value,
            1 => TelemetryField.Unit,
            2 => TelemetryField.X,
            3 => TelemetryField.Y,
            _ => TelemetryField.Z,
        },
        _ => index is 0 or 2 ? TelemetryField.Latitude : TelemetryField.Longitude,
    };
}
