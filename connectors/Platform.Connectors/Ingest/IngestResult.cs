using System.Text.Json;

namespace Platform.Connectors.Ingest;

/// <summary>An answer to an ingest request: status, JSON (or text) body, Retry-After.</summary>
internal readonly record struct IngestResult(int Status, string Body, string ContentType = "application/json", int RetryAfter = 0)
{
    public static IngestResult Ok(int accepted, int duplicates = 0) =>
        new(200, $"{{\"success\":true,\"accepted\":{accepted},\"duplicates\":{duplicates}}}");

    /// <summary>A rejected request: JSON <c>{"error":{"status","field","reason"}}</c>.</summary>
    public static IngestResult Error(int status, string field, string reason, int retryAfter = 0)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(128);
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteStartObject("error");
            w.WriteNumber("status", status);
            w.WriteString("field", field);
            w.WriteString("reason", reason);
            w.WriteEndObject();
            w.WriteEndObject();
        }
        return new IngestResult(status, System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan), RetryAfter: retryAfter);
    }
}
