using System.Buffers;
using System.Runtime.InteropServices;
using Platform.Engine.Batching;
using Platform.Engine.Contracts;

namespace Platform.Bench.Nexmark;

/// <summary>Keys a Nexmark event by auction id (bids: their auction; auctions: their id).</summary>
public readonly struct AuctionKey : IKeySelector<NexmarkEvent>
{
    /// <inheritdoc />
    public long KeyOf(in NexmarkEvent e) => e.Id;
}

/// <summary>Keys by person: persons by id, auctions by seller.</summary>
public readonly struct PersonKey : IKeySelector<NexmarkEvent>
{
    /// <inheritdoc />
    public long KeyOf(in NexmarkEvent e) => e.Kind == NexmarkKind.Auction ? e.Ref : e.Id;
}

/// <summary>Value 1 (for counting with the window operator).</summary>
public readonly struct One : Platform.Engine.Contracts.IValueSelector<NexmarkEvent>
{
    /// <inheritdoc />
    public double ValueOf(in NexmarkEvent e) => 1;
}

/// <summary>q1: bids only, price in euros (× 0.908, Nexmark's rate, integer cents kept as the struct's long).</summary>
public sealed class Q1CurrencyMap : IBatchOperator<NexmarkEvent, NexmarkEvent>
{
    /// <inheritdoc />
    public void Process(ReadOnlySpan<NexmarkEvent> input, IBatchOutput<NexmarkEvent> output)
    {
        foreach (ref readonly var e in input)
        {
            if (e.Kind != NexmarkKind.Bid) continue;
            var m = e;
            m.Price = (long)(e.Price * 0.908);
            output.Emit(in m);
        }
    }
}

/// <summary>q2: bids on auctions whose id is a multiple of 123.</summary>
public sealed class Q2Filter : IBatchOperator<NexmarkEvent, NexmarkEvent>
{
    /// <inheritdoc />
    public void Process(ReadOnlySpan<NexmarkEvent> input, IBatchOutput<NexmarkEvent> output)
    {
        foreach (ref readonly var e in input)
            if (e.Kind == NexmarkKind.Bid && e.Id % 123 == 0) output.Emit(in e);
    }
}

/// <summary>Keeps only the given kinds (fused into the parse stage).</summary>
public sealed class KindFilter(params NexmarkKind[] kinds) : IBatchOperator<NexmarkEvent, NexmarkEvent>
{
    private readonly int _mask = kinds.Aggregate(0, (m, k) => m | (1 << (int)k));

    /// <inheritdoc />
    public void Process(ReadOnlySpan<NexmarkEvent> input, IBatchOutput<NexmarkEvent> output)
    {
        foreach (ref readonly var e in input)
            if ((_mask & (1 << (int)e.Kind)) != 0) output.Emit(in e);
    }
}

/// <summary>An output row of the join and closing queries.</summary>
public struct NexmarkRow
{
    /// <summary>Auction (q3, q4, q5, q6, q7), person (q8).</summary>
    public long Id;
    /// <summary>Seller / person / category, per query.</summary>
    public long Group;
    /// <summary>Price, count, …</summary>
    public long Value;
    /// <summary>Window start (q5, q7, q8), closing time (q4, q6).</summary>
    public long Time;
    /// <summary>Person state / city (q3).</summary>
    public int State, City;
}

/// <summary>Base for operators without a snapshot of their own (benchmarks do not checkpoint).</summary>
public abstract class NoSnapshot
{
    /// <summary>Not used by the benchmark.</summary>
    public void Snapshot(IBufferWriter<byte> writer) { }

    /// <summary>Not used by the benchmark.</summary>
    public void Restore(ReadOnlySequence<byte> snapshot) { }
}

