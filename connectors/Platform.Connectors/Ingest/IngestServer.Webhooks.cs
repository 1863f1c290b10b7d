using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace Platform.Connectors.Ingest;

public sealed partial class IngestServer
{
    private const string TwitchId = "Twitch-Eventsub-Message-Id";
    private const string TwitchTimestamp = "Twitch-Eventsub-Message-Timestamp";
    private const string TwitchSignature = "Twitch-Eventsub-Message-Signature";
    private const string TwitchType = "Twitch-Eventsub-Message-Type";

    /// <summary>
    /// Twitch EventSub: verifies <c>sha256=</c> HMAC-SHA256(secret, id + timestamp + raw body) in
    /// constant time, rejects timestamps more than 10 minutes away and replayed ids (409), answers
    /// the callback verification with the challenge as text/plain, appends notifications.
    /// </summary>
    private async Task<IngestResult> HandleTwitchAsync(HttpContext context)
    {
        if (_twitchSecret is null || _events is null) return IngestResult.Error(404, "path", "the Twitch EventSub endpoint is not enabled (no secret configured)");
        var headers = context.Request.Headers;
        var id = headers[TwitchId].ToString();
        var timestamp = headers[TwitchTimestamp].ToString();
        var signature = headers[TwitchSignature].ToString();
        var type = headers[TwitchType].ToString();
        if (id.Length == 0 || id.Length > 128) return IngestResult.Error(400, TwitchId, "required (at most 128 characters)");
        if (timestamp.Length == 0) return IngestResult.Error(400, TwitchTimestamp, "required");
        if (signature.Length == 0) return IngestResult.Error(401, TwitchSignature, "required");
        if (!IsContentType(context, "application/json")) return IngestResult.Error(415, "Content-Type", "send application/json");
        var (body, error) = await RequestBody.ReadAsync(context, _options.MaxWebhookBytes, _options.MaxDecompressedBytes, context.RequestAborted);
        if (body is null) return error;
        using (body)
        {
            if (!Signatures.Verify(signature, "sha256=", _twitchSecret, Encoding.UTF8.GetBytes(id + timestamp), body.Span))
            {
                return IngestResult.Error(401, TwitchSignature, "signature does not match HMAC-SHA256(secret, message id + timestamp + body)");
            }
            if (!TryParseTwitchTime(timestamp, out var sent)) return IngestResult.Error(400, TwitchTimestamp, "must be an RFC 3339 date-time");
            var age = _options.Clock.GetUtcNow() - sent;
            if (age > IngestOptions.TwitchMaxAge || age < -IngestOptions.TwitchMaxAge)
            {
                return IngestResult.Error(401, TwitchTimestamp, $"timestamp is {age.TotalMinutes:F1} minutes away from now; at most 10 are accepted");
            }
            if (_twitchIds.Contains(id)) return IngestResult.Error(409, TwitchId, "replayed message id");
            JsonDocument doc;
            try
            {
                doc = JsonDocument.Parse(body.Memory);
            }
            catch (JsonException e)
            {
                return IngestResult.Error(400, "$", "invalid JSON: " + e.Message);
            }
            using (doc)
            {
                var root = doc.RootElement;
                switch (type)
                {
                    case "webhook_callback_verification":
                        if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("challenge", out var challenge) || challenge.ValueKind != JsonValueKind.String)
                        {
                            return IngestResult.Error(400, "challenge", "required for webhook_callback_verification");
                        }
                        _twitchIds.TryMark(id);
                        return new IngestResult(200, challenge.GetString()!, "text/plain");
                    case "revocation":
                        _twitchIds.TryMark(id);
                        return IngestResult.Ok(0);
                    case "notification":
                        break;
                    default:
                        return IngestResult.Error(400, TwitchType, "must be notification, webhook_callback_verification or revocation");
                }
                if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("event", out var ev) || ev.ValueKind != JsonValueKind.Object)
                {
                    return IngestResult.Error(400, "event", "required: an object");
                }
                var output = new ArrayBufferWriter<byte>(body.Length + 256);
                using (var w = new Utf8JsonWriter(output))
                {
                    w.WriteStartObject();
                    w.WriteString("source", "twitch");
                    w.WriteString("messageId", id);
                    w.WriteString("timestamp", sent.UtcDateTime.ToString("O", CultureInfo.InvariantCulture));
                    if (root.TryGetProperty("subscription", out var sub) && sub.ValueKind == JsonValueKind.Object && sub.TryGetProperty("type", out var st) && st.ValueKind == JsonValueKind.String)
                    {
                        w.WriteString("subscriptionType", st.GetString());
                    }
                    w.WritePropertyName("event");
                    ev.WriteTo(w);
                    w.WriteEndObject();
                }
                output.GetSpan(1)[0] = (byte)'\n';
                output.Advance(1);
                var failed = await CommitAsync(_events.AppendAsync(output.WrittenSpan));
                if (failed is { } f) return f;
                _twitchIds.TryMark(id);
                RecordsIn.Add(1, new KeyValuePair<string, object?>("endpoint", "twitch"));
                return IngestResult.Ok(1);
            }
        }
    }

    /// <summary>RFC 3339 with up to 9 fractional digits (Twitch sends nanoseconds; .NET parses 7).</summary>
    private static bool TryParseTwitchTime(string text, out DateTimeOffset time)
    {
        var dot = text.IndexOf('.', StringComparison.Ordinal);
        if (dot > 0)
        {
            var end = dot + 1;
            while (end < text.Length && char.IsAsciiDigit(text[end])) end++;
            if (end - dot - 1 > 7) text = text[..(dot + 8)] + text[end..];
        }
        return DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out time);
    }

    /// <summary>A generic signed webhook: the configured header carries prefix + hex(HMAC-SHA256(secret, raw body)).</summary>
    private async Task<IngestResult> HandleWebhookAsync(HttpContext context, WebhookOptions hook, byte[] secret)
    {
        if (_events is null) return IngestResult.Error(404, "path", "webhooks are not enabled");
        var signature = context.Request.Headers[hook.Header].ToString();
        if (signature.Length == 0) return IngestResult.Error(401, hook.Header, "required: the HMAC-SHA256 signature of the body");
        if (!IsContentType(context, "application/json")) return IngestResult.Error(415, "Content-Type", "send application/json");
        var (body, error) = await RequestBody.ReadAsync(context, _options.MaxWebhookBytes, _options.MaxDecompressedBytes, context.RequestAborted);
        if (body is null) return error;
        using (body)
        {
            if (!Signatures.Verify(signature, hook.Prefix, secret, default, body.Span))
            {
                return IngestResult.Error(401, hook.Header, $"signature does not match {hook.Prefix}hex(HMAC-SHA256(secret, body))");
            }
            JsonDocument doc;
            try
            {
                doc = JsonDocument.Parse(body.Memory);
            }
            catch (JsonException e)
            {
                return IngestResult.Error(400, "$", "invalid JSON: " + e.Message);
            }
            var output = new ArrayBufferWriter<byte>(body.Length + 128);
            using (doc)
            using (var w = new Utf8JsonWriter(output))
            {
                w.WriteStartObject();
                w.WriteString("source", hook.Name);
                w.WriteString("receivedAt", _options.Clock.GetUtcNow().UtcDateTime.ToString("O", CultureInfo.InvariantCulture));
                w.WritePropertyName("body");
                doc.RootElement.WriteTo(w);
                w.WriteEndObject();
            }
            output.GetSpan(1)[0] = (byte)'\n';
            output.Advance(1);
            var failed = await CommitAsync(_events.AppendAsync(output.WrittenSpan));
            if (failed is { } f) return f;
            RecordsIn.Add(1, new KeyValuePair<string, object?>("endpoint", "webhook"));
            return IngestResult.Ok(1);
        }
    }
}
