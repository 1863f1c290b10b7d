using System.Buffers;
using Platform.Engine.Contracts;

namespace Platform.Connectors.DurableLog;

/// <summary>Settings of a <see cref="DurableLogReader"/>.</summary>
public sealed record DurableLogReaderOptions
{
    /// <summary>Default chunk size: 256 KiB.</summary>
    public const int DefaultChunkBytes = 256 * 1024;

    /// <summary>Where to start (a position saved by a checkpoint); null = the oldest record kept.</summary>
    public LogPosition? From { get; init; }

    /// <summary>Wait for new records at the end (a live source) instead of ending (a replay).</summary>
    public bool Follow { get; init; } = true;

    /// <summary>Target bytes per chunk.</summary>
    public int ChunkBytes { get; init; } = DefaultChunkBytes;

    /// <summary>The source name (for metrics and dead letters); default the log's name.</summary>
    public string? Name { get; init; }
}

/// <summary>
/// Replays a <see cref="DurableLog"/> as an <see cref="IChunkSource"/> of one partition: each chunk
/// is the payloads of whole records (so whole NDJSON lines). <see cref="Chunk.Position"/> and
/// <see cref="PositionOf"/> are <see cref="LogPosition.Pack"/>ed; <see cref="Position"/> is the
/// exact (segment, offset) after the last chunk returned, which a checkpoint stores
/// (<see cref="LogPosition.ToBytes"/>) and a restart passes back as <see cref="DurableLogReaderOptions.From"/>.
/// Records that fail their checksum are skipped and counted (the log sent them to the DLQ on open).
/// Read by one thread.
/// </summary>
public sealed class DurableLogReader : IChunkSource, ICheckpointableSource, IWaitableSource
{
    private readonly DurableLog _log;
    private readonly DurableLogReaderOptions _options;
    private LogPosition _position;
    private volatile int _segmentInUse;
    private long _packedPosition;
    private FileStream? _file;
    private int _fileSegment = -1;
    private byte[] _scratch;
    private long _sequence;
    private long _records;
    private long _corrupt;
    private bool _started;

