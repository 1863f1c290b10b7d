using CsCheck;
using Platform.Engine.Time;

namespace Platform.Engine.Tests.Time;

public class WatermarkTrackerTests
{
    private static EventTimeOptions Options(long latenessMs, long idleMs) => new()
    {
        AllowedLateness = TimeSpan.FromMilliseconds(latenessMs),
        IdleTimeout = idleMs > 0 ? TimeSpan.FromMilliseconds(idleMs) : Timeout.InfiniteTimeSpan,
    };

    /// <summary>A naive model: every observed time kept, everything recomputed from scratch.</summary>
    private sealed class Model(int partitions, long latenessMs, long idleMs)
    {
        private readonly List<long>[] _times = Enumerable.Range(0, partitions).Select(_ => new List<long>()).ToArray();
        private readonly long[] _lastActiveMs = new long[partitions];
        private readonly bool[] _complete = new bool[partitions];
        private long _nowMs;
        private long _current = long.MinValue;

        public bool IsComplete(int p) => _complete[p];

        public void Observe(int p, long t)
        {
            _times[p].Add(t);
            _lastActiveMs[p] = _nowMs;
        }

        public void Advance(long ms) => _nowMs += ms;

        public void Complete(int p) => _complete[p] = true;

        public long Refresh()
        {
            var unfinished = Enumerable.Range(0, _times.Length).Where(p => !_complete[p]).ToList();
            if (unfinished.Count == 0) return _current = long.MaxValue;
            long Wm(int p) => _times[p].Count == 0 ? long.MinValue : _times[p].Max() - latenessMs;
            bool Idle(int p) => idleMs > 0 && _nowMs - _lastActiveMs[p] >= idleMs;
            var active = unfinished.Where(p => !Idle(p)).ToList();
            var candidate = active.Count > 0 ? active.Min(Wm) : unfinished.Max(Wm);
            return _current = Math.Max(_current, candidate);
        }
    }

    [Fact]
    public void Refresh_RandomOperations_MatchesModelAndNeverGoesBack() =>
        Gen.Select(
                Gen.Int[1, 4],
                Gen.Int[0, 2000],
                Gen.OneOf(Gen.Const(0), Gen.Int[1, 500]),
                Gen.Select(Gen.Int[0, 9], Gen.Int[0, 3], Gen.Int[-5000, 5000]).Array[0, 200])
            .Sample((partitions, lateness, idle, ops) =>
            {
                var clock = new ManualTimeProvider();
                var tracker = new WatermarkTracker(partitions, Options(lateness, idle), clock);
                var model = new Model(partitions, lateness, idle);
                var last = long.MinValue;
                foreach (var (kind, p0, x) in ops)
                {
                    var p = p0 % partitions;
                    switch (kind)
                    {
                        case <= 4:
                            if (model.IsComplete(p)) break;
                            tracker.Observe(p, x);
                            model.Observe(p, x);
                            break;
                        case 5:
                            clock.Advance(TimeSpan.FromMilliseconds(Math.Abs(x) % 300));
                            model.Advance(Math.Abs(x) % 300);
                            break;
                        case 6 when x % 7 == 0:
                            tracker.Complete(p);
                            model.Complete(p);
                            break;
                        default:
                            var wm = tracker.Refresh();
                            Assert.Equal(model.Refresh(), wm);
                            Assert.True(wm >= last);
                            Assert.Equal(wm, tracker.Current);
                            last = wm;
                            break;
                    }
                }
            }, iter: 500);

    [Fact]
    public void Refresh_SlowestPartitionHoldsWatermarkBack_MinusAllowedLateness()
    {
        var tracker = new WatermarkTracker(3, Options(100, 0), new ManualTimeProvider());
        tracker.Observe(0, 5000);
        tracker.Observe(1, 3000);
        Assert.Equal(long.MinValue, tracker.Refresh()); // partition 2 has no data yet
        tracker.Observe(2, 4000);
        Assert.Equal(2900, tracker.Refresh());
        tracker.Observe(1, 1000); // out of order: max stays 3000
        Assert.Equal(2900, tracker.Refresh());
    }

    [Fact]
    public void Refresh_IdlePartition_ExcludedUntilDataReturns()
    {
        var clock = new ManualTimeProvider();
        var tracker = new WatermarkTracker(2, Options(0, 1000), clock);
        tracker.Observe(0, 100);
        tracker.Observe(1, 50);
        Assert.Equal(50, tracker.Refresh());
        clock.Advance(TimeSpan.FromMilliseconds(600));
        tracker.Observe(0, 900);
        Assert.Equal(50, tracker.Refresh());
        clock.Advance(TimeSpan.FromMilliseconds(400)); // partition 1 silent for 1 s: idle
        Assert.True(tracker.IsIdle(1));
        Assert.Equal(900, tracker.Refresh());
        tracker.Observe(1, 60); // back, but behind: the watermark does not go back
        Assert.False(tracker.IsIdle(1));
        Assert.Equal(900, tracker.Refresh());
        tracker.Observe(1, 2000);
        tracker.Observe(0, 1500);
        Assert.Equal(1500, tracker.Refresh());
    }

    [Fact]
    public void Complete_EveryPartition_WatermarkIsMaxValue()
    {
        var tracker = new WatermarkTracker(2, Options(0, 0), new ManualTimeProvider());
        tracker.Observe(0, 10);
        tracker.Complete(0);
        Assert.Equal(long.MinValue, tracker.Refresh());
        tracker.Observe(1, 20);
        Assert.Equal(20, tracker.Refresh());
        tracker.Complete(1);
        Assert.Equal(long.MaxValue, tracker.Refresh());
        Assert.True(tracker.IsComplete);
    }

    [Fact]
    public void Observe_CompletedPartition_ThrowsInvalidOperation()
    {
        var tracker = new WatermarkTracker(1, Options(0, 0), new ManualTimeProvider());
        tracker.Complete(0);
        Assert.Throws<InvalidOperationException>(() => tracker.Observe(0, 1));
    }

    [Fact]
    public void ObserveAndRefresh_SteadyState_AllocateNothing()
    {
        var clock = new ManualTimeProvider();
        var tracker = new WatermarkTracker(8, Options(1000, 5000), clock);
        long t = 0;
        for (var i = 0; i < 1000; i++) tracker.Observe(i % 8, t++);
        tracker.Refresh();
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 100_000; i++)
        {
            tracker.Observe(i % 8, t++);
            if (i % 64 == 0) tracker.Refresh();
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public void Validate_NegativeLateness_ThrowsArgumentOutOfRange() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new EventTimeOptions { AllowedLateness = TimeSpan.FromSeconds(-1) }.Validate());
}
