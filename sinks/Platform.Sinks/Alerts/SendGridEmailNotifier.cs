using System.Net.Http.Headers;
using System.Text.Json;

namespace Platform.Sinks.Alerts;

/// <summary>
/// Sends e-mail through SendGrid: <c>POST {base}/v3/mail/send</c>, <c>Authorization: Bearer {key}</c>,
/// JSON <c>{"personalizations":[{"to":[{"email":…}]}],"from":{"email":…},"subject":…,"content":[{"type":"text/plain","value":…}]}</c>.
/// SendGrid answers 202 Accepted.
/// </summary>
public sealed class SendGridEmailNotifier : IAlertNotifier
{
    private readonly SendGridEmailOptions _options;
    private readonly HttpClient _http;
    private readonly TimeProvider _clock;
    private readonly Uri _url;
    private readonly AlertTemplate _subject;

    /// <summary>Creates the notifier; <paramref name="http"/> is shared, not owned.</summary>
    public SendGridEmailNotifier(SendGridEmailOptions options, HttpClient http, TimeProvider? clock = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(http);
        options.Validate();
        _options = options;
        _http = http;
        _clock = clock ?? TimeProvider.System;
        _url = HttpNotification.Combine(options.BaseUrl, "/v3/mail/send");
        _subject = AlertTemplate.Parse(options.Subject);
    }

    /// <inheritdoc />
    public string Name => "sendgrid";

    /// <inheritdoc />
    public Task<NotificationResult> SendAsync(Alert alert, string text, CancellationToken cancellationToken = default)
    {
        var body = JsonBody(alert, text);
        return HttpNotification.SendAsync(Name, _http, _options.Retry, _clock, () =>
        {
            var content = new ByteArrayContent(body);
            content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
            var request = new HttpRequestMessage(HttpMethod.Post, _url) { Content = content };
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _options.ApiKey.Reveal());
            return request;
        }, cancellationToken);
    }

    /// <summary>The JSON body exactly as sent.</summary>
    internal byte[] JsonBody(Alert alert, string text)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteStartArray("personalizations");
            json.WriteStartObject();
            json.WriteStartArray("to");
            foreach (var to in _options.To)
            {
                json.WriteStartObject();
                json.WriteString("email", to);
                json.WriteEndObject();
            }
            json.WriteEndArray();
            json.WriteEndObject();
            json.WriteEndArray();
            json.WriteStartObject("from");
            json.WriteString("email", _options.From);
            json.WriteEndObject();
            json.WriteString("subject", _subject.Render(alert));
            json.WriteStartArray("content");
            json.WriteStartObject();
            json.WriteString("type", "text/plain");
            json.WriteString("value", text);
            json.WriteEndObject();
            json.WriteEndArray();
            json.WriteEndObject();
        }
        return buffer.ToArray();
    }

    /// <inheritdoc />
    public override string ToString() => $"sendgrid(key {_options.ApiKey}, from {_options.From}, {_options.To.Count} recipient(s))";
}