/// <summary>
/// q3 (incremental join): persons in OR, ID or CA (states 0, 1, 2) × auctions in category 10, joined on seller = person
/// id, keyed by person. Each side is kept (persons forever, as Nexmark's q3; auctions until the person arrives), and
/// every match is emitted once, as soon as both sides are there.
/// </summary>
public sealed class Q3Join : NoSnapshot, IKeyedOperator<NexmarkEvent, NexmarkRow>
{
    private readonly Dictionary<long, (int State, int City)> _persons = [];
    private readonly Dictionary<long, List<long>> _waitingAuctions = [];

    /// <inheritdoc />
    public void OnRecords(ReadOnlySpan<NexmarkEvent> input, IBatchOutput<NexmarkRow> output)
    {
        foreach (ref readonly var e in input)
        {
            if (e.Kind == NexmarkKind.Person)
            {
                if (e.State > 2) continue;
                _persons[e.Id] = (e.State, e.City);
                if (_waitingAuctions.Remove(e.Id, out var waiting))
                    foreach (var a in waiting) output.Emit(new NexmarkRow { Id = a, Group = e.Id, State = e.State, City = e.City });
            }
            else if (e.Kind == NexmarkKind.Auction && e.Category == 10)
            {
                if (_persons.TryGetValue(e.Ref, out var p)) output.Emit(new NexmarkRow { Id = e.Id, Group = e.Ref, State = p.State, City = p.City });
                else if (e.Ref >= 0) (CollectionsMarshal.GetValueRefOrAddDefault(_waitingAuctions, e.Ref, out _) ??= []).Add(e.Id);
            }
        }
    }

    /// <inheritdoc />
    public void OnWatermark(long watermark, IBatchOutput<NexmarkRow> output) { }
}

/// <summary>
/// Auction closing (the core of q4 and q6), keyed by auction: the highest bid at or above the reserve placed before the
/// auction expires wins; when the watermark passes the expiry, (auction, seller or category, price) is emitted.
/// Records of one key may arrive out of order across chunks (parse workers run in parallel), so a bid that comes
/// before its auction waits for it (and is dropped once the watermark is a minute past it).
/// </summary>
public sealed class ClosingAuctions(bool bySeller) : NoSnapshot, IKeyedOperator<NexmarkEvent, NexmarkRow>
{
    private readonly Dictionary<long, Open> _open = [];
    private readonly Dictionary<long, List<(long Time, long Price)>> _early = [];
    private long _earliestEarly = long.MaxValue;
    private readonly PriorityQueue<long, long> _expiries = new();

    private struct Open
    {
        public long Seller, Reserve, Expires, Best;
        public int Category;
    }

    /// <inheritdoc />
    public void OnRecords(ReadOnlySpan<NexmarkEvent> input, IBatchOutput<NexmarkRow> output)
    {
        foreach (ref readonly var e in input)
        {
            if (e.Kind == NexmarkKind.Auction)
            {
                var open = new Open { Seller = e.Ref, Reserve = e.Reserve, Expires = e.Expires, Category = e.Category, Best = -1 };
                if (_early.Count > 0 && _early.Remove(e.Id, out var bids))
                    foreach (var (time, price) in bids) Bid(ref open, time, price);
                _open[e.Id] = open;
                _expiries.Enqueue(e.Id, e.Expires);
            }
            else if (e.Kind == NexmarkKind.Bid)
            {
                ref var a = ref CollectionsMarshal.GetValueRefOrNullRef(_open, e.Id);
                if (!System.Runtime.CompilerServices.Unsafe.IsNullRef(ref a)) Bid(ref a, e.Time, e.Price);
                else
                {
                    (CollectionsMarshal.GetValueRefOrAddDefault(_early, e.Id, out _) ??= []).Add((e.Time, e.Price));
                    _earliestEarly = Math.Min(_earliestEarly, e.Time);
                }
            }
        }
    }

    private static void Bid(ref Open a, long time, long price)
    {
        if (time < a.Expires && price >= a.Reserve && price > a.Best) a.Best = price;
    }

