using System.Globalization;
using System.Net;
using System.Text;
using Platform.Connectors.DurableLog;
using Platform.Connectors.Ingest;
using Platform.Engine.Symbols;
using Platform.Formats;

namespace Platform.Bench.Ingest;

/// <summary>What both ingest benchmarks send and how: the server over a fresh durable log, the NDJSON body, the POST.</summary>
internal static class IngestRequests
{
    public static async Task<(DurableLog Log, IngestServer Server)> StartServerAsync(DurableLogOptions logOptions)
    {
        var log = DurableLog.Open(logOptions);
        var server = new IngestServer(new IngestOptions(), null, log, new TelemetryNdjsonParser(new SymbolTable()));
        try
        {
            await server.StartAsync();
            return (log, server);
        }
        catch
        {
            await server.DisposeAsync();
            await log.DisposeAsync();
            throw;
        }
    }

    public static byte[] Body(int lines)
    {
        var body = new StringBuilder();
        for (var i = 0; i < lines; i++)
        {
            body.Append(CultureInfo.InvariantCulture, $$$"""{"deviceId":"dev-{{{i}}}","timestamp":"2026-05-01T12:00:00.000Z","sensorType":"temperature","payload":{"value":{{{i}}}.5,"unit":"Celsius"}}""").Append('\n');
        }
        return Encoding.UTF8.GetBytes(body.ToString());
    }

    /// <summary>True when the request was acknowledged (200, after the group commit).</summary>
    public static async Task<bool> PostAsync(HttpClient http, byte[] payload)
    {
        using var content = new ByteArrayContent(payload);
        content.Headers.ContentType = new("application/x-ndjson");
        using var r = await http.PostAsync(new Uri("v1/telemetry", UriKind.Relative), content);
        return r.StatusCode == HttpStatusCode.OK;
    }

    public static double Percentile(double[] sorted, double q) => sorted.Length == 0 ? 0 : sorted[Math.Min(sorted.Length - 1, (int)(q * sorted.Length))];
}
