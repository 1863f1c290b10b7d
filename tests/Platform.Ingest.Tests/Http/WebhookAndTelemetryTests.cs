using System.Globalization;
using System.Net;
using System.Text;
using Platform.Connectors.Ingest;

namespace Platform.Ingest.Tests.Http;

public sealed class WebhookAndTelemetryTests
{
    private const string Notification = """{"subscription":{"id":"s1","type":"channel.follow","version":"2"},"event":{"user_id":"1234","user_login":"cool_user","broadcaster_user_id":"1337","followed_at":"2026-05-01T12:00:00.000000000Z"}}""";

    private static HttpRequestMessage Twitch(IngestFixture f, string id, DateTimeOffset time, string body, string type = "notification", string? signature = null)
    {
        var ts = time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'00Z'", CultureInfo.InvariantCulture); // 9 fractional digits, as Twitch sends
        var r = f.Post("/v1/webhooks/twitch", body, auth: false);
        r.Headers.Add("Twitch-Eventsub-Message-Id", id);
        r.Headers.Add("Twitch-Eventsub-Message-Timestamp", ts);
        r.Headers.Add("Twitch-Eventsub-Message-Type", type);
        r.Headers.Add("Twitch-Eventsub-Message-Signature", signature ?? Signatures.Sign(IngestFixture.TwitchSecret, id + ts, Encoding.UTF8.GetBytes(body)));
        return r;
    }

