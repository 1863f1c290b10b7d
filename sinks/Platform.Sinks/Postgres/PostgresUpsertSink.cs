using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Runtime.ExceptionServices;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using Platform.Engine.Batching;
using Platform.Engine.Contracts;
using Platform.Sinks.Warehouse;
using Polly;
using Polly.Retry;

namespace Platform.Sinks.Postgres;

/// <summary>
/// Upserts records into a PostgreSQL table, never row by row and never with values in SQL text. Records are
/// copied into a buffer; when it holds <see cref="PostgresSinkOptions.BatchRows"/> rows, when its oldest row has
/// waited <see cref="PostgresSinkOptions.MaxDelay"/>, or on <see cref="FlushAsync"/> (checkpoint barriers and
/// shutdown), one transaction binary-COPYs the buffer into a temporary staging table and runs one
/// <c>INSERT … SELECT DISTINCT ON (keys) … ON CONFLICT (keys) DO UPDATE</c>: per key the latest row of the batch
/// (highest version, then last written) wins, and with a version column a stored newer row is kept. A batch that
/// fails with a transient error (lost connection, terminated backend, deadlock) is retried whole, after an
/// asynchronous backoff, from the buffer, which is cleared only after the commit: nothing is lost, and a batch
/// applied twice (commit acknowledged to nobody) leaves the same rows. <see cref="OpenAsync"/> creates the table
/// or adds the columns it lacks. Called from one thread (plus the sink's own timer, serialised by a lock).
/// </summary>
/// <typeparam name="TRow">The record type.</typeparam>
/// <typeparam name="TMapping">Its mapping (a struct mapping is specialised, so nothing is dispatched per row).</typeparam>
public sealed class PostgresUpsertSink<TRow, TMapping> : ISink<TRow>
    where TMapping : ITableMapping<TRow>
{
    private readonly PostgresSinkOptions _options;
    private readonly TMapping _mapping;
    private readonly TableSchema _schema;
    private readonly PostgresStatements _sql;
    private readonly ILogger _logger;
    private readonly SinkInstruments _instruments;
    private readonly RowBuffer<TRow> _buffer;
    private readonly ResiliencePipeline _retry;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly CancellationTokenSource _stop = new();
    private NpgsqlDataSource? _dataSource;
    private Task? _timer;
    private long _oldestBuffered;
    private ExceptionDispatchInfo? _timerFailure;
    private long _rowsWritten;
    private long _batchesWritten;
    private long _retries;

    /// <summary>Creates the sink; nothing is opened until <see cref="OpenAsync"/>.</summary>
    /// <param name="options">Where to write (validated here).</param>
    /// <param name="mapping">How a record becomes a row; its schema names the table unless <see cref="PostgresSinkOptions.Table"/> does.</param>
    /// <param name="logger">For table creation, migration and retries; null = none.</param>
    /// <param name="meter">Meter for the sink's instruments; null = one owned by the sink.</param>
    public PostgresUpsertSink(PostgresSinkOptions options, TMapping mapping, ILogger? logger = null, Meter? meter = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(mapping);
        options.Validate();
        _options = options;
        _mapping = mapping;
        _schema = options.Table is { } table ? mapping.Schema.WithName(table) : mapping.Schema;
        _sql = new PostgresStatements(options.Schema, _schema);
        _logger = logger ?? NullLogger.Instance;
        _instruments = new SinkInstruments(options.Name, meter);
        _buffer = new RowBuffer<TRow>(Math.Min(options.BatchRows, 4096));
        _retry = options.MaxRetries == 0 ? ResiliencePipeline.Empty : new ResiliencePipelineBuilder().AddRetry(new RetryStrategyOptions
        {
            ShouldHandle = args => ValueTask.FromResult(args.Outcome.Exception is { } e && PostgresTransientErrors.IsTransient(e)),
            MaxRetryAttempts = options.MaxRetries,
            Delay = options.RetryDelay,
            MaxDelay = options.MaxRetryDelay,
            BackoffType = DelayBackoffType.Exponential,
            UseJitter = true,
            OnRetry = args =>
            {
                Interlocked.Increment(ref _retries);
                var e = args.Outcome.Exception!;
                PostgresSinkLog.Retrying(_logger, _options.Name, _buffer.Count, e.GetType().Name, e.Message, args.AttemptNumber + 1, args.RetryDelay.TotalMilliseconds);
                return default;
            },
        }).Build();
    }

    /// <inheritdoc />
    public string Name => _options.Name;

    /// <summary>The table written to, with its resolved name.</summary>
    public TableSchema Schema => _schema;

    /// <summary>What <see cref="OpenAsync"/> did to the table.</summary>
    public TableMigration? Migration { get; private set; }

    /// <summary>Rows committed so far (before de-duplication by key).</summary>
    public long RowsWritten => Interlocked.Read(ref _rowsWritten);

    /// <summary>Batches committed so far.</summary>
    public long BatchesWritten => Interlocked.Read(ref _batchesWritten);

    /// <summary>Retries of failed batches so far.</summary>
    public long Retries => Interlocked.Read(ref _retries);

    /// <inheritdoc />
    public async ValueTask OpenAsync(CancellationToken cancellationToken)
    {
        if (_dataSource is not null) throw new InvalidOperationException("The sink is already open.");
        var builder = new NpgsqlConnectionStringBuilder(_options.ConnectionString);
        if (string.IsNullOrEmpty(builder.ApplicationName)) builder.ApplicationName = "platform-sink-" + _options.Name;
        var dataSource = (_options with { ConnectionString = builder.ConnectionString }).CreateDataSource();
        try
        {
            Migration = await _retry.ExecuteAsync(static async (state, ct) =>
            {
                await using var connection = await state.dataSource.OpenConnectionAsync(ct);
                return await PostgresTableMigrator.MigrateAsync(connection, state.Item2._options.Schema, state.Item2._sql, ct);
            }, (dataSource, this), cancellationToken);
        }
        catch
        {
            await dataSource.DisposeAsync();
            throw;
        }
        if (Migration.Created) PostgresSinkLog.Created(_logger, Name, _sql.QualifiedTable);
        if (Migration.AddedColumns.Count > 0) PostgresSinkLog.AddedColumns(_logger, Name, _sql.QualifiedTable, string.Join(", ", Migration.AddedColumns));
        _dataSource = dataSource;
        _timer = FlushOnTimerAsync(_stop.Token);
    }

    /// <inheritdoc />
    public async ValueTask WriteAsync(Batch<TRow> batch, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(batch);
        if (_dataSource is null) throw new InvalidOperationException("OpenAsync first.");
        if (batch.Count == 0) return;
        await _gate.WaitAsync(cancellationToken);
        try
        {
            RethrowTimerFailure();
            if (_buffer.Count == 0) _oldestBuffered = Stopwatch.GetTimestamp();
            _buffer.Add(batch.Items);
            if (_buffer.Count >= _options.BatchRows || Stopwatch.GetElapsedTime(_oldestBuffered) >= _options.MaxDelay)
            {
                await WriteBufferAsync(cancellationToken);
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <inheritdoc />
    public async ValueTask FlushAsync(CancellationToken cancellationToken)
    {
        if (_dataSource is null) throw new InvalidOperationException("OpenAsync first.");
        await _gate.WaitAsync(cancellationToken);
        try
        {
            RethrowTimerFailure();
            if (_buffer.Count > 0) await WriteBufferAsync(cancellationToken);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Stops the timer and closes the connections. Rows not yet flushed are dropped: the runtime flushes before it disposes.</summary>
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        if (_timer is not null) await _timer;
        if (_dataSource is not null) await _dataSource.DisposeAsync();
        _dataSource = null;
        _instruments.Dispose();
        _stop.Dispose();
        _gate.Dispose();
    }

    private async ValueTask WriteBufferAsync(CancellationToken cancellationToken)
    {
        var start = Stopwatch.GetTimestamp();
        var rows = _buffer.Count;
        await _retry.ExecuteAsync(static (self, ct) => self.WriteBufferOnceAsync(ct), this, cancellationToken);
        _buffer.Clear();
        Interlocked.Add(ref _rowsWritten, rows);
        Interlocked.Increment(ref _batchesWritten);
        _instruments.Written(rows, start);
    }

    /// <summary>One attempt: staging table, binary COPY, upsert, commit — all or nothing.</summary>
    private async ValueTask WriteBufferOnceAsync(CancellationToken cancellationToken)
    {
        await using var connection = await _dataSource!.OpenConnectionAsync(cancellationToken);
        await using var tx = await connection.BeginTransactionAsync(cancellationToken);
        await using (var create = new NpgsqlCommand(_sql.CreateStage, connection, tx))
        {
            await create.ExecuteNonQueryAsync(cancellationToken);
        }
        await using (var importer = await connection.BeginBinaryImportAsync(_sql.CopyIntoStage, cancellationToken))
        {
            CopyRows(importer);
            await importer.CompleteAsync(cancellationToken);
        }
        await using (var upsert = new NpgsqlCommand(_sql.Upsert, connection, tx))
        {
            await upsert.ExecuteNonQueryAsync(cancellationToken);
        }
        await tx.CommitAsync(cancellationToken);
    }

    // Synchronous on purpose: the mapping writes values into Npgsql's buffer, which goes to the socket when full.
    private void CopyRows(NpgsqlBinaryImporter importer)
    {
        var writer = new PostgresCopyRowWriter(importer, _schema);
        var rows = _buffer.Items;
        for (var i = 0; i < rows.Length; i++)
        {
            importer.StartRow();
            _mapping.Write(in rows[i], ref writer);
            writer.EndRow(i);
        }
    }

    private void RethrowTimerFailure()
    {
        var failure = _timerFailure;
        _timerFailure = null;
        failure?.Throw();
    }

    /// <summary>Writes the buffer when its oldest row has waited <see cref="PostgresSinkOptions.MaxDelay"/>, even if no records arrive.</summary>
    private async Task FlushOnTimerAsync(CancellationToken stop)
    {
        await Task.Yield();
        var tick = TimeSpan.FromTicks(Math.Clamp(_options.MaxDelay.Ticks / 4, TimeSpan.TicksPerMillisecond * 10, TimeSpan.TicksPerSecond));
        using var timer = new PeriodicTimer(tick);
        try
        {
            while (await timer.WaitForNextTickAsync(stop))
            {
                await _gate.WaitAsync(stop);
                try
                {
                    if (_buffer.Count > 0 && _timerFailure is null && Stopwatch.GetElapsedTime(_oldestBuffered) >= _options.MaxDelay)
                    {
                        await WriteBufferAsync(stop);
                    }
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    _timerFailure = ExceptionDispatchInfo.Capture(e); // the rows stay buffered; the next write or flush reports it and tries again
                }
                finally
                {
                    _gate.Release();
                }
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }
    }
}
