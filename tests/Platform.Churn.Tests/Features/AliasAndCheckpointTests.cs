using System.Buffers;
using Platform.Engine.Batching;
using Platform.Engine.Records;
using Platform.Engine.Symbols;
using Platform.Formats.Segment;
using Platform.Operators.Churn;

namespace Platform.Churn.Tests.Features;

/// <summary>alias merges identities in keyed state; operator and identity graph survive a snapshot/restore.</summary>
public sealed class AliasAndCheckpointTests
{
    private static CustomerEvent[] Resolve(IdentityGraph graph, CustomerEvent[] events)
    {
        var output = new ListOutput<CustomerEvent>();
        new ResolveIdentities(graph).Process(events, output);
        return [.. output.Items];
    }

    [Fact]
    public void Anonymous_history_and_later_user_events_end_in_one_state_named_by_the_user()
    {
        var symbols = new SymbolTable();
        var graph = new IdentityGraph();
        var op = new ChurnScoringOperator(symbols, identities: graph);
        var events = Resolve(graph, Events.Parse(symbols,
            Events.AnonymousPage("anon-1", 1),
            Events.AnonymousPage("anon-1", 2),
            Events.Alias("anon-1", "alice", 3),
            Events.Track("alice", "Session: Started", 4),
            Events.Track("alice", "Financial: Deposit Made", 5, "{\"amount\":100}"),
            Events.AnonymousPage("anon-1", 6))); // the same browser after login: still Alice
        op.OnRecords(events, new ListOutput<CustomerProfileUpdate>());
        Assert.Equal(1, op.CustomerCount);
        Assert.True(op.TryGetState(symbols.Intern("anon-1"), out var state));
        Assert.Equal("alice", symbols.NameOf(state.CustomerId));
        Assert.Equal(Events.Day0.AddDays(1).ToUnixTimeMilliseconds(), state.FirstSeen);
        Assert.Equal(Events.Day0.AddDays(6).ToUnixTimeMilliseconds(), state.LastActivity);
        Assert.Equal(1, state.DepositCount);
        Assert.Equal(symbols.Intern("anon-1"), graph.Resolve(symbols.Intern("alice")));

        var scores = new ListOutput<CustomerProfileUpdate>();
        op.OnWatermark(long.MaxValue, scores);
        var score = Assert.Single(scores.Items);
        Assert.Equal("alice", symbols.NameOf(score.CustomerId));
    }

    [Fact]
    public void A_user_with_state_of_their_own_is_folded_in_when_the_alias_arrives()
    {
        var symbols = new SymbolTable();
        var op = new ChurnScoringOperator(symbols);
        // Without the graph every record keys by its own id, so "bob" has state before the alias.
        op.OnRecords(Events.Parse(symbols,
            Events.AnonymousPage("anon-2", 1),
            Events.Track("bob", "Financial: Deposit Made", 2, "{\"amount\":40}"),
            Events.Track("bob", "Session: Started", 2.5)), new ListOutput<CustomerProfileUpdate>());
        Assert.Equal(2, op.CustomerCount);
        var alias = Events.Parse(symbols, Events.Alias("anon-2", "bob", 3));
        alias[0].Profile = symbols.Intern("anon-2");
        op.OnRecords(alias, new ListOutput<CustomerProfileUpdate>());
        Assert.Equal(1, op.CustomerCount);
        Assert.True(op.TryGetState(symbols.Intern("anon-2"), out var merged));
        Assert.Equal("bob", symbols.NameOf(merged.CustomerId));
        Assert.Equal(40, merged.TotalDeposits);
        Assert.Equal(Events.Day0.AddDays(1).ToUnixTimeMilliseconds(), merged.FirstSeen);
    }

