using System.Collections.Concurrent;

namespace Platform.Connectors.Ingest;

/// <summary>
/// Ids seen within a time window (Segment <c>messageId</c>, Twitch message ids), bounded by a
/// capacity: the oldest are forgotten first. Thread-safe.
/// </summary>
internal sealed class SeenIds(TimeSpan window, int capacity, TimeProvider clock)
{
    private readonly ConcurrentDictionary<string, long> _seen = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<(string Id, long At)> _order = new();
    private readonly long _windowTicks = (long)(window.TotalSeconds * clock.TimestampFrequency);

    public int Count => _seen.Count;

    /// <summary>True when <paramref name="id"/> was marked within the window.</summary>
    public bool Contains(string id)
    {
        Expire();
        return _seen.TryGetValue(id, out var at) && clock.GetTimestamp() - at <= _windowTicks;
    }

    /// <summary>Marks <paramref name="id"/>; false when it was already marked within the window.</summary>
    public bool TryMark(string id)
    {
        Expire();
        var now = clock.GetTimestamp();
        if (!_seen.TryAdd(id, now)) return false;
        _order.Enqueue((id, now));
        return true;
    }

    private void Expire()
    {
        var now = clock.GetTimestamp();
        while (_order.TryPeek(out var head) && (now - head.At > _windowTicks || _seen.Count > capacity))
        {
            if (!_order.TryDequeue(out head)) break;
            _seen.TryRemove(new KeyValuePair<string, long>(head.Id, head.At));
        }
    }
}
