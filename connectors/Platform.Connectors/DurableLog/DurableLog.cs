using Microsoft.Win32.SafeHandles;

namespace Platform.Connectors.DurableLog;

/// <summary>
/// A segmented append-only log on local disk that acknowledges nothing it could lose.
/// <see cref="AppendAsync"/> copies a record into the pending group and returns a task that completes
/// when the whole group has been written by the single writer loop (and fsynced under
/// <see cref="FsyncPolicy.Always"/>): many concurrent appends share one write and one fsync
/// (group commit; the fsync is an <c>fdatasync</c> into zero-filled space allocated ahead, so it flushes data without
/// a filesystem journal commit — see <see cref="DurableLogOptions.Preallocate"/>). Each record is framed with its length and a CRC-32C; opening the log scans
/// every segment, cuts a torn last record and reports records whose checksum fails (counted,
/// sent to the DLQ, skipped by readers — never a crash loop). Readers
/// (<see cref="OpenReader"/>) replay from a <see cref="LogPosition"/> and follow new commits.
/// Retention deletes sealed segments by total size and age, never the segment of
/// <see cref="RetainFrom"/> (the last completed checkpoint's position) or any later one, and never
/// a segment an open reader has not finished.
/// </summary>
public sealed partial class DurableLog : IAsyncDisposable
{
    internal sealed class SegmentInfo(int id, string path, long length, bool isSealed, DateTimeOffset lastWrite)
    {
        public readonly int Id = id;
        public readonly string Path = path;
        public long Length = length;
        public bool Sealed = isSealed;
        public DateTimeOffset LastWrite = lastWrite;
    }

    /// <summary>The committed end: readers see bytes of <see cref="Segment"/> below <see cref="Length"/>.</summary>
    internal sealed record Tail(int Segment, long Length);

    private static readonly Task<AppendStatus> FullTask = Task.FromResult(AppendStatus.Full);
    private static readonly Task<AppendStatus> UnavailableTask = Task.FromResult(AppendStatus.Unavailable);

    private readonly DurableLogOptions _options;
    private readonly object _gate = new();
    private readonly List<SegmentInfo> _segments = [];
    private readonly List<DurableLogReader> _readers = [];
    // Wakes the writer thread: set by appends (and the fsync timer); many sets before it wakes are one wake-up.
    private readonly ManualResetEventSlim _wake = new(false);
    private readonly TaskCompletionSource _writerDone = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly ITimer? _fsyncTimer;
    private SafeFileHandle _active = null!;
    private SegmentInfo _activeInfo = null!;
    private byte[] _pending = new byte[64 * 1024];
    private byte[] _spare = new byte[64 * 1024];
    private int _pendingLength;
    private int _pendingRecords;
    private TaskCompletionSource<AppendStatus> _group = NewGroup();
    private volatile TaskCompletionSource _commitSignal = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private volatile Tail _tail = new(0, 0);
    private LogPosition? _retainFrom;
    private bool _closed;
    private volatile bool _faulted;
    private bool _dirty;
    private long _lastFsyncTicks;
    private long _recordsAppended;
    private long _groupsCommitted;
    private long _fsyncs;
    private long _segmentsDeleted;
    private long _bytesDeleted;

    private DurableLog(DurableLogOptions options)
    {
        _options = options;
        Recovery = OpenSegments();
        _lastFsyncTicks = options.Clock.GetTimestamp();
        // A thread of its own: the writer blocks in write and fdatasync, which must not hold a pool thread that
        // Kestrel and the appenders' continuations need (2 cores: the pool starts with 2).
        new Thread(WriteLoop) { IsBackground = true, Name = "durable-log " + options.Name }.Start();
        if (options.Fsync == FsyncPolicy.Interval)
        {
            _fsyncTimer = options.Clock.CreateTimer(_ => _wake.Set(), null, options.FsyncInterval, options.FsyncInterval);
        }
    }

    /// <summary>Opens (or creates) the log in <see cref="DurableLogOptions.Directory"/>, checking every record's framing and checksum.</summary>
    /// <exception cref="ArgumentException">Invalid options.</exception>
    /// <exception cref="IOException">The folder cannot be read or written.</exception>
    public static DurableLog Open(DurableLogOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        return new DurableLog(options);
    }

    /// <summary>The options the log was opened with.</summary>
    public DurableLogOptions Options => _options;

    /// <summary>What the scan on open found (torn tail, corrupt records).</summary>
    public DurableLogRecovery Recovery { get; }

    /// <summary>Records appended and committed since open.</summary>
    public long RecordsAppended => Interlocked.Read(ref _recordsAppended);

    /// <summary>Group commits (writes) since open; <see cref="RecordsAppended"/> / this = the group size.</summary>
    public long GroupsCommitted => Interlocked.Read(ref _groupsCommitted);

    /// <summary>fsync calls since open.</summary>
    public long Fsyncs => Interlocked.Read(ref _fsyncs);

