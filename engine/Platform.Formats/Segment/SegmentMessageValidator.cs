using System.Globalization;
using System.Text.Json;

namespace Platform.Formats.Segment;

/// <summary>Why a Segment message was rejected: the JSON field and the reason.</summary>
/// <param name="Field">The field path, e.g. <c>batch[3].event</c>.</param>
/// <param name="Reason">What is wrong, precise enough to fix the producer.</param>
public readonly record struct SegmentError(string Field, string Reason);

/// <summary>
/// Checks a Segment message (track / identify / group / alias / page) against the spec's required
/// fields and writes it as one compact JSON line with <c>type</c>, <c>messageId</c> and
/// <c>receivedAt</c> filled in. Thread-safe (stateless).
/// </summary>
public static class SegmentMessageValidator
{
    /// <summary>Segment's limit for one message: 32 KB.</summary>
    public const int MaxMessageBytes = 32 * 1024;

    /// <summary>Segment's limit for one batch request: 500 KB.</summary>
    public const int MaxBatchBytes = 500 * 1024;

    /// <summary>The type named by a <c>type</c> field or endpoint (<c>track</c>, …), or null.</summary>
    public static SegmentMessageType? ParseType(string? name) => name switch
    {
        "track" => SegmentMessageType.Track,
        "identify" => SegmentMessageType.Identify,
        "group" => SegmentMessageType.Group,
        "alias" => SegmentMessageType.Alias,
        "page" => SegmentMessageType.Page,
        _ => null,
    };

    /// <summary>The wire name of a type.</summary>
    public static string NameOf(SegmentMessageType type) => type switch
    {
        SegmentMessageType.Track => "track",
        SegmentMessageType.Identify => "identify",
        SegmentMessageType.Group => "group",
        SegmentMessageType.Alias => "alias",
        _ => "page",
    };

    /// <summary>
    /// Validates <paramref name="message"/> (<paramref name="impliedType"/> from the endpoint, or its own
    /// <c>type</c> in a batch) and, when valid, writes its normalised form to <paramref name="output"/>.
    /// <paramref name="path"/> prefixes field names in errors (<c>batch[3]</c>).
    /// </summary>
    public static bool TryNormalize(JsonElement message, SegmentMessageType? impliedType, string path, DateTimeOffset receivedAt,
        Utf8JsonWriter output, out string messageId, out SegmentError error)
    {
        ArgumentNullException.ThrowIfNull(output);
        messageId = "";
        string F(string field) => path.Length == 0 ? field : path + "." + field;
        if (message.ValueKind != JsonValueKind.Object)
        {
            error = new SegmentError(path.Length == 0 ? "$" : path, SegmentReasons.NotObject);
            return false;
        }
        var raw = System.Runtime.InteropServices.JsonMarshal.GetRawUtf8Value(message);
        if (raw.Length > MaxMessageBytes)
        {
            error = new SegmentError(path.Length == 0 ? "$" : path, $"message is {raw.Length} bytes; Segment's limit is {MaxMessageBytes}");
            return false;
        }
        SegmentMessageType type;
        if (message.TryGetProperty("type", out var typeValue))
        {
            var named = typeValue.ValueKind == JsonValueKind.String ? ParseType(typeValue.GetString()) : null;
            if (named is null || (impliedType is { } implied && implied != named))
            {
                error = new SegmentError(F("type"), impliedType is { } t ? $"must be \"{NameOf(t)}\" on this endpoint" : "must be one of track, identify, group, alias, page");
                return false;
            }
            type = named.Value;
        }
        else if (impliedType is { } t)
        {
            type = t;
        }
        else
        {
            error = new SegmentError(F("type"), SegmentReasons.TypeRequired);
            return false;
        }
        if (!OptionalString(message, "userId", F, out var userId, out error) ||
            !OptionalString(message, "anonymousId", F, out var anonymousId, out error) ||
            !OptionalString(message, "messageId", F, out var givenId, out error))
        {
            return false;
        }
        if (string.IsNullOrEmpty(userId) && string.IsNullOrEmpty(anonymousId) && type != SegmentMessageType.Alias)
        {
            error = new SegmentError(F("userId"), SegmentReasons.IdRequired);
            return false;
        }
        var required = type switch
        {
            SegmentMessageType.Track => "event",
            SegmentMessageType.Group => "groupId",
            SegmentMessageType.Alias => "previousId",
            _ => null,
        };
        if (required is not null && (!message.TryGetProperty(required, out var r) || r.ValueKind != JsonValueKind.String || r.GetString()!.Length == 0))
        {
            error = new SegmentError(F(required), SegmentReasons.SubjectRequired(type));
            return false;
        }
        if (type == SegmentMessageType.Alias && string.IsNullOrEmpty(userId))
        {
            error = new SegmentError(F("userId"), SegmentReasons.AliasUserIdRequired);
            return false;
        }
        foreach (var objectField in (ReadOnlySpan<string>)["properties", "traits", "context", "integrations"])
        {
            if (message.TryGetProperty(objectField, out var o) && o.ValueKind is not (JsonValueKind.Object or JsonValueKind.Null))
            {
                error = new SegmentError(F(objectField), SegmentReasons.MustBeObject);
                return false;
            }
        }
        if (message.TryGetProperty("timestamp", out var ts) &&
            (ts.ValueKind != JsonValueKind.String || !DateTimeOffset.TryParse(ts.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out _)))
        {
            error = new SegmentError(F("timestamp"), SegmentReasons.BadTimestamp);
            return false;
        }
        messageId = string.IsNullOrEmpty(givenId) ? Guid.NewGuid().ToString("D") : givenId;
        output.WriteStartObject();
        output.WriteString("type", NameOf(type));
        output.WriteString("messageId", messageId);
        output.WriteString("receivedAt", receivedAt.UtcDateTime.ToString("O", CultureInfo.InvariantCulture));
        foreach (var p in message.EnumerateObject())
        {
            if (p.NameEquals("type") || p.NameEquals("messageId") || p.NameEquals("receivedAt")) continue;
            p.WriteTo(output);
        }
        output.WriteEndObject();
        error = default;
        return true;
    }

    private static bool OptionalString(JsonElement message, string name, Func<string, string> field, out string? value, out SegmentError error)
    {
        error = default;
        value = null;
        if (!message.TryGetProperty(name, out var v) || v.ValueKind == JsonValueKind.Null) return true;
        if (v.ValueKind != JsonValueKind.String)
        {
            error = new SegmentError(field(name), SegmentReasons.MustBeString);
            return false;
        }
        value = v.GetString();
        return true;
    }
}
