using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Globalization;
using Parquet.Schema;
using Platform.Engine.Batching;
using Platform.Engine.Contracts;
using Platform.Sinks.Warehouse;

namespace Platform.Sinks.Parquet;

/// <summary>
/// Writes records as Parquet files partitioned by the UTC date and hour of a timestamp column
/// (<c>&lt;dir&gt;/dt=YYYY-MM-DD/hour=HH/part-&lt;run&gt;-&lt;n&gt;.parquet</c>). Rows are buffered column by column;
/// every <see cref="ParquetSinkOptions.RowGroupRows"/> rows they become one row group in each partition's open
/// file. Files are written under hidden temporary names and renamed into place, complete, on
/// <see cref="FlushAsync"/> (checkpoint barriers and shutdown), on <see cref="DisposeAsync"/>, or when more than
/// <see cref="ParquetSinkOptions.MaxOpenFiles"/> partitions are open (the least recently written closes). Files
/// are append-only: after a recovery, replayed rows land in new files (at-least-once). Called from one thread.
/// </summary>
/// <typeparam name="TRow">The record type.</typeparam>
/// <typeparam name="TMapping">Its mapping.</typeparam>
public sealed class ParquetPartitionedSink<TRow, TMapping> : ISink<TRow>
    where TMapping : ITableMapping<TRow>
{
    private readonly ParquetSinkOptions _options;
    private readonly TMapping _mapping;
    private readonly ParquetRowBuffer _buffer;
    private readonly ParquetSchema _parquetSchema;
    private readonly SinkInstruments _instruments;
    private readonly Dictionary<long, ParquetPartitionFile> _open = [];
    private readonly string _runId;
    private string? _root;
    private long _useCounter;
    private int _fileSequence;
    private long _rowsWritten;
    private int _filesCommitted;

    /// <summary>Creates the sink; nothing is opened until <see cref="OpenAsync"/>.</summary>
    /// <param name="options">Where to write (validated here).</param>
    /// <param name="mapping">How a record becomes a row.</param>
    /// <param name="meter">Meter for the sink's instruments; null = one owned by the sink.</param>
    public ParquetPartitionedSink(ParquetSinkOptions options, TMapping mapping, Meter? meter = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(mapping);
        options.Validate();
        _options = options;
        _mapping = mapping;
        var schema = mapping.Schema;
        _buffer = new ParquetRowBuffer(schema, options.ResolvePartitionColumn(schema), Math.Min(options.RowGroupRows, 4096));
        _parquetSchema = new ParquetSchema(_buffer.Columns.Select(c => (Field)c.Field));
        _instruments = new SinkInstruments(options.Name, meter);
        // Unique per sink instance, so a restarted pipeline never collides with the files of an earlier run.
        _runId = DateTime.UtcNow.ToString("yyyyMMdd'T'HHmmss", CultureInfo.InvariantCulture) + "-" + Guid.NewGuid().ToString("N")[..8];
    }

    /// <inheritdoc />
    public string Name => _options.Name;

    /// <summary>Rows accepted so far.</summary>
    public long RowsWritten => Interlocked.Read(ref _rowsWritten);

    /// <summary>Files renamed into place so far.</summary>
    public int FilesCommitted => Volatile.Read(ref _filesCommitted);

    /// <inheritdoc />
    public ValueTask OpenAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (_root is not null) throw new InvalidOperationException("The sink is already open.");
        _root = Path.GetFullPath(_options.Directory);
        Directory.CreateDirectory(_root);
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public ValueTask WriteAsync(Batch<TRow> batch, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(batch);
        if (_root is null) throw new InvalidOperationException("OpenAsync first.");
        if (batch.Count == 0) return ValueTask.CompletedTask;
        var start = Stopwatch.GetTimestamp();
        Buffer(batch.Items);
        Interlocked.Add(ref _rowsWritten, batch.Count);
        _instruments.Written(batch.Count, start);
        return _buffer.Count >= _options.RowGroupRows ? new ValueTask(WriteRowGroupsAsync(cancellationToken)) : ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public async ValueTask FlushAsync(CancellationToken cancellationToken)
    {
        if (_root is null) throw new InvalidOperationException("OpenAsync first.");
        await WriteRowGroupsAsync(cancellationToken);
        await CommitAllAsync();
    }

    /// <summary>Writes what is buffered and renames every open file into place.</summary>
    public async ValueTask DisposeAsync()
    {
        try
        {
            if (_root is not null)
            {
                await WriteRowGroupsAsync(CancellationToken.None);
                await CommitAllAsync();
            }
        }
        finally
        {
            foreach (var file in _open.Values) await file.AbandonAsync();
            _open.Clear();
            _instruments.Dispose();
        }
    }

    private void Buffer(ReadOnlySpan<TRow> rows)
    {
        var writer = new ParquetRowWriter(_buffer);
        foreach (ref readonly var row in rows)
        {
            writer.StartRow();
            _mapping.Write(in row, ref writer);
            writer.EndRow();
        }
    }

    /// <summary>Writes the buffer as one row group per partition it touches, then empties it.</summary>
    private async Task WriteRowGroupsAsync(CancellationToken cancellationToken)
    {
        if (_buffer.Count == 0) return;
        _buffer.SortByPartition();
        var count = _buffer.Count;
        for (var start = 0; start < count;)
        {
            var hour = _buffer.Hours[start];
            var end = start + 1;
            while (end < count && _buffer.Hours[end] == hour) end++;
            var file = await FileForAsync(hour, cancellationToken);
            await file.WriteRowGroupAsync(_buffer.Columns, start, end - start, cancellationToken);
            start = end;
        }
        _buffer.Clear();
    }

    private async Task<ParquetPartitionFile> FileForAsync(long hour, CancellationToken cancellationToken)
    {
        if (!_open.TryGetValue(hour, out var file))
        {
            if (_open.Count >= _options.MaxOpenFiles)
            {
                var oldest = _open.Values.MinBy(f => f.LastUsed)!;
                _open.Remove(oldest.Hour);
                await oldest.CommitAsync();
                Interlocked.Increment(ref _filesCommitted);
            }
            var name = $"part-{_runId}-{_fileSequence++:D5}.parquet";
            file = await ParquetPartitionFile.CreateAsync(_root!, hour, name, _parquetSchema, cancellationToken);
            _open.Add(hour, file);
        }
        file.LastUsed = ++_useCounter;
        return file;
    }

    private async Task CommitAllAsync()
    {
        foreach (var hour in _open.Keys.ToArray())
        {
            var file = _open[hour];
            _open.Remove(hour);
            await file.CommitAsync();
            Interlocked.Increment(ref _filesCommitted);
        }
    }
}
