using System.Diagnostics;
using System.Diagnostics.Metrics;
using DuckDB.NET.Data;
using Platform.Engine.Batching;
using Platform.Engine.Contracts;
using Platform.Engine.Records;
using Platform.Engine.Symbols;

namespace Platform.Sinks.DuckDb;

/// <summary>
/// Writes window statistics into a DuckDB table (default <c>window_stats</c>) with DuckDB's appender:
/// rows go into one open appender, which <see cref="FlushAsync"/> closes (committing them) and the next
/// write reopens. Keys are <see cref="SensorKey.Packed"/> device × sensor symbols, written as their names.
/// Columns: device_id, sensor_type, window_start, window_end (TIMESTAMP, UTC), count, sum, min, max,
/// mean, variance, p50, p95, p99, is_update. In <see cref="DuckDbWriteMode.Upsert"/> mode the appender fills a
/// staging table (<c>&lt;table&gt;__stage</c>, recreated empty at open) instead, and each flush moves it into the table with <c>INSERT OR REPLACE</c> (the last row per
/// key and window start wins) in one transaction. Called from one thread.
/// </summary>
public sealed class DuckDbWindowSink : ISink<WindowResult>
{
    private readonly DuckDbSinkOptions _options;
    private readonly SymbolTable _symbols;
    private readonly SinkInstruments _instruments;
    private DuckDBConnection? _connection;
    private DuckDBAppender? _appender;
    private long _rows;
    private long _staged;

    /// <summary>Creates the sink; nothing is opened until <see cref="OpenAsync"/>.</summary>
    /// <param name="options">Where to write (validated here).</param>
    /// <param name="symbols">The table the keys' symbols come from.</param>
    /// <param name="meter">Meter for the sink's instruments; null = one owned by the sink.</param>
    public DuckDbWindowSink(DuckDbSinkOptions options, SymbolTable symbols, Meter? meter = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(symbols);
        options.Validate();
        _options = options;
        _symbols = symbols;
        _instruments = new SinkInstruments(options.Name, meter);
    }

    /// <inheritdoc />
    public string Name => _options.Name;

    /// <summary>Rows appended so far (committed at the next flush).</summary>
    public long RowsWritten => Interlocked.Read(ref _rows);

    /// <inheritdoc />
    public ValueTask OpenAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (_connection is not null) throw new InvalidOperationException("The sink is already open.");
        var path = _options.Path;
        if (path != ":memory:")
        {
            var dir = Path.GetDirectoryName(Path.GetFullPath(path));
            if (!string.IsNullOrEmpty(dir)) Directory.CreateDirectory(dir);
        }
        var connection = new DuckDBConnection(new DuckDBConnectionStringBuilder { DataSource = path }.ConnectionString);
        try
        {
            connection.Open();
            var table = _options.QuotedTable;
            const string Columns = "(device_id VARCHAR, sensor_type VARCHAR, window_start TIMESTAMP, window_end TIMESTAMP, "
                + "count BIGINT, sum DOUBLE, min DOUBLE, max DOUBLE, mean DOUBLE, variance DOUBLE, p50 DOUBLE, p95 DOUBLE, p99 DOUBLE, is_update BOOLEAN)";
            var ddl = _options.Mode switch
            {
                DuckDbWriteMode.Replace => $"DROP TABLE IF EXISTS {table}; CREATE TABLE {table} {Columns};",
                DuckDbWriteMode.Upsert => $"CREATE TABLE IF NOT EXISTS {table} {Columns[..^1]}, PRIMARY KEY (device_id, sensor_type, window_start));"
                    + $"CREATE OR REPLACE TABLE {QuotedStage} {Columns[..^1]}, seq BIGINT);",
                _ => $"CREATE TABLE IF NOT EXISTS {table} {Columns};",
            };
            using var command = connection.CreateCommand();
            command.CommandText = ddl;
            command.ExecuteNonQuery();
        }
        catch
        {
            connection.Dispose();
            throw;
        }
        _connection = connection;
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public ValueTask WriteAsync(Batch<WindowResult> batch, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(batch);
        cancellationToken.ThrowIfCancellationRequested();
        var connection = _connection ?? throw new InvalidOperationException("OpenAsync first.");
        var items = batch.Items;
        if (items.IsEmpty) return ValueTask.CompletedTask;
        var start = Stopwatch.GetTimestamp();
        var upsert = _options.Mode == DuckDbWriteMode.Upsert;
        _appender ??= upsert ? connection.CreateAppender(StageTable) : connection.CreateAppender(_options.Table);
        foreach (ref readonly var r in items)
        {
            var key = SensorKey.FromPacked(r.Key);
            var row = _appender.CreateRow()
                .AppendValue(NameOf(key.Device))
                .AppendValue(NameOf(key.Sensor))
                .AppendValue((DateTime?)ToDateTime(r.WindowStart))
                .AppendValue((DateTime?)ToDateTime(r.WindowEnd))
                .AppendValue((long?)r.Count)
                .AppendValue((double?)r.Sum)
                .AppendValue((double?)r.Min)
                .AppendValue((double?)r.Max)
                .AppendValue((double?)r.Mean)
                .AppendValue((double?)r.Variance)
                .AppendValue((double?)r.P50)
                .AppendValue((double?)r.P95)
                .AppendValue((double?)r.P99)
                .AppendValue((bool?)r.IsUpdate);
            if (upsert) row.AppendValue((long?)_staged++);
            row.EndRow();
        }
        Interlocked.Add(ref _rows, items.Length);
        _instruments.Written(items.Length, start);
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public ValueTask FlushAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        CloseAppender();
        if (_options.Mode == DuckDbWriteMode.Upsert && _staged > 0) MergeStage();
        return ValueTask.CompletedTask;
    }

    private string StageTable => _options.Table + "__stage";

    private string QuotedStage => "\"" + StageTable + "\"";

    /// <summary>Moves the staged rows into the table, the last per key and window start winning, in one transaction.</summary>
    private void MergeStage()
    {
        using var tx = _connection!.BeginTransaction();
        using (var command = _connection.CreateCommand())
        {
            command.Transaction = tx;
            command.CommandText =
                $"INSERT OR REPLACE INTO {_options.QuotedTable} "
                + "SELECT device_id, sensor_type, window_start, window_end, count, sum, min, max, mean, variance, p50, p95, p99, is_update "
                + $"FROM {QuotedStage} QUALIFY row_number() OVER (PARTITION BY device_id, sensor_type, window_start ORDER BY seq DESC) = 1; "
                + $"DELETE FROM {QuotedStage};";
            command.ExecuteNonQuery();
        }
        tx.Commit();
        _staged = 0;
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync()
    {
        try
        {
            CloseAppender();
        }
        finally
        {
            _connection?.Dispose();
            _connection = null;
            _instruments.Dispose();
        }
        return ValueTask.CompletedTask;
    }

    private void CloseAppender()
    {
        var appender = _appender;
        _appender = null;
        appender?.Dispose(); // closing the appender commits its rows
    }

    // SymbolTable.NameOf is an array read returning the interned string, so it already is the per-key
    // cache: a dictionary in front of it would cost more than it saves. A key that is not a pair of
    // symbols from this table is written as its number instead of failing the pipeline.
    private string NameOf(Symbol symbol)
    {
        if ((uint)symbol.Id <= (uint)_symbols.Count) return _symbols.NameOf(symbol);
        return "#" + symbol.Id.ToString(System.Globalization.CultureInfo.InvariantCulture);
    }

    private static DateTime ToDateTime(long unixMs) => DateTime.UnixEpoch.AddTicks(unixMs * TimeSpan.TicksPerMillisecond);
}
