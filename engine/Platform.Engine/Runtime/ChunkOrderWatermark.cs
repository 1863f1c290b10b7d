using Platform.Engine.Time;

namespace Platform.Engine.Runtime;

/// <summary>
/// The source's event-time watermark when its chunks are parsed out of order by several workers.
/// A chunk's records only count toward the watermark once every earlier chunk has been parsed and
/// sent on: a record of an unparsed chunk is at or after (max event time of every chunk before
/// it − allowed lateness), so the watermark never overtakes a record still in flight.
/// Per-partition maxima, lateness and idleness are the <see cref="WatermarkTracker"/>'s.
/// Called once per chunk, so a lock is cheap here.
/// </summary>
internal sealed class ChunkOrderWatermark(int partitions, EventTimeOptions options, TimeProvider clock)
{
    private readonly object _lock = new();
    private readonly Dictionary<long, (int Partition, long MaxTime)> _parsedAhead = [];
    private readonly WatermarkTracker _tracker = new(Math.Max(1, partitions), options, clock);
    private long _nextSequence;

    /// <summary>The current watermark (idle partitions re-evaluated).</summary>
    public long Current
    {
        get
        {
            lock (_lock) return _tracker.Refresh();
        }
    }

    /// <summary>Records that chunk <paramref name="sequence"/> is parsed and sent; returns the watermark.</summary>
    public long Complete(long sequence, int partition, long maxEventTime)
    {
        lock (_lock)
        {
            _parsedAhead[sequence] = (partition, maxEventTime);
            while (_parsedAhead.Remove(_nextSequence, out var done))
            {
                _nextSequence++;
                _tracker.Observe(done.Partition, done.MaxTime);
            }
            return _tracker.Refresh();
        }
    }
}
