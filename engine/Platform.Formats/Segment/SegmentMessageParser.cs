using System.IO.Hashing;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Platform.Engine.Symbols;
using Platform.Formats.Json;

namespace Platform.Formats.Segment;

/// <summary>
/// Parses one Segment message (a JSON object) into a <see cref="CustomerEvent"/> with <see cref="Utf8JsonReader"/>:
/// no allocation on the success path (known ids are interned lock-free; escaped strings are unescaped on the
/// stack). Applies the rules of <see cref="SegmentMessageValidator"/> (required ids and subjects per type, object
/// fields, ISO-8601 time) and additionally requires an event time (<c>timestamp</c> or <c>receivedAt</c>).
/// </summary>
public static class SegmentMessageParser
{
    private const string Root = "$";
    private const string NotJson = "not valid JSON";
    private const string NoTime = "timestamp or receivedAt is required: an ISO-8601 date-time string";
    private const string TooLong = "longer than 256 bytes (SymbolTable.MaxSymbolBytes)";
    private const string BadEscape = "not valid JSON: an unpaired surrogate escape";

    /// <summary>A string field's location in the message (escaped strings are unescaped when interned).</summary>
    private struct Field
    {
        public int Start, Length;
        public bool Escaped, Present;
    }

    /// <summary>
    /// Parses <paramref name="message"/> into <paramref name="record"/>. <paramref name="impliedType"/> is the
    /// type when the message has none (null: <c>type</c> is required).
    /// </summary>
    public static bool TryParse<TProjection>(ReadOnlySpan<byte> message, SymbolTable symbols, SegmentMessageType? impliedType,
        ref CustomerEvent record, out SegmentParseFailure failure)
        where TProjection : struct, ICustomerEventProjection
    {
        try
        {
            return TryParseCore<TProjection>(message, symbols, impliedType, ref record, out failure);
        }
        catch (JsonException e)
        {
            failure = SegmentParseFailure.Of(Root, NotJson + DescribeJson(e));
            return false;
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static string DescribeJson(JsonException e) => e.BytePositionInLine is { } at ? $" (at byte {at})" : "";

    private static bool TryParseCore<TProjection>(ReadOnlySpan<byte> message, SymbolTable symbols, SegmentMessageType? impliedType,
        ref CustomerEvent record, out SegmentParseFailure failure)
        where TProjection : struct, ICustomerEventProjection
    {
        failure = default;
        if (message.Length > SegmentMessageValidator.MaxMessageBytes)
        {
            failure = SegmentParseFailure.Of(Root, "message is over Segment's limit of 32768 bytes");
            return false;
        }
        var reader = new Utf8JsonReader(message, new JsonReaderOptions { MaxDepth = 64 });
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            failure = SegmentParseFailure.Of(Root, SegmentReasons.NotObject);
            return false;
        }
        SegmentMessageType? type = null;
        Field userId = default, anonymousId = default, eventName = default, name = default, groupId = default, previousId = default, messageId = default;
        long timestamp = long.MinValue, receivedAt = long.MinValue;
        int propsStart = 0, propsLength = 0;
        while (reader.Read())
        {
            if (reader.TokenType == JsonTokenType.EndObject) break;
            // Property names are plain ASCII in the spec; compare the raw bytes.
            var key = reader.ValueSpan;
            var escapedKey = reader.ValueIsEscaped;
            reader.Read();
            if (escapedKey)
            {
                reader.Skip();
                continue;
            }
            switch (key.Length)
            {
                case 4 when key.SequenceEqual("type"u8):
                    if (reader.TokenType != JsonTokenType.String || (type = TypeOf(reader.ValueSpan)) is null)
                    {
                        failure = SegmentParseFailure.Of("type", SegmentReasons.TypeRequired);
                        return false;
                    }
                    break;
                case 6 when key.SequenceEqual("userId"u8):
                    if (!TakeString(ref reader, ref userId, "userId", out failure)) return false;
                    break;
                case 11 when key.SequenceEqual("anonymousId"u8):
                    if (!TakeString(ref reader, ref anonymousId, "anonymousId", out failure)) return false;
                    break;
                case 9 when key.SequenceEqual("messageId"u8):
                    if (!TakeString(ref reader, ref messageId, "messageId", out failure)) return false;
                    break;
                case 5 when key.SequenceEqual("event"u8):
                    if (!TakeString(ref reader, ref eventName, "event", out failure)) return false;
                    break;
                case 4 when key.SequenceEqual("name"u8):
                    if (!TakeString(ref reader, ref name, "name", out failure)) return false;
                    break;
                case 7 when key.SequenceEqual("groupId"u8):
                    if (!TakeString(ref reader, ref groupId, "groupId", out failure)) return false;
                    break;
                case 10 when key.SequenceEqual("previousId"u8):
                    if (!TakeString(ref reader, ref previousId, "previousId", out failure)) return false;
                    break;
                case 9 when key.SequenceEqual("timestamp"u8):
                    if (!TakeTime(ref reader, ref timestamp, "timestamp", out failure)) return false;
                    break;
                case 10 when key.SequenceEqual("receivedAt"u8):
                    if (!TakeTime(ref reader, ref receivedAt, "receivedAt", out failure)) return false;
                    break;
                case 10 when key.SequenceEqual("properties"u8):
                case 6 when key.SequenceEqual("traits"u8):
                    if (reader.TokenType == JsonTokenType.StartObject)
                    {
                        propsStart = (int)reader.TokenStartIndex;
                        reader.Skip();
                        propsLength = (int)reader.BytesConsumed - propsStart;
                    }
                    else if (reader.TokenType != JsonTokenType.Null)
                    {
                        failure = SegmentParseFailure.Of(key.Length == 6 ? "traits" : "properties", SegmentReasons.MustBeObject);
                        return false;
                    }
                    break;
                case 7 when key.SequenceEqual("context"u8):
                case 12 when key.SequenceEqual("integrations"u8):
                    if (reader.TokenType is not (JsonTokenType.StartObject or JsonTokenType.Null))
                    {
                        failure = SegmentParseFailure.Of(key.Length == 7 ? "context" : "integrations", SegmentReasons.MustBeObject);
                        return false;
                    }
                    reader.Skip();
                    break;
                default:
                    reader.Skip();
                    break;
            }
        }
        // Utf8JsonReader with isFinalBlock accepts nothing after the root value; still make sure the object closed.
        if (reader.TokenType != JsonTokenType.EndObject || reader.CurrentDepth != 0 || reader.Read())
        {
            failure = SegmentParseFailure.Of(Root, NotJson);
            return false;
        }
        var resolved = type ?? impliedType;
        if (resolved is not { } t)
        {
            failure = SegmentParseFailure.Of("type", SegmentReasons.TypeRequired);
            return false;
        }
        if (userId.Length == 0 && anonymousId.Length == 0 && t != SegmentMessageType.Alias)
        {
            failure = SegmentParseFailure.Of("userId", SegmentReasons.IdRequired);
            return false;
        }
        ref var subject = ref name;
        var subjectField = "";
        switch (t)
        {
            case SegmentMessageType.Track: subject = ref eventName; subjectField = "event"; break;
            case SegmentMessageType.Group: subject = ref groupId; subjectField = "groupId"; break;
            case SegmentMessageType.Alias: subject = ref previousId; subjectField = "previousId"; break;
        }
        if (subjectField.Length != 0 && subject.Length == 0)
        {
            failure = SegmentParseFailure.Of(subjectField, SegmentReasons.SubjectRequired(t));
            return false;
        }
        if (t == SegmentMessageType.Alias && userId.Length == 0)
        {
            failure = SegmentParseFailure.Of("userId", SegmentReasons.AliasUserIdRequired);
            return false;
        }
        var time = timestamp != long.MinValue ? timestamp : receivedAt;
        if (time == long.MinValue)
        {
            failure = SegmentParseFailure.Of("timestamp", NoTime);
            return false;
        }
        record.Type = t;
        record.Timestamp = time;
        if (!Intern(message, userId, symbols, "userId", out record.UserId, out failure) ||
            !Intern(message, anonymousId, symbols, "anonymousId", out record.AnonymousId, out failure) ||
            !Intern(message, subject, symbols, subjectField.Length == 0 ? "name" : subjectField, out record.Event, out failure))
        {
            return false;
        }
        record.Profile = record.UserId.IsNone ? record.AnonymousId : record.UserId;
        record.Category = t == SegmentMessageType.Track ? CategoryOf(message, eventName, symbols) : Symbol.None;
        record.MessageId = MessageIdOf(message, messageId);
        record.PropertiesStart = propsStart;
        record.PropertiesLength = propsLength;
        record.Amount = double.NaN;
        record.Level = -1;
        record.TwitchLinked = -1;
        if (propsLength > 0) default(TProjection).Project(ref record, new SegmentProperties(message.Slice(propsStart, propsLength)));
        return true;
    }

    /// <summary>The call type named by a <c>type</c> value (the validator's names), or null.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static SegmentMessageType? TypeOf(ReadOnlySpan<byte> name) => name.Length switch
    {
        5 when name.SequenceEqual("track"u8) => SegmentMessageType.Track,
        8 when name.SequenceEqual("identify"u8) => SegmentMessageType.Identify,
        5 when name.SequenceEqual("group"u8) => SegmentMessageType.Group,
        5 when name.SequenceEqual("alias"u8) => SegmentMessageType.Alias,
        4 when name.SequenceEqual("page"u8) => SegmentMessageType.Page,
        _ => null,
    };

    private static bool TakeString(ref Utf8JsonReader reader, ref Field field, string name, out SegmentParseFailure failure)
    {
        failure = default;
        if (reader.TokenType == JsonTokenType.Null)
        {
            field = default;
            return true;
        }
        if (reader.TokenType != JsonTokenType.String)
        {
            failure = SegmentParseFailure.Of(name, SegmentReasons.MustBeString);
            return false;
        }
        // TokenStartIndex is the opening quote; the value follows it.
        field = new Field { Start = (int)reader.TokenStartIndex + 1, Length = reader.ValueSpan.Length, Escaped = reader.ValueIsEscaped, Present = true };
        return true;
    }

    private static bool TakeTime(ref Utf8JsonReader reader, ref long time, string name, out SegmentParseFailure failure)
    {
        failure = default;
        if (reader.TokenType == JsonTokenType.Null) return true;
        if (reader.TokenType != JsonTokenType.String || reader.ValueIsEscaped || !Iso8601.TryParseUnixMs(reader.ValueSpan, out time))
        {
            failure = SegmentParseFailure.Of(name, SegmentReasons.BadTimestamp);
            return false;
        }
        return true;
    }

    private static bool Intern(ReadOnlySpan<byte> message, in Field field, SymbolTable symbols, string name, out Symbol symbol, out SegmentParseFailure failure)
    {
        symbol = Symbol.None;
        failure = default;
        if (field.Length == 0) return true;
        var raw = message.Slice(field.Start, field.Length);
        if (!field.Escaped)
        {
            if (raw.Length > SymbolTable.MaxSymbolBytes)
            {
                failure = SegmentParseFailure.Of(name, TooLong);
                return false;
            }
            symbol = symbols.Intern(raw);
            return true;
        }
        Span<byte> buffer = stackalloc byte[SymbolTable.MaxSymbolBytes * 2];
        var n = raw.Length > buffer.Length * 3 ? -1 : JsonScan.Unescape(raw, buffer);
        if (n == -2)
        {
            failure = SegmentParseFailure.Of(name, BadEscape);
            return false;
        }
        if (n < 0 || n > SymbolTable.MaxSymbolBytes)
        {
            failure = SegmentParseFailure.Of(name, TooLong);
            return false;
        }
        symbol = symbols.Intern(buffer[..n]);
        return true;
    }

    private static Symbol CategoryOf(ReadOnlySpan<byte> message, in Field eventName, SymbolTable symbols)
    {
        if (eventName.Escaped) return Symbol.None;
        var name = message.Slice(eventName.Start, eventName.Length);
        var colon = name.IndexOf(": "u8);
        return colon > 0 ? symbols.Intern(name[..colon]) : Symbol.None;
    }

    private static UInt128 MessageIdOf(ReadOnlySpan<byte> message, in Field id)
    {
        if (id.Length == 0) return UInt128.Zero;
        var raw = message.Slice(id.Start, id.Length);
        if (!id.Escaped && raw.Length == 36 && System.Buffers.Text.Utf8Parser.TryParse(raw, out Guid guid, out var used) && used == 36)
        {
            Span<byte> bytes = stackalloc byte[16];
            guid.TryWriteBytes(bytes, bigEndian: true, out _);
            return System.Buffers.Binary.BinaryPrimitives.ReadUInt128BigEndian(bytes);
        }
        return XxHash128.HashToUInt128(raw);
    }
}
