using System.Net;
using System.Text;
using System.Text.Json;
using Platform.Connectors.DurableLog;

namespace Platform.Ingest.Tests.Http;

/// <summary>When the pipeline (the telemetry log's reader) falls too far behind, ingest answers 503 with Retry-After, and 200 again once it catches up.</summary>
public sealed class PipelineLagTests
{
    private const long MaxLag = 4096;

    private static string Body(int request)
    {
        var b = new StringBuilder();
        for (var i = 0; i < 5; i++)
        {
            b.Append($$$"""{"deviceId":"dev-{{{request}}}","timestamp":"2026-05-01T12:00:00.000Z","sensorType":"temperature","payload":{"value":{{{i}}}.5,"unit":"Celsius"}}""").Append('\n');
        }
        return b.ToString();
    }

    [Fact]
    public async Task LaggingPipeline_Gets503WithRetryAfter_UntilItCatchesUp()
    {
        var ct = TestContext.Current.CancellationToken;
        DurableLogReader? pipeline = null;
        await using var f = await IngestFixture.StartAsync(o => o with { IsOverloaded = () => pipeline!.LagBytes > MaxLag, RetryAfterSeconds = 2 });
        await using var reader = pipeline = f.Telemetry.OpenReader(new DurableLogReaderOptions { Follow = false, ChunkBytes = 1024 });

        // Nobody reads: accepted requests pile up in the log until the lag passes the bound.
        var accepted = 0;
        HttpResponseMessage? refused = null;
        for (var n = 0; n < 1000 && refused is null; n++)
        {
            var r = await f.Client.SendAsync(f.Post("/v1/telemetry", Body(n), "application/x-ndjson"), ct);
            if (r.StatusCode == HttpStatusCode.OK)
            {
                accepted++;
                r.Dispose();
            }
            else
            {
                refused = r;
            }
        }
        using (refused)
        {
            Assert.NotNull(refused);
            Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
            Assert.Equal(TimeSpan.FromSeconds(2), refused.Headers.RetryAfter?.Delta);
            using var error = JsonDocument.Parse(await refused.Content.ReadAsStringAsync(ct));
            Assert.Equal("pipeline", error.RootElement.GetProperty("error").GetProperty("field").GetString());
        }
        Assert.True(pipeline.LagBytes > MaxLag, $"lag {pipeline.LagBytes} B");
        Assert.True(accepted > 0 && pipeline.LagBytes < MaxLag + 2048, $"accepted {accepted} requests before the bound; lag {pipeline.LagBytes} B");
        Assert.Equal(accepted * 5, (await f.LinesAsync(f.Telemetry)).Count); // the refused request stored nothing

        // The pipeline catches up: requests are accepted again.
        while (await pipeline.ReadAsync(ct) is { } chunk) chunk.Dispose();
        Assert.Equal(0, pipeline.LagBytes);
        using var again = await f.Client.SendAsync(f.Post("/v1/telemetry", Body(-1), "application/x-ndjson"), ct);
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
    }
}