    /// <summary>Segments deleted by retention since open.</summary>
    public long SegmentsDeleted => Interlocked.Read(ref _segmentsDeleted);

    /// <summary>Bytes accepted but not yet written (the group-commit backlog).</summary>
    public long PendingBytes
    {
        get { lock (_gate) return _pendingLength; }
    }

    /// <summary>Total bytes of the segment files.</summary>
    public long SizeBytes
    {
        get { lock (_segments) return _segments.Sum(s => s.Length); }
    }

    /// <summary>
    /// Committed bytes (record framing included) from <paramref name="position"/> to the end: how far a reader standing
    /// there is behind. Cheap: one pass over the segment list (a few entries), no I/O.
    /// </summary>
    public long BytesAfter(LogPosition position)
    {
        var tail = _tail;
        long behind = 0;
        lock (_segments)
        {
            foreach (var s in _segments)
            {
                if (s.Id < position.Segment || s.Id > tail.Segment) continue;
                var end = s.Id == tail.Segment ? tail.Length : s.Length;
                var from = s.Id == position.Segment ? Math.Max(position.Offset, LogRecordFormat.SegmentHeaderSize) : LogRecordFormat.SegmentHeaderSize;
                behind += Math.Max(0, end - from);
            }
        }
        return behind;
    }

    /// <summary>The position after the last committed record (where a reader that has seen everything stands).</summary>
    public LogPosition End
    {
        get { var t = _tail; return new LogPosition(t.Segment, t.Length); }
    }

    /// <summary>The first readable position (the start of the oldest segment kept).</summary>
    public LogPosition Beginning
    {
        get { lock (_segments) return new LogPosition(_segments[0].Id, LogRecordFormat.SegmentHeaderSize); }
    }

    /// <summary>
    /// Appends one record: <paramref name="payload"/> (one or more whole NDJSON lines, ending in a
    /// newline) is copied now; the task completes when it is durable per the fsync policy
    /// (<see cref="AppendStatus.Committed"/>), or at once with <see cref="AppendStatus.Full"/> when
    /// the group-commit backlog is at <see cref="DurableLogOptions.MaxPendingBytes"/>, or
    /// <see cref="AppendStatus.Unavailable"/> when the log is closed or a write failed.
    /// </summary>
    /// <exception cref="ArgumentException">The payload is empty, larger than MaxRecordBytes, or does not end in '\n'.</exception>
    public Task<AppendStatus> AppendAsync(ReadOnlySpan<byte> payload)
    {
        if (payload.IsEmpty || payload[^1] != (byte)'\n') throw new ArgumentException("A log record is whole NDJSON lines: non-empty, ending in '\\n'.", nameof(payload));
        if (payload.Length > _options.MaxRecordBytes) throw new ArgumentException($"A log record holds at most {_options.MaxRecordBytes} bytes; got {payload.Length}.", nameof(payload));
        var need = LogRecordFormat.RecordHeaderSize + payload.Length;
        Task<AppendStatus> task;
        lock (_gate)
        {
            if (_closed || _faulted) return UnavailableTask;
            if (_pendingLength + (long)need > _options.MaxPendingBytes) return FullTask;
            if (_pending.Length < _pendingLength + need)
            {
                var bigger = new byte[(int)Math.Min(Math.Max((long)_pending.Length * 2, _pendingLength + (long)need), _options.MaxPendingBytes)];
                _pending.AsSpan(0, _pendingLength).CopyTo(bigger);
                _pending = bigger;
            }
            LogRecordFormat.Write(_pending.AsSpan(_pendingLength, need), payload);
            _pendingLength += need;
            _pendingRecords++;
            task = _group.Task;
        }
        _wake.Set();
        return task;
    }

    /// <summary>
    /// Lets retention delete segments only before <paramref name="position"/>'s segment: call it with
    /// the source position of the last completed checkpoint (and with <see cref="Beginning"/> when
    /// checkpoints are on but none has completed yet). Until called, retention is bound by size, age
    /// and the open readers.
    /// </summary>
    public void RetainFrom(LogPosition position)
    {
        lock (_segments) _retainFrom = position;
    }

    /// <summary>The retention floor set by <see cref="RetainFrom"/>, if any.</summary>
    public LogPosition? RetentionFloor
    {
        get { lock (_segments) return _retainFrom; }
    }

    /// <summary>Opens a reader of this log (from <see cref="DurableLogReaderOptions.From"/>, default the oldest record kept).</summary>
    public DurableLogReader OpenReader(DurableLogReaderOptions? options = null)
    {
        var reader = new DurableLogReader(this, options ?? new DurableLogReaderOptions());
        lock (_segments) _readers.Add(reader);
        return reader;
    }

    internal void ReaderClosed(DurableLogReader reader)
    {
        lock (_segments) _readers.Remove(reader);
    }

