using Platform.Bench.Peers;
using Platform.Host.Benchmarks;

namespace Platform.Bench.Tests;

/// <summary>
/// Each peer's iot-anomaly output equals Platform's on a small input, row by row: the same (device, sensor, window)
/// rows with equal count, min and max; mean within 1e-9 relative (summation order differs); p99 within 1% (Platform's
/// DDSketch has 1% relative accuracy, peers compute the exact nearest-rank value); the same z-score alerts.
/// No timing is asserted anywhere.
/// </summary>
public sealed class PeerEquivalenceTests
{
    private static readonly Lazy<BenchInput> Input = new(() => BenchInput.Generate(BenchInput.StandardOptions(20_000) with { Devices = 20, Seed = 7, AnomalyShare = 0.01, TimeStep = TimeSpan.FromMilliseconds(20) }));
    private static readonly Lazy<IotRunOutput> Reference = new(() =>
        new PlatformIotEngine().RunAsync(Input.Value.Blocks, IotJobSettings.Default, 2, true, CancellationToken.None).GetAwaiter().GetResult());

    public static TheoryData<string> Peers => ["rx", "tpl-dataflow", "akka-streams"];

    private static IIotEngine PeerOf(string name) => name switch
    {
        "rx" => new RxIotEngine(),
        "tpl-dataflow" => new TplDataflowIotEngine(),
        "akka-streams" => new AkkaStreamsIotEngine(),
        _ => throw new ArgumentOutOfRangeException(nameof(name)),
    };

    [Fact]
    public void Reference_run_has_windows_alerts_and_rejects()
    {
        var r = Reference.Value;
        Assert.Equal(Input.Value.ValidRecords, r.RecordsIn);
        Assert.Equal(Input.Value.MalformedLines, r.Rejected);
        Assert.True(r.Rows!.Count > 1000, $"{r.Rows.Count} rows");
        Assert.Equal(r.RecordsIn, r.Rows.Sum(x => x.Count));
        Assert.Contains(r.Rows, x => x.Alert);
    }

    [Theory]
    [MemberData(nameof(Peers))]
    public async Task Peer_output_equals_platform_row_by_row(string peer)
    {
        var reference = Reference.Value;
        var output = await PeerOf(peer).RunAsync(Input.Value.Blocks, IotJobSettings.Default, 2, true, TestContext.Current.CancellationToken);

        Assert.Equal(reference.RecordsIn, output.RecordsIn);
        Assert.Equal(reference.Rejected, output.Rejected);
        var expected = reference.Rows!.ToDictionary(r => (r.Device, r.Sensor, r.WindowStart));
        var actual = output.Rows!.ToDictionary(r => (r.Device, r.Sensor, r.WindowStart));
        Assert.Equal(expected.Count, actual.Count);
        foreach (var (key, e) in expected)
        {
            Assert.True(actual.TryGetValue(key, out var a), $"{peer} lacks window {key}");
            Assert.Equal(e.Count, a.Count);
            Assert.Equal(e.Min, a.Min);
            Assert.Equal(e.Max, a.Max);
            Assert.True(Math.Abs(e.Mean - a.Mean) <= 1e-9 * Math.Max(1, Math.Abs(e.Mean)), $"{key}: mean {a.Mean:R} vs {e.Mean:R}");
            Assert.True(Math.Abs(e.P99 - a.P99) <= 0.01 * Math.Abs(a.P99) + 1e-12, $"{key}: p99 {e.P99:R} vs exact {a.P99:R}");
            Assert.Equal(double.IsNaN(e.Z), double.IsNaN(a.Z));
            if (!double.IsNaN(e.Z)) Assert.True(Math.Abs(e.Z - a.Z) <= 1e-6 * Math.Max(1, Math.Abs(e.Z)), $"{key}: z {a.Z:R} vs {e.Z:R}");
            Assert.Equal(e.Alert, a.Alert);
        }
        Assert.Null(output.Digest.Differences(reference.Digest));
    }

    [Fact]
    public void Digest_notices_a_changed_row()
    {
        var a = new ResultDigest();
        var b = new ResultDigest();
        a.Add(ResultDigest.HashOf("dev-1"), ResultDigest.HashOf("temperature"), 0, 3, 1.0, 2.0, 1.5, 2.0, false);
        b.Add(ResultDigest.HashOf("dev-1"), ResultDigest.HashOf("temperature"), 0, 3, 1.0, 2.5, 1.5, 2.0, false);
        Assert.Null(a.Differences(a));
        Assert.NotNull(b.Differences(a));
    }

    [Fact]
    public void Parse_peer_accepts_the_same_lines_as_platform()
    {
        var blocks = Input.Value.Blocks;
        var platform = new PlatformParseEngine();
        platform.Prepare(blocks);
        var stj = new SystemTextJsonParseEngine();
        Assert.Equal(platform.Parse(blocks), stj.Parse(blocks));
        Assert.Equal(Input.Value.ValidRecords, stj.Parse(blocks));
    }
}
