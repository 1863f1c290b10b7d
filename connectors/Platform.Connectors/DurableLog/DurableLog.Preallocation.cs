namespace Platform.Connectors.DurableLog;

/// <summary>
/// Under <see cref="FsyncPolicy.Always"/> the active segment is zero-filled and synced a few MiB ahead of the appends,
/// off the writer's thread. An append then overwrites space the file already has: the size does not change, so the
/// commit's <c>fdatasync</c> flushes the data alone — no filesystem journal commit, which on a shared disk queues
/// behind every other writer's metadata. The journal work happens once per window, in the background, where nobody
/// waits for it. Recovery treats a zero-filled tail as the end of the data; sealing and closing trim it.
/// </summary>
public sealed partial class DurableLog
{
    /// <summary>Zero-filled bytes kept ahead of the appends.</summary>
    internal const long PreallocationWindow = 4L << 20;

    private static readonly byte[] Zeros = new byte[1 << 20];

    /// <summary>The active segment's bytes from here on may be written by the zeroing task; below it they are zero-filled and synced.</summary>
    private long _zeroedEnd;

    private Task _zeroing = Task.CompletedTask;
    private bool _preallocationFailed;

    private bool Preallocates => _options.Preallocate && _options.Fsync == FsyncPolicy.Always && !_preallocationFailed;

    /// <summary>Writer thread, before writing up to <paramref name="end"/>: never write where the zeroing task is writing.</summary>
    private void BeforeWrite(long end)
    {
        if (end > Volatile.Read(ref _zeroedEnd) && !_zeroing.IsCompleted) _zeroing.Wait();
    }

    /// <summary>Writer thread, after a commit (and on a new segment): zero-fill the next window when half of this one is used.</summary>
    private void PreallocateAhead()
    {
        if (!Preallocates || !_zeroing.IsCompleted) return;
        var written = _activeInfo.Length;
        var from = Math.Max(written, Volatile.Read(ref _zeroedEnd));
        if (from - written >= PreallocationWindow / 2) return;
        var to = Math.Min(_options.SegmentBytes, from + PreallocationWindow);
        if (to <= from) return;
        var file = _active;
        _zeroing = Task.Run(() =>
        {
            try
            {
                for (var at = from; at < to; at += Zeros.Length) RandomAccess.Write(file, Zeros.AsSpan(0, (int)Math.Min(Zeros.Length, to - at)), at);
                // A full fsync: the new size and extents reach the journal here, not in a commit someone waits for.
                RandomAccess.FlushToDisk(file);
                Volatile.Write(ref _zeroedEnd, to);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or ObjectDisposedException)
            {
                // Appends still work (they grow the file); only the journal-free fsync is lost.
                _preallocationFailed = true;
                DurableLogLog.PreallocationFailed(_options.Name, e);
            }
        });
    }

    /// <summary>Before sealing or closing the active segment: wait for the zeroing task and cut the file to its data.</summary>
    private void TrimPreallocation()
    {
        try
        {
            _zeroing.Wait();
        }
        catch (AggregateException)
        {
        }
        if (RandomAccess.GetLength(_active) > _activeInfo.Length) RandomAccess.SetLength(_active, _activeInfo.Length);
        _zeroedEnd = _activeInfo.Length;
    }
}
