namespace Platform.Engine.Runtime;

/// <summary>
/// The source's event-time watermark when its chunks are parsed out of order by several workers.
/// A chunk's records only count toward the watermark once every earlier chunk has been parsed and
/// sent on: a record of an unparsed chunk is at or after (max event time of every chunk before
/// it − allowed lateness), so the watermark never overtakes a record still in flight.
/// Per partition: max event time − allowed lateness; the source: the minimum over partitions
/// that are not idle. Called once per chunk, so a lock is cheap here.
/// </summary>
internal sealed class ChunkOrderWatermark
{
    private readonly object _lock = new();
    private readonly Dictionary<long, (int Partition, long MaxTime)> _parsedAhead = [];
    private readonly long[] _partitionMax;
    private readonly long[] _partitionLastSeen;
    private readonly long _lateness;
    private readonly long _idleTicks;
    private readonly TimeProvider _clock;
    private long _nextSequence;
    private long _current = long.MinValue;

    public ChunkOrderWatermark(int partitions, TimeSpan allowedLateness, TimeSpan idleTimeout, TimeProvider clock)
    {
        _partitionMax = new long[Math.Max(1, partitions)];
        Array.Fill(_partitionMax, long.MinValue);
        _partitionLastSeen = new long[_partitionMax.Length];
        _lateness = (long)allowedLateness.TotalMilliseconds;
        _clock = clock;
        _idleTicks = (long)(idleTimeout.TotalSeconds * clock.TimestampFrequency);
        var now = clock.GetTimestamp();
        Array.Fill(_partitionLastSeen, now);
    }

    /// <summary>The current watermark (idle partitions re-evaluated).</summary>
    public long Current
    {
        get
        {
            lock (_lock) return Recompute();
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
                var p = done.Partition;
                _partitionMax[p] = Math.Max(_partitionMax[p], done.MaxTime);
                _partitionLastSeen[p] = _clock.GetTimestamp();
            }
            return Recompute();
        }
    }

    private long Recompute()
    {
        var now = _clock.GetTimestamp();
        var min = long.MaxValue;
        var anyActive = false;
        for (var p = 0; p < _partitionMax.Length; p++)
        {
            if (now - _partitionLastSeen[p] > _idleTicks) continue;
            anyActive = true;
            min = Math.Min(min, _partitionMax[p]);
        }
        if (!anyActive) min = _partitionMax.Max();
        var candidate = min == long.MinValue ? long.MinValue : min - _lateness;
        // Monotonic: an idle partition coming back never moves the watermark backwards.
        if (candidate > _current) _current = candidate;
        return _current;
    }
}
