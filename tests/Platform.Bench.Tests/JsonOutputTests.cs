using System.Text.Json;
using Platform.Host.Benchmarks;

namespace Platform.Bench.Tests;

/// <summary>The JSON the harness writes has the documented shape.</summary>
public sealed class JsonOutputTests
{
    [Fact]
    public void Results_have_the_documented_fields()
    {
        var results = new[]
        {
            new BenchResult { Engine = "platform", Workload = "iot-anomaly", RecordsPerSecond = 1e6, BytesAllocatedPerRecord = 0.5, PeakWorkingSetMb = 100, CoresUsed = 1.9, Records = 10, Elapsed = TimeSpan.FromSeconds(1), Verified = "reference" },
            new BenchResult { Engine = "rx", Workload = "iot-anomaly", RecordsPerSecond = 1e5, PeakWorkingSetMb = 200, CoresUsed = 1, P99Ms = 3.5 },
        };
        using var stream = new MemoryStream();
        BenchOutput.WriteJson(stream, results);
        using var doc = JsonDocument.Parse(stream.ToArray());
        var array = doc.RootElement.GetProperty("results");
        Assert.Equal(2, array.GetArrayLength());
        foreach (var field in new[] { "engine", "workload", "records_per_s", "bytes_allocated_per_record", "p99_ms", "peak_working_set_mb", "cores_used" })
            Assert.True(array[0].TryGetProperty(field, out _), field);
        Assert.Equal("platform", array[0].GetProperty("engine").GetString());
        Assert.Equal(1e6, array[0].GetProperty("records_per_s").GetDouble());
        Assert.Equal(JsonValueKind.Null, array[0].GetProperty("p99_ms").ValueKind);
        Assert.Equal(JsonValueKind.Null, array[1].GetProperty("bytes_allocated_per_record").ValueKind);
        Assert.Equal(3.5, array[1].GetProperty("p99_ms").GetDouble());
        Assert.Equal(2, doc.RootElement.GetProperty("machine").GetProperty("processors").GetInt32() > 0 ? 2 : 0);
    }

    [Fact]
    public async Task Harness_quick_parse_writes_platform_and_system_text_json()
    {
        var registry = Program.Registry(new BenchSettings());
        var harness = new BenchHarness(registry, _ => { });
        var results = await harness.RunAsync(new BenchSettings { Workload = "parse", Events = 5_000, Quick = true }, TestContext.Current.CancellationToken);
        Assert.Equal(["platform", "system-text-json"], results.Select(r => r.Engine));
        Assert.All(results, r => Assert.True(r.RecordsPerSecond > 0));
        Assert.StartsWith("ok", results[1].Verified, StringComparison.Ordinal);
    }
}
