using System.Globalization;
using System.Text;
using System.Text.Json;
using CsCheck;
using Platform.Engine.Batching;
using Platform.Engine.Symbols;
using Platform.Formats.Segment;

namespace Platform.Churn.Tests.Parsing;

/// <summary>The zero-allocation Segment parser against System.Text.Json on random messages, single and batched.</summary>
public sealed class SegmentParserTests
{
    private sealed record Message(string Type, string? UserId, string? AnonymousId, string? Subject, DateTimeOffset Time,
        string MessageId, double? Amount, int? Level, bool? Twitch, bool TraitsObject, string Extra);

    private static readonly string[] Types = ["track", "identify", "group", "alias", "page"];

    private static Gen<string> Pick(string[] values) => Gen.Int[0, values.Length - 1].Select(i => values[i]);

    private static Gen<T?> Maybe<T>(Gen<T> gen) where T : struct => Gen.Select(Gen.Bool, gen, (present, v) => present ? v : (T?)null);

    private static readonly Gen<string> Id = Gen.OneOf(
        Gen.String[Gen.Char.AlphaNumeric, 1, 30],
        Gen.String[Gen.Char, 1, 12].Where(s => s.Length > 0 && !s.Any(char.IsSurrogate)), // quotes, control chars, non-ASCII: escaped by the writer
        Gen.Const("user-\"quoted\" \\ é ✓"));

    private static readonly Gen<Message> Messages =
        from type in Pick(Types)
        from user in Id.Null(0.2)
        from anon in Id.Null(0.3)
        from subject in Gen.OneOf(Pick(["Financial: Large Deposit Made", "Gaming: Level Up", "Session: Started", "Home"]), Id)
        from ms in Gen.Long[946_684_800_000L, 4_102_444_800_000L]
        from guid in Gen.Guid
        from hashedId in Gen.Bool
        from amount in Maybe(Gen.Double[-1e6, 1e6])
        from level in Maybe(Gen.Int[0, 500])
        from twitch in Maybe(Gen.Bool)
        from traits in Gen.Bool
        from extra in Gen.String[Gen.Char.AlphaNumeric, 0, 20]
        select new Message(type, user ?? (anon is null || type == "alias" ? "u1" : null), anon, subject,
            DateTimeOffset.FromUnixTimeMilliseconds(ms), hashedId ? "msg-" + guid.ToString("N")[..10] : guid.ToString("D"), amount, level, twitch, traits, extra);

