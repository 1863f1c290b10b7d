using System.Diagnostics.CodeAnalysis;

namespace Platform.Engine.Time;

/// <summary>
/// Per-partition event-time watermarks of one source (or of one worker's inputs), combined into one.
/// </summary>
/// <remarks>
/// <para>The watermark of a partition is the largest event time <see cref="Observe"/>d on it minus
/// <see cref="EventTimeOptions.AllowedLateness"/> (bounded out-of-orderness); <see cref="long.MinValue"/>
/// before its first record; <see cref="long.MaxValue"/> once <see cref="Complete"/>d.</para>
/// <para>A partition that has had no record for <see cref="EventTimeOptions.IdleTimeout"/> (measured with the
/// injected <see cref="TimeProvider"/> from its last record, or from construction when it never had one) is
/// idle: it no longer holds the combined watermark back, until it gets a record again.</para>
/// <para>The combined watermark (<see cref="Refresh"/>) is the minimum over the partitions that are neither
/// idle nor complete. When every unfinished partition is idle it is the largest watermark among them (nothing
/// is arriving, so the data seen so far is all there is); when every partition is complete it is
/// <see cref="long.MaxValue"/>. It never goes back: a smaller candidate leaves it where it is.</para>
/// <para>Single-threaded (one instance per source reader or worker); no call allocates.</para>
/// </remarks>
public sealed class WatermarkTracker
{
    private readonly long[] _maxSeen;
    private readonly long[] _lastActive;
    private readonly bool[] _complete;
    private readonly TimeProvider _clock;
    private readonly long _latenessMs;
    private readonly TimeSpan _idleTimeout;
    private readonly bool _idleEnabled;
    private int _completed;
    private long _current = long.MinValue;

    /// <summary>Creates a tracker of <paramref name="partitionCount"/> partitions.</summary>
    /// <param name="partitionCount">Number of partitions (1 or more), numbered from 0.</param>
    /// <param name="options">Allowed lateness and idle timeout (validated).</param>
    /// <param name="timeProvider">Wall clock for idleness; <see cref="TimeProvider.System"/> when null.</param>
    public WatermarkTracker(int partitionCount, EventTimeOptions? options = null, TimeProvider? timeProvider = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(partitionCount, 1);
        options = (options ?? EventTimeOptions.Default).Validate();
        _clock = timeProvider ?? TimeProvider.System;
        _latenessMs = options.AllowedLatenessMs;
        _idleTimeout = options.IdleTimeout;
        _idleEnabled = options.IdleTimeout != Timeout.InfiniteTimeSpan;
        _maxSeen = new long[partitionCount];
        _lastActive = new long[partitionCount];
        _complete = new bool[partitionCount];
        Array.Fill(_maxSeen, long.MinValue);
        Array.Fill(_lastActive, _clock.GetTimestamp());
    }

    /// <summary>Number of partitions.</summary>
    public int PartitionCount => _maxSeen.Length;

    /// <summary>The combined watermark as of the last <see cref="Refresh"/> (Unix ms; <see cref="long.MinValue"/> at first).</summary>
    public long Current => _current;

    /// <summary>True when every partition is complete.</summary>
    public bool IsComplete => _completed == _maxSeen.Length;

    /// <summary>Records that <paramref name="partition"/> delivered a record of time <paramref name="eventTime"/> (Unix ms); wakes it if idle.</summary>
    public void Observe(int partition, long eventTime)
    {
        if ((uint)partition >= (uint)_maxSeen.Length) ThrowPartition(partition);
        if (_complete[partition]) ThrowCompleted(partition);
        if (eventTime > _maxSeen[partition]) _maxSeen[partition] = eventTime;
        _lastActive[partition] = _clock.GetTimestamp();
    }

    /// <summary>Marks <paramref name="partition"/> finished (end of input): its watermark becomes <see cref="long.MaxValue"/>.</summary>
    public void Complete(int partition)
    {
        if ((uint)partition >= (uint)_maxSeen.Length) ThrowPartition(partition);
        if (_complete[partition]) return;
        _complete[partition] = true;
        _completed++;
    }

    /// <summary>Marks every partition finished; the next <see cref="Refresh"/> returns <see cref="long.MaxValue"/>.</summary>
    public void CompleteAll()
    {
        for (var p = 0; p < _complete.Length; p++) Complete(p);
    }

    /// <summary>The watermark of one partition: max event time seen − allowed lateness.</summary>
    public long PartitionWatermark(int partition)
    {
        if ((uint)partition >= (uint)_maxSeen.Length) ThrowPartition(partition);
        if (_complete[partition]) return long.MaxValue;
        var max = _maxSeen[partition];
        return max == long.MinValue ? long.MinValue : SaturatingSubtract(max, _latenessMs);
    }

    /// <summary>True when <paramref name="partition"/> is idle now (not complete, and no record for the idle timeout).</summary>
    public bool IsIdle(int partition)
    {
        if ((uint)partition >= (uint)_maxSeen.Length) ThrowPartition(partition);
        return IsIdle(partition, _clock.GetTimestamp());
    }

    /// <summary>Recomputes the combined watermark as of now and returns it (see the type's remarks).</summary>
    public long Refresh()
    {
        if (_completed == _maxSeen.Length)
        {
            _current = long.MaxValue;
            return _current;
        }

        var now = _idleEnabled ? _clock.GetTimestamp() : 0;
        var min = long.MaxValue;
        var idleMax = long.MinValue;
        var anyActive = false;
        for (var p = 0; p < _maxSeen.Length; p++)
        {
            if (_complete[p]) continue;
            var wm = PartitionWatermark(p);
            if (IsIdle(p, now))
            {
                if (wm > idleMax) idleMax = wm;
            }
            else
            {
                anyActive = true;
                if (wm < min) min = wm;
            }
        }

        var candidate = anyActive ? min : idleMax;
        if (candidate > _current) _current = candidate;
        return _current;
    }

    private bool IsIdle(int partition, long now) =>
        _idleEnabled && !_complete[partition] && _clock.GetElapsedTime(_lastActive[partition], now) >= _idleTimeout;

    private static long SaturatingSubtract(long a, long b) => a < long.MinValue + b ? long.MinValue : a - b;

    [DoesNotReturn]
    private void ThrowPartition(int partition) =>
        throw new ArgumentOutOfRangeException(nameof(partition), partition, $"Partition must be in [0, {_maxSeen.Length}).");

    [DoesNotReturn]
    private static void ThrowCompleted(int partition) =>
        throw new InvalidOperationException($"Partition {partition} is complete; it takes no more records.");
}
