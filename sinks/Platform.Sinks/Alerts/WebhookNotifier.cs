using System.Globalization;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Platform.Sinks.Alerts;

/// <summary>
/// POSTs the alert as JSON to a configured URL with <c>X-Platform-Timestamp</c> (Unix seconds) and
/// <c>X-Platform-Signature: sha256=&lt;hex HMAC-SHA256(secret, timestamp + "." + body)&gt;</c>; the
/// receiver recomputes the HMAC and rejects stale timestamps. Retries with exponential backoff; a
/// retry is re-signed with a fresh timestamp.
/// </summary>
public sealed class WebhookNotifier : IAlertNotifier
{
    private readonly WebhookOptions _options;
    private readonly HttpClient _http;
    private readonly TimeProvider _clock;
    private readonly byte[] _key;

    /// <summary>Creates the notifier; <paramref name="http"/> is shared, not owned.</summary>
    public WebhookNotifier(WebhookOptions options, HttpClient http, TimeProvider? clock = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(http);
        options.Validate();
        _options = options;
        _http = http;
        _clock = clock ?? TimeProvider.System;
        _key = Encoding.UTF8.GetBytes(options.SigningSecret.Reveal());
    }

    /// <inheritdoc />
    public string Name => "webhook";

    /// <inheritdoc />
    public Task<NotificationResult> SendAsync(Alert alert, string text, CancellationToken cancellationToken = default)
    {
        var body = JsonBody(alert, text);
        return HttpNotification.SendAsync(Name, _http, _options.Retry, _clock, () =>
        {
            var timestamp = _clock.GetUtcNow().ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
            var content = new ByteArrayContent(body);
            content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
            var request = new HttpRequestMessage(HttpMethod.Post, _options.Url) { Content = content };
            request.Headers.Add(WebhookOptions.TimestampHeader, timestamp);
            request.Headers.Add(WebhookOptions.SignatureHeader, Sign(_key, timestamp, body));
            return request;
        }, cancellationToken);
    }

    /// <summary><c>sha256=</c> + lower-case hex HMAC-SHA256 of <c>timestamp + "." + body</c>.</summary>
    public static string Sign(ReadOnlySpan<byte> key, string timestamp, ReadOnlySpan<byte> body)
    {
        var prefix = Encoding.UTF8.GetBytes(timestamp + ".");
        var message = new byte[prefix.Length + body.Length];
        prefix.CopyTo(message, 0);
        body.CopyTo(message.AsSpan(prefix.Length));
        return "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(key, message));
    }

    /// <summary>The JSON body exactly as sent.</summary>
    internal static byte[] JsonBody(Alert alert, string text)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("key", alert.Key);
            json.WriteString("time", alert.Time.UtcDateTime);
            Number(json, "value", alert.Value);
            Number(json, "score", alert.Score);
            Number(json, "expectedLow", alert.ExpectedLow);
            Number(json, "expectedHigh", alert.ExpectedHigh);
            json.WriteString("severity", alert.Severity.ToString().ToLowerInvariant());
            json.WriteString("source", alert.Source);
            json.WriteString("message", alert.Message);
            json.WriteString("text", text);
            json.WriteEndObject();
        }
        return buffer.ToArray();
    }

    private static void Number(Utf8JsonWriter json, string name, double value)
    {
        if (double.IsFinite(value)) json.WriteNumber(name, value);
        else json.WriteNull(name);
    }

    /// <inheritdoc />
    public override string ToString() => $"webhook({_options.Url.GetLeftPart(UriPartial.Path)}, secret {_options.SigningSecret})";
}