    internal DurableLogReader(DurableLog log, DurableLogReaderOptions options)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(options.ChunkBytes, 1024, nameof(options.ChunkBytes));
        _log = log;
        _options = options;
        SetPosition(options.From ?? log.Beginning);
        if (_position.Offset < LogRecordFormat.SegmentHeaderSize) SetPosition(_position with { Offset = LogRecordFormat.SegmentHeaderSize });
        _scratch = ArrayPool<byte>.Shared.Rent(options.ChunkBytes + LogRecordFormat.RecordHeaderSize);
    }

    /// <inheritdoc />
    public string Name => _options.Name ?? _log.Options.Name;

    /// <inheritdoc />
    public int Partitions => 1;

    /// <summary>The position after the last chunk returned: store it in a checkpoint.</summary>
    public LogPosition Position => _position;

    private void SetPosition(LogPosition position)
    {
        _position = position;
        _segmentInUse = position.Segment;
        Volatile.Write(ref _packedPosition, position.Pack());
    }

    /// <summary>
    /// Committed bytes of the log this reader has not returned yet: how far the pipeline lags behind ingest.
    /// Any thread may ask (it reads the position the reader last published, and the log's segment lengths).
    /// </summary>
    public long LagBytes => _log.BytesAfter(LogPosition.Unpack(Volatile.Read(ref _packedPosition)));

    /// <summary>The segment this reader stands in (read by retention on the writer's thread).</summary>
    internal int SegmentInUse => _segmentInUse;

    /// <summary>Records returned so far.</summary>
    public long Records => Interlocked.Read(ref _records);

    /// <summary>Corrupt records skipped so far.</summary>
    public long CorruptRecordsSkipped => Interlocked.Read(ref _corrupt);

    /// <inheritdoc />
    public long PositionOf(int partition)
    {
        ArgumentOutOfRangeException.ThrowIfNotEqual(partition, 0);
        return _position.Pack();
    }

    /// <summary>The position after the last chunk returned: <see cref="LogPosition.ToBytes"/> (12 bytes: segment, offset).</summary>
    public byte[] SavePosition(int partition)
    {
        ArgumentOutOfRangeException.ThrowIfNotEqual(partition, 0);
        return _position.ToBytes();
    }

    /// <summary>Starts at a position from <see cref="SavePosition"/> (one partition); a position in a segment removed by retention starts at the oldest one kept.</summary>
    /// <exception cref="ArgumentException">Not exactly one 12-byte position.</exception>
    /// <exception cref="InvalidOperationException">Called after the first read.</exception>
    public void Seek(IReadOnlyList<byte[]> positions)
    {
        ArgumentNullException.ThrowIfNull(positions);
        if (positions.Count != 1) throw new ArgumentException($"A durable log reader has 1 partition; got {positions.Count} positions.", nameof(positions));
        if (_started) throw new InvalidOperationException("Seek before the first read.");
        var p = LogPosition.Read(positions[0]);
        SetPosition(p.Offset < LogRecordFormat.SegmentHeaderSize ? p with { Offset = LogRecordFormat.SegmentHeaderSize } : p);
    }

    /// <summary>Completes once a record follows this reader's position, or the log ended (closed, or not followed).</summary>
    public async ValueTask WaitToReadAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var signal = _log.CommitSignal; // taken before the check, so a commit in between still wakes us
            if (!_options.Follow || _log.IsClosed || _log.BytesAfter(_position) > 0) return;
            await signal.WaitAsync(cancellationToken);
        }
    }

    /// <inheritdoc />
    public async ValueTask<Chunk?> ReadAsync(CancellationToken cancellationToken)
    {
        _started = true;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var signal = _log.CommitSignal;
            var tail = _log.CurrentTail;
            var segment = _log.SegmentAtOrAfter(_position.Segment);
            if (segment is null)
            {
                if (!_options.Follow || _log.IsClosed) return null;
                await signal.WaitAsync(cancellationToken);
                continue;
            }
            if (segment.Id != _position.Segment) SetPosition(new LogPosition(segment.Id, LogRecordFormat.SegmentHeaderSize)); // skipped by retention
            var limit = segment.Id < tail.Segment ? Volatile.Read(ref segment.Length) : tail.Length;
            if (segment.Id > tail.Segment) limit = 0;
            if (_position.Offset < limit)
            {
                var chunk = await ReadChunkAsync(segment, limit, cancellationToken);
                if (chunk is not null) return chunk;
                continue;
            }
            if (segment.Id < tail.Segment)
            {
                SetPosition(new LogPosition(segment.Id + 1, LogRecordFormat.SegmentHeaderSize));
                continue;
            }
            if (!_options.Follow || _log.IsClosed) return null;
            await signal.WaitAsync(cancellationToken);
        }
    }

    private async ValueTask<Chunk?> ReadChunkAsync(DurableLog.SegmentInfo segment, long limit, CancellationToken cancellationToken)
    {
        var file = OpenSegment(segment);
        if (file is null)
        {
            SetPosition(new LogPosition(segment.Id + 1, LogRecordFormat.SegmentHeaderSize));
            return null;
        }
        var want = (int)Math.Min(_scratch.Length, limit - _position.Offset);
        var read = await ReadFullyAsync(file, _position.Offset, _scratch.AsMemory(0, want), cancellationToken);
        var data = _scratch.AsSpan(0, read);
        if (LogRecordFormat.TryRead(data, _log.Options.MaxRecordBytes, out var firstLength) == RecordRead.Incomplete && firstLength > 0 && read == want && want < limit - _position.Offset)
        {
            // One record larger than the scratch buffer: grow and read it whole.
            var bigger = ArrayPool<byte>.Shared.Rent(LogRecordFormat.RecordHeaderSize + firstLength);
            ArrayPool<byte>.Shared.Return(_scratch);
            _scratch = bigger;
            return null;
        }
        var chunk = new Chunk(read);
        var start = _position;
        var at = 0;
        var count = 0;
        while (at < data.Length)
        {
            var rest = data[at..];
            var status = LogRecordFormat.TryRead(rest, _log.Options.MaxRecordBytes, out var payload);
            if (status == RecordRead.Ok)
            {
                rest.Slice(LogRecordFormat.RecordHeaderSize, payload).CopyTo(chunk.Buffer.AsSpan(chunk.Length));
                chunk.Length += payload;
                at += LogRecordFormat.RecordHeaderSize + payload;
                count++;
                continue;
            }
            if (status == RecordRead.Incomplete && _position.Offset + data.Length < limit) break; // the rest comes with the next read
            // Corrupt (or a cut tail at the committed end of a sealed segment): skip to the next valid record.
            var next = status == RecordRead.Corrupt ? LogRecordFormat.Resync(rest, _log.Options.MaxRecordBytes) : -1;
            var atEnd = _position.Offset + data.Length >= limit;
            var skip = next >= 0 ? next : atEnd ? rest.Length : Math.Max(1, rest.Length - 3);
            Interlocked.Increment(ref _corrupt);
            at += skip;
            if (next < 0) break;
        }
        SetPosition(new LogPosition(segment.Id, _position.Offset + at));
        if (chunk.Length == 0)
        {
            chunk.Dispose();
            return null;
        }
        chunk.Partition = 0;
        chunk.Position = start.Pack();
        chunk.Sequence = _sequence++;
        Interlocked.Add(ref _records, count);
        return chunk;
    }

    private FileStream? OpenSegment(DurableLog.SegmentInfo segment)
    {
        if (_fileSegment == segment.Id && _file is not null) return _file;
        _file?.Dispose();
        _file = null;
        try
        {
            _file = new FileStream(segment.Path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 1, FileOptions.SequentialScan);
            _fileSegment = segment.Id;
            return _file;
        }
        catch (FileNotFoundException)
        {
            return null; // deleted by retention meanwhile
        }
    }

    private static async ValueTask<int> ReadFullyAsync(FileStream file, long offset, Memory<byte> buffer, CancellationToken cancellationToken)
    {
        var total = 0;
        while (total < buffer.Length)
        {
            var n = await RandomAccess.ReadAsync(file.SafeFileHandle, buffer[total..], offset + total, cancellationToken);
            if (n == 0) break;
            total += n;
        }
        return total;
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync()
    {
        _log.ReaderClosed(this);
        _file?.Dispose();
        _file = null;
        var s = Interlocked.Exchange(ref _scratch, []);
        if (s.Length > 0) ArrayPool<byte>.Shared.Return(s);
        return ValueTask.CompletedTask;
    }
}
