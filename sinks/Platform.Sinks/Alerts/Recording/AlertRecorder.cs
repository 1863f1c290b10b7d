using System.Threading.Channels;

namespace Platform.Sinks.Alerts.Recording;

/// <summary>
/// Keeps every alert somewhere durable (a table, a topic): unlike notifications, nothing is throttled or
/// filtered by severity. <see cref="Record"/> never blocks the caller; one background task drains the queue
/// in batches of up to <see cref="MaxBatch"/>, so a table gets one appender pass per batch, not a row at a
/// time. A failed batch is counted and reported through <see cref="LastError"/>; recording goes on.
/// <see cref="Dispose"/> writes what is queued, then closes.
/// </summary>
public abstract class AlertRecorder : IDisposable
{
    /// <summary>Alerts waiting at most; more are counted in <see cref="Dropped"/>.</summary>
    public const int QueueCapacity = 100_000;

    /// <summary>Alerts per write at most.</summary>
    public const int MaxBatch = 4096;

    private readonly Channel<Alert> _queue = Channel.CreateBounded<Alert>(new BoundedChannelOptions(QueueCapacity)
    { SingleReader = true, FullMode = BoundedChannelFullMode.DropWrite });
    private readonly Task _pump;
    private long _written;
    private long _dropped;
    private long _failed;
    private int _disposed;

    /// <summary>Starts the background writer (it writes nothing before the first <see cref="Record"/>, which only a constructed recorder can get).</summary>
    protected AlertRecorder() => _pump = Task.Run(PumpAsync);

    /// <summary>Where alerts go, e.g. <c>duckdb out/alerts.duckdb</c>.</summary>
    public abstract string Name { get; }

    /// <summary>Alerts written.</summary>
    public long Written => Interlocked.Read(ref _written);

    /// <summary>Alerts not queued because the queue was full.</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    /// <summary>Alerts in batches that failed to write.</summary>
    public long Failed => Interlocked.Read(ref _failed);

    /// <summary>The last write failure, or null.</summary>
    public Exception? LastError { get; private set; }

    /// <summary>Queues <paramref name="alert"/>. Thread-safe, non-blocking.</summary>
    public void Record(Alert alert)
    {
        ArgumentNullException.ThrowIfNull(alert);
        if (!_queue.Writer.TryWrite(alert)) Interlocked.Increment(ref _dropped);
    }

    /// <summary>Writes one batch (in arrival order).</summary>
    protected abstract Task WriteAsync(IReadOnlyList<Alert> batch);

    /// <summary>Releases the target after the last batch.</summary>
    protected virtual void Close()
    {
    }

    private async Task PumpAsync()
    {
        var batch = new List<Alert>(256);
        while (await _queue.Reader.WaitToReadAsync().ConfigureAwait(false))
        {
            while (batch.Count < MaxBatch && _queue.Reader.TryRead(out var alert)) batch.Add(alert);
            try
            {
                await WriteAsync(batch).ConfigureAwait(false);
                Interlocked.Add(ref _written, batch.Count);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                Interlocked.Add(ref _failed, batch.Count);
                LastError = e;
            }
            batch.Clear();
        }
    }

    /// <summary>Writes what is queued, then closes the target.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        _queue.Writer.TryComplete();
        _pump.GetAwaiter().GetResult();
        Close();
        GC.SuppressFinalize(this);
    }
}
