using System.Collections.Concurrent;
using System.Net;
using System.Text;
using System.Text.Json;
using Platform.Aws.Tests.Infrastructure;
using Platform.Sinks.EventBridge;

namespace Platform.Aws.Tests.EventBridge;

/// <summary>
/// A local PutEvents endpoint: checks the request shape, the limits (≤ 10 entries, ≤ 256 KiB by
/// AWS's entry-size rule) and the SigV4 signature, records accepted events, and fails entries on demand.
/// </summary>
internal sealed class FakeEventBridge : IAsyncDisposable
{
    public const string Secret = "eventbridge-test-secret";
    private readonly LoopbackHttpServer _server;

    public FakeEventBridge() => _server = new LoopbackHttpServer(HandleAsync);

    public Uri Uri => _server.Uri;

    /// <summary>Error code for an entry (by its Detail), or null to accept it. Called once per entry sent.</summary>
    public Func<JsonElement, string?> FailEntry { get; set; } = _ => null;

    public ConcurrentQueue<JsonElement> Accepted { get; } = new();
    public ConcurrentQueue<string> Violations { get; } = new();
    public int Requests;
    public int MaxEntriesSeen;
    public int MaxSizeSeen;
    public int InjectedFailures;

    private async Task HandleAsync(HttpListenerContext context, byte[] body)
    {
        Interlocked.Increment(ref Requests);
        var req = context.Request;
        if (req.HttpMethod != "POST") Violations.Enqueue("method " + req.HttpMethod);
        if (req.Headers["X-Amz-Target"] != "AWSEvents.PutEvents") Violations.Enqueue("target " + req.Headers["X-Amz-Target"]);
        if (req.ContentType != "application/x-amz-json-1.1") Violations.Enqueue("content type " + req.ContentType);
        if (SignatureVerifier.Verify(req, body, Secret, "us-east-1", "events") is { } bad)
        {
            Violations.Enqueue(bad);
            await LoopbackHttpServer.RespondAsync(context, 403, $"{{\"__type\":\"InvalidSignatureException\",\"message\":\"{bad}\"}}");
            return;
        }
        using var doc = JsonDocument.Parse(body);
        var entries = doc.RootElement.GetProperty("Entries");
        var count = entries.GetArrayLength();
        if (count is < 1 or > 10) Violations.Enqueue($"{count} entries");
        InterlockedMax(ref MaxEntriesSeen, count);
        var total = 0;
        var results = new StringBuilder();
        var failed = 0;
        foreach (var e in entries.EnumerateArray())
        {
            var source = e.GetProperty("Source").GetString()!;
            var detailType = e.GetProperty("DetailType").GetString()!;
            var detailText = e.GetProperty("Detail").GetString()!;
            if (e.GetProperty("EventBusName").GetString() is not { Length: > 0 }) Violations.Enqueue("no EventBusName");
            var size = (e.TryGetProperty("Time", out var t) && t.ValueKind == JsonValueKind.Number ? 14 : 0)
                + Encoding.UTF8.GetByteCount(source) + Encoding.UTF8.GetByteCount(detailType) + Encoding.UTF8.GetByteCount(detailText)
                + (e.TryGetProperty("Resources", out var rs) ? rs.EnumerateArray().Sum(r => Encoding.UTF8.GetByteCount(r.GetString()!)) : 0);
            if (size > PutEventsEntrySize.MaxRequestBytes) Violations.Enqueue($"entry of {size} bytes");
            total += size;
            using var detail = JsonDocument.Parse(detailText);
            if (detail.RootElement.ValueKind != JsonValueKind.Object) Violations.Enqueue("Detail is not a JSON object");
            if (results.Length > 0) results.Append(',');
            if (FailEntry(detail.RootElement) is { } code)
            {
                failed++;
                Interlocked.Increment(ref InjectedFailures);
                results.Append($"{{\"ErrorCode\":\"{code}\",\"ErrorMessage\":\"injected\"}}");
            }
            else
            {
                Accepted.Enqueue(detail.RootElement.Clone());
                results.Append($"{{\"EventId\":\"{Guid.NewGuid()}\"}}");
            }
        }
        if (total > PutEventsEntrySize.MaxRequestBytes) Violations.Enqueue($"request of {total} bytes");
        InterlockedMax(ref MaxSizeSeen, total);
        await LoopbackHttpServer.RespondAsync(context, 200, $"{{\"FailedEntryCount\":{failed},\"Entries\":[{results}]}}");
    }

    private static void InterlockedMax(ref int target, int value)
    {
        int current;
        while (value > (current = Volatile.Read(ref target)) && Interlocked.CompareExchange(ref target, value, current) != current)
        {
        }
    }

    public ValueTask DisposeAsync() => _server.DisposeAsync();
}
