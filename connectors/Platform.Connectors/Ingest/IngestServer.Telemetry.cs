using System.Buffers;
using Microsoft.AspNetCore.Http;
using Platform.Connectors.DurableLog;

namespace Platform.Connectors.Ingest;

public sealed partial class IngestServer
{
    /// <summary><c>/v1/telemetry</c>: NDJSON telemetry; every line must parse, or the whole request is rejected with the line and reason.</summary>
    private async Task<IngestResult> HandleTelemetryAsync(HttpContext context)
    {
        if (_telemetry is null || _parser is null || !_options.Telemetry) return IngestResult.Error(404, "path", "the telemetry endpoint is not enabled");
        if (!HasWriteKey(context)) return IngestResult.Error(401, "Authorization", "send the write key as the HTTP Basic user name");
        if (!IsContentType(context, "application/x-ndjson", "application/jsonl", "application/json")) return IngestResult.Error(415, "Content-Type", "send application/x-ndjson");
        var (body, error) = await RequestBody.ReadAsync(context, _options.MaxTelemetryBytes, _options.MaxDecompressedBytes, context.RequestAborted);
        if (body is null) return error;
        using (body)
        {
            var (lines, bad) = Validate(body.Span);
            if (bad is { } b) return b;
            if (lines == 0) return IngestResult.Error(400, "body", "no telemetry lines");
            Task<AppendStatus> append;
            if (body.Span[^1] == (byte)'\n')
            {
                append = _telemetry.AppendAsync(body.Span);
            }
            else
            {
                var copy = ArrayPool<byte>.Shared.Rent(body.Length + 1);
                body.Span.CopyTo(copy);
                copy[body.Length] = (byte)'\n';
                append = _telemetry.AppendAsync(copy.AsSpan(0, body.Length + 1));
                ArrayPool<byte>.Shared.Return(copy);
            }
            var failed = await CommitAsync(append);
            if (failed is { } f) return f;
            RecordsIn.Add(lines, new KeyValuePair<string, object?>("endpoint", "telemetry"));
            return IngestResult.Ok(lines);
        }
    }

    private (int Lines, IngestResult? Error) Validate(ReadOnlySpan<byte> data)
    {
        var lines = 0;
        var number = 0;
        while (!data.IsEmpty)
        {
            number++;
            var nl = data.IndexOf((byte)'\n');
            var line = nl < 0 ? data : data[..nl];
            data = nl < 0 ? default : data[(nl + 1)..];
            if (!line.IsEmpty && line[^1] == (byte)'\r') line = line[..^1];
            if (line.IsEmpty) continue;
            if (!_parser!.TryParseLine(line, out _, out var failure))
            {
                return (lines, IngestResult.Error(400, $"line {number}", _parser.Describe(failure, line)));
            }
            lines++;
        }
        return (lines, null);
    }
}
