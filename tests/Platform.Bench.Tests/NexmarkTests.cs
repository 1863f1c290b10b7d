using Platform.Bench.Nexmark;
using Platform.Host.Benchmarks;

namespace Platform.Bench.Tests;

/// <summary>The Nexmark generator's proportions and each query's output against a naive count over the same events.</summary>
public sealed class NexmarkTests
{
    private const int Events = 50_000;

    private static List<NexmarkEvent> Naive() => [.. Enumerable.Range(0, Events).Select(_ => 0).Aggregate(new List<NexmarkEvent>(), (l, _) => l).Concat(Generate())];

    private static IEnumerable<NexmarkEvent> Generate()
    {
        var g = new NexmarkGenerator(42);
        for (var i = 0; i < Events; i++) yield return g.Next();
    }

    [Fact]
    public void Generator_keeps_the_1_3_46_proportions()
    {
        var events = Naive();
        Assert.Equal(Events / 50, events.Count(e => e.Kind == NexmarkKind.Person));
        Assert.Equal(Events / 50 * 3, events.Count(e => e.Kind == NexmarkKind.Auction));
        Assert.Equal(Events / 50 * 46, events.Count(e => e.Kind == NexmarkKind.Bid));
        Assert.True(events.Zip(events.Skip(1)).All(p => p.First.Time <= p.Second.Time));
    }

    [Theory]
    [InlineData("q0")]
    [InlineData("q1")]
    [InlineData("q2")]
    [InlineData("q3")]
    [InlineData("q4")]
    [InlineData("q5")]
    [InlineData("q6")]
    [InlineData("q7")]
    [InlineData("q8")]
    public async Task Query_rows_match_a_naive_evaluation(string query)
    {
        var blocks = new NexmarkGenerator(42).Generate(Events, 16 * 1024);
        var (rows, _) = await NexmarkWorkload.RunQueryAsync(query, blocks, new BenchSettings { Workers = 2 }, TestContext.Current.CancellationToken);
        var events = Naive();
        var bids = events.Where(e => e.Kind == NexmarkKind.Bid).ToList();
        var auctions = events.Where(e => e.Kind == NexmarkKind.Auction).ToList();
        var persons = events.Where(e => e.Kind == NexmarkKind.Person).ToList();
        long expected = query switch
        {
            "q0" => Events,
            "q1" => bids.Count,
            "q2" => bids.Count(b => b.Id % 123 == 0),
            "q3" => auctions.Count(a => a.Category == 10 && persons.Any(p => p.Id == a.Ref && p.State <= 2)),
            "q4" or "q6" => auctions.Count(a => bids.Any(b => b.Id == a.Id && b.Time < a.Expires && b.Price >= a.Reserve)),
            "q5" => bids.SelectMany(b => Enumerable.Range(0, 5).Select(k => (b.Id, Start: b.Time - b.Time % 2000 - k * 2000L))).Distinct().Count(),
            "q7" => bids.Select(b => b.Time - b.Time % 10_000).Distinct().Count(),
            "q8" => persons.Count(p => auctions.Any(a => a.Ref == p.Id && a.Time - a.Time % 10_000 == p.Time - p.Time % 10_000)),
            _ => throw new ArgumentOutOfRangeException(nameof(query)),
        };
        if (query == "q7") Assert.InRange(rows, expected, expected * 2); // one partial maximum per worker and window
        else Assert.Equal(expected, rows);
    }
}
