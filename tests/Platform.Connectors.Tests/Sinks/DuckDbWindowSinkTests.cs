using Platform.Connectors.Tests.Infrastructure;
using Platform.Engine.Batching;
using Platform.Engine.Records;
using Platform.Engine.Symbols;
using Platform.Sinks.DuckDb;
using Platform.Sinks.Warehouse;

namespace Platform.Connectors.Tests.Sinks;

public sealed class DuckDbWindowSinkTests : IDisposable
{
    private readonly TempDirectory _dir = new();
    private readonly SymbolTable _symbols = new();
    private readonly BatchPool<WindowResult> _pool = new(256);

    /// <summary>The window sink: the generic DuckDB sink with the window_stats mapping.</summary>
    private DuckDbUpsertSink<WindowResult, WindowStatsMapping> Create(DuckDbTableSinkOptions options) => new(options, new WindowStatsMapping(_symbols));

    private async Task<long> RunAsync(DuckDbTableSinkOptions options, int results, int seed)
    {
        var random = new Random(seed);
        long total = 0;
        var ct = TestContext.Current.CancellationToken;
        await using var sink = Create(options);
        await sink.OpenAsync(ct);
        for (var written = 0; written < results;)
        {
            var batch = _pool.Rent();
            try
            {
                for (var i = 0; i < _pool.BatchSize && written < results; i++, written++)
                {
                    var count = random.Next(1, 100);
                    total += count;
                    batch.Add(new WindowResult
                    {
                        Key = new SensorKey(_symbols.Intern($"dev-{random.Next(1000):D6}"), _symbols.Intern("temperature")).Packed,
                        WindowStart = 1_767_225_600_000 + written / 100 * 10_000,
                        WindowEnd = 1_767_225_600_000 + written / 100 * 10_000 + 10_000,
                        Count = count,
                        Sum = count * 20.0,
                        Mean = 20,
                    });
                }
                await sink.WriteAsync(batch, ct);
            }
            finally { batch.Dispose(); }
        }
        await sink.FlushAsync(ct);
        Assert.Equal(results, sink.RowsWritten);
        return total;
    }

    [Fact]
    public async Task WriteAsync_BatchesThenReopen_CountAndSumMatch()
    {
        var options = new DuckDbTableSinkOptions { Path = _dir.File("nested/dir/a.duckdb"), Mode = DuckDbWriteMode.Replace };
        var total = await RunAsync(options, 5_000, 1);
        Assert.Equal((5_000L, total), DuckDbQueries.Totals(options.Path, "window_stats"));
        Assert.Equal(0, _pool.Outstanding);
    }

    [Fact]
    public async Task OpenAsync_ReplaceModeTwice_SecondRunReplacesRows()
    {
        var options = new DuckDbTableSinkOptions { Path = _dir.File("r.duckdb"), Mode = DuckDbWriteMode.Replace };
        await RunAsync(options, 1_000, 1);
        var second = await RunAsync(options, 700, 2);
        Assert.Equal((700L, second), DuckDbQueries.Totals(options.Path, "window_stats"));
    }

    [Fact]
    public async Task FlushAsync_UpsertModeReplayed_SameRowsAsOneRun()
    {
        var options = new DuckDbTableSinkOptions { Path = _dir.File("u.duckdb"), Mode = DuckDbWriteMode.Upsert, Table = "stats_u" };
        await RunAsync(options, 3_000, 7);
        var once = DuckDbQueries.Totals(options.Path, "stats_u");
        Assert.InRange(once.Item1, 1, 2_999); // keys repeat within a window: the last row per key and window start wins
        await RunAsync(options, 3_000, 7);
        Assert.Equal(once, DuckDbQueries.Totals(options.Path, "stats_u"));
    }

    [Fact]
    public async Task OpenAsync_AppendModeTwice_RowsAddUp()
    {
        var options = new DuckDbTableSinkOptions { Path = _dir.File("a.duckdb"), Mode = DuckDbWriteMode.Append, Table = "stats_2" };
        var first = await RunAsync(options, 1_000, 1);
        var second = await RunAsync(options, 700, 2);
        Assert.Equal((1_700L, first + second), DuckDbQueries.Totals(options.Path, "stats_2"));
    }

    [Fact]
    public async Task WriteAsync_Row_TimestampsAndNamesAsWritten()
    {
        var options = new DuckDbTableSinkOptions { Path = _dir.File("t.duckdb"), Mode = DuckDbWriteMode.Replace };
        await RunAsync(options, 1, 5);
        var row = Assert.Single(DuckDbQueries.Rows(options.Path, "window_stats"));
        Assert.Equal(1_767_225_600_000, row.WindowStart);
        Assert.Matches("^dev-[0-9]{6}$", row.Device);
        Assert.Equal("temperature", row.Sensor);
    }

    [Theory]
    [InlineData("window_stats; DROP TABLE x")]
    [InlineData("1abc")]
    [InlineData("a\"b")]
    [InlineData("")]
    [InlineData("schema.table")]
    public void Constructor_InvalidTableName_ThrowsArgumentException(string table)
    {
        Assert.Throws<ArgumentException>(() => Create(new DuckDbTableSinkOptions { Path = _dir.File("x.duckdb"), Table = table }));
        Assert.False(File.Exists(_dir.File("x.duckdb")));
    }

    [Fact]
    public async Task WriteAsync_BeforeOpen_ThrowsInvalidOperation()
    {
        await using var sink = Create(new DuckDbTableSinkOptions { Path = _dir.File("y.duckdb") });
        var batch = _pool.Rent();
        batch.Add(default);
        await Assert.ThrowsAsync<InvalidOperationException>(async () => await sink.WriteAsync(batch, TestContext.Current.CancellationToken));
        batch.Dispose();
    }

    public void Dispose() => _dir.Dispose();
}
