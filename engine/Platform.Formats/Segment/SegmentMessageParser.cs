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
        public bool Escaped;
    }

    // The string fields, by slot in StringFields; FieldNames holds their JSON names (for failures).
    private const int UserId = 0, AnonymousId = 1, MessageId = 2, EventName = 3, Name = 4, GroupId = 5, PreviousId = 6;
    private static readonly string[] FieldNames = ["userId", "anonymousId", "messageId", "event", "name", "groupId", "previousId"];

    [InlineArray(7)]
    private struct StringFields
    {
        private Field _first;
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
        if (message.Length > SegmentMessageValidator.MaxMessageBytes) return Fail(out failure, Root, "message is over Segment's limit of 32768 bytes");
        var reader = new Utf8JsonReader(message, new JsonReaderOptions { MaxDepth = 64 });
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject) return Fail(out failure, Root, SegmentReasons.NotObject);
        SegmentMessageType? type = null;
        var fields = default(StringFields);
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
            var slot = -1;
            switch (key.Length)
            {
                case 4 when key.SequenceEqual("type"u8):
                    if (reader.TokenType != JsonTokenType.String || (type = TypeOf(reader.ValueSpan)) is null) return Fail(out failure, "type", SegmentReasons.TypeRequired);
                    break;
                case 6 when key.SequenceEqual("userId"u8): slot = UserId; break;
                case 11 when key.SequenceEqual("anonymousId"u8): slot = AnonymousId; break;
                case 9 when key.SequenceEqual("messageId"u8): slot = MessageId; break;
                case 5 when key.SequenceEqual("event"u8): slot = EventName; break;
                case 4 when key.SequenceEqual("name"u8): slot = Name; break;
                case 7 when key.SequenceEqual("groupId"u8): slot = GroupId; break;
                case 10 when key.SequenceEqual("previousId"u8): slot = PreviousId; break;
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
                        return Fail(out failure, key.Length == 6 ? "traits" : "properties", SegmentReasons.MustBeObject);
                    }
                    break;
                case 7 when key.SequenceEqual("context"u8):
                case 12 when key.SequenceEqual("integrations"u8):
                    if (reader.TokenType is not (JsonTokenType.StartObject or JsonTokenType.Null))
                    {
                        return Fail(out failure, key.Length == 7 ? "context" : "integrations", SegmentReasons.MustBeObject);
                    }
                    reader.Skip();
                    break;
                default:
                    reader.Skip();
                    break;
            }
            if (slot >= 0 && !TakeString(ref reader, ref fields[slot], FieldNames[slot], out failure)) return false;
        }
        // Utf8JsonReader with isFinalBlock accepts nothing after the root value; still make sure the object closed.
        if (reader.TokenType != JsonTokenType.EndObject || reader.CurrentDepth != 0 || reader.Read()) return Fail(out failure, Root, NotJson);
        if ((type ?? impliedType) is not { } t) return Fail(out failure, "type", SegmentReasons.TypeRequired);
        if (fields[UserId].Length == 0 && fields[AnonymousId].Length == 0 && t != SegmentMessageType.Alias) return Fail(out failure, "userId", SegmentReasons.IdRequired);
        // The subject of the call: track's event, group's groupId, alias' previousId (required), else the page/screen name.
        var subject = t switch
        {
            SegmentMessageType.Track => EventName,
            SegmentMessageType.Group => GroupId,
            SegmentMessageType.Alias => PreviousId,
            _ => Name,
        };
        if (subject != Name && fields[subject].Length == 0) return Fail(out failure, FieldNames[subject], SegmentReasons.SubjectRequired(t));
        if (t == SegmentMessageType.Alias && fields[UserId].Length == 0) return Fail(out failure, "userId", SegmentReasons.AliasUserIdRequired);
        var time = timestamp != long.MinValue ? timestamp : receivedAt;
        if (time == long.MinValue) return Fail(out failure, "timestamp", NoTime);
        record.Type = t;
        record.Timestamp = time;
        if (!Intern(message, fields, UserId, symbols, out record.UserId, out failure) ||
            !Intern(message, fields, AnonymousId, symbols, out record.AnonymousId, out failure) ||
            !Intern(message, fields, subject, symbols, out record.Event, out failure))
        {
            return false;
        }
        record.Profile = record.UserId.IsNone ? record.AnonymousId : record.UserId;
        record.Category = t == SegmentMessageType.Track ? CategoryOf(message, fields[EventName], symbols) : Symbol.None;
        record.MessageId = MessageIdOf(message, fields[MessageId]);
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

    /// <summary>Records a failure of <paramref name="field"/> and returns false, so a check reads <c>if (…) return Fail(…);</c>.</summary>
    private static bool Fail(out SegmentParseFailure failure, string field, string reason)
    {
        failure = SegmentParseFailure.Of(field, reason);
        return false;
    }

    /// <summary>Notes where a string value is (null leaves the field absent); any other token fails <paramref name="name"/>.</summary>
    private static bool TakeString(ref Utf8JsonReader reader, ref Field field, string name, out SegmentParseFailure failure)
    {
        failure = default;
        if (reader.TokenType == JsonTokenType.Null)
        {
            field = default;
            return true;
        }
        if (reader.TokenType != JsonTokenType.String) return Fail(out failure, name, SegmentReasons.MustBeString);
        // TokenStartIndex is the opening quote; the value follows it.
        field = new Field { Start = (int)reader.TokenStartIndex + 1, Length = reader.ValueSpan.Length, Escaped = reader.ValueIsEscaped };
        return true;
    }

    private static bool TakeTime(ref Utf8JsonReader reader, ref long time, string name, out SegmentParseFailure failure)
    {
        failure = default;
        if (reader.TokenType == JsonTokenType.Null) return true;
        if (reader.TokenType != JsonTokenType.String || reader.ValueIsEscaped || !Iso8601.TryParseUnixMs(reader.ValueSpan, out time))
        {
            return Fail(out failure, name, SegmentReasons.BadTimestamp);
        }
        return true;
    }

    /// <summary>Interns string field <paramref name="slot"/> (unescaped when needed); an absent one is <see cref="Symbol.None"/>.</summary>
    private static bool Intern(ReadOnlySpan<byte> message, in StringFields fields, int slot, SymbolTable symbols, out Symbol symbol, out SegmentParseFailure failure)
    {
        symbol = Symbol.None;
        failure = default;
        var field = fields[slot];
        if (field.Length == 0) return true;
        var raw = message.Slice(field.Start, field.Length);
        if (!field.Escaped)
        {
            if (raw.Length > SymbolTable.MaxSymbolBytes) return Fail(out failure, FieldNames[slot], TooLong);
            symbol = symbols.Intern(raw);
            return true;
        }
        Span<byte> buffer = stackalloc byte[SymbolTable.MaxSymbolBytes * 2];
        var n = raw.Length > buffer.Length * 3 ? -1 : JsonScan.Unescape(raw, buffer);
        if (n == -2) return Fail(out failure, FieldNames[slot], BadEscape);
        if (n < 0 || n > SymbolTable.MaxSymbolBytes) return Fail(out failure, FieldNames[slot], TooLong);
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
