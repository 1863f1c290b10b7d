using System.IO.Compression;
using System.Net;
using System.Text;
using System.Text.Json;
using Platform.Formats.Segment;

namespace Platform.Ingest.Tests.Http;

public sealed class SegmentEndpointTests
{
    private const string Batch = """
        {"batch":[
          {"type":"identify","userId":"u1","messageId":"m1","traits":{"email":"a@example.com","plan":"gold"}},
          {"type":"track","userId":"u1","messageId":"m2","event":"Account: Deposit","properties":{"amount":50},"timestamp":"2026-05-01T12:00:00Z"},
          {"type":"track","anonymousId":"a9","messageId":"m3","event":"Game: Level Up","properties":{"level":7}},
          {"type":"group","userId":"u1","messageId":"m4","groupId":"g1"},
          {"type":"alias","userId":"u1","previousId":"a9","messageId":"m5"},
          {"type":"page","userId":"u1","messageId":"m6","name":"Pricing"}
        ],"sentAt":"2026-05-01T12:00:01Z"}
        """;

    [Fact]
    public async Task Batch_MixedCalls_LandAsTypedEvents_WithEventNamesAsGiven()
    {
        await using var f = await IngestFixture.StartAsync();
        using var response = await f.Client.SendAsync(f.Post("/v1/batch", Batch), TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var messages = (await f.LinesAsync(f.Events)).Select(l => SegmentMessage.Parse(Encoding.UTF8.GetBytes(l))).ToList();
        Assert.Equal([SegmentMessageType.Identify, SegmentMessageType.Track, SegmentMessageType.Track, SegmentMessageType.Group, SegmentMessageType.Alias, SegmentMessageType.Page],
            messages.Select(m => m.Type));
        Assert.Equal("Account: Deposit", messages[1].Event);
        Assert.Equal("Game: Level Up", messages[2].Event);
        Assert.Equal("a9", messages[2].AnonymousId);
        Assert.Equal(new DateTimeOffset(2026, 5, 1, 12, 0, 0, TimeSpan.Zero), messages[1].Timestamp);
        Assert.Equal("g1", messages[3].Event);
    }

    [Fact]
    public async Task Batch_Resent_IsDeduplicatedByMessageId()
    {
        await using var f = await IngestFixture.StartAsync();
        using var first = await f.Client.SendAsync(f.Post("/v1/batch", Batch), TestContext.Current.CancellationToken);
        using var again = await f.Client.SendAsync(f.Post("/v1/batch", Batch), TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.Contains("\"duplicates\":6", await again.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);
        Assert.Equal(6, (await f.LinesAsync(f.Events)).Count);
    }

    [Fact]
    public async Task Track_SingleCall_TypeFromEndpoint()
    {
        await using var f = await IngestFixture.StartAsync();
        using var r = await f.Client.SendAsync(f.Post("/v1/track", """{"userId":"u2","event":"Booking: Created"}"""), TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        var m = SegmentMessage.Parse(Encoding.UTF8.GetBytes((await f.LinesAsync(f.Events)).Single()));
        Assert.Equal(SegmentMessageType.Track, m.Type);
        Assert.Equal("Booking: Created", m.Event);
        Assert.False(string.IsNullOrEmpty(m.MessageId));
    }

    public static TheoryData<string, string, string, int, string> Rejections => new()
    {
        { "/v1/track", """{"userId":"u1"}""", "application/json", 400, "event" },
        { "/v1/track", """{"event":"X: Y"}""", "application/json", 400, "userId" },
        { "/v1/track", """{"userId":"u1","event":"X: Y""", "application/json", 400, "$" },
        { "/v1/identify", """{"type":"track","userId":"u1"}""", "application/json", 400, "type" },
        { "/v1/batch", """{"batch":[{"type":"track","userId":"u1","event":"A: B"},{"type":"group","userId":"u1"}]}""", "application/json", 400, "batch[1].groupId" },
        { "/v1/batch", """{"batch":{}}""", "application/json", 400, "batch" },
        { "/v1/track", """{"userId":"u1","event":"A: B","timestamp":"yesterday"}""", "application/json", 400, "timestamp" },
        { "/v1/track", """{"userId":"u1","event":"A: B"}""", "application/xml", 415, "Content-Type" },
    };

    [Theory]
    [MemberData(nameof(Rejections))]
    public async Task Request_Invalid_GetsStatusFieldAndReason(string path, string body, string contentType, int status, string field)
    {
        await using var f = await IngestFixture.StartAsync();
        using var r = await f.Client.SendAsync(f.Post(path, body, contentType), TestContext.Current.CancellationToken);
        Assert.Equal(status, (int)r.StatusCode);
        using var doc = JsonDocument.Parse(await r.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        Assert.Equal(field, doc.RootElement.GetProperty("error").GetProperty("field").GetString());
        Assert.False(string.IsNullOrEmpty(doc.RootElement.GetProperty("error").GetProperty("reason").GetString()));
        Assert.Empty(await f.LinesAsync(f.Events));
    }

    [Fact]
    public async Task Request_WithoutOrWithWrongWriteKey_Gets401()
    {
        await using var f = await IngestFixture.StartAsync();
        using var none = await f.Client.SendAsync(f.Post("/v1/track", """{"userId":"u","event":"A: B"}""", auth: false), TestContext.Current.CancellationToken);
        var wrong = f.Post("/v1/track", """{"userId":"u","event":"A: B"}""", auth: false);
        wrong.Headers.Authorization = IngestFixture.Basic("nope");
        using var bad = await f.Client.SendAsync(wrong, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.Unauthorized, none.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, bad.StatusCode);
    }

    [Fact]
    public async Task Message_Over32KB_Gets413_AndBatchOver500KB_Gets413()
    {
        await using var f = await IngestFixture.StartAsync();
        var big = new string('x', 33 * 1024);
        using var one = await f.Client.SendAsync(f.Post("/v1/track", $$$"""{"userId":"u","event":"A: B","properties":{"p":"{{{big}}}"}}"""), TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, one.StatusCode);
        var items = string.Join(",", Enumerable.Range(0, 20).Select(i => $$$"""{"type":"track","userId":"u","event":"A: B","properties":{"p":"{{{new string('y', 30 * 1024)}}}"}}"""));
        using var batch = await f.Client.SendAsync(f.Post("/v1/batch", $$"""{"batch":[{{items}}]}"""), TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, batch.StatusCode);
        Assert.Empty(await f.LinesAsync(f.Events));
    }

    [Fact]
    public async Task GzipBomb_Gets413_WithoutInflatingIt()
    {
        await using var f = await IngestFixture.StartAsync();
        var bomb = new MemoryStream();
        using (var gz = new GZipStream(bomb, CompressionLevel.SmallestSize, leaveOpen: true))
        {
            var zeros = new byte[1 << 20];
            for (var i = 0; i < 256; i++) gz.Write(zeros); // 256 MiB of zeros → ~250 KB compressed
        }
        var request = new HttpRequestMessage(HttpMethod.Post, f.Url("/v1/batch")) { Content = new ByteArrayContent(bomb.ToArray()) };
        request.Content.Headers.ContentType = new("application/json");
        request.Content.Headers.ContentEncoding.Add("gzip");
        request.Headers.Authorization = IngestFixture.Basic(IngestFixture.WriteKey);
        using var r = await f.Client.SendAsync(request, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, r.StatusCode);
        Assert.Contains("Content-Encoding", await r.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Gzip_ValidBody_IsAccepted()
    {
        await using var f = await IngestFixture.StartAsync();
        var ms = new MemoryStream();
        using (var gz = new GZipStream(ms, CompressionLevel.Fastest, leaveOpen: true)) gz.Write(Encoding.UTF8.GetBytes(Batch));
        var request = new HttpRequestMessage(HttpMethod.Post, f.Url("/v1/batch")) { Content = new ByteArrayContent(ms.ToArray()) };
        request.Content.Headers.ContentType = new("application/json");
        request.Content.Headers.ContentEncoding.Add("gzip");
        request.Headers.Authorization = IngestFixture.Basic(IngestFixture.WriteKey);
        using var r = await f.Client.SendAsync(request, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        Assert.Equal(6, (await f.LinesAsync(f.Events)).Count);
    }
}
