using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Platform.Engine.Batching;
using Platform.Engine.Contracts;
using Platform.Engine.DeadLetters;

namespace Platform.Bench.Nexmark;

/// <summary>Which of the three Nexmark streams an event belongs to.</summary>
public enum NexmarkKind : byte
{
    /// <summary>A new person (user).</summary>
    Person = 0,
    /// <summary>A new auction.</summary>
    Auction = 1,
    /// <summary>A bid on an auction.</summary>
    Bid = 2,
}

/// <summary>
/// One Nexmark event as a fixed-width struct (the three streams in one union, as Nexmark's own generator interleaves
/// them). Person: Id, State, City. Auction: Id, Ref = seller, Price = initial bid, Reserve, Expires, Category.
/// Bid: Id = auction, Ref = bidder, Price. Time is event time (Unix ms). Strings (names, e-mails, cities, item
/// names) are ids here: the queries compare and emit them, never inspect their text.
/// </summary>
[StructLayout(LayoutKind.Sequential, Pack = 8)]
public struct NexmarkEvent
{
    public long Time;
    public long Id;
    public long Ref;
    public long Price;
    public long Reserve;
    public long Expires;
    public int Category;
    public int State;
    public int City;
    public NexmarkKind Kind;
}

/// <summary>
/// The Nexmark generator (after the Beam/Flink one): per 50 events 1 person, 3 auctions, 46 bids; auctions are sold by
/// recent persons, bids go half to a few "hot" auctions and half to recent ones, bidders are recent persons (half to
/// a few hot bidders); 5 categories (10 … 14), 50 states (0 = OR, 1 = ID, 2 = CA …); event time advances 10 µs per event
/// (100 k events per second of event time), in order. Seeded: same seed → same events. Writes the events as raw
/// little-endian structs into blocks (the "wire format" is the struct; <see cref="NexmarkParser"/> copies it back).
/// </summary>
public sealed class NexmarkGenerator(long seed = 42)
{
    /// <summary>Events per proportion cycle.</summary>
    public const int Cycle = 50;
    private const int HotRatio = 2;
    private const int ActiveWindow = 1000;
    private readonly Random _random = new((int)seed);
    private long _persons;
    private long _auctions;
    private long _events;
    private static readonly long Start = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero).ToUnixTimeMilliseconds();

    /// <summary>Writes <paramref name="count"/> events into blocks of about <paramref name="blockBytes"/>.</summary>
    public List<byte[]> Generate(long count, int blockBytes = 256 * 1024)
    {
        var size = Unsafe.SizeOf<NexmarkEvent>();
        var perBlock = Math.Max(1, blockBytes / size);
        var blocks = new List<byte[]>();
        var buffer = new NexmarkEvent[perBlock];
        while (count > 0)
        {
            var n = (int)Math.Min(perBlock, count);
            for (var i = 0; i < n; i++) buffer[i] = Next();
            blocks.Add(MemoryMarshal.AsBytes(buffer.AsSpan(0, n)).ToArray());
            count -= n;
        }
        return blocks;
    }

    /// <summary>The next event.</summary>
    public NexmarkEvent Next()
    {
        var i = _events++;
        var time = Start + i / 100; // 10 µs per event
        var offset = i % Cycle;
        if (offset == 0 || _persons == 0)
        {
            var id = _persons++;
            return new NexmarkEvent { Kind = NexmarkKind.Person, Time = time, Id = id, State = _random.Next(50), City = _random.Next(1000) };
        }
        if (offset <= 3 || _auctions == 0)
        {
            var id = _auctions++;
            var initial = Price();
            return new NexmarkEvent
            {
                Kind = NexmarkKind.Auction,
                Time = time,
                Id = id,
                Ref = Recent(_persons, hot: false),
                Price = initial,
                Reserve = initial + Price(),
                Expires = time + 2_000 + _random.Next(18_000),
                Category = 10 + _random.Next(5),
            };
        }
        return new NexmarkEvent
        {
            Kind = NexmarkKind.Bid,
            Time = time,
            Id = _random.Next(HotRatio) == 0 ? Hot(_auctions) : Recent(_auctions, hot: false),
            Ref = _random.Next(HotRatio) == 0 ? Hot(_persons) : Recent(_persons, hot: false),
            Price = Price(),
        };
    }

    private long Price() => (long)Math.Round(Math.Pow(10.0, _random.NextDouble() * 6.0) * 100.0);

    private long Recent(long count, bool hot) => Math.Max(0, count - 1 - _random.Next((int)Math.Min(count, ActiveWindow)));

    // A hot id: the most recent multiple of 100 below the newest (a few ids get many events).
    private static long Hot(long count) => Math.Max(0, (count - 1) / 100 * 100);
}

/// <summary>Copies events out of a chunk (a chunk is always whole structs).</summary>
public sealed class NexmarkParser : IChunkParser<NexmarkEvent>
{
    /// <inheritdoc />
    public int Parse(Chunk chunk, string sourceName, Batch<NexmarkEvent> output, IDeadLetterSink deadLetters)
    {
        ArgumentNullException.ThrowIfNull(chunk);
        foreach (ref readonly var e in MemoryMarshal.Cast<byte, NexmarkEvent>(chunk.Span)) output.Add(in e);
        return 0;
    }
}

/// <summary>Event time of an event.</summary>
public readonly struct NexmarkTime : IEventTimeSelector<NexmarkEvent>
{
    /// <inheritdoc />
    public long TimeOf(in NexmarkEvent record) => record.Time;
}
