using Platform.Engine.Windows;

namespace Platform.Engine.Tests.Windows;

/// <summary>An exact result row of the reference: the window's values, kept whole.</summary>
internal sealed record ExactRow(long Key, long Start, long End, double[] Values, bool IsUpdate)
{
    public override string ToString() =>
        $"k{Key}[{Start},{End}) n={Values.Length} values=[{string.Join(",", Values)}] upd={IsUpdate}";
}

/// <summary>
/// A deliberately naive model of <see cref="WindowStatsOperator{TIn, TKey, TTime, TValue}"/>'s documented
/// semantics: lists of values, brute-force window membership, linear scans, no incremental state.
/// </summary>
internal sealed class ReferenceWindows(WindowSpec spec, LatePolicy policy, long retentionMs)
{
    private sealed class Win
    {
        public long Key;
        public long Start;
        public long End;
        public List<double> Values = [];
        public bool Fired;
        public bool Emitted;
    }

    private readonly List<Win> _windows = [];
    private readonly long _retention = policy == LatePolicy.Update ? retentionMs : 0;
    private long _w = long.MinValue;

    public List<ExactRow> Output { get; } = [];
    public List<int> Side { get; } = [];
    public long LateDropped { get; private set; }
    public long LateSideOutput { get; private set; }
    public long LateUpdated { get; private set; }
    public long WindowsFired { get; private set; }
    /// <summary>Records that merged two or more existing sessions (coverage).</summary>
    public long Bridges { get; private set; }
    /// <summary>Rows fired with IsUpdate (re-opened sessions) (coverage).</summary>
    public long RefiredUpdates { get; private set; }

    public void OnRecord(Rec r)
    {
        if (spec.IsSession) OnSessionRecord(r);
        else OnFixedRecord(r);
    }

    public void OnWatermark(long w)
    {
        if (w <= _w) return;
        _w = w;
        var due = _windows.Where(x => !x.Fired && x.End <= w).OrderBy(x => x.End).ThenBy(x => x.Key).ToList();
        foreach (var x in due)
        {
            Output.Add(Row(x, x.Emitted));
            if (x.Emitted) RefiredUpdates++;
            x.Fired = true;
            x.Emitted = true;
            WindowsFired++;
        }
    }

    /// <summary>Every start s (a multiple of the slide) with s ≤ t &lt; s + size, found by scanning.</summary>
    private List<long> StartsOf(long t)
    {
        var starts = new List<long>();
        var m = (long)Math.Floor((double)(t - spec.SizeMs) / spec.SlideMs) - 2;
        for (; m * spec.SlideMs <= t + spec.SlideMs; m++)
        {
            var s = m * spec.SlideMs;
            if (s <= t && t < s + spec.SizeMs) starts.Add(s);
        }

        return starts;
    }

    private void OnFixedRecord(Rec r)
    {
        var starts = StartsOf(r.Time);
        var late = starts.All(s => _w >= s + spec.SizeMs);
        if (late && policy != LatePolicy.Update)
        {
            LateNotUpdated(r);
            return;
        }

        var updated = false;
        foreach (var s in starts)
        {
            var end = s + spec.SizeMs;
            var fired = _w >= end;
            if (fired && !(policy == LatePolicy.Update && _w < end + _retention)) continue;
            var win = _windows.FirstOrDefault(x => x.Key == r.Key && x.Start == s);
            if (win is null)
            {
                win = new Win { Key = r.Key, Start = s, End = end, Fired = fired };
                _windows.Add(win);
            }

            win.Values.Add(r.Value);
            if (fired)
            {
                Output.Add(Row(win, isUpdate: true));
                win.Emitted = true;
                updated = true;
            }
        }

        if (late)
        {
            if (updated) LateUpdated++;
            else LateDropped++;
        }
    }

    private bool Alive(Win x) => !x.Fired || (policy == LatePolicy.Update && _w < x.End + _retention);

    private void OnSessionRecord(Rec r)
    {
        var end = r.Time + spec.GapMs;
        var late = end <= _w;
        if (late && policy != LatePolicy.Update)
        {
            LateNotUpdated(r);
            return;
        }

        var overlapping = _windows.Where(x => x.Key == r.Key && Alive(x) && x.Start < end && r.Time < x.End).OrderBy(x => x.Start).ToList();
        if (overlapping.Count == 0 && late && end + _retention <= _w)
        {
            LateDropped++;
            return;
        }

        if (overlapping.Count >= 2) Bridges++;
        var merged = new Win { Key = r.Key, Start = r.Time, End = end };
        foreach (var x in overlapping)
        {
            merged.Start = Math.Min(merged.Start, x.Start);
            merged.End = Math.Max(merged.End, x.End);
            merged.Values.AddRange(x.Values);
            merged.Emitted |= x.Emitted;
            _windows.Remove(x);
        }

        merged.Values.Add(r.Value);
        _windows.Add(merged);
        if (merged.End <= _w)
        {
            merged.Fired = true;
            Output.Add(Row(merged, isUpdate: true));
            merged.Emitted = true;
        }

        if (late) LateUpdated++;
    }

    private void LateNotUpdated(Rec r)
    {
        if (policy == LatePolicy.SideOutput)
        {
            Side.Add(r.Id);
            LateSideOutput++;
        }
        else
        {
            LateDropped++;
        }
    }

    private static ExactRow Row(Win x, bool isUpdate) => new(x.Key, x.Start, x.End, [.. x.Values], isUpdate);

    /// <summary>Exact nearest-rank quantile: the value of rank max(1, ceil(q·n)).</summary>
    public static double NearestRank(double[] sorted, double q)
    {
        var rank = (long)Math.Ceiling(q * sorted.Length);
        return sorted[Math.Clamp(rank, 1, sorted.Length) - 1];
    }
}
