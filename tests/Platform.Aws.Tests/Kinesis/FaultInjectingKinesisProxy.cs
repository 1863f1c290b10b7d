using System.Net;
using System.Text;
using System.Text.Json;
using Platform.Aws.Tests.Infrastructure;

namespace Platform.Aws.Tests.Kinesis;

/// <summary>
/// A loopback proxy in front of kinesis-local. PutRecords calls are, in turn, answered with 503,
/// 500 InternalFailure or a 400 ProvisionedThroughputExceededException without being forwarded, or
/// forwarded with chosen entries removed and reported back as failed
/// (ProvisionedThroughputExceededException). Faults happen before forwarding, so a faulted entry is
/// never stored: the stream must hold every record exactly once.
/// </summary>
internal sealed class FaultInjectingKinesisProxy : IAsyncDisposable
{
    private static readonly HttpClient Upstream = new();
    private readonly LoopbackHttpServer _server;
    private readonly Uri _target;
    private int _putCalls;
    private int _entries;

    public FaultInjectingKinesisProxy(Uri target)
    {
        _target = target;
        _server = new LoopbackHttpServer(HandleAsync);
    }

    public Uri Uri => _server.Uri;
    public int WholeCallFaults;
    public int EntryFaults;

    private async Task HandleAsync(HttpListenerContext context, byte[] body)
    {
        var target = context.Request.Headers["X-Amz-Target"] ?? string.Empty;
        if (target.EndsWith(".PutRecords", StringComparison.Ordinal))
        {
            var call = Interlocked.Increment(ref _putCalls);
            switch (call % 9)
            {
                case 2:
                    Interlocked.Increment(ref WholeCallFaults);
                    await LoopbackHttpServer.RespondAsync(context, 503, "{\"__type\":\"ServiceUnavailable\",\"message\":\"injected\"}");
                    return;
                case 5:
                    Interlocked.Increment(ref WholeCallFaults);
                    await LoopbackHttpServer.RespondAsync(context, 500, "{\"__type\":\"InternalFailure\",\"message\":\"injected\"}");
                    return;
                case 7:
                    Interlocked.Increment(ref WholeCallFaults);
                    await LoopbackHttpServer.RespondAsync(context, 400, "{\"__type\":\"ProvisionedThroughputExceededException\",\"message\":\"injected\"}");
                    return;
            }
            await PartialAsync(context, body);
            return;
        }
        var (status, answer) = await ForwardAsync(context, body);
        await LoopbackHttpServer.RespondAsync(context, status, Encoding.UTF8.GetString(answer));
    }

    private async Task PartialAsync(HttpListenerContext context, byte[] body)
    {
        using var doc = JsonDocument.Parse(body);
        var records = doc.RootElement.GetProperty("Records").EnumerateArray().ToList();
        var fail = records.Select(_ => Interlocked.Increment(ref _entries) % 13 == 0).ToArray();
        var keep = new MemoryStream();
        using (var w = new Utf8JsonWriter(keep))
        {
            w.WriteStartObject();
            w.WriteStartArray("Records");
            for (var i = 0; i < records.Count; i++)
            {
                if (!fail[i]) records[i].WriteTo(w);
            }
            w.WriteEndArray();
            w.WriteString("StreamName", doc.RootElement.GetProperty("StreamName").GetString());
            w.WriteEndObject();
        }
        var injected = fail.Count(f => f);
        List<JsonElement> upstreamResults = [];
        var upstreamFailed = 0;
        JsonDocument? upstream = null;
        if (injected < records.Count)
        {
            var (status, answer) = await ForwardAsync(context, keep.ToArray());
            if (status != 200)
            {
                await LoopbackHttpServer.RespondAsync(context, status, Encoding.UTF8.GetString(answer));
                return;
            }
            upstream = JsonDocument.Parse(answer);
            upstreamResults = upstream.RootElement.GetProperty("Records").EnumerateArray().ToList();
            upstreamFailed = upstream.RootElement.GetProperty("FailedRecordCount").GetInt32();
        }
        Interlocked.Add(ref EntryFaults, injected);
        var sb = new StringBuilder($"{{\"FailedRecordCount\":{injected + upstreamFailed},\"Records\":[");
        var u = 0;
        for (var i = 0; i < records.Count; i++)
        {
            if (i > 0) sb.Append(',');
            sb.Append(fail[i]
                ? "{\"ErrorCode\":\"ProvisionedThroughputExceededException\",\"ErrorMessage\":\"Rate exceeded for shard (injected)\"}"
                : upstreamResults[u++].GetRawText());
        }
        sb.Append("]}");
        upstream?.Dispose();
        await LoopbackHttpServer.RespondAsync(context, 200, sb.ToString());
    }

    private async Task<(int, byte[])> ForwardAsync(HttpListenerContext context, byte[] body)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, _target);
        foreach (var name in new[] { "X-Amz-Target", "X-Amz-Date", "Authorization", "X-Amz-Security-Token" })
        {
            if (context.Request.Headers[name] is { } v) request.Headers.TryAddWithoutValidation(name, v);
        }
        request.Content = new ByteArrayContent(body);
        request.Content.Headers.TryAddWithoutValidation("Content-Type", "application/x-amz-json-1.1");
        using var response = await Upstream.SendAsync(request);
        return ((int)response.StatusCode, await response.Content.ReadAsByteArrayAsync());
    }

    public ValueTask DisposeAsync() => _server.DisposeAsync();
}
