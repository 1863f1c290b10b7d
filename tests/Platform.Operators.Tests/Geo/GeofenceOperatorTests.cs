using System.Buffers;
using Platform.Engine.Records;
using Platform.Engine.Symbols;
using Platform.Operators.Geo;
using static Platform.Operators.Tests.Geo.Track;

namespace Platform.Operators.Tests.Geo;

public sealed class GeofenceOperatorTests
{
    private readonly SymbolTable _symbols = new();

    private (GeofenceOperator Op, Symbol Device, Symbol Depot) Setup(int debounce, long dwellMinutes)
    {
        var set = GeofenceSet.Parse(Fences, _symbols);
        return (new GeofenceOperator(set, new GeofenceOptions { Debounce = debounce, DwellMilliseconds = dwellMinutes * Minute }), _symbols.Intern("truck-1"), _symbols.Intern("depot"));
    }

    [Fact]
    public void GeofenceSet_PointInsideOneSquare_ContainsOnlyThatFence()
    {
        var set = GeofenceSet.Parse(Fences, _symbols);
        var hits = new List<int>();
        set.Containing(0.005, 1.005, hits);
        Assert.Equal("yard", _symbols.NameOf(set.Fences[Assert.Single(hits)].Name));
        set.Containing(0.5, 0.5, hits);
        Assert.Empty(hits);
    }

    [Fact]
    public void OnRecords_EnterStayExit_EmitsEnterDwellExitAtStreakStarts()
    {
        var (op, dev, depot) = Setup(debounce: 2, dwellMinutes: 10);
        var output = new Collect<GeofenceEvent>();
        var track = new List<Telemetry> { Fix(dev, 0, OutLat, OutLon) };
        for (var m = 1; m <= 15; m++) track.Add(Fix(dev, m, InLat, InLon));
        for (var m = 16; m <= 18; m++) track.Add(Fix(dev, m, OutLat, OutLon));
        op.OnRecords(track.ToArray(), output);

        Assert.Equal([GeofenceTransition.Enter, GeofenceTransition.Dwell, GeofenceTransition.Exit], output.Items.Select(e => e.Transition));
        Assert.All(output.Items, e => Assert.Equal(depot, e.Fence));
        Assert.Equal(1 * Minute, output.Items[0].Timestamp);   // first fix of the inside streak
        Assert.Equal(11 * Minute, output.Items[1].Timestamp);  // 10 minutes after the enter
        Assert.Equal(16 * Minute, output.Items[2].Timestamp);  // first fix of the outside streak
        Assert.Equal(_symbols.Intern("north"), output.Items[0].Site);
    }

    [Fact]
    public void OnRecords_JitterShorterThanDebounce_EmitsNothing()
    {
        var (op, dev, _) = Setup(debounce: 3, dwellMinutes: 0);
        var output = new Collect<GeofenceEvent>();
        // In, in, out, in, in, out ... never three in a row on the other side.
        var track = Enumerable.Range(0, 30).Select(m => m % 3 == 2 ? Fix(dev, m, OutLat, OutLon) : Fix(dev, m, InLat, InLon)).ToArray();
        op.OnRecords(track, output);
        Assert.Empty(output.Items);
    }

    [Fact]
    public void OnRecords_BriefExitWhileInside_NoExitAndOneDwell()
    {
        var (op, dev, _) = Setup(debounce: 3, dwellMinutes: 5);
        var output = new Collect<GeofenceEvent>();
        var track = new List<Telemetry>();
        for (var m = 0; m < 4; m++) track.Add(Fix(dev, m, InLat, InLon));
        track.Add(Fix(dev, 4, OutLat, OutLon));
        track.Add(Fix(dev, 5, OutLat, OutLon));
        for (var m = 6; m < 12; m++) track.Add(Fix(dev, m, InLat, InLon));
        op.OnRecords(track.ToArray(), output);
        Assert.Equal([GeofenceTransition.Enter, GeofenceTransition.Dwell], output.Items.Select(e => e.Transition));
        Assert.Equal(0, output.Items[0].Timestamp);
        Assert.Equal(5 * Minute, output.Items[1].Timestamp);
    }

    [Fact]
    public void OnRecords_TwoDevices_KeptApart()
    {
        var (op, a, _) = Setup(debounce: 1, dwellMinutes: 0);
        var b = _symbols.Intern("truck-2");
        var output = new Collect<GeofenceEvent>();
        op.OnRecords([Fix(a, 0, InLat, InLon), Fix(b, 0, OutLat, OutLon), Fix(b, 1, 0.005, 1.005), Fix(a, 1, OutLat, OutLon)], output);
        Assert.Equal(
            [("truck-1", "depot", GeofenceTransition.Enter), ("truck-2", "yard", GeofenceTransition.Enter), ("truck-1", "depot", GeofenceTransition.Exit)],
            output.Items.Select(e => (_symbols.NameOf(e.Device), _symbols.NameOf(e.Fence), e.Transition)));
    }

    [Fact]
    public void SnapshotRestore_MidStreak_ContinuesAsIfUninterrupted()
    {
        var track = new List<Telemetry>();
        var (reference, dev, _) = Setup(debounce: 3, dwellMinutes: 4);
        for (var m = 0; m < 6; m++) track.Add(Fix(dev, m, InLat, InLon));
        for (var m = 6; m < 10; m++) track.Add(Fix(dev, m, OutLat, OutLon));
        var all = track.ToArray();
        var expected = new Collect<GeofenceEvent>();
        reference.OnRecords(all, expected);

        var (first, _, _) = Setup(debounce: 3, dwellMinutes: 4);
        var got = new Collect<GeofenceEvent>();
        first.OnRecords(all.AsSpan(0, 7), got); // cut inside the outside streak
        var buffer = new ArrayBufferWriter<byte>();
        first.Snapshot(buffer);
        var (second, _, _) = Setup(debounce: 3, dwellMinutes: 4);
        second.Restore(new ReadOnlySequence<byte>(buffer.WrittenMemory));
        second.OnRecords(all.AsSpan(7), got);

        Assert.Equal(3, expected.Items.Count);
        Assert.Equal(expected.Items, got.Items);
    }

    [Fact]
    public void Restore_WrongMagic_Throws()
    {
        var (op, _, _) = Setup(1, 0);
        Assert.Throws<InvalidDataException>(() => op.Restore(new ReadOnlySequence<byte>(new byte[16])));
    }
}
