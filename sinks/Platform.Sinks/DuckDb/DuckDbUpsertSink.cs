using System.Diagnostics;
using System.Diagnostics.Metrics;
using DuckDB.NET.Data;
using Platform.Engine.Batching;
using Platform.Engine.Contracts;
using Platform.Sinks.Warehouse;

namespace Platform.Sinks.DuckDb;

/// <summary>
/// Writes records into a DuckDB table through the warehouse table contract (window results with
/// <see cref="WindowStatsMapping"/>, churn profiles, …). In <see cref="DuckDbWriteMode.Upsert"/> mode it has the
/// PostgreSQL sink's semantics: rows go through DuckDB's appender into a staging table (<c>&lt;table&gt;__stage</c>,
/// recreated empty at open); when <see cref="DuckDbTableSinkOptions.BatchRows"/> are staged, and on every
/// <see cref="FlushAsync"/>, one transaction moves them into the table — per key the latest row (highest version,
/// then last written), a stored newer version kept — and empties the stage. In <see cref="DuckDbWriteMode.Replace"/>
/// (table dropped at open) and <see cref="DuckDbWriteMode.Append"/> modes the appender writes into the table itself,
/// which has no key, and each flush closes it (committing the rows). <see cref="OpenAsync"/> creates the table or adds
/// the columns it lacks. Called from one thread.
/// </summary>
/// <typeparam name="TRow">The record type.</typeparam>
/// <typeparam name="TMapping">Its mapping.</typeparam>
public sealed class DuckDbUpsertSink<TRow, TMapping> : ISink<TRow>
    where TMapping : ITableMapping<TRow>
{
    private readonly DuckDbTableSinkOptions _options;
    private readonly TMapping _mapping;
    private readonly TableSchema _schema;
    private readonly DuckDbStatements _sql;
    private readonly SinkInstruments _instruments;
    private DuckDBConnection? _connection;
    private DuckDBAppender? _appender;
    private long _staged;
    private long _rowsWritten;

    /// <summary>Creates the sink; nothing is opened until <see cref="OpenAsync"/>.</summary>
    /// <param name="options">Where to write (validated here).</param>
    /// <param name="mapping">How a record becomes a row; its schema names the table unless <see cref="DuckDbTableSinkOptions.Table"/> does.</param>
    /// <param name="meter">Meter for the sink's instruments; null = one owned by the sink.</param>
    public DuckDbUpsertSink(DuckDbTableSinkOptions options, TMapping mapping, Meter? meter = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(mapping);
        options.Validate();
        _options = options;
        _mapping = mapping;
        _schema = options.Table is { } table ? mapping.Schema.WithName(table) : mapping.Schema;
        _sql = new DuckDbStatements(_schema);
        _instruments = new SinkInstruments(options.Name, meter);
    }

    /// <inheritdoc />
    public string Name => _options.Name;

    /// <summary>The table written to, with its resolved name.</summary>
    public TableSchema Schema => _schema;

    /// <summary>What <see cref="OpenAsync"/> did to the table.</summary>
    public TableMigration? Migration { get; private set; }

    /// <summary>Rows appended so far (committed at the next flush).</summary>
    public long RowsWritten => Interlocked.Read(ref _rowsWritten);

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
            if (_options.Mode == DuckDbWriteMode.Replace) Execute(connection, _sql.DropTable);
            Migration = Migrate(connection);
            if (Upserting) Execute(connection, _sql.CreateStage);
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
    public ValueTask WriteAsync(Batch<TRow> batch, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(batch);
        cancellationToken.ThrowIfCancellationRequested();
        var connection = _connection ?? throw new InvalidOperationException("OpenAsync first.");
        var items = batch.Items;
        if (items.IsEmpty) return ValueTask.CompletedTask;
        var start = Stopwatch.GetTimestamp();
        var upserting = Upserting;
        var appender = _appender ??= connection.CreateAppender(upserting ? _sql.StageTable : _schema.Name);
        var writer = new DuckDbAppenderRowWriter(_schema);
        foreach (ref readonly var row in items)
        {
            writer.StartRow(appender);
            _mapping.Write(in row, ref writer);
            if (upserting) writer.EndRow(_staged++);
            else writer.EndRow();
        }
        Interlocked.Add(ref _rowsWritten, items.Length);
        _instruments.Written(items.Length, start);
        if (Upserting && _staged >= _options.BatchRows) MergeStage();
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public ValueTask FlushAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (_connection is null) throw new InvalidOperationException("OpenAsync first.");
        if (!Upserting) CloseAppender();
        else if (_staged > 0) MergeStage();
        return ValueTask.CompletedTask;
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

    private bool Upserting => _options.Mode == DuckDbWriteMode.Upsert;

    private void CloseAppender()
    {
        var appender = _appender;
        _appender = null;
        appender?.Dispose(); // closing the appender commits its rows
    }

    private void MergeStage()
    {
        CloseAppender();
        using var tx = _connection!.BeginTransaction();
        using (var command = _connection.CreateCommand())
        {
            command.Transaction = tx;
            command.CommandText = _sql.Upsert;
            command.ExecuteNonQuery();
        }
        tx.Commit();
        _staged = 0;
    }

    private TableMigration Migrate(DuckDBConnection connection)
    {
        var existing = new Dictionary<string, string>(StringComparer.Ordinal);
        using (var query = connection.CreateCommand())
        {
            query.CommandText = "SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = 'main' AND table_name = ?";
            query.Parameters.Add(new DuckDBParameter(_schema.Name));
            using var reader = query.ExecuteReader();
            while (reader.Read()) existing[reader.GetString(0)] = reader.GetString(1);
        }
        if (existing.Count == 0)
        {
            Execute(connection, Upserting ? _sql.CreateTable : _sql.CreateUnkeyedTable);
            return new TableMigration(true, []);
        }
        var added = new List<string>();
        foreach (var column in _schema.Columns)
        {
            if (existing.TryGetValue(column.Name, out var type))
            {
                var expected = DuckDbStatements.TypeName(column.Type);
                if (!string.Equals(type, expected, StringComparison.OrdinalIgnoreCase))
                {
                    throw new InvalidOperationException($"Table '{_schema.Name}': column '{column.Name}' is {type} in the database but {expected} ({column.Type}) in the pipeline's schema. Alter the column or write to another table.");
                }
                continue;
            }
            Execute(connection, _sql.AddColumn(column));
            added.Add(column.Name);
        }
        return new TableMigration(false, added);
    }

    private static void Execute(DuckDBConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }
}
