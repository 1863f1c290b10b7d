using Platform.Sinks.Warehouse;
using Platform.Warehouse.Tests.Infrastructure;

namespace Platform.Warehouse.Tests.Contract;

/// <summary>The client-side reduction of a batch to the row an upsert keeps per key, and its split into key-disjoint parts.</summary>
public sealed class LatestRowPerKeyTests
{
    private static List<int>[] Parts(int count) => [.. Enumerable.Range(0, count).Select(_ => new List<int>())];

    private static ProfileUpdate Row(int user, long sequence, long updatedMs = 0) =>
        ProfileUpdates.Make(sequence, 1) with { User = user, UpdatedMs = updatedMs == 0 ? ProfileUpdates.BaseMs + sequence : updatedMs };

    [Fact]
    public void Split_RepeatedKeysWithoutVersion_KeepsTheLastOfEachInArrivalOrder()
    {
        var mapping = new ProfileMapping("p", ["a", "b", "c"]);
        var split = new LatestRowPerKey<ProfileUpdate, ProfileMapping>(new RowKeyLayout(mapping.Schema));
        ProfileUpdate[] rows = [Row(0, 0), Row(1, 1), Row(0, 2), Row(2, 3), Row(1, 4), Row(0, 5)];
        var parts = Parts(1);
        split.Split(rows, mapping, parts);
        Assert.True(split.Reduces);
        Assert.Equal([3, 4, 5], parts[0]);
    }

    [Fact]
    public void Split_WithVersionColumn_KeepsTheHighestVersionThenTheLast()
    {
        var mapping = new ProfileMapping("p", ["a", "b"], versioned: true);
        var split = new LatestRowPerKey<ProfileUpdate, ProfileMapping>(new RowKeyLayout(mapping.Schema));
        // a: version 30 arrives first and must beat the later 20; b: two rows with version 50, the later wins.
        ProfileUpdate[] rows = [Row(0, 0, updatedMs: 30), Row(1, 1, updatedMs: 50), Row(0, 2, updatedMs: 20), Row(1, 3, updatedMs: 50)];
        var parts = Parts(1);
        split.Split(rows, mapping, parts);
        Assert.Equal([0, 3], parts[0]);
    }

    [Fact]
    public void Split_ManyUsersIntoThreeParts_PartsAreKeyDisjointAndHoldEveryUsersLatestRow()
    {
        const int Users = 5_000;
        var ids = ProfileUpdates.UserIds(Users);
        var mapping = new ProfileMapping("p", ids);
        var split = new LatestRowPerKey<ProfileUpdate, ProfileMapping>(new RowKeyLayout(mapping.Schema));
        var rows = Enumerable.Range(0, 40_000).Select(i => ProfileUpdates.Make(i * 7L, Users)).ToArray();
        var parts = Parts(3);
        split.Split(rows, mapping, parts);

        var latest = new Dictionary<int, int>();
        for (var i = 0; i < rows.Length; i++) latest[rows[i].User] = i;
        Assert.Equal(latest.Values.Order(), parts.SelectMany(p => p).Order());
        var usersPerPart = parts.Select(p => p.Select(i => rows[i].User).ToHashSet()).ToArray();
        Assert.All(usersPerPart, users => Assert.InRange(users.Count, Users / 6, Users / 2)); // a hash split, not everything in one part
        Assert.Empty(usersPerPart[0].Intersect(usersPerPart[1]).Concat(usersPerPart[0].Intersect(usersPerPart[2])).Concat(usersPerPart[1].Intersect(usersPerPart[2])));
        Assert.All(parts, p => Assert.Equal(p.Order(), p)); // arrival order within a part

        // The same key goes to the same part in the next batch too (so parts of consecutive batches can be chained).
        var again = Parts(3);
        split.Split(rows.AsSpan(0, 10_000), mapping, again);
        for (var p = 0; p < 3; p++) Assert.Subset(usersPerPart[p], again[p].Select(i => rows[i].User).ToHashSet());
    }

    [Fact]
    public void Split_DoubleKeysZeroAndNaN_CompareAsTheDatabaseDoes()
    {
        var mapping = new DoubleKeyMapping();
        var split = new LatestRowPerKey<(double Key, int Value), DoubleKeyMapping>(new RowKeyLayout(mapping.Schema));
        (double, int)[] rows = [(0.0, 1), (-0.0, 2), (double.NaN, 3), (BitConverter.Int64BitsToDouble(unchecked((long)0xFFF8000000000001UL)), 4), (1.5, 5)];
        var parts = Parts(2);
        split.Split(rows, mapping, parts);
        Assert.Equal([1, 3, 4], parts.SelectMany(p => p).Order());
    }

    [Fact]
    public void Split_MoreKeyColumnsThanARowKeyHolds_SplitsWithoutReducing()
    {
        var mapping = new FiveKeyMapping();
        var split = new LatestRowPerKey<int, FiveKeyMapping>(new RowKeyLayout(mapping.Schema));
        var parts = Parts(2);
        split.Split(new[] { 1, 1, 2 }, mapping, parts);
        Assert.False(split.Reduces);
        Assert.Equal([0, 1, 2], parts.SelectMany(p => p).Order());
        Assert.True(parts.Any(p => p.Contains(0) && p.Contains(1)), "equal keys went to different parts");
    }

    [Fact]
    public void Split_MappingWritesAWrongType_FailsNamingTheColumn()
    {
        var mapping = new DoubleKeyMapping(wrong: true);
        var split = new LatestRowPerKey<(double Key, int Value), DoubleKeyMapping>(new RowKeyLayout(mapping.Schema));
        var error = Assert.Throws<InvalidOperationException>(() => split.Split(new[] { (1.0, 1) }, mapping, Parts(1)));
        Assert.Contains("'v'", error.Message, StringComparison.Ordinal);
    }

    private readonly struct DoubleKeyMapping(bool wrong = false) : ITableMapping<(double Key, int Value)>
    {
        private static readonly TableSchema Table = new("d", [new("k", ColumnType.Double), new("v", ColumnType.Int32)], ["k"]);

        public TableSchema Schema => Table;

        public void Write<TWriter>(in (double Key, int Value) row, ref TWriter writer) where TWriter : struct, IRowWriter
        {
            writer.WriteDouble(row.Key);
            if (wrong) writer.WriteText("x");
            else writer.WriteInt32(row.Value);
        }
    }

    private readonly struct FiveKeyMapping : ITableMapping<int>
    {
        private static readonly TableSchema Table = new("f",
            [new("a", ColumnType.Int32), new("b", ColumnType.Int32), new("c", ColumnType.Int32), new("d", ColumnType.Int32), new("e", ColumnType.Int32), new("v", ColumnType.Int32)],
            ["a", "b", "c", "d", "e"]);

        public TableSchema Schema => Table;

        public void Write<TWriter>(in int row, ref TWriter writer) where TWriter : struct, IRowWriter
        {
            for (var i = 0; i < 5; i++) writer.WriteInt32(row);
            writer.WriteInt32(0);
        }
    }
}
