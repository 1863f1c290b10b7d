using System.Net.Http.Headers;
using System.Text;

namespace Platform.Sinks.Alerts;

/// <summary>
/// Sends SMS through Twilio: <c>POST {base}/2010-04-01/Accounts/{AccountSid}/Messages.json</c>,
/// <c>application/x-www-form-urlencoded</c> body <c>To=…&amp;From=…&amp;Body=…</c>, HTTP Basic auth
/// with the account SID and auth token.
/// </summary>
public sealed class TwilioSmsNotifier : IAlertNotifier
{
    private readonly TwilioSmsOptions _options;
    private readonly HttpClient _http;
    private readonly TimeProvider _clock;
    private readonly Uri _url;
    private readonly AuthenticationHeaderValue _auth;

    /// <summary>Creates the notifier; <paramref name="http"/> is shared, not owned.</summary>
    public TwilioSmsNotifier(TwilioSmsOptions options, HttpClient http, TimeProvider? clock = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(http);
        options.Validate();
        _options = options;
        _http = http;
        _clock = clock ?? TimeProvider.System;
        _url = HttpNotification.Combine(options.BaseUrl, $"/2010-04-01/Accounts/{Uri.EscapeDataString(options.AccountSid)}/Messages.json");
        _auth = new AuthenticationHeaderValue("Basic",
            Convert.ToBase64String(Encoding.UTF8.GetBytes(options.AccountSid + ":" + options.AuthToken.Reveal())));
    }

    /// <inheritdoc />
    public string Name => "twilio";

    /// <inheritdoc />
    public async Task<NotificationResult> SendAsync(Alert alert, string text, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(text);
        var body = text.Length > TwilioSmsOptions.MaxBodyLength ? text[..TwilioSmsOptions.MaxBodyLength] : text;
        NotificationResult last = default;
        foreach (var to in _options.To)
        {
            last = await HttpNotification.SendAsync(Name, _http, _options.Retry, _clock, () => Build(to, body), cancellationToken);
            if (!last.Delivered) return last;
        }
        return last;
    }

    /// <summary>Renders the form body exactly as sent.</summary>
    internal string FormBody(string to, string body) =>
        "To=" + Uri.EscapeDataString(to) + "&From=" + Uri.EscapeDataString(_options.From) + "&Body=" + Uri.EscapeDataString(body);

    private HttpRequestMessage Build(string to, string body)
    {
        var content = new ByteArrayContent(Encoding.UTF8.GetBytes(FormBody(to, body)));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/x-www-form-urlencoded");
        var request = new HttpRequestMessage(HttpMethod.Post, _url) { Content = content };
        request.Headers.Authorization = _auth;
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        return request;
    }

    /// <inheritdoc />
    public override string ToString() => $"twilio(account {_options.AccountSid}, token {_options.AuthToken}, {_options.To.Count} recipient(s))";
}
