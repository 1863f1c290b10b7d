using System.Buffers;
using System.IO.Hashing;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Platform.Engine.Records;
using Platform.Engine.Symbols;
using Platform.Formats.Json;

namespace Platform.Formats;

/// <summary>Failure recording: out of line, codes only, no strings.</summary>
internal static partial class TelemetryLineParser
{
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