    [Fact]
    public async Task Twitch_ValidWrongStaleAndReplayed()
    {
        await using var f = await IngestFixture.StartAsync();
        var ct = TestContext.Current.CancellationToken;
        var now = DateTimeOffset.UtcNow;
        using var valid = await f.Client.SendAsync(Twitch(f, "id-1", now, Notification), ct);
        Assert.Equal(HttpStatusCode.OK, valid.StatusCode);
        using var wrong = await f.Client.SendAsync(Twitch(f, "id-2", now, Notification, signature: "sha256=" + new string('0', 64)), ct);
        Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        using var tampered = await f.Client.SendAsync(Twitch(f, "id-3", now, Notification, signature: Signatures.Sign(IngestFixture.TwitchSecret, "id-3x", Encoding.UTF8.GetBytes(Notification))), ct);
        Assert.Equal(HttpStatusCode.Unauthorized, tampered.StatusCode);
        using var stale = await f.Client.SendAsync(Twitch(f, "id-4", now.AddMinutes(-11), Notification), ct);
        Assert.Equal(HttpStatusCode.Unauthorized, stale.StatusCode);
        Assert.Contains("Timestamp", await stale.Content.ReadAsStringAsync(ct), StringComparison.Ordinal);
        using var replay = await f.Client.SendAsync(Twitch(f, "id-1", now, Notification), ct);
        Assert.Equal(HttpStatusCode.Conflict, replay.StatusCode);
        var lines = await f.LinesAsync(f.Events);
        var line = Assert.Single(lines);
        Assert.Contains("\"subscriptionType\":\"channel.follow\"", line, StringComparison.Ordinal);
        Assert.Contains("\"user_login\":\"cool_user\"", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Twitch_CallbackVerification_AnswersTheChallengeAsText()
    {
        await using var f = await IngestFixture.StartAsync();
        var body = """{"challenge":"pogchamp-kappa-360noscope-vohiyo","subscription":{"id":"s1","type":"channel.follow"}}""";
        using var r = await f.Client.SendAsync(Twitch(f, "v-1", DateTimeOffset.UtcNow, body, "webhook_callback_verification"), TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        Assert.Equal("text/plain", r.Content.Headers.ContentType!.MediaType);
        Assert.Equal("pogchamp-kappa-360noscope-vohiyo", await r.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task GenericWebhook_SignedWithConfiguredHeader()
    {
        await using var f = await IngestFixture.StartAsync();
        var ct = TestContext.Current.CancellationToken;
        var body = """{"action":"opened","number":7}""";
        var ok = f.Post("/v1/webhooks/github", body, auth: false);
        ok.Headers.Add("X-Hub-Signature-256", Signatures.Sign(IngestFixture.HookSecret, "", Encoding.UTF8.GetBytes(body)));
        using var okR = await f.Client.SendAsync(ok, ct);
        Assert.Equal(HttpStatusCode.OK, okR.StatusCode);
        var bad = f.Post("/v1/webhooks/github", body, auth: false);
        bad.Headers.Add("X-Hub-Signature-256", Signatures.Sign("other", "", Encoding.UTF8.GetBytes(body)));
        using var badR = await f.Client.SendAsync(bad, ct);
        Assert.Equal(HttpStatusCode.Unauthorized, badR.StatusCode);
        using var missing = await f.Client.SendAsync(f.Post("/v1/webhooks/github", body, auth: false), ct);
        Assert.Equal(HttpStatusCode.Unauthorized, missing.StatusCode);
        Assert.Contains("\"source\":\"github\"", Assert.Single(await f.LinesAsync(f.Events)), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Telemetry_ValidLinesCommitted_MalformedLineRejectedWithLineNumber()
    {
        await using var f = await IngestFixture.StartAsync();
        var ct = TestContext.Current.CancellationToken;
        var good = """
            {"deviceId":"dev-1","timestamp":"2026-05-01T12:00:00.000Z","sensorType":"temperature","payload":{"value":21.5,"unit":"Celsius"}}
            {"deviceId":"dev-2","timestamp":"2026-05-01T12:00:01.000Z","sensorType":"humidity","payload":{"value":40,"unit":"%"}}
            """;
        using var ok = await f.Client.SendAsync(f.Post("/v1/telemetry", good, "application/x-ndjson"), ct);
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        using var bad = await f.Client.SendAsync(f.Post("/v1/telemetry", good + "\n{\"deviceId\":\"x\"", "application/x-ndjson"), ct);
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Contains("\"field\":\"line 3\"", await bad.Content.ReadAsStringAsync(ct), StringComparison.Ordinal);
        Assert.Equal(2, (await f.LinesAsync(f.Telemetry)).Count);
    }

    [Fact]
    public async Task Telemetry_LogBacklogFull_Answers429WithRetryAfter()
    {
        await using var f = await IngestFixture.StartAsync();
        var ct = TestContext.Current.CancellationToken;
        // A log that can hold almost nothing pending: concurrent requests must see 429, never a hang or a lost 200.
        await using var tiny = Platform.Connectors.DurableLog.DurableLog.Open(new() { Directory = Path.Combine(Path.GetTempPath(), "tiny-" + Guid.NewGuid().ToString("N")), MaxPendingBytes = 600, MaxRecordBytes = 400 });
        await using var server = new IngestServer(new IngestOptions { WriteKeys = [IngestFixture.WriteKey] }, null, tiny, new Platform.Formats.TelemetryNdjsonParser(new Platform.Engine.Symbols.SymbolTable()));
        await server.StartAsync(ct);
        var line = """{"deviceId":"dev-1","timestamp":"2026-05-01T12:00:00.000Z","sensorType":"temperature","payload":{"value":21.5,"unit":"Celsius"}}""" + "\n";
        var body = line + line;
        var results = await Task.WhenAll(Enumerable.Range(0, 40).Select(async _ =>
        {
            var r = new HttpRequestMessage(HttpMethod.Post, new Uri(server.Address, "/v1/telemetry")) { Content = new StringContent(body, Encoding.UTF8, "application/x-ndjson") };
            r.Headers.Authorization = IngestFixture.Basic(IngestFixture.WriteKey);
            using var response = await f.Client.SendAsync(r, ct);
            return ((int)response.StatusCode, response.Headers.RetryAfter?.Delta);
        }));
        Assert.All(results, r => Assert.True(r.Item1 is 200 or 429 or 413, $"status {r.Item1}"));
        Assert.All(results.Where(r => r.Item1 == 429), r => Assert.NotNull(r.Delta));
        Assert.Equal(results.Count(r => r.Item1 == 200), (int)tiny.RecordsAppended);
    }
}
