using System.Buffers.Text;
using System.Text.Json;

namespace Platform.Formats.Segment;

/// <summary>
/// A lazily read <c>properties</c> / <c>traits</c> object: nothing is decoded until a value is asked for, and
/// then only the top level is scanned, with <see cref="Utf8JsonReader"/> (no allocation). The bytes must be a
/// complete, already validated JSON object.
/// </summary>
public readonly ref struct SegmentProperties
{
    private readonly ReadOnlySpan<byte> _json;

    /// <summary>Wraps an object's bytes (empty: no properties).</summary>
    public SegmentProperties(ReadOnlySpan<byte> json) => _json = json;

    /// <summary>The object's bytes.</summary>
    public ReadOnlySpan<byte> Json => _json;

    /// <summary>True when there is no object.</summary>
    public bool IsEmpty => _json.IsEmpty;

    /// <summary>A top-level number (or a numeric string, as some SDKs send amounts) named <paramref name="name"/>.</summary>
    public bool TryGetDouble(ReadOnlySpan<byte> name, out double value)
    {
        value = 0;
        if (!TryFind(name, out var reader)) return false;
        return reader.TokenType switch
        {
            JsonTokenType.Number => reader.TryGetDouble(out value) && double.IsFinite(value),
            JsonTokenType.String when !reader.ValueIsEscaped => Utf8Parser.TryParse(reader.ValueSpan, out value, out var used) && used == reader.ValueSpan.Length && double.IsFinite(value),
            _ => false,
        };
    }

    /// <summary>A top-level boolean named <paramref name="name"/>.</summary>
    public bool TryGetBool(ReadOnlySpan<byte> name, out bool value)
    {
        value = false;
        if (!TryFind(name, out var reader)) return false;
        if (reader.TokenType is not (JsonTokenType.True or JsonTokenType.False)) return false;
        value = reader.TokenType == JsonTokenType.True;
        return true;
    }

    /// <summary>The raw (unescaped only when it has no escapes) bytes of a top-level string named <paramref name="name"/>.</summary>
    public bool TryGetString(ReadOnlySpan<byte> name, out ReadOnlySpan<byte> utf8)
    {
        utf8 = default;
        if (!TryFind(name, out var reader) || reader.TokenType != JsonTokenType.String || reader.ValueIsEscaped) return false;
        utf8 = reader.ValueSpan;
        return true;
    }

    private bool TryFind(ReadOnlySpan<byte> name, out Utf8JsonReader reader)
    {
        reader = new Utf8JsonReader(_json);
        if (_json.IsEmpty || !reader.Read() || reader.TokenType != JsonTokenType.StartObject) return false;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var match = reader.ValueTextEquals(name);
            reader.Read();
            if (match) return true;
            reader.Skip();
        }
        return false;
    }
}
