using System.Runtime.CompilerServices;
using System.Text;
using Platform.Formats.Json;

namespace Platform.Formats;

/// <summary>
/// Where and why a telemetry line was rejected: a few bytes the hot path fills in. The reason text is
/// built only by <see cref="ToReason"/>, on the dead-letter path.
/// </summary>
public struct TelemetryParseFailure
{
    internal TelemetryParseError _error;
    internal TelemetryField _field;
    internal TelemetryField _parent;
    internal bool _nested;
    internal byte _missing;
    internal int _column;
    internal int _keyStart;
    internal int _keyLength;

    /// <summary>What was wrong.</summary>
    public readonly TelemetryParseError Error => _error;

    /// <summary>The field it was about (<see cref="TelemetryField.None"/> for the object itself).</summary>
    public readonly TelemetryField Field => _field;

    /// <summary>1-based byte column in the line (0 when the error is about the line as a whole).</summary>
    public readonly int Column => _column;

    /// <summary>Builds the human-readable reason; <paramref name="line"/> is the rejected line (for names of unknown fields).</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public readonly string ToReason(ReadOnlySpan<byte> line, int maxLineBytes)
    {
        var name = FieldName(line);
        var at = $" at column {_column}";
        var of = _field == TelemetryField.None ? "" : $" of field '{name}'";
        return _error switch
        {
            TelemetryParseError.None => "no error",
            TelemetryParseError.LineTooLong => $"line exceeds {maxLineBytes} bytes",
            TelemetryParseError.ExpectedObject => $"expected '{{' at column {_column}, found {Found(line)}",
            TelemetryParseError.UnexpectedEnd => _field == TelemetryField.None
                ? $"unexpected end of line{at}"
                : $"unexpected end of line in field '{name}'{at}",
            TelemetryParseError.ExpectedKey => _field == TelemetryField.None
                ? $"expected field name{at}, found {Found(line)}"
                : _nested ? $"expected field name inside field '{name}'{at}, found {Found(line)}"
                : $"expected field name after field '{name}'{at}, found {Found(line)}",
            TelemetryParseError.ExpectedColon => _nested
                ? $"expected ':' inside field '{name}'{at}"
                : $"expected ':' after field name '{name}'{at}",
            TelemetryParseError.ExpectedCommaOrEnd => _nested
                ? $"expected ',' or a closing bracket inside field '{name}'{at}"
                : $"expected ',' or '}}' after field '{name}'{at}",
            TelemetryParseError.InvalidUtf8 => $"invalid UTF-8 in string{of}{at}",
            TelemetryParseError.ControlCharacter => $"unescaped control character {Found(line)} in string{of}{at}",
            TelemetryParseError.InvalidEscape => $"invalid escape sequence in string{of}{at}",
            TelemetryParseError.InvalidNumber => $"invalid number in field '{name}'{at}",
            TelemetryParseError.NumberOutOfRange => $"number out of range in field '{name}'{at}",
            TelemetryParseError.InvalidValue => $"invalid JSON value in field '{name}'{at}",
            TelemetryParseError.TooDeep => $"nesting deeper than {JsonScan.MaxDepth} in field '{name}'{at}",
            TelemetryParseError.WrongType => $"field '{name}' must be {Expected()}, got {TypeOf(line)}{at}",
            TelemetryParseError.DuplicateKey => $"duplicate key '{name}'{at}",
            TelemetryParseError.MissingField => $"missing required field '{name}'",
            TelemetryParseError.PayloadMissingValue => "payload has neither 'value' nor 'x','y','z'",
            TelemetryParseError.PayloadIncompleteVector => $"payload vector is missing {Missing("'x'", "'y'", "'z'")}",
            TelemetryParseError.PayloadAmbiguous => "payload has both 'value' and 'x','y','z'",
            TelemetryParseError.LocationIncomplete => $"location is missing {Missing("'lat'", "'lon'", "")}",
            TelemetryParseError.InvalidTimestamp => $"invalid ISO-8601 timestamp{at} (expected YYYY-MM-DDTHH:MM:SS[.fff](Z|±HH:MM))",
            TelemetryParseError.TimestampNotInteger => $"epoch-millis timestamp must be an integer{at}",
            TelemetryParseError.StringTooLong => $"field '{name}' is longer than {Platform.Engine.Symbols.SymbolTable.MaxSymbolBytes} bytes{at}",
            TelemetryParseError.EmptyString => $"field '{name}' is empty{at}",
            TelemetryParseError.TrailingData => $"unexpected data after the object{at}, found {Found(line)}",
            _ => _error.ToString(),
        };
    }

    /// <inheritdoc />
    public override readonly string ToString() => $"{_error} {_field} column {_column}";

    private readonly string Missing(string a, string b, string c)
    {
        var parts = new List<string>(3);
        if ((_missing & 1) != 0) parts.Add(a);
        if ((_missing & 2) != 0) parts.Add(b);
        if ((_missing & 4) != 0 && c.Length > 0) parts.Add(c);
        return string.Join(", ", parts);
    }

    private readonly string Found(ReadOnlySpan<byte> line)
    {
        var i = _column - 1;
        if ((uint)i >= (uint)line.Length) return "end of line";
        var b = line[i];
        return b is >= 0x20 and < 0x7F ? $"'{(char)b}'" : $"byte 0x{b:X2}";
    }

    private readonly string TypeOf(ReadOnlySpan<byte> line)
    {
        var i = _column - 1;
        return (uint)i < (uint)line.Length ? JsonScan.TypeName(line[i]) : "end of line";
    }

    private readonly string Expected() => _field switch
    {
        TelemetryField.DeviceId or TelemetryField.SensorType or TelemetryField.Unit or TelemetryField.CorrelationId => "a string",
        TelemetryField.Timestamp => "an ISO-8601 string or integer epoch milliseconds",
        TelemetryField.Payload or TelemetryField.Location => "an object",
        _ => "a number",
    };

    private readonly string FieldName(ReadOnlySpan<byte> line)
    {
        var prefix = _parent switch
        {
            TelemetryField.Payload => "payload.",
            TelemetryField.Location => "location.",
            _ => "",
        };
        return _field switch
        {
            TelemetryField.None => "",
            TelemetryField.DeviceId => "deviceId",
            TelemetryField.Timestamp => "timestamp",
            TelemetryField.SensorType => "sensorType",
            TelemetryField.Payload => "payload",
            TelemetryField.CorrelationId => "correlationId",
            TelemetryField.Location => "location",
            TelemetryField.Value => "payload.value",
            TelemetryField.Unit => "payload.unit",
            TelemetryField.X => "payload.x",
            TelemetryField.Y => "payload.y",
            TelemetryField.Z => "payload.z",
            TelemetryField.Latitude => "location.lat",
            TelemetryField.Longitude => "location.lon",
            _ => prefix + KeyText(line),
        };
    }

    private readonly string KeyText(ReadOnlySpan<byte> line)
    {
        if (_keyStart < 0 || _keyStart + _keyLength > line.Length) return "?";
        var raw = line.Slice(_keyStart, Math.Min(_keyLength, 64));
        return Encoding.UTF8.GetString(raw) + (_keyLength > 64 ? "…" : "");
    }
}
