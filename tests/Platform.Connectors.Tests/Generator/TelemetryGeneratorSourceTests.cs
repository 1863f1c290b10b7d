using System.Diagnostics;
using Platform.Connectors.Generator;
using Platform.Connectors.Tests.Infrastructure;
using Platform.Engine.Contracts;

namespace Platform.Connectors.Tests.Generator;

public class TelemetryGeneratorSourceContractTests : SourceContractTests
{
    private static readonly TelemetryGeneratorOptions Options = new() { Events = 30_000, Seed = 21, MalformedShare = 0.01 };

    protected override (IChunkSource Source, byte[][] Expected) Create() =>
        (new TelemetryGeneratorSource(Options, chunkBytes: 64 * 1024), [TelemetryGenerator.GenerateNdjson(Options)]);
}

public class TelemetryGeneratorSourceTests
{
    [Fact]
    public async Task ReadAsync_ToEnd_EmittedCountersMatchGenerator()
    {
        var options = new TelemetryGeneratorOptions { Events = 10_000, Seed = 1, MalformedShare = 0.02 };
        await using var source = new TelemetryGeneratorSource(options, 16 * 1024);
        long lines = 0;
        while (await source.ReadAsync(TestContext.Current.CancellationToken) is { } chunk)
        {
            using (chunk) lines += chunk.Span.Count((byte)'\n');
            Assert.Equal(lines, source.LinesEmitted);
            Assert.Equal(source.LinesEmitted, source.ValidRecordsEmitted + source.MalformedEmitted);
        }
        Assert.Equal(10_000, lines);
        Assert.Equal(source.Generator.MalformedLines, source.MalformedEmitted);
        Assert.InRange(source.MalformedEmitted, 100, 320);
    }

    [Fact]
    public async Task ReadAsync_Rate_PacesRecords()
    {
        var options = new TelemetryGeneratorOptions { Events = 3_000, Rate = 20_000 };
        await using var source = new TelemetryGeneratorSource(options);
        var watch = Stopwatch.StartNew();
        var chunks = 0;
        while (await source.ReadAsync(TestContext.Current.CancellationToken) is { } chunk)
        {
            chunk.Dispose();
            chunks++;
        }
        // 3000 records at 20 k/s: the last step is due after 2800 records = 140 ms.
        Assert.True(watch.ElapsedMilliseconds >= 120, $"took {watch.ElapsedMilliseconds} ms");
        Assert.True(chunks >= 10, $"{chunks} chunks: pacing should cut small chunks");
    }

    [Fact]
    public async Task ReadAsync_Unbounded_RunsUntilCancelled()
    {
        await using var source = new TelemetryGeneratorSource(new TelemetryGeneratorOptions { Events = 0 }, 4096);
        using var cts = new CancellationTokenSource();
        for (var i = 0; i < 1000; i++)
        {
            var chunk = await source.ReadAsync(cts.Token);
            Assert.NotNull(chunk);
            chunk.Dispose();
        }
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await source.ReadAsync(cts.Token));
        Assert.True(source.LinesEmitted > 1000);
    }

    [Fact]
    public async Task ReadAsync_RateCancelledWhileWaiting_ThrowsAndEmitsNothingMore()
    {
        await using var source = new TelemetryGeneratorSource(new TelemetryGeneratorOptions { Events = 0, Rate = 1 });
        (await source.ReadAsync(TestContext.Current.CancellationToken))!.Dispose();
        var emitted = source.LinesEmitted;
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(50));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await source.ReadAsync(cts.Token));
        Assert.Equal(emitted, source.LinesEmitted);
    }

    [Fact]
    public void Constructor_ChunkSmallerThanALine_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new TelemetryGeneratorSource(new TelemetryGeneratorOptions(), 100));
    }
}
