using System.Runtime.CompilerServices;
using Platform.Engine.Aggregates;
using Platform.Engine.Batching;
using Platform.Engine.Contracts;
using Platform.Engine.Records;

namespace Platform.Engine.Windows;

/// <summary>
/// Windowed statistics per key: count, sum, min, max, mean, population variance and p50/p95/p99 (quantile
/// sketch) of the selected value, for tumbling, hopping or session windows on event time. One instance per
/// keyed worker; single-threaded. Selectors are struct type parameters, so the loop is specialised by the JIT.
/// </summary>
/// <remarks>
/// <para><b>Watermark.</b> <see cref="OnWatermark"/> moves the operator's watermark <c>W</c> forward (a smaller
/// value is ignored; it starts at <see cref="long.MinValue"/>). Lateness is always judged against the last
/// watermark passed in, never against record times.</para>
/// <para><b>Firing.</b> A window <c>[start, end)</c> fires when <c>W ≥ end</c>: one <see cref="WindowResult"/> per key
/// with data in it. The results of one <see cref="OnWatermark"/> call are emitted ordered by window end, then
/// key. <c>OnWatermark(long.MaxValue)</c> (end of input) fires everything and frees all state.</para>
/// <para><b>Lateness (tumbling, hopping).</b> A record at <c>t</c> belongs to the windows with
/// <c>t − size &lt; start ≤ t</c> (epoch-aligned). It is late when every one of them has fired, i.e. when
/// <c>W ≥ LastWindowStart(t) + size</c>. A record that is not late goes into its unfired windows; its windows that
/// already fired are skipped, except under <see cref="LatePolicy.Update"/> (below).</para>
/// <para><b>Sessions.</b> Each record opens <c>[t, t + gap)</c>; per key, sessions whose ranges overlap merge
/// (so records less than <c>gap</c> apart share a session, and an out-of-order record can bridge two sessions
/// into one). A session is <c>[first time, last time + gap)</c> and fires when <c>W ≥ last time + gap</c>.
/// A record is late when <c>t + gap ≤ W</c>. A record that is not late merges with every live session of its key
/// it overlaps (live: open, or retained under Update).</para>
/// <para><b>Late records.</b> <see cref="LatePolicy.Drop"/>: counted in <see cref="LateDropped"/>.
/// <see cref="LatePolicy.SideOutput"/>: the record is emitted, unchanged, to the side output and counted in
/// <see cref="LateSideOutput"/>. <see cref="LatePolicy.Update"/>: a fired window keeps its state while
/// <c>W &lt; end + UpdateRetention</c>, and is freed after. A record for a fired window within that retention is
/// added to it (creating it if it had no data) and a revised result with <c>IsUpdate = true</c> is emitted at
/// once — for each such window of the record, in ascending window start; this applies to the fired windows of a
/// non-late hopping record too. A late record that updated at least one window counts in <see cref="LateUpdated"/>;
/// one that found all its windows past retention counts in <see cref="LateDropped"/>. For sessions under Update,
/// a late record merges with the live sessions it overlaps (or forms <c>[t, t + gap)</c>); when the merged session
/// has fired (end ≤ W) its revision is emitted at once with <c>IsUpdate = true</c>, when it is still open (the late
/// record reached into an open session) it fires later as usual; if the merged end + retention ≤ W the record is
/// dropped and counted instead. A non-late record that reaches into a retained session re-opens it; it fires
/// again, with <c>IsUpdate = true</c>. When a record bridges two sessions that were both emitted, the merged
/// session's revision supersedes both; no retraction is sent for the later one's row.</para>
/// <para><b>Invalid input.</b> A record whose value is NaN or infinite, or whose time is outside
/// [<see cref="WindowSpec.MinTimestamp"/>, <see cref="WindowSpec.MaxTimestamp"/>], is skipped and counted in
/// <see cref="InvalidDropped"/>.</para>
/// <para><b>Cost.</b> Steady state (windows opening and closing over a stable key set) allocates nothing: slots,
/// map, heap and sketch buckets are reused. Per key and window: a ~200-byte slot plus the sketch's buckets
/// (4 bytes each, 8 … 2×distinct buckets).</para>
/// </remarks>
public sealed partial class WindowStatsOperator<TIn, TKey, TTime, TValue> : IKeyedOperator<TIn, WindowResult>
    where TKey : struct, IKeySelector<TIn>
    where TTime : struct, IEventTimeSelector<TIn>
    where TValue : struct, IValueSelector<TIn>
{
    private static readonly double[] s_quantiles = [0.5, 0.95, 0.99];

    private readonly WindowOperatorOptions _options;
    private readonly IBatchOutput<TIn>? _sideOutput;
    private readonly SketchArena _arena;
    private readonly WindowStore _store;
    private readonly WindowKind _kind;
    private readonly long _size;
    private readonly long _slide;
    private readonly long _gap;
    private readonly long _retention;
    private readonly LatePolicy _policy;
    private TKey _keySelector;
    private TTime _timeSelector;
    private TValue _valueSelector;
    private long _watermark = long.MinValue;
    private WindowStore.HeapEntry[] _due = new WindowStore.HeapEntry[256];

    /// <summary>Due windows fired one by one before the rest are taken from the heap in bulk.</summary>
    private const int BulkFireAfter = 64;

    /// <summary>Records (or windows) ahead of the current one whose state is prefetched; twice this for the map entry.</summary>
    private const int PrefetchDistance = 8;

    /// <summary>Creates the operator.</summary>
    /// <param name="options">Windows, late policy, retention, sketch accuracy (validated here).</param>
    /// <param name="sideOutput">Where late records go under <see cref="LatePolicy.SideOutput"/> (required then).</param>
    /// <param name="keySelector">Key selector instance (default: <c>default(TKey)</c>).</param>
    /// <param name="timeSelector">Event-time selector instance.</param>
    /// <param name="valueSelector">Value selector instance.</param>
    public WindowStatsOperator(
        WindowOperatorOptions options,
        IBatchOutput<TIn>? sideOutput = null,
        TKey keySelector = default,
        TTime timeSelector = default,
        TValue valueSelector = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options.Validate();
        if (options.LatePolicy == LatePolicy.SideOutput && sideOutput is null)
            throw new ArgumentNullException(nameof(sideOutput), "LatePolicy.SideOutput needs a side output.");
        _sideOutput = sideOutput;
        _keySelector = keySelector;
        _timeSelector = timeSelector;
        _valueSelector = valueSelector;
        var spec = options.Spec;
        _kind = spec.Kind;
        _size = spec.SizeMs;
        _slide = spec.SlideMs;
        _gap = spec.GapMs;
        _policy = options.LatePolicy;
        _retention = options.LatePolicy == LatePolicy.Update ? options.UpdateRetentionMs : 0;
        _arena = new SketchArena(options.SketchRelativeAccuracy, options.SketchMaxBuckets);
        _store = new WindowStore(keyOnly: spec.Kind == WindowKind.Session);
    }

    /// <summary>The options.</summary>
    public WindowOperatorOptions Options => _options;

    /// <summary>The operator's watermark (largest passed to <see cref="OnWatermark"/>).</summary>
    public long Watermark => _watermark;

    /// <summary>Late records dropped (policy Drop, or Update past retention).</summary>
    public long LateDropped { get; private set; }

    /// <summary>Late records sent to the side output.</summary>
    public long LateSideOutput { get; private set; }

    /// <summary>Late records absorbed by policy Update.</summary>
    public long LateUpdated { get; private set; }

    /// <summary>Records skipped for a non-finite value or an out-of-range time.</summary>
    public long InvalidDropped { get; private set; }

    /// <summary>Results emitted by firing (<c>IsUpdate</c> false, or true for a re-opened session).</summary>
    public long WindowsFired { get; private set; }

    /// <summary>Revised results emitted at once for late data (policy Update).</summary>
    public long UpdatesEmitted { get; private set; }

    /// <summary>Key × window states not fired yet.</summary>
    public int OpenWindows { get; private set; }

    /// <summary>Fired key × window states kept for late updates.</summary>
    public int RetainedWindows { get; private set; }

    /// <summary>Approximate bytes of state (slots, map, heap, sketch buckets).</summary>
    public long StateBytes => _store.FootprintBytes + _arena.BucketsReserved * sizeof(uint) + _arena.SpillTableBytes;

    /// <inheritdoc />
    public void OnRecords(ReadOnlySpan<TIn> input, IBatchOutput<WindowResult> output)
    {
        if (_kind == WindowKind.Tumbling)
        {
            OnTumblingRecords(input, output);
            return;
        }

        for (var i = 0; i < input.Length; i++)
        {
            ref readonly var record = ref input[i];
            var t = _timeSelector.TimeOf(in record);
            var v = _valueSelector.ValueOf(in record);
            if (!double.IsFinite(v) || t < WindowSpec.MinTimestamp || t > WindowSpec.MaxTimestamp)
            {
                InvalidDropped++;
                continue;
            }

            var key = _keySelector.KeyOf(in record);
            switch (_kind)
            {
                case WindowKind.Tumbling:
                    {
                        var start = WindowSpec.FloorDiv(t, _size) * _size;
                        var end = start + _size;
                        if (end > _watermark) AddToOpen(key, start, end, v);
                        else OnLateFixed(in record, key, start, start, v, output);
                        break;
                    }
                case WindowKind.Hopping:
                    OnHoppingRecord(in record, key, t, v, output);
                    break;
                default:
                    OnSessionRecord(in record, key, t, v, output);
                    break;
            }
        }
    }

    /// <summary>
    /// The tumbling case of <see cref="OnRecords"/>, software-pipelined: with many keys each record's map entry and
    /// slot are cache misses, so the map entry of record i + 2d and the slot of record i + d are requested while
    /// record i is applied (d = <see cref="PrefetchDistance"/>), and the misses overlap instead of queueing.
    /// Each record's key and window are computed once, into a small ring.
    /// </summary>
    private void OnTumblingRecords(ReadOnlySpan<TIn> input, IBatchOutput<WindowResult> output)
    {
        const int ahead = 2 * PrefetchDistance;
        Span<Located> ring = stackalloc Located[RingSize];
        var n = input.Length;
        var creating = 0; // records in (i, i + d] whose window looks new: the free slots they will take, in order
        for (var j = 0; j < Math.Min(n, ahead); j++) Locate(in input[j], ref ring[j]);
        for (var i = 0; i < n; i++)
        {
            if (i + ahead < n) Locate(in input[i + ahead], ref ring[(i + ahead) & (RingSize - 1)]);
            if (i + PrefetchDistance < n)
            {
                ref var next = ref ring[(i + PrefetchDistance) & (RingSize - 1)];
                if (next.ValidTime)
                {
                    // A candidate by hash alone (no slot touched yet); confirmed on the slot when the record is applied.
                    // Nothing is freed while records are applied, so it cannot go stale in between.
                    next.Slot = _store.FindCandidate(next.Key, next.Start);
                    if (next.Slot >= 0) _store.PrefetchSlot(next.Slot);
                    else if (next.Start + _size > _watermark)
                    {
                        next.LooksNew = true;
                        _store.PrefetchFree(creating++);
                    }
                }
            }

            ref readonly var cur = ref ring[i & (RingSize - 1)];
            if (cur.LooksNew) creating--;
            ref readonly var record = ref input[i];
            var v = _valueSelector.ValueOf(in record);
            if (!cur.ValidTime || !double.IsFinite(v))
            {
                InvalidDropped++;
                continue;
            }

            var end = cur.Start + _size;
            if (end <= _watermark)
            {
                OnLateFixed(in record, cur.Key, cur.Start, cur.Start, v, output);
                continue;
            }

            var slot = cur.Slot >= 0 && _store.Holds(cur.Slot, cur.Key, cur.Start) ? cur.Slot : _store.Find(cur.Key, cur.Start);
            if (slot < 0) slot = Create(cur.Key, cur.Start, end, SlotState.Open, end);
            ref var s = ref _store[slot];
            s.Stats.Add(v);
            s.Sketch.Add(_arena, v);
        }
    }

    private const int RingSize = 32; // a power of two > 2 × PrefetchDistance

    /// <summary>A record's key and tumbling window, and its slot once looked up (−1: not yet, or absent then).</summary>
    private struct Located
    {
        public long Key;
        public long Start;
        public int Slot;
        public bool ValidTime;
        /// <summary>No slot was found ahead for its open window, so applying it will probably take a free slot.</summary>
        public bool LooksNew;
    }

    /// <summary>Computes a record's key and window start and prefetches its map entry.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void Locate(in TIn record, ref Located into)
    {
        var t = _timeSelector.TimeOf(in record);
        into.ValidTime = t >= WindowSpec.MinTimestamp && t <= WindowSpec.MaxTimestamp;
        into.Key = _keySelector.KeyOf(in record);
        into.Start = into.ValidTime ? WindowSpec.FloorDiv(t, _size) * _size : 0;
        into.Slot = -1;
        into.LooksNew = false;
        if (into.ValidTime) _store.PrefetchMap(into.Key, into.Start);
    }

    /// <inheritdoc />
    public void OnWatermark(long watermark, IBatchOutput<WindowResult> output)
    {
        if (watermark <= _watermark) return;
        _watermark = watermark;
        // A few due windows are popped one by one; past that, the rest are taken from the heap in one pass.
        // Either way they fire in (DueAt, Key) order. A window kept for late updates goes back due after W.
        var n = 0;
        while (_store.HeapCount > 0 && _store.MinDueAt <= watermark)
        {
            if (n == BulkFireAfter)
            {
                n = _store.TakeDue(watermark, ref _due, n);
                break;
            }

            _due[n++] = _store.PopMin();
        }

        if (n == 0) return;
        _store.SortDue(_due.AsSpan(0, n));
        FireDue(n, watermark, output);
    }

    /// <summary>Fires the first <paramref name="n"/> entries of <see cref="_due"/>, in order.</summary>
    private void FireDue(int n, long watermark, IBatchOutput<WindowResult> output)
    {
        var downstream = output as IKeyPrefetch;
        for (var i = 0; i < n; i++)
        {
            // Hundreds of thousands of cold slots: load each a few windows ahead, and its map entry (needed to free it) in between.
            if (i + 2 * PrefetchDistance < n) _store.PrefetchSlot(_due[i + 2 * PrefetchDistance].Slot);
            if (i + PrefetchDistance < n)
            {
                ref readonly var entry = ref _due[i + PrefetchDistance];
                if (_kind != WindowKind.Session)
                {
                    ref readonly var ahead = ref _store[entry.Slot];
                    _store.PrefetchMap(ahead.Key, ahead.Start);
                }
                // The result's receiver (e.g. a per-key score over window results) loads its state of that key too.
                downstream?.Prefetch(entry.Key);
            }

            var slot = _due[i].Slot;
            _store[slot].HeapPos = -1;
            if (Fire(slot, watermark, output)) _store.Push(slot);
            else Free(slot);
        }
    }

    /// <summary>Emits a due open window; returns true when it stays (retained for late updates, with a new DueAt).</summary>
    private bool Fire(int slot, long watermark, IBatchOutput<WindowResult> output)
    {
        ref var s = ref _store[slot];
        if (s.State != SlotState.Open) return false;
        Emit(ref s, isUpdate: s.Emitted, output);
        WindowsFired++;
        s.Emitted = true;
        var purgeAt = SaturatingAdd(s.End, _retention);
        if (_policy != LatePolicy.Update || purgeAt <= watermark) return false;
        s.State = SlotState.Retained;
        OpenWindows--;
        RetainedWindows++;
        s.DueAt = purgeAt;
        return true;
    }

    private void OnHoppingRecord(in TIn record, long key, long t, double v, IBatchOutput<WindowResult> output)
    {
        var last = WindowSpec.FloorDiv(t, _slide) * _slide;
        var first = WindowSpec.FloorDiv(t - _size, _slide) * _slide + _slide;
        if (last + _size <= _watermark)
        {
            OnLateFixed(in record, key, first, last, v, output);
            return;
        }

        for (var start = first; start <= last; start += _slide)
        {
            var end = start + _size;
            if (end > _watermark) AddToOpen(key, start, end, v);
            else if (_policy == LatePolicy.Update) TryUpdateFired(key, start, end, v, output);
        }
    }

    /// <summary>A tumbling/hopping record all of whose windows (starts <paramref name="first"/> … <paramref name="last"/>) fired.</summary>
    private void OnLateFixed(in TIn record, long key, long first, long last, double v, IBatchOutput<WindowResult> output)
    {
        if (_policy != LatePolicy.Update)
        {
            LateNotUpdated(in record);
            return;
        }

        var updated = false;
        for (var start = first; start <= last; start += _slide)
            updated |= TryUpdateFired(key, start, start + _size, v, output);

        if (updated) LateUpdated++;
        else LateDropped++;
    }

    private void LateNotUpdated(in TIn record)
    {
        if (_policy == LatePolicy.SideOutput)
        {
            _sideOutput!.Emit(in record);
            LateSideOutput++;
        }
        else
        {
            LateDropped++;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void AddToOpen(long key, long start, long end, double v)
    {
        var slot = _store.Find(key, start);
        if (slot < 0) slot = Create(key, start, end, SlotState.Open, end);
        ref var s = ref _store[slot];
        s.Stats.Add(v);
        s.Sketch.Add(_arena, v);
    }

    private bool TryUpdateFired(long key, long start, long end, double v, IBatchOutput<WindowResult> output)
    {
        var purgeAt = SaturatingAdd(end, _retention);
        if (purgeAt <= _watermark) return false;
        var slot = _store.Find(key, start);
        if (slot < 0) slot = Create(key, start, end, SlotState.Retained, purgeAt);
        ref var s = ref _store[slot];
        s.Stats.Add(v);
        s.Sketch.Add(_arena, v);
        Emit(ref s, isUpdate: true, output);
        s.Emitted = true;
        UpdatesEmitted++;
        return true;
    }

    private int Create(long key, long start, long end, SlotState state, long dueAt)
    {
        var slot = _store.Allocate();
        ref var s = ref _store[slot];
        s.Key = key;
        s.Start = start;
        s.End = end;
        s.State = state;
        s.DueAt = dueAt;
        if (state == SlotState.Open) OpenWindows++;
        else RetainedWindows++;
        _store.Set(key, start, slot);
        _store.Push(slot);
        return slot;
    }

    /// <summary>Takes a slot out of the heap and the index and frees it.</summary>
    private void Free(int slot)
    {
        ref var s = ref _store[slot];
        if (s.State == SlotState.Open) OpenWindows--;
        else RetainedWindows--;
        _store.RemoveFromHeap(slot);
        if (_kind == WindowKind.Session) UnlinkSession(slot);
        else _store.Remove(s.Key, s.Start);
        _store.Release(slot, _arena);
    }

    private void Emit(ref WindowSlot s, bool isUpdate, IBatchOutput<WindowResult> output)
    {
        Span<double> q = stackalloc double[3];
        s.Sketch.Quantiles(_arena, s_quantiles, q);
        var r = new WindowResult
        {
            Key = s.Key,
            WindowStart = s.Start,
            WindowEnd = s.End,
            Count = s.Stats.Count,
            Sum = s.Stats.Sum,
            Min = s.Stats.Min,
            Max = s.Stats.Max,
            Mean = s.Stats.Mean,
            Variance = s.Stats.Variance,
            P50 = q[0],
            P95 = q[1],
            P99 = q[2],
            IsUpdate = isUpdate,
        };
        output.Emit(in r);
    }

    private static long SaturatingAdd(long a, long b) => a > long.MaxValue - b ? long.MaxValue : a + b;
}