    /// <summary>Writes what is pending, fsyncs and closes; later appends answer Unavailable.</summary>
    public async ValueTask DisposeAsync()
    {
        lock (_gate)
        {
            if (_closed) return;
            _closed = true;
        }
        _fsyncTimer?.Dispose();
        _wake.Set();
        await _writerDone.Task;
        try
        {
            if (_options.Fsync != FsyncPolicy.Never && !_faulted) DataSync.Flush(_active);
            TrimPreallocation();
        }
        catch (IOException)
        {
        }
        _active.Dispose();
        _commitSignal.TrySetResult();
    }

    internal Tail CurrentTail => _tail;

    internal Task CommitSignal => _commitSignal.Task;

    internal bool IsClosed
    {
        get { lock (_gate) return _closed; }
    }

    /// <summary>The segment with the smallest id ≥ <paramref name="id"/>, or null.</summary>
    internal SegmentInfo? SegmentAtOrAfter(int id)
    {
        lock (_segments)
        {
            foreach (var s in _segments) if (s.Id >= id) return s;
            return null;
        }
    }

    private static TaskCompletionSource<AppendStatus> NewGroup() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>
    /// The one writer: wakes when appends are pending, writes everything accumulated since its last pass as one group
    /// and fdatasyncs it once; appends arriving meanwhile accumulate for the next pass (group commit).
    /// </summary>
    private void WriteLoop()
    {
        try
        {
            while (true)
            {
                _wake.Wait();
                _wake.Reset(); // before taking the pending bytes: an append after this sets it again
                CommitPending();
                bool closed;
                lock (_gate) closed = _closed;
                if (closed)
                {
                    CommitPending(); // appends are refused once closed: this is the last of them
                    break;
                }
                if (_options.Fsync == FsyncPolicy.Interval && _dirty && IntervalElapsed()) Fsync();
            }
        }
        finally
        {
            _writerDone.TrySetResult();
        }
    }

    private void CommitPending()
    {
        byte[] buffer;
        int length, records;
        TaskCompletionSource<AppendStatus> group;
        lock (_gate)
        {
            if (_pendingLength == 0) return;
            buffer = _pending;
            length = _pendingLength;
            records = _pendingRecords;
            group = _group;
            _pending = _spare;
            _pendingLength = 0;
            _pendingRecords = 0;
            _group = NewGroup();
        }
        try
        {
            if (_faulted) throw new IOException("The log failed earlier.");
            WriteGroup(buffer.AsSpan(0, length));
            if (_options.Fsync == FsyncPolicy.Always || (_options.Fsync == FsyncPolicy.Interval && IntervalElapsed())) Fsync();
            Interlocked.Add(ref _recordsAppended, records);
            Interlocked.Increment(ref _groupsCommitted);
            PublishTail();
            group.TrySetResult(AppendStatus.Committed);
            PreallocateAhead();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ObjectDisposedException)
        {
            _faulted = true;
            DurableLogLog.WriteFailed(_options.Name, e);
            group.TrySetResult(AppendStatus.Unavailable);
        }
        lock (_gate) _spare = buffer;
    }

    private void WriteGroup(ReadOnlySpan<byte> data)
    {
        var runStart = 0;
        var at = 0;
        while (at < data.Length)
        {
            var size = LogRecordFormat.RecordHeaderSize + (int)System.Buffers.Binary.BinaryPrimitives.ReadUInt32LittleEndian(data[(at + 4)..]);
            if (_activeInfo.Length + (at - runStart) + size > _options.SegmentBytes && _activeInfo.Length + (at - runStart) > LogRecordFormat.SegmentHeaderSize)
            {
                WriteRun(data[runStart..at]);
                runStart = at;
                Roll();
            }
            at += size;
        }
        WriteRun(data[runStart..]);
    }

    private void WriteRun(ReadOnlySpan<byte> run)
    {
        if (run.IsEmpty) return;
        BeforeWrite(_activeInfo.Length + run.Length);
        RandomAccess.Write(_active, run, _activeInfo.Length);
        _dirty = true;
        lock (_segments)
        {
            _activeInfo.Length += run.Length;
            _activeInfo.LastWrite = _options.Clock.GetUtcNow();
        }
    }

    private bool IntervalElapsed() => _options.Clock.GetElapsedTime(_lastFsyncTicks) >= _options.FsyncInterval;

    private void Fsync()
    {
        if (!_dirty) return;
        DataSync.Flush(_active);
        _dirty = false;
        _lastFsyncTicks = _options.Clock.GetTimestamp();
        Interlocked.Increment(ref _fsyncs);
    }

    private void PublishTail()
    {
        _tail = new Tail(_activeInfo.Id, _activeInfo.Length);
        var old = Interlocked.Exchange(ref _commitSignal, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        old.TrySetResult();
    }

    private void Roll()
    {
        if (_options.Fsync != FsyncPolicy.Never) Fsync();
        TrimPreallocation();
        _active.Dispose();
        lock (_segments) _activeInfo.Sealed = true;
        CreateSegment(_activeInfo.Id + 1);
        PublishTail();
        ApplyRetention();
    }
}
