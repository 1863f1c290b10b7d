using Platform.Sinks.Warehouse;

namespace Platform.Bench.Warehouse;

/// <summary>A customer profile update as the churn job emits it (user as an index into interned ids).</summary>
internal struct BenchProfile
{
    public int User;
    public double Score;
    public int Category;
    public double Deposits;
    public int GamingLevel;
    public bool TwitchLinked;
    public long LastActivityMs;
    public long UpdatedMs;
}

/// <summary>The customer_profiles table of the benchmark (ten columns, keyed by customer_id).</summary>
internal readonly struct BenchProfileMapping(string table, string[] userIds) : ITableMapping<BenchProfile>
{
    public static readonly string[] Categories = ["Low", "Medium", "High"];

    public TableSchema Schema { get; } = new(table,
    [
        new("customer_id", ColumnType.Text),
        new("churn_risk_score", ColumnType.Double),
        new("churn_risk_category", ColumnType.Text),
        new("total_deposits_usd", ColumnType.Double),
        new("gaming_level", ColumnType.Int32),
        new("twitch_linked", ColumnType.Boolean),
        new("last_activity_date", ColumnType.Timestamp),
        new("cdp_last_updated", ColumnType.Timestamp),
    ], keys: ["customer_id"]);

    public string[] UserIds => userIds;

    public void Write<TWriter>(in BenchProfile row, ref TWriter writer) where TWriter : struct, IRowWriter
    {
        writer.WriteText(userIds[row.User]);
        writer.WriteDouble(row.Score);
        writer.WriteText(Categories[row.Category]);
        writer.WriteDouble(row.Deposits);
        writer.WriteInt32(row.GamingLevel);
        writer.WriteBoolean(row.TwitchLinked);
        writer.WriteTimestamp(row.LastActivityMs);
        writer.WriteTimestamp(row.UpdatedMs);
    }

    /// <summary>
    /// Update <paramref name="i"/>: with <paramref name="uniformKeys"/> its user is drawn uniformly at random (a
    /// SplitMix64 hash of i), so any stretch of updates repeats users as chance has it; otherwise users go round in a
    /// fixed permutation, so no user repeats within <paramref name="users"/> consecutive updates (no batch of up to
    /// that many rows holds a key twice).
    /// </summary>
    public static BenchProfile Make(long i, int users, bool uniformKeys) => new()
    {
        User = uniformKeys ? (int)(SplitMix64((ulong)i) % (ulong)users) : (int)((i * 2_654_435_761L) % users),
        Score = 0.05 + (i % 91) / 100.0,
        Category = (int)(i % 3),
        Deposits = i * 0.25,
        GamingLevel = (int)(i % 60),
        TwitchLinked = (i & 1) == 0,
        LastActivityMs = 1_764_000_000_000 + i * 1000,
        UpdatedMs = 1_764_000_000_000 + i,
    };

    private static ulong SplitMix64(ulong x)
    {
        x += 0x9E3779B97F4A7C15UL;
        x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9UL;
        x = (x ^ (x >> 27)) * 0x94D049BB133111EBUL;
        return x ^ (x >> 31);
    }
}