    private static void Write(Utf8JsonWriter w, Message m)
    {
        w.WriteStartObject();
        w.WriteString("extra", m.Extra);
        if (m.UserId is not null) w.WriteString("userId", m.UserId);
        w.WriteString("type", m.Type);
        if (m.AnonymousId is not null) w.WriteString("anonymousId", m.AnonymousId);
        w.WriteStartObject("context");
        w.WriteStartArray("nested");
        w.WriteNumberValue(1);
        w.WriteStartObject();
        w.WriteString("event", "not this one");
        w.WriteEndObject();
        w.WriteEndArray();
        w.WriteEndObject();
        var subjectKey = m.Type switch { "track" => "event", "group" => "groupId", "alias" => "previousId", _ => "name" };
        if (m.Subject is not null) w.WriteString(subjectKey, m.Subject);
        w.WriteString("timestamp", m.Time.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture));
        w.WriteString("messageId", m.MessageId);
        w.WriteStartObject(m.TraitsObject && m.Type is "identify" or "group" ? "traits" : "properties");
        w.WriteString("note", "amount is 5 here but not the field");
        if (m.Amount is { } a) w.WriteNumber("amount", a);
        if (m.Level is { } l) w.WriteNumber(m.TraitsObject ? "gaming_level" : "level", l);
        if (m.Twitch is { } t) w.WriteBoolean("twitch_linked", t);
        w.WriteEndObject();
        w.WriteEndObject();
    }

    private static byte[] Json(Action<Utf8JsonWriter> write)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        using (var w = new Utf8JsonWriter(buffer)) write(w);
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>What System.Text.Json reads from the same bytes, in the parser's terms.</summary>
    private static void AssertMatches(byte[] json, in CustomerEvent e, SymbolTable symbols)
    {
        using var doc = JsonDocument.Parse(json);
        var root = doc.RootElement;
        string? Str(string name) => root.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
        var type = SegmentMessageValidator.ParseType(Str("type"))!.Value;
        Assert.Equal(type, e.Type);
        Assert.Equal(Str("userId") ?? "", symbols.NameOf(e.UserId));
        Assert.Equal(Str("anonymousId") ?? "", symbols.NameOf(e.AnonymousId));
        var subject = type switch
        {
            SegmentMessageType.Track => Str("event"),
            SegmentMessageType.Group => Str("groupId"),
            SegmentMessageType.Alias => Str("previousId"),
            _ => Str("name"),
        };
        Assert.Equal(subject ?? "", symbols.NameOf(e.Event));
        Assert.Equal(DateTimeOffset.Parse(Str("timestamp")!, CultureInfo.InvariantCulture).ToUnixTimeMilliseconds(), e.Timestamp);
        var props = root.TryGetProperty("properties", out var p) ? p : root.GetProperty("traits");
        Assert.Equal(props.TryGetProperty("amount", out var amount) ? amount.GetDouble() : double.NaN, e.Amount);
        var level = props.TryGetProperty("level", out var lv) || props.TryGetProperty("gaming_level", out lv) ? lv.GetInt32() : -1;
        Assert.Equal(level, e.Level);
        Assert.Equal(props.TryGetProperty("twitch_linked", out var tw) ? (tw.GetBoolean() ? 1 : 0) : -1, e.TwitchLinked);
        var id = Str("messageId")!;
        if (Guid.TryParseExact(id, "D", out var guid)) Assert.Equal(UInt128.Parse(guid.ToString("N"), NumberStyles.HexNumber, CultureInfo.InvariantCulture), e.MessageId);
        else Assert.Equal(System.IO.Hashing.XxHash128.HashToUInt128(Encoding.UTF8.GetBytes(id)), e.MessageId);
        var expectedCategory = type == SegmentMessageType.Track && subject!.IndexOf(": ", StringComparison.Ordinal) is > 0 and var c ? subject[..c] : "";
        if (!json.AsSpan().ContainsAny("\\"u8)) Assert.Equal(expectedCategory, symbols.NameOf(e.Category));
        Assert.Equal(e.UserId.IsNone ? e.AnonymousId : e.UserId, e.Profile);
    }

    [Fact]
    public void Single_messages_read_like_System_Text_Json()
    {
        var symbols = new SymbolTable();
        var parser = new SegmentNdjsonParser<CdpProjection>(symbols);
        Messages.Sample(m =>
        {
            var json = Json(w => Write(w, m));
            var batch = new BatchPool<CustomerEvent>(4).Rent();
            var dead = new CollectingDeadLetters();
            Assert.Equal(0, parser.Parse(json, "t", 0, 0, batch, dead));
            Assert.Equal(1, batch.Count);
            AssertMatches(json, batch.Items[0], symbols);
        }, iter: 2000);
    }

    [Fact]
    public void Batch_lines_give_one_record_per_message_in_order()
    {
        var symbols = new SymbolTable();
        var parser = new SegmentNdjsonParser<CdpProjection>(symbols);
        Messages.Array[1, 20].Sample(ms =>
        {
            var line = Json(w =>
            {
                w.WriteStartObject();
                w.WriteString("writeKey", "k");
                w.WriteStartArray("batch");
                foreach (var m in ms) Write(w, m);
                w.WriteEndArray();
                w.WriteStartObject("context");
                w.WriteEndObject();
                w.WriteEndObject();
            });
            var batch = new BatchPool<CustomerEvent>(4).Rent();
            Assert.Equal(0, parser.Parse(line, "t", 0, 0, batch, new CollectingDeadLetters()));
            Assert.Equal(ms.Length, batch.Count);
            for (var i = 0; i < ms.Length; i++) AssertMatches(Json(w => Write(w, ms[i])), batch.Items[i], symbols);
        }, iter: 300);
    }

    [Fact]
    public void Ndjson_with_crlf_and_blank_lines_parses_every_message()
    {
        var text = "{\"type\":\"track\",\"userId\":\"a\",\"event\":\"X: Y\",\"timestamp\":\"2026-01-02T03:04:05Z\"}\r\n\n" +
                   "{\"type\":\"page\",\"anonymousId\":\"b\",\"receivedAt\":\"2026-01-02T03:04:06.5+01:00\"}";
        var symbols = new SymbolTable();
        var batch = new BatchPool<CustomerEvent>(4).Rent();
        Assert.Equal(0, new SegmentNdjsonParser<NoProjection>(symbols).Parse(Encoding.UTF8.GetBytes(text), "t", 0, 0, batch, new CollectingDeadLetters()));
        Assert.Equal(2, batch.Count);
        Assert.Equal("X", symbols.NameOf(batch.Items[0].Category));
        Assert.Equal(new DateTimeOffset(2026, 1, 2, 2, 4, 6, 500, TimeSpan.Zero).ToUnixTimeMilliseconds(), batch.Items[1].Timestamp);
        Assert.Equal("b", symbols.NameOf(batch.Items[1].Profile));
    }
}
