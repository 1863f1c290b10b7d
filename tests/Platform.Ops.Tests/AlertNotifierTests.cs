using System.Security.Cryptography;
using System.Text;
using Platform.Sinks.Alerts;

namespace Platform.Ops.Tests;

public class AlertNotifierTests
{
    private static readonly Alert Sample = new("device-17/temperature", new DateTimeOffset(2026, 11, 28, 12, 0, 5, TimeSpan.Zero),
        97.5, 8.25, 18, 26, "value far above the expected range", AlertSeverity.Critical, "anomaly");

    private static readonly HttpRetryOptions FastRetry = new() { MaxAttempts = 3, InitialBackoff = TimeSpan.FromMilliseconds(10), MaxBackoff = TimeSpan.FromMilliseconds(20) };

    [Fact]
    public async Task Twilio_SendAsync_PostsFormEncodedMessageWithBasicAuth()
    {
        await using var server = await RecordingServer.StartAsync();
        server.DefaultStatus = 201;
        using var http = new HttpClient();
        var notifier = new TwilioSmsNotifier(new TwilioSmsOptions
        {
            AccountSid = "AC0123456789abcdef0123456789abcdef",
            AuthToken = Secret.FromValue("tok&en/42"),
            From = "+15005550006",
            To = ["+14155550100"],
            BaseUrl = server.BaseUrl,
        }, http);

        var result = await notifier.SendAsync(Sample, "Alert: device-17 at 97.5 °C & rising");

        Assert.True(result.Delivered);
        Assert.Equal(201, result.StatusCode);
        var request = Assert.Single(server.Requests);
        Assert.Equal("POST", request.Method);
        Assert.Equal("/2010-04-01/Accounts/AC0123456789abcdef0123456789abcdef/Messages.json", request.Path);
        Assert.Equal("application/x-www-form-urlencoded", request.Headers["Content-Type"]);
        Assert.Equal("Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes("AC0123456789abcdef0123456789abcdef:tok&en/42")), request.Headers["Authorization"]);
        Assert.Equal("To=%2B14155550100&From=%2B15005550006&Body=Alert%3A%20device-17%20at%2097.5%20%C2%B0C%20%26%20rising", request.BodyText);
    }

    [Fact]
    public async Task SendGrid_SendAsync_PostsV3MailSendJsonWithBearerKey()
    {
        await using var server = await RecordingServer.StartAsync();
        server.DefaultStatus = 202;
        using var http = new HttpClient();
        var notifier = new SendGridEmailNotifier(new SendGridEmailOptions
        {
            ApiKey = Secret.FromValue("SG.test-key"),
            From = "alerts@example.com",
            To = ["ops@example.com", "oncall@example.com"],
            BaseUrl = server.BaseUrl,
        }, http);

        var result = await notifier.SendAsync(Sample, "device-17 is at 97.5");

        Assert.True(result.Delivered);
        var request = Assert.Single(server.Requests);
        Assert.Equal("POST", request.Method);
        Assert.Equal("/v3/mail/send", request.Path);
        Assert.Equal("application/json", request.Headers["Content-Type"]);
        Assert.Equal("Bearer SG.test-key", request.Headers["Authorization"]);
        Assert.Equal(
            """{"personalizations":[{"to":[{"email":"ops@example.com"},{"email":"oncall@example.com"}]}],"from":{"email":"alerts@example.com"},"subject":"[CRITICAL] alert on device-17/temperature","content":[{"type":"text/plain","value":"device-17 is at 97.5"}]}""",
            request.BodyText);
    }

    [Fact]
    public async Task Webhook_SendAsync_SignsTimestampDotBodyWithHmacSha256AndRetriesServerErrors()
    {
        await using var server = await RecordingServer.StartAsync();
        server.Script(503, 500);
        using var http = new HttpClient();
        var notifier = new WebhookNotifier(new WebhookOptions
        {
            Url = new Uri(server.BaseUrl, "/hooks/alerts"),
            SigningSecret = Secret.FromValue("whsec-123"),
            Retry = FastRetry,
        }, http);

        var result = await notifier.SendAsync(Sample, "text");

        Assert.True(result.Delivered);
        Assert.Equal(3, result.Attempts);
        Assert.Equal(3, server.Requests.Count);
        foreach (var request in server.Requests)
        {
            Assert.Equal("/hooks/alerts", request.Path);
            Assert.Equal("application/json; charset=utf-8", request.Headers["Content-Type"]);
            var timestamp = request.Headers[WebhookOptions.TimestampHeader];
            Assert.InRange(long.Parse(timestamp, System.Globalization.CultureInfo.InvariantCulture),
                DateTimeOffset.UtcNow.ToUnixTimeSeconds() - 60, DateTimeOffset.UtcNow.ToUnixTimeSeconds() + 1);
            var expected = "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes("whsec-123"),
                Encoding.UTF8.GetBytes(timestamp + "." + request.BodyText)));
            Assert.Equal(expected, request.Headers[WebhookOptions.SignatureHeader]);
            Assert.Equal(
                """{"key":"device-17/temperature","time":"2026-11-28T12:00:05Z","value":97.5,"score":8.25,"expectedLow":18,"expectedHigh":26,"severity":"critical","source":"anomaly","message":"value far above the expected range","text":"text"}""",
                request.BodyText);
        }
    }

    [Fact]
    public async Task Webhook_SendAsync_ClientErrorIsNotRetried()
    {
        await using var server = await RecordingServer.StartAsync();
        server.DefaultStatus = 400;
        using var http = new HttpClient();
        var notifier = new WebhookNotifier(new WebhookOptions { Url = server.BaseUrl, SigningSecret = Secret.FromValue("s"), Retry = FastRetry }, http);

        var result = await notifier.SendAsync(Sample, "text");

        Assert.False(result.Delivered);
        Assert.Equal(1, result.Attempts);
        Assert.Equal(400, result.StatusCode);
    }

    [Fact]
    public async Task Sink_FlappingKey_ThousandAlertsInAMinute_SendAtMostBurstNotifications()
    {
        await using var server = await RecordingServer.StartAsync();
        using var http = new HttpClient();
        var clock = new ManualClock(new DateTimeOffset(2026, 11, 28, 12, 0, 0, TimeSpan.Zero));
        var throttle = new AlertThrottleOptions { Burst = 3, RefillInterval = TimeSpan.FromMinutes(10), DeduplicationWindow = TimeSpan.FromMinutes(5), QuietPeriod = TimeSpan.FromSeconds(10) };
        using var sink = new AlertNotificationSink(new AlertNotificationOptions { Throttle = throttle, Template = "{key} {value} {score} {time}" },
            [new WebhookNotifier(new WebhookOptions { Url = server.BaseUrl, SigningSecret = Secret.FromValue("s"), Retry = FastRetry }, http, clock)], clock);

        for (var i = 0; i < 1000; i++)
        {
            // Flapping: severity and value change on every alert, 60 ms apart → 1,000 alerts in 60 s.
            var alert = Sample with { Severity = i % 2 == 0 ? AlertSeverity.Warning : AlertSeverity.Critical, Value = 90 + i % 7, Time = clock.GetUtcNow() };
            await sink.NotifyAsync(alert);
            clock.Advance(TimeSpan.FromMilliseconds(60));
        }

        Assert.InRange(server.Requests.Count, 1, 3);
        Assert.Equal(server.Requests.Count, sink.Sent);
        Assert.Equal(1000 - sink.Sent, sink.Suppressed);
    }

    [Fact]
    public void Throttle_OtherKeysAreIndependent_AndTokensRefill()
    {
        var clock = new ManualClock(DateTimeOffset.UnixEpoch);
        var throttle = new AlertThrottle(new AlertThrottleOptions { Burst = 2, RefillInterval = TimeSpan.FromMinutes(1), DeduplicationWindow = TimeSpan.Zero, QuietPeriod = TimeSpan.Zero }, clock);
        var a = Sample with { Key = "a" };

        Assert.Equal(ThrottleDecision.Send, throttle.Decide(a));
        Assert.Equal(ThrottleDecision.Send, throttle.Decide(a));
        Assert.Equal(ThrottleDecision.RateLimited, throttle.Decide(a));
        Assert.Equal(ThrottleDecision.Send, throttle.Decide(Sample with { Key = "b" }));
        clock.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(ThrottleDecision.Send, throttle.Decide(a));
        Assert.Equal(ThrottleDecision.RateLimited, throttle.Decide(a));
    }

    [Fact]
    public void Throttle_SameAlertWithinWindow_IsDuplicate_EscalationBreaksQuietPeriod()
    {
        var clock = new ManualClock(DateTimeOffset.UnixEpoch);
        var throttle = new AlertThrottle(new AlertThrottleOptions { Burst = 10, DeduplicationWindow = TimeSpan.FromMinutes(5), QuietPeriod = TimeSpan.FromMinutes(1) }, clock);
        var warning = Sample with { Severity = AlertSeverity.Warning };

        Assert.Equal(ThrottleDecision.Send, throttle.Decide(warning));
        clock.Advance(TimeSpan.FromSeconds(90));
        Assert.Equal(ThrottleDecision.Duplicate, throttle.Decide(warning));
        Assert.Equal(ThrottleDecision.Send, throttle.Decide(warning with { Severity = AlertSeverity.Critical }));
        Assert.Equal(ThrottleDecision.QuietPeriod, throttle.Decide(warning with { Source = "volume" }));
    }

    [Fact]
    public void Template_Render_FillsPlaceholders_AndRejectsUnknownOnes()
    {
        var template = AlertTemplate.Parse("{key}={value} score {score} at {time} {{literal}}");

        Assert.Equal("device-17/temperature=97.5 score 8.25 at 2026-11-28T12:00:05.000Z {literal}", template.Render(Sample));
        Assert.Throws<FormatException>(() => AlertTemplate.Parse("{keys}"));
        Assert.Throws<FormatException>(() => AlertTemplate.Parse("{key"));
    }

    [Fact]
    public void Secret_ToString_NeverShowsTheValue()
    {
        using var dir = new TempDir();
        var file = dir.File("secrets.env");
        File.WriteAllText(file, "# alert secrets\nTWILIO_TOKEN=\"super-secret-token\"\nOTHER=x\n");
        var name = "PLATFORM_OPS_TEST_" + Guid.NewGuid().ToString("N");
        Environment.SetEnvironmentVariable(name, "env-secret-value");
        try
        {
            var fromFile = Secret.Resolve($"file:{file}#TWILIO_TOKEN");
            var fromEnv = Secret.Resolve("env:" + name);
            Assert.Equal("super-secret-token", fromFile.Reveal());
            Assert.Equal("env-secret-value", fromEnv.Reveal());
            Assert.DoesNotContain("super-secret-token", fromFile.ToString(), StringComparison.Ordinal);
            Assert.DoesNotContain("env-secret-value", fromEnv.ToString(), StringComparison.Ordinal);
            using var http = new HttpClient();
            var twilio = new TwilioSmsNotifier(new TwilioSmsOptions { AccountSid = "AC1", AuthToken = fromFile, From = "+1", To = ["+2"] }, http);
            Assert.DoesNotContain("super-secret-token", twilio.ToString(), StringComparison.Ordinal);
            Assert.Throws<ArgumentException>(() => Secret.Resolve("plain-text-secret"));
        }
        finally
        {
            Environment.SetEnvironmentVariable(name, null);
        }
    }
}