    /// <inheritdoc />
    public void OnWatermark(long watermark, IBatchOutput<NexmarkRow> output)
    {
        if (_early.Count > 0 && _earliestEarly < watermark - 60_000)
        {
            _earliestEarly = long.MaxValue;
            foreach (var (id, bids) in _early)
            {
                if (bids.Max(b => b.Time) < watermark - 60_000) _early.Remove(id);
                else _earliestEarly = Math.Min(_earliestEarly, bids.Min(b => b.Time));
            }
        }
        while (_expiries.TryPeek(out var id, out var expires) && expires <= watermark)
        {
            _expiries.Dequeue();
            if (!_open.Remove(id, out var a) || a.Best < 0) continue;
            output.Emit(new NexmarkRow { Id = id, Group = bySeller ? a.Seller : a.Category, Value = a.Best, Time = a.Expires });
        }
    }
}

/// <summary>
/// q7 partial: the highest bid per 10 s tumbling window on this worker; on the watermark each worker emits its window
/// maximum and the sink keeps the maximum of the workers' partials (a global max split in two phases, as Flink plans it).
/// </summary>
public sealed class Q7WindowMax(long windowMs) : NoSnapshot, IKeyedOperator<NexmarkEvent, NexmarkRow>
{
    private readonly SortedDictionary<long, (long Price, long Auction)> _windows = [];

    /// <inheritdoc />
    public void OnRecords(ReadOnlySpan<NexmarkEvent> input, IBatchOutput<NexmarkRow> output)
    {
        long cachedStart = long.MinValue;
        (long Price, long Auction) cached = default;
        foreach (ref readonly var e in input)
        {
            if (e.Kind != NexmarkKind.Bid) continue;
            var start = e.Time - e.Time % windowMs;
            if (start != cachedStart)
            {
                if (cachedStart != long.MinValue) _windows[cachedStart] = cached;
                cachedStart = start;
                cached = _windows.TryGetValue(start, out var c) ? c : (-1, -1);
            }
            if (e.Price > cached.Price) cached = (e.Price, e.Id);
        }
        if (cachedStart != long.MinValue) _windows[cachedStart] = cached;
    }

    /// <inheritdoc />
    public void OnWatermark(long watermark, IBatchOutput<NexmarkRow> output)
    {
        while (_windows.Count > 0)
        {
            var (start, best) = _windows.First();
            if (start + windowMs > watermark) break;
            _windows.Remove(start);
            output.Emit(new NexmarkRow { Id = best.Auction, Value = best.Price, Time = start });
        }
    }
}

/// <summary>
/// q8 (new users): persons who opened an auction in the same 10 s tumbling window they registered in, keyed by person
/// (person id = auction seller). Emitted once per person and window, when the second side arrives; state is dropped
/// once the watermark passes the window.
/// </summary>
public sealed class Q8NewUsers(long windowMs) : NoSnapshot, IKeyedOperator<NexmarkEvent, NexmarkRow>
{
    private readonly Dictionary<(long Person, long Window), byte> _seen = [];
    private readonly Queue<(long Person, long Window)> _order = new();

    /// <inheritdoc />
    public void OnRecords(ReadOnlySpan<NexmarkEvent> input, IBatchOutput<NexmarkRow> output)
    {
        foreach (ref readonly var e in input)
        {
            if (e.Kind == NexmarkKind.Bid) continue;
            var key = (e.Kind == NexmarkKind.Person ? e.Id : e.Ref, e.Time - e.Time % windowMs);
            var bit = (byte)(e.Kind == NexmarkKind.Person ? 1 : 2);
            ref var flags = ref CollectionsMarshal.GetValueRefOrAddDefault(_seen, key, out var existed);
            if (!existed) _order.Enqueue(key);
            if ((flags & bit) != 0) continue;
            flags |= bit;
            if (flags == 3) output.Emit(new NexmarkRow { Id = key.Item1, Time = key.Item2 });
        }
    }

    /// <inheritdoc />
    public void OnWatermark(long watermark, IBatchOutput<NexmarkRow> output)
    {
        while (_order.TryPeek(out var key) && key.Window + windowMs <= watermark)
        {
            _order.Dequeue();
            _seen.Remove(key);
        }
    }
}
