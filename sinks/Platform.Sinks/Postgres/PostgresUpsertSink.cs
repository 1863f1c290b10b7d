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
/// shutdown), the buffer becomes a batch written in the background while the other buffer takes new records.
/// A batch is first reduced to the row an upsert keeps per key (highest version, then last written — repeated
/// keys cost nothing downstream) and split by key hash into <see cref="PostgresSinkOptions.ParallelUpserts"/>
/// parts that share no key. Each part is one transaction on its own connection (two sets of connections, one per
/// buffer, alternating): binary COPY (encoded by <see cref="PostgresBinaryCopyWriter"/>) into the connection's
/// temporary staging table (created once per connection, <c>ON COMMIT DELETE ROWS</c>, so a batch costs no catalog
/// work; its key columns analysed on the connection's first batch, so the planner hashes the stage, not the table),
/// then — once the same part of the previous batch has committed, so every key's rows reach the table in order — one
/// <c>MERGE</c> (or, when the keys did not fit the client's reduction or MERGE met a concurrent insert, one
/// <c>INSERT … SELECT DISTINCT ON (keys) … ON CONFLICT (keys) DO UPDATE</c>) and the commit. The parts of a batch
/// upsert in parallel, and the next batch's COPY overlaps the previous batch's upserts. With a version column a stored newer row is kept. A part that fails with
/// a transient error (lost connection, terminated backend, deadlock) is retried whole on a fresh connection, after
/// an asynchronous backoff, from the buffer, which is cleared only after every part committed: nothing is lost, and
/// a part applied twice (commit acknowledged to nobody) leaves the same rows. A part that still fails after the
/// retries fails the sink: every later call throws, and the pipeline replays from its last checkpoint (replayed
/// upserts converge to the same rows). <see cref="FlushAsync"/> returns once everything written before it is
/// committed. <see cref="OpenAsync"/> creates the table or adds the columns it lacks. Called from one thread (plus
/// the sink's own timer, serialised by a lock).
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
    private readonly Lane[] _lanes;
    private readonly RowKeyLayout _keys;
    private readonly ResiliencePipeline _retry;
    private const string MergeSavepoint = "platform_merge";
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly CancellationTokenSource _stop = new();
    private NpgsqlDataSource? _dataSource;
    private Lane _filling;
    private Lane? _previous;
    private Task? _lastWrite;
    private Task? _timer;
    private long _oldestBuffered;
    private ExceptionDispatchInfo? _failure;
    private long _rowsWritten;
    private long _rowsStaged;
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
        _sql = new PostgresStatements(options.Schema, _schema, options.FillFactor);
        _logger = logger ?? NullLogger.Instance;
        _instruments = new SinkInstruments(options.Name, meter);
        _keys = new RowKeyLayout(_schema);
        _lanes = [NewLane(), NewLane()];
        _filling = _lanes[0];
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
                PostgresSinkLog.Retrying(_logger, _options.Name, e.GetType().Name, e.Message, args.AttemptNumber + 1, args.RetryDelay.TotalMilliseconds);
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

    /// <summary>Rows committed so far after each batch was reduced to one row per key (what went through COPY and the upsert).</summary>
    public long RowsStaged => Interlocked.Read(ref _rowsStaged);

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
            _failure?.Throw();
            var buffer = _filling.Buffer;
            if (buffer.Count == 0) _oldestBuffered = Stopwatch.GetTimestamp();
            buffer.Add(batch.Items);
            if (buffer.Count >= _options.BatchRows || Stopwatch.GetElapsedTime(_oldestBuffered) >= _options.MaxDelay)
            {
                await StartWriteAsync(cancellationToken);
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
            _failure?.Throw();
            if (_filling.Buffer.Count > 0) await StartWriteAsync(cancellationToken);
            // Batches commit in order, so the last one started being done means all are.
            await AwaitAsync(_lastWrite, cancellationToken);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Stops the timer, waits for batches in flight and closes the connections. Rows not yet flushed are dropped: the runtime flushes before it disposes.</summary>
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        if (_timer is not null) await _timer;
        foreach (var lane in _lanes)
        {
            if (lane.Write is { } write)
            {
                try
                {
                    await write;
                }
                catch (Exception)
                {
                    // Disposing without a flush drops unflushed rows by contract; a failure of the last write changes nothing.
                }
            }
            await lane.CloseAsync();
        }
        if (_dataSource is not null) await _dataSource.DisposeAsync();
        _dataSource = null;
        _instruments.Dispose();
        _stop.Dispose();
        _gate.Dispose();
    }

    /// <summary>
    /// Sends the filling lane's buffer in the background (each part's upsert waits for the same part of the batch
    /// before it), then makes the other lane the filling one, first waiting until that lane's own previous batch is
    /// committed. Under the gate.
    /// </summary>
    private async ValueTask StartWriteAsync(CancellationToken cancellationToken)
    {
        var lane = _filling;
        for (var p = 0; p < lane.Parts.Length; p++)
        {
            var part = lane.Parts[p];
            part.After = _previous?.Parts[p].Committed.Task;
            part.Committed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }
        _previous = lane;
        // Off the caller's thread: reducing the batch and the COPY loop are CPU work that overlaps with the next buffer filling up.
        lane.Write = Task.Run(() => WriteLaneAsync(lane, _stop.Token), CancellationToken.None);
        _lastWrite = lane.Write;
        _filling = ReferenceEquals(lane, _lanes[0]) ? _lanes[1] : _lanes[0];
        await AwaitAsync(_filling.Write, cancellationToken);
        _filling.Write = null;
    }

    /// <summary>Waits until <paramref name="write"/> is committed; its failure fails the sink.</summary>
    private async ValueTask AwaitAsync(Task? write, CancellationToken cancellationToken)
    {
        if (write is null) return;
        try
        {
            await write.WaitAsync(cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            _failure ??= ExceptionDispatchInfo.Capture(e);
            throw;
        }
    }

    private Lane NewLane() => new(Math.Min(_options.BatchRows, 4096), _options.ParallelUpserts, new LatestRowPerKey<TRow, TMapping>(_keys));

    /// <summary>Reduces and splits the lane's batch, then writes its parts in parallel; completes when all are committed.</summary>
    private async Task WriteLaneAsync(Lane lane, CancellationToken cancellationToken)
    {
        var start = Stopwatch.GetTimestamp();
        var rows = lane.Buffer.Count;
        try
        {
            lane.Latest.Split(lane.Buffer.Items, _mapping, lane.Rows);
            for (var p = 0; p < lane.Parts.Length; p++) lane.Writes[p] = WritePartAsync(lane, lane.Parts[p], cancellationToken);
            await Task.WhenAll(lane.Writes);
        }
        catch (Exception e)
        {
            // A part that never started (the split failed) must not leave the next batch's part waiting for it.
            foreach (var part in lane.Parts) part.Committed.TrySetException(e);
            throw;
        }
        lane.Buffer.Clear();
        Interlocked.Add(ref _rowsWritten, rows);
        var staged = 0;
        foreach (var part in lane.Parts) staged += part.Rows.Count;
        Interlocked.Add(ref _rowsStaged, staged);
        Interlocked.Increment(ref _batchesWritten);
        _instruments.Written(rows, start);
    }

    /// <summary>Writes one part (with retries) and marks it committed, or failed, for the same part of the next batch.</summary>
    private async Task WritePartAsync(Lane lane, Part part, CancellationToken cancellationToken)
    {
        try
        {
            if (part.Rows.Count > 0)
            {
                await _retry.ExecuteAsync(static (state, ct) => state.self.WriteOnceAsync(state.lane, state.part, ct), (self: this, lane, part), cancellationToken);
            }
            else
            {
                await WaitForPreviousAsync(part, cancellationToken); // nothing to write, but the order of parts holds
            }
            part.Committed.TrySetResult();
        }
        catch (Exception e)
        {
            part.Committed.TrySetException(e);
            throw;
        }
    }

    /// <summary>One attempt: binary COPY into the part's staging table, wait for the same part of the previous batch, upsert, commit — all or nothing.</summary>
    private async ValueTask WriteOnceAsync(Lane lane, Part part, CancellationToken cancellationToken)
    {
        try
        {
            var connection = await part.ConnectionAsync(_dataSource!, _sql, cancellationToken);
            await using var tx = await connection.BeginTransactionAsync(cancellationToken);
            await CopyAsync(connection, lane, part, cancellationToken);
            await WaitForPreviousAsync(part, cancellationToken);
            await UpsertAsync(lane, part, connection, tx, cancellationToken);
            await tx.CommitAsync(cancellationToken); // ON COMMIT DELETE ROWS empties the stage
        }
        catch
        {
            // A broken connection or an aborted transaction is not reused: a retry starts on a fresh one.
            await part.CloseAsync();
            throw;
        }
    }

    /// <summary>
    /// Moves the stage into the table: by MERGE when the split left one row per key (cheaper: a join, no sort, no
    /// tuple lock per row); if another session inserted one of the keys meanwhile, MERGE fails with a unique violation
    /// and the same rows go by INSERT … ON CONFLICT instead, from a savepoint taken before.
    /// </summary>
    private async ValueTask UpsertAsync(Lane lane, Part part, NpgsqlConnection connection, NpgsqlTransaction tx, CancellationToken cancellationToken)
    {
        if (lane.Latest.Reduces)
        {
            if (part.Rows.Count > 2 * part.AnalyzedRows) await AnalyzeStageAsync(part, connection, tx, cancellationToken);
            await tx.SaveAsync(MergeSavepoint, cancellationToken);
            try
            {
                await using var merge = new NpgsqlCommand(_sql.Merge, connection, tx);
                await merge.ExecuteNonQueryAsync(cancellationToken);
                return;
            }
            catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UniqueViolation)
            {
                await tx.RollbackAsync(MergeSavepoint, cancellationToken);
            }
        }
        await using var upsert = new NpgsqlCommand(_sql.Upsert, connection, tx);
        await upsert.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>
    /// Gives the planner statistics of the stage (its key columns, from a small sample): without them it takes the
    /// stage's keys for heavily repeated and builds the MERGE's hash table over the whole target instead of the stage,
    /// which cost ≈ 20 % of the server's CPU at 100 k target rows and grows with the table. Statistics of a temporary
    /// table outlive <c>ON COMMIT DELETE ROWS</c>, so this runs on a connection's first batch and again only when a
    /// batch is more than twice as large as the last one analysed (a few times per connection, not per batch).
    /// </summary>
    private async ValueTask AnalyzeStageAsync(Part part, NpgsqlConnection connection, NpgsqlTransaction tx, CancellationToken cancellationToken)
    {
        await using var analyze = new NpgsqlCommand(_sql.AnalyzeStage, connection, tx);
        await analyze.ExecuteNonQueryAsync(cancellationToken);
        part.AnalyzedRows = part.Rows.Count;
    }

    private static async ValueTask WaitForPreviousAsync(Part part, CancellationToken cancellationToken)
    {
        if (part.After is not { } previous) return;
        try
        {
            await previous.WaitAsync(cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            throw new InvalidOperationException("The previous batch failed; this one is not applied out of order.", e);
        }
    }

    /// <summary>Binary COPY of the part's rows into the connection's staging table, encoded by <see cref="PostgresBinaryCopyWriter"/> in chunks of about 64 KB.</summary>
    private async ValueTask CopyAsync(NpgsqlConnection connection, Lane lane, Part part, CancellationToken cancellationToken)
    {
        var stream = await connection.BeginRawBinaryCopyAsync(_sql.CopyIntoStage, cancellationToken);
        try
        {
            var writer = new PostgresBinaryCopyWriter(_schema, part.CopyBytes);
            writer.WriteHeader();
            var next = 0;
            do
            {
                next = EncodeRows(ref writer, lane.Buffer, part.Rows, next, ordered: !lane.Latest.Reduces);
                if (next == part.Rows.Count) writer.WriteTrailer();
                await stream.WriteAsync(writer.Pending, cancellationToken);
                writer.Sent();
            }
            while (next < part.Rows.Count);
            part.CopyBytes = writer.Bytes;
        }
        catch
        {
            // Abandons the COPY (nothing staged); the caller closes the connection anyway.
            try
            {
                await stream.CancelAsync();
            }
            catch (Exception)
            {
                // The connection may be gone already; the original error is what matters.
            }
            throw;
        }
        await stream.DisposeAsync(); // sends CopyDone: the rows are in the stage
    }

    /// <summary>Encodes rows from <paramref name="from"/> until about <see cref="PostgresBinaryCopyWriter.FlushAt"/> bytes are pending; returns the next row's index.</summary>
    private int EncodeRows(ref PostgresBinaryCopyWriter writer, RowBuffer<TRow> buffer, List<int> indexes, int from, bool ordered)
    {
        var rows = buffer.Items;
        var selected = System.Runtime.InteropServices.CollectionsMarshal.AsSpan(indexes);
        var next = from;
        while (next < selected.Length && writer.Length < PostgresBinaryCopyWriter.FlushAt)
        {
            var i = selected[next++];
            writer.StartRow();
            _mapping.Write(in rows[i], ref writer);
            if (ordered) writer.EndRow(i);
            else writer.EndRowUnordered();
        }
        return next;
    }

    /// <summary>Starts writing the buffer when its oldest row has waited <see cref="PostgresSinkOptions.MaxDelay"/>, even if no records arrive.</summary>
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
                    if (_filling.Buffer.Count > 0 && _failure is null && Stopwatch.GetElapsedTime(_oldestBuffered) >= _options.MaxDelay)
                    {
                        await StartWriteAsync(stop);
                    }
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    // AwaitAsync recorded the failure; the next write or flush throws it.
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

    /// <summary>A buffer, the parts its batch is split into (each with its own connection) and the batch in flight.</summary>
    private sealed class Lane
    {
        public Lane(int capacity, int parts, LatestRowPerKey<TRow, TMapping> latest)
        {
            Buffer = new RowBuffer<TRow>(capacity);
            Latest = latest;
            Parts = [.. Enumerable.Range(0, parts).Select(_ => new Part())];
            Rows = [.. Parts.Select(p => p.Rows)];
            Writes = new Task[parts];
        }

        public RowBuffer<TRow> Buffer { get; }

        /// <summary>Reduces the buffer to the latest row per key and splits it into <see cref="Parts"/>.</summary>
        public LatestRowPerKey<TRow, TMapping> Latest { get; }

        public Part[] Parts { get; }

        /// <summary>Each part's row indexes (the same lists as <see cref="Part.Rows"/>).</summary>
        public List<int>[] Rows { get; }

        /// <summary>The parts' writes of the batch in flight.</summary>
        public Task[] Writes { get; }

        /// <summary>The batch being written from <see cref="Buffer"/>; the buffer is the caller's again once it completes.</summary>
        public Task? Write { get; set; }

        public async ValueTask CloseAsync()
        {
            foreach (var part in Parts) await part.CloseAsync();
        }
    }

    /// <summary>One key-hash part of a lane's batch: the rows it writes, its connection (holding its own staging table) and its place in the order of commits.</summary>
    private sealed class Part
    {
        private NpgsqlConnection? _connection;

        /// <summary>Rows in the stage when its connection last analysed it (0: never; statistics live as long as the connection).</summary>
        public int AnalyzedRows { get; set; }

        /// <summary>The part's COPY encoding buffer, kept across batches.</summary>
        public byte[] CopyBytes { get; set; } = new byte[2 * PostgresBinaryCopyWriter.FlushAt];

        /// <summary>Indexes into the lane's buffer of the rows this part writes.</summary>
        public List<int> Rows { get; } = [];

        /// <summary>The same part of the previous batch, committed (or failed); null for the first batch.</summary>
        public Task? After { get; set; }

        /// <summary>Completed when this part of the batch in flight is committed (or failed).</summary>
        public TaskCompletionSource Committed { get; set; } = new();

        /// <summary>The part's open connection; a new one gets the session settings and its staging table, once.</summary>
        public async ValueTask<NpgsqlConnection> ConnectionAsync(NpgsqlDataSource dataSource, PostgresStatements sql, CancellationToken cancellationToken)
        {
            if (_connection is { State: System.Data.ConnectionState.Open } open) return open;
            await CloseAsync();
            var connection = await dataSource.OpenConnectionAsync(cancellationToken);
            AnalyzedRows = 0;
            try
            {
                await using var setup = new NpgsqlCommand(sql.PrepareSession, connection);
                await setup.ExecuteNonQueryAsync(cancellationToken);
            }
            catch
            {
                await connection.DisposeAsync();
                throw;
            }
            return _connection = connection;
        }

        public async ValueTask CloseAsync()
        {
            var connection = _connection;
            _connection = null;
            if (connection is not null) await connection.DisposeAsync();
        }
    }
}
