using System.Text.Json;

namespace Platform.Formats.Segment;

/// <summary>
/// A validated Segment message as the ingest endpoints store it (one compact JSON line): the typed
/// fields the pipeline keys and windows on, plus the raw line for properties and traits. Event names
/// are kept exactly as given ("Category: Action"). A minimal reader for validation and tests; the
/// zero-allocation <c>CustomerEvent</c> parser of the churn work replaces it on the hot path.
/// </summary>
/// <param name="Type">The call type.</param>
/// <param name="MessageId">The message id (client-given, or assigned on ingest).</param>
/// <param name="UserId">The user id, if any.</param>
/// <param name="AnonymousId">The anonymous id, if any.</param>
/// <param name="Event">Track's event name / page's name / group's groupId / alias's previousId.</param>
/// <param name="Timestamp">Event time (client <c>timestamp</c>, else <c>receivedAt</c>).</param>
public sealed record SegmentMessage(SegmentMessageType Type, string MessageId, string? UserId, string? AnonymousId, string? Event, DateTimeOffset Timestamp)
{
    /// <summary>Reads a stored line.</summary>
    /// <exception cref="FormatException">The line is not a valid stored message.</exception>
    public static SegmentMessage Parse(ReadOnlySpan<byte> line)
    {
        try
        {
            using var doc = JsonDocument.Parse(line.ToArray());
            var root = doc.RootElement;
            var type = SegmentMessageValidator.ParseType(root.GetProperty("type").GetString()) ?? throw new FormatException("unknown type");
            string? Str(string name) => root.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
            var subject = type switch
            {
                SegmentMessageType.Track => Str("event"),
                SegmentMessageType.Page => Str("name"),
                SegmentMessageType.Group => Str("groupId"),
                SegmentMessageType.Alias => Str("previousId"),
                _ => null,
            };
            var time = Str("timestamp") ?? Str("receivedAt") ?? throw new FormatException("no timestamp");
            return new SegmentMessage(type, Str("messageId") ?? throw new FormatException("no messageId"), Str("userId"), Str("anonymousId"), subject,
                DateTimeOffset.Parse(time, System.Globalization.CultureInfo.InvariantCulture));
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            throw new FormatException("Not a stored Segment message: " + e.Message, e);
        }
    }
}
