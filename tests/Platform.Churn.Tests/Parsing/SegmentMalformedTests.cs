using System.Text;
using Platform.Engine.Batching;
using Platform.Engine.Symbols;
using Platform.Formats.Segment;

namespace Platform.Churn.Tests.Parsing;

/// <summary>A corpus of bad input: each line goes to the dead letters with the reason a producer can act on; good neighbours survive.</summary>
public sealed class SegmentMalformedTests
{
    private const string Time = "\"timestamp\":\"2026-03-01T10:00:00Z\"";

    public static TheoryData<string, string> Corpus => new()
    {
        { "not json at all", "$: not valid JSON" },
        { "{\"type\":\"track\",\"userId\":\"u\",\"event\":\"E\"," + Time, "$: not valid JSON" },
        { "[1,2,3]", "$: a message must be a JSON object" },
        { "{\"type\":\"purchase\",\"userId\":\"u\"," + Time + "}", "type: required in a batch" },
        { "{\"userId\":\"u\",\"event\":\"E\"," + Time + "}", "type: required in a batch" },
        { "{\"type\":\"track\",\"event\":\"E\"," + Time + "}", "userId: userId or anonymousId is required" },
        { "{\"type\":\"track\",\"userId\":\"u\"," + Time + "}", "event: required for track: a non-empty string" },
        { "{\"type\":\"track\",\"userId\":\"u\",\"event\":\"\"," + Time + "}", "event: required for track" },
        { "{\"type\":\"group\",\"userId\":\"u\"," + Time + "}", "groupId: required for group" },
        { "{\"type\":\"alias\",\"userId\":\"u\"," + Time + "}", "previousId: required for alias" },
        { "{\"type\":\"alias\",\"previousId\":\"a\"," + Time + "}", "userId: required for alias: the new id" },
        { "{\"type\":\"track\",\"userId\":42,\"event\":\"E\"," + Time + "}", "userId: must be a string" },
        { "{\"type\":\"track\",\"userId\":\"u\",\"event\":\"E\",\"properties\":[1]," + Time + "}", "properties: must be a JSON object" },
        { "{\"type\":\"identify\",\"userId\":\"u\",\"traits\":\"x\"," + Time + "}", "traits: must be a JSON object" },
        { "{\"type\":\"track\",\"userId\":\"u\",\"event\":\"E\",\"context\":5," + Time + "}", "context: must be a JSON object" },
        { "{\"type\":\"track\",\"userId\":\"u\",\"event\":\"E\",\"timestamp\":\"yesterday\"}", "timestamp: must be an ISO-8601 date-time string" },
        { "{\"type\":\"track\",\"userId\":\"u\",\"event\":\"E\",\"timestamp\":\"2026-13-01T10:00:00Z\"}", "timestamp: must be an ISO-8601" },
        { "{\"type\":\"track\",\"userId\":\"u\",\"event\":\"E\"}", "timestamp: timestamp or receivedAt is required" },
        { "{\"type\":\"track\",\"userId\":\"" + new string('x', 300) + "\",\"event\":\"E\"," + Time + "}", "userId: longer than" },
        { "{\"type\":\"track\",\"userId\":\"u\",\"event\":\"E\"," + Time + "} trailing", "$: not valid JSON" },
        { "{\"type\":\"page\",\"userId\":\"u\",\"name\":\"\\ud800\"," + Time + "}", "name: not valid JSON: an unpaired surrogate" },
    };

    [Theory]
    [MemberData(nameof(Corpus))]
    public void Bad_line_goes_to_dead_letters_with_reason_and_neighbours_survive(string bad, string reason)
    {
        var good = "{\"type\":\"track\",\"userId\":\"ok\",\"event\":\"A: B\"," + Time + "}";
        var text = good + "\n" + bad + "\n" + good + "\n";
        var dead = new CollectingDeadLetters();
        var batch = new BatchPool<CustomerEvent>(4).Rent();
        var rejected = new SegmentNdjsonParser<CdpProjection>(new SymbolTable()).Parse(Encoding.UTF8.GetBytes(text), "src", 0, 1000, batch, dead);
        Assert.Equal(1, rejected);
        Assert.Equal(2, batch.Count);
        var letter = Assert.Single(dead.Letters);
        Assert.StartsWith(reason, letter.Reason, StringComparison.Ordinal);
        Assert.Equal(bad, letter.Raw);
        Assert.Equal(1000 + Encoding.UTF8.GetByteCount(good) + 1, letter.Position);
    }

    [Fact]
    public void A_bad_message_in_a_batch_is_named_by_index_and_the_rest_are_kept()
    {
        var line = "{\"batch\":[" +
                   "{\"type\":\"track\",\"userId\":\"a\",\"event\":\"A: B\"," + Time + "}," +
                   "{\"type\":\"track\",\"userId\":\"b\"," + Time + "}," +
                   "{\"type\":\"identify\",\"userId\":\"c\",\"traits\":{\"gaming_level\":7}," + Time + "}]}";
        var dead = new CollectingDeadLetters();
        var batch = new BatchPool<CustomerEvent>(4).Rent();
        var rejected = new SegmentNdjsonParser<CdpProjection>(new SymbolTable()).Parse(Encoding.UTF8.GetBytes(line), "src", 0, 0, batch, dead);
        Assert.Equal(1, rejected);
        Assert.Equal(2, batch.Count);
        Assert.Equal(7, batch.Items[1].Level);
        var letter = Assert.Single(dead.Letters);
        Assert.Equal("batch[1].event: required for track: a non-empty string", letter.Reason);
        Assert.StartsWith("{\"type\":\"track\",\"userId\":\"b\"", letter.Raw, StringComparison.Ordinal);
    }

    [Fact]
    public void The_validator_and_the_parser_reject_with_the_same_words()
    {
        using var doc = System.Text.Json.JsonDocument.Parse("{\"type\":\"group\",\"userId\":\"u\"}");
        using var output = new System.Text.Json.Utf8JsonWriter(Stream.Null);
        Assert.False(SegmentMessageValidator.TryNormalize(doc.RootElement, null, "", DateTimeOffset.UnixEpoch, output, out _, out var error));
        var batch = new BatchPool<CustomerEvent>(4).Rent();
        var dead = new CollectingDeadLetters();
        new SegmentNdjsonParser<NoProjection>(new SymbolTable()).Parse("{\"type\":\"group\",\"userId\":\"u\"}"u8, "s", 0, 0, batch, dead);
        Assert.Equal($"{error.Field}: {error.Reason}", Assert.Single(dead.Letters).Reason);
    }
}
