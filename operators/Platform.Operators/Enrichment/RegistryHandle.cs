namespace Platform.Operators.Enrichment;

/// <summary>
/// The registry currently in force, shared by every worker's enrich operator. A refresh builds the
/// new table on a thread-pool thread and publishes it with one reference write, so the stream never
/// waits: records already looked up keep the old row, later ones see the new table. A failed load
/// keeps the old table and is reported through <see cref="LastError"/>.
/// </summary>
public sealed class RegistryHandle : IDisposable
{
    private readonly Func<DeviceRegistry> _load;
    private int _refreshing; // 1 while a refresh loop runs
    private DeviceRegistry _current;
    private FileSystemWatcher? _watcher;
    private Timer? _timer;
    private long _version;
    private int _requested;
    private volatile bool _disposed;

    /// <summary>Loads the first table synchronously (a pipeline must not start without its registry).</summary>
    public RegistryHandle(Func<DeviceRegistry> load)
    {
        _load = load;
        _current = load();
        _version = 1;
    }

    /// <summary>The table in force.</summary>
    public DeviceRegistry Current => Volatile.Read(ref _current);

    /// <summary>How many tables have been published (1 after the constructor).</summary>
    public long Version => Interlocked.Read(ref _version);

    /// <summary>The last refresh failure, or null.</summary>
    public Exception? LastError { get; private set; }

    /// <summary>
    /// Builds a new table off the calling thread and swaps it in. Calls during a load coalesce into one more
    /// load after it, so a change that lands while a load is reading is never missed.
    /// </summary>
    public async Task RefreshAsync()
    {
        Interlocked.Exchange(ref _requested, 1);
        while (true)
        {
            if (_disposed || Interlocked.CompareExchange(ref _refreshing, 1, 0) != 0) return;
            try
            {
                while (Interlocked.Exchange(ref _requested, 0) == 1)
                {
                    try
                    {
                        var next = await Task.Run(_load).ConfigureAwait(false);
                        Volatile.Write(ref _current, next);
                        Interlocked.Increment(ref _version);
                        LastError = null;
                    }
                    catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException)
                    {
                        // The old table stays in force; a half-written file is read again at its next change event.
                        LastError = e;
                        Failed?.Invoke(e);
                    }
                }
            }
            finally
            {
                Volatile.Write(ref _refreshing, 0);
            }
            // A request that came after the loop's last check but before the release found the gate shut: take it now.
            if (Volatile.Read(ref _requested) == 0) return;
        }
    }

    /// <summary>Told about every failed refresh (the old table stays in force).</summary>
    public Action<Exception>? Failed { get; set; }

    /// <summary>Refreshes whenever <paramref name="path"/> is rewritten.</summary>
    public void WatchFile(string path)
    {
        var full = Path.GetFullPath(path);
        _watcher = new FileSystemWatcher(Path.GetDirectoryName(full)!, Path.GetFileName(full))
        {
            NotifyFilter = NotifyFilters.LastWrite | NotifyFilters.Size | NotifyFilters.FileName,
        };
        _watcher.Changed += (_, _) => _ = RefreshAsync();
        _watcher.Created += (_, _) => _ = RefreshAsync();
        _watcher.Renamed += (_, _) => _ = RefreshAsync();
        _watcher.EnableRaisingEvents = true;
    }

    /// <summary>Refreshes every <paramref name="interval"/> (e.g. for a database table).</summary>
    public void RefreshEvery(TimeSpan interval) =>
        _timer = new Timer(_ => _ = RefreshAsync(), null, interval, interval);

    /// <inheritdoc />
    public void Dispose()
    {
        _disposed = true;
        _watcher?.Dispose();
        _timer?.Dispose();
    }
}
