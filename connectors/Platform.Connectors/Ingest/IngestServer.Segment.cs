using System.Buffers;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Platform.Formats.Segment;

namespace Platform.Connectors.Ingest;

public sealed partial class IngestServer
{
    private async Task<IngestResult> HandleSegmentAsync(HttpContext context, SegmentMessageType? type)
    {
        if (_events is null || _writeKeys.Count == 0) return IngestResult.Error(404, "path", "the Segment endpoints are not enabled (no write keys configured)");
        if (!HasWriteKey(context)) return IngestResult.Error(401, "Authorization", "send the write key as the HTTP Basic user name");
        if (!IsContentType(context, "application/json", "text/plain")) return IngestResult.Error(415, "Content-Type", "send application/json");
        var limit = type is null ? SegmentMessageValidator.MaxBatchBytes : SegmentMessageValidator.MaxMessageBytes;
        var (body, error) = await RequestBody.ReadAsync(context, limit, _options.MaxDecompressedBytes, context.RequestAborted);
        if (body is null) return error;
        using (body)
        {
            JsonDocument doc;
            try
            {
                doc = JsonDocument.Parse(body.Memory, new JsonDocumentOptions { MaxDepth = 32 });
            }
            catch (JsonException e)
            {
                return IngestResult.Error(400, "$", "invalid JSON: " + e.Message);
            }
            using (doc)
            {
                var now = _options.Clock.GetUtcNow();
                var output = new ArrayBufferWriter<byte>(body.Length + 256);
                var ids = new List<string>();
                var duplicates = 0;
                if (type is { } single)
                {
                    if (!Normalize(doc.RootElement, single, "", now, output, ids, ref duplicates, out var e)) return IngestResult.Error(400, e.Field, e.Reason);
                }
                else
                {
                    if (doc.RootElement.ValueKind != JsonValueKind.Object || !doc.RootElement.TryGetProperty("batch", out var batch) || batch.ValueKind != JsonValueKind.Array)
                    {
                        return IngestResult.Error(400, "batch", "required: an array of messages");
                    }
                    var i = 0;
                    foreach (var message in batch.EnumerateArray())
                    {
                        if (!Normalize(message, null, $"batch[{i}]", now, output, ids, ref duplicates, out var e)) return IngestResult.Error(400, e.Field, e.Reason);
                        i++;
                    }
                }
                Interlocked.Add(ref _duplicates, duplicates);
                if (ids.Count == 0) return IngestResult.Ok(0, duplicates);
                var failed = await CommitAsync(_events.AppendAsync(output.WrittenSpan));
                if (failed is { } f) return f;
                foreach (var id in ids) _messageIds.TryMark(id);
                RecordsIn.Add(ids.Count, new KeyValuePair<string, object?>("endpoint", "segment"));
                return IngestResult.Ok(ids.Count, duplicates);
            }
        }
    }

    private bool Normalize(JsonElement message, SegmentMessageType? type, string path, DateTimeOffset now, ArrayBufferWriter<byte> output,
        List<string> ids, ref int duplicates, out SegmentError error)
    {
        var scratch = new ArrayBufferWriter<byte>(1024);
        using (var writer = new Utf8JsonWriter(scratch))
        {
            if (!SegmentMessageValidator.TryNormalize(message, type, path, now, writer, out var id, out error)) return false;
            writer.Flush();
            if (_messageIds.Contains(id) || ids.Contains(id))
            {
                duplicates++; // a retry of a message already committed: dropped
                return true;
            }
            ids.Add(id);
        }
        output.Write(scratch.WrittenSpan);
        output.GetSpan(1)[0] = (byte)'\n';
        output.Advance(1);
        return true;
    }
}
