using System.Threading.Channels;

namespace Platform.Sinks.Alerts;

/// <summary>
/// Where a running pipeline's alerts go: straight into the <see cref="AlertFeed"/> (the dashboard's
/// table) and, through a bounded queue drained by one background task, into the notification sink.
/// <see cref="Publish"/> never blocks the stage that raised the alert: when notifications fall behind
/// by <see cref="QueueCapacity"/> alerts, further ones are counted in <see cref="Dropped"/> and shown
/// on the dashboard only. The notification sink can be replaced while running (hot reload).
/// </summary>
public sealed class AlertHub : IAsyncDisposable
{
    /// <summary>Alerts waiting for notification at most.</summary>
    public const int QueueCapacity = 10_000;

    private readonly Channel<Alert> _queue = Channel.CreateBounded<Alert>(new BoundedChannelOptions(QueueCapacity)
    { SingleReader = true, FullMode = BoundedChannelFullMode.DropWrite });
    private readonly Task _pump;
    private volatile AlertNotificationSink? _notifications;
    private long _dropped;
    private long _published;

    /// <summary>Creates a hub over <paramref name="feed"/>, notifying through <paramref name="notifications"/> (null = dashboard only).</summary>
    public AlertHub(AlertFeed feed, AlertNotificationSink? notifications = null)
    {
        Feed = feed ?? throw new ArgumentNullException(nameof(feed));
        _notifications = notifications;
        _pump = Task.Run(PumpAsync);
    }

    /// <summary>The recent alerts, for the dashboard.</summary>
    public AlertFeed Feed { get; }

    /// <summary>Alerts published.</summary>
    public long Published => Interlocked.Read(ref _published);

    /// <summary>Alerts not notified because the queue was full.</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    /// <summary>The notification sink in effect (null = none).</summary>
    public AlertNotificationSink? Notifications => _notifications;

    /// <summary>Swaps the notification sink; returns the old one, for the caller to dispose.</summary>
    public AlertNotificationSink? Replace(AlertNotificationSink? notifications) => Interlocked.Exchange(ref _notifications, notifications);

    /// <summary>Shows <paramref name="alert"/> on the dashboard and queues it for notification. Thread-safe, non-blocking.</summary>
    public void Publish(Alert alert)
    {
        ArgumentNullException.ThrowIfNull(alert);
        Interlocked.Increment(ref _published);
        Feed.Publish(alert);
        if (_notifications is not { } sink) return;
        sink.Record(alert); // tables and topics get every alert, straight away, whatever the notification queue does
        if (!sink.HasNotifiers) return;
        if (!_queue.Writer.TryWrite(alert)) Interlocked.Increment(ref _dropped);
    }

    private async Task PumpAsync()
    {
        await foreach (var alert in _queue.Reader.ReadAllAsync())
        {
            if (_notifications is not { } sink) continue;
            try
            {
                await sink.NotifyAsync(alert);
            }
            catch (ObjectDisposedException)
            {
                // Replaced and disposed by a reload between the read and the send: the next alert uses the new sink.
            }
        }
    }

    /// <summary>Sends what is queued (bounded by the notifiers' own timeouts), then stops.</summary>
    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await _pump;
        Replace(null)?.Dispose();
    }
}