    [Fact]
    public void Operator_state_round_trips_through_a_snapshot_and_goes_on_identically()
    {
        var symbols = new SymbolTable();
        var graph = new IdentityGraph();
        var lines = new List<string>();
        var rng = new Random(5);
        for (var i = 0; i < 400; i++)
        {
            var user = "u" + rng.Next(30);
            var day = i * 0.2;
            lines.Add(rng.Next(4) switch
            {
                0 => Events.Track(user, "Financial: Deposit Made", day, $"{{\"amount\":{rng.Next(1, 900)}}}"),
                1 => Events.Track(user, "Session: Started", day),
                2 => Events.Identify(user, day, $"{{\"gaming_level\":{rng.Next(1, 40)},\"twitch_linked\":{(rng.Next(2) == 0 ? "true" : "false")}}}"),
                _ => Events.Alias("anon-" + user, user, day),
            });
        }
        var events = Resolve(graph, Events.Parse(symbols, [.. lines]));
        var options = new ChurnScoringOptions { ScoreChangedEvery = TimeSpan.FromHours(6), RescoreEvery = TimeSpan.FromDays(3) };
        var first = events[..200];
        var second = events[200..];

        var uninterrupted = new ChurnScoringOperator(symbols, identities: graph, options: options);
        var expected = Drive(uninterrupted, first);
        expected.AddRange(Drive(uninterrupted, second, final: true));

        var before = new ChurnScoringOperator(symbols, identities: graph, options: options);
        var actual = Drive(before, first);
        var snapshot = new ArrayBufferWriter<byte>();
        before.Snapshot(snapshot);
        var graphSnapshot = new ArrayBufferWriter<byte>();
        graph.Snapshot(graphSnapshot);
        var restoredGraph = new IdentityGraph();
        restoredGraph.Restore(new ReadOnlySequence<byte>(graphSnapshot.WrittenMemory));
        Assert.Equal(graph.Count, restoredGraph.Count);
        var after = new ChurnScoringOperator(symbols, identities: restoredGraph, options: options);
        after.Restore(new ReadOnlySequence<byte>(snapshot.WrittenMemory));
        Assert.Equal(before.CustomerCount, after.CustomerCount);
        actual.AddRange(Drive(after, second, final: true));

        Assert.True(expected.Count > 30, $"only {expected.Count} updates");
        // Within one watermark round the order of customers is the dictionary's, which a restore may change; the updates may not.
        static List<CustomerProfileUpdate> Ordered(List<CustomerProfileUpdate> u) => [.. u.OrderBy(x => x.ScoredAt).ThenBy(x => x.CustomerId.Id)];
        Assert.Equal(Ordered(expected), Ordered(actual));
    }

    [Fact]
    public void A_snapshot_of_another_format_is_refused_with_the_reason()
    {
        var op = new ChurnScoringOperator(new SymbolTable());
        var e = Assert.Throws<InvalidDataException>(() => op.Restore(new ReadOnlySequence<byte>(new byte[10])));
        Assert.Contains("Not a churn-operator snapshot", e.Message, StringComparison.Ordinal);
        var good = new ArrayBufferWriter<byte>();
        op.Snapshot(good);
        var bytes = good.WrittenSpan.ToArray();
        bytes[4] = 99;
        Assert.Contains("version 99", Assert.Throws<InvalidDataException>(() => op.Restore(new ReadOnlySequence<byte>(bytes))).Message, StringComparison.Ordinal);
    }

    /// <summary>Feeds events in batches of 20 with a watermark after each, like the runtime.</summary>
    private static List<CustomerProfileUpdate> Drive(ChurnScoringOperator op, CustomerEvent[] events, bool final = false)
    {
        var output = new ListOutput<CustomerProfileUpdate>();
        for (var i = 0; i < events.Length; i += 20)
        {
            var slice = events.AsSpan(i, Math.Min(20, events.Length - i));
            op.OnRecords(slice, output);
            op.OnWatermark(slice[^1].Timestamp - 60_000, output);
        }
        if (final) op.OnWatermark(long.MaxValue, output);
        return output.Items;
    }
}
