namespace Platform.Formats;

/// <summary>Why a telemetry line was rejected. The hot path returns only this code; reasons are built on the dead-letter path.</summary>
public enum TelemetryParseError : byte
{
    /// <summary>No error.</summary>
    None = 0,
    /// <summary>The line is longer than <see cref="TelemetryNdjsonParserOptions.MaxLineBytes"/>.</summary>
    LineTooLong,
    /// <summary>The line does not start with '{'.</summary>
    ExpectedObject,
    /// <summary>The line ended inside the object.</summary>
    UnexpectedEnd,
    /// <summary>A field name (a string) was expected.</summary>
    ExpectedKey,
    /// <summary>':' was expected after a field name.</summary>
    ExpectedColon,
    /// <summary>',' or the closing brace/bracket was expected after a value.</summary>
    ExpectedCommaOrEnd,
    /// <summary>A string holds bytes that are not UTF-8.</summary>
    InvalidUtf8,
    /// <summary>A string holds an unescaped control character.</summary>
    ControlCharacter,
    /// <summary>A string holds an invalid escape sequence (or an unpaired surrogate where unescaped).</summary>
    InvalidEscape,
    /// <summary>A number does not follow the JSON grammar.</summary>
    InvalidNumber,
    /// <summary>A number does not fit (a double overflow, or epoch millis beyond a long).</summary>
    NumberOutOfRange,
    /// <summary>A value is not a JSON value (a bare word, say).</summary>
    InvalidValue,
    /// <summary>Nesting is deeper than 64.</summary>
    TooDeep,
    /// <summary>A known field holds the wrong JSON type.</summary>
    WrongType,
    /// <summary>A known field appears twice.</summary>
    DuplicateKey,
    /// <summary>A required field is missing.</summary>
    MissingField,
    /// <summary>The payload has neither 'value' nor 'x','y','z'.</summary>
    PayloadMissingValue,
    /// <summary>The payload has some but not all of 'x','y','z'.</summary>
    PayloadIncompleteVector,
    /// <summary>The payload has both 'value' and 'x','y','z'.</summary>
    PayloadAmbiguous,
    /// <summary>The location lacks 'lat' or 'lon'.</summary>
    LocationIncomplete,
    /// <summary>The timestamp string is not ISO-8601.</summary>
    InvalidTimestamp,
    /// <summary>An epoch-millis timestamp has a fraction or exponent.</summary>
    TimestampNotInteger,
    /// <summary>An interned string is longer than the symbol table allows.</summary>
    StringTooLong,
    /// <summary>deviceId or sensorType is the empty string.</summary>
    EmptyString,
    /// <summary>Bytes follow the closing brace.</summary>
    TrailingData,
}

/// <summary>The field a parse error is about.</summary>
public enum TelemetryField : byte
{
    /// <summary>No particular field (the object itself).</summary>
    None = 0,
    /// <summary>A field the parser does not know (its name is taken from the line).</summary>
    Unknown,
    /// <summary><c>deviceId</c>.</summary>
    DeviceId,
    /// <summary><c>timestamp</c>.</summary>
    Timestamp,
    /// <summary><c>sensorType</c>.</summary>
    SensorType,
    /// <summary><c>payload</c>.</summary>
    Payload,
    /// <summary><c>correlationId</c>.</summary>
    CorrelationId,
    /// <summary><c>location</c>.</summary>
    Location,
    /// <summary><c>payload.value</c>.</summary>
    Value,
    /// <summary><c>payload.unit</c>.</summary>
    Unit,
    /// <summary><c>payload.x</c>.</summary>
    X,
    /// <summary><c>payload.y</c>.</summary>
    Y,
    /// <summary><c>payload.z</c>.</summary>
    Z,
    /// <summary><c>location.lat</c> / <c>location.latitude</c>.</summary>
    Latitude,
    /// <summary><c>location.lon</c> / <c>location.longitude</c>.</summary>
    Longitude,
}
