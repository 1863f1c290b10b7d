using Platform.Engine.Batching;
using Platform.Engine.Contracts;
using Platform.Engine.Records;
using Platform.Engine.Symbols;

namespace Platform.Connectors.Tests.Infrastructure;

/// <summary>One row as a test reads it back from a sink.</summary>
public readonly record struct SinkRow(string Device, string Sensor, long WindowStart, long Count, double Sum);

/// <summary>
/// What every window-result sink must do: write what it was given (once), keep its own copy of a
/// batch (the batch goes back to its pool and is reused), take empty batches, flush repeatedly.
/// </summary>
public abstract class SinkContractTests : IDisposable
{
    protected readonly TempDirectory Dir = new();
    protected readonly SymbolTable Symbols = new();
    private readonly BatchPool<WindowResult> _pool = new(64);

    protected abstract ISink<WindowResult> CreateSink();

    /// <summary>The rows the (disposed) sink made visible, or null when it keeps none (then <see cref="CountOf"/> is used).</summary>
    protected abstract Task<IReadOnlyList<SinkRow>?> ReadBackAsync(ISink<WindowResult> sink);

    /// <summary>Rows the sink reports having taken.</summary>
    protected abstract long CountOf(ISink<WindowResult> sink);

    protected WindowResult Result(int device, string sensor, long windowStart, long count)
    {
        var key = new SensorKey(Symbols.Intern($"dev-{device:D6}"), Symbols.Intern(sensor));
        return new WindowResult
        {
            Key = key.Packed, WindowStart = windowStart, WindowEnd = windowStart + 10_000, Count = count,
            Sum = count * 2.5, Min = 1, Max = 4, Mean = 2.5, Variance = 0.5, P50 = 2.5, P95 = 3.9, P99 = 4,
        };
    }

    protected async Task WriteAsync(ISink<WindowResult> sink, IEnumerable<WindowResult> results)
    {
        var ct = TestContext.Current.CancellationToken;
        foreach (var group in results.Chunk(_pool.BatchSize))
        {
            var batch = _pool.Rent();
            try
            {
                foreach (var r in group) batch.Add(r);
                await sink.WriteAsync(batch, ct);
            }
            finally { batch.Dispose(); }
        }
    }

    [Fact]
    public async Task WriteAsync_SeveralBatchesThenFlush_EveryRowWrittenOnce()
    {
        var results = Enumerable.Range(0, 1000).Select(i => Result(i % 37, i % 2 == 0 ? "temperature" : "humidity", 1_767_225_600_000 + i / 37 * 10_000, 1 + i % 5)).ToList();
        var sink = CreateSink();
        await sink.OpenAsync(TestContext.Current.CancellationToken);
        await WriteAsync(sink, results);
        await sink.FlushAsync(TestContext.Current.CancellationToken);
        await sink.DisposeAsync();
        Assert.Equal(0, _pool.Outstanding);
        Assert.Equal(results.Count, CountOf(sink));
        var rows = await ReadBackAsync(sink);
        if (rows is null) return;
        Assert.Equal(results.Count, rows.Count);
        Assert.Equal(results.Sum(r => r.Count), rows.Sum(r => r.Count));
        Assert.Equal(results.Sum(r => r.Sum), rows.Sum(r => r.Sum), 6);
        // The last result: i = 999 → device 999 % 37 = 0, humidity, window 999 / 37 = 27, count 1 + 999 % 5 = 5.
        Assert.Contains(new SinkRow("dev-000000", "humidity", 1_767_225_600_000 + 27 * 10_000, 5, 12.5), rows);
    }

    [Fact]
    public async Task WriteAsync_BatchReusedAfterWrite_SinkKeptWhatWasWritten()
    {
        var sink = CreateSink();
        await sink.OpenAsync(TestContext.Current.CancellationToken);
        var batch = _pool.Rent();
        batch.Add(Result(1, "pressure", 1_767_225_600_000, 7));
        await sink.WriteAsync(batch, TestContext.Current.CancellationToken);
        // The pipeline returns the batch and refills it: the sink must not see the new contents.
        batch.Span[0] = Result(2, "pressure", 0, 99);
        batch.Dispose();
        await sink.FlushAsync(TestContext.Current.CancellationToken);
        await sink.DisposeAsync();
        var rows = await ReadBackAsync(sink);
        Assert.Equal(1, CountOf(sink));
        if (rows is null) return;
        Assert.Equal([new SinkRow("dev-000001", "pressure", 1_767_225_600_000, 7, 17.5)], rows);
    }

    [Fact]
    public async Task WriteAsync_EmptyBatchAndRepeatedFlush_WritesNothing()
    {
        var sink = CreateSink();
        await sink.OpenAsync(TestContext.Current.CancellationToken);
        var batch = _pool.Rent();
        await sink.WriteAsync(batch, TestContext.Current.CancellationToken);
        batch.Dispose();
        await sink.FlushAsync(TestContext.Current.CancellationToken);
        await sink.FlushAsync(TestContext.Current.CancellationToken);
        await sink.DisposeAsync();
        Assert.Equal(0, CountOf(sink));
        var rows = await ReadBackAsync(sink);
        if (rows is not null) Assert.Empty(rows);
    }

    public void Dispose()
    {
        Dir.Dispose();
        GC.SuppressFinalize(this);
    }
}
