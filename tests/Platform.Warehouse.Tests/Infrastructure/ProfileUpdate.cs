using Platform.Sinks.Warehouse;

namespace Platform.Warehouse.Tests.Infrastructure;

/// <summary>A customer profile update, shaped like the seed's CUSTOMER_PROFILES row; the user is an index into the mapping's id table.</summary>
internal struct ProfileUpdate
{
    public int User;
    public long Sequence;
    public double Score;
    public int Category;
    public double Deposits;
    public int GamingLevel;
    public bool TwitchLinked;
    public long LastActivityMs;
    public long UpdatedMs;
    public bool HasEmail;
}

/// <summary>
/// Maps <see cref="ProfileUpdate"/> to a customer_profiles-like table. Text values come from arrays built once,
/// as interned symbol names would, so writing a row allocates nothing.
/// </summary>
internal readonly struct ProfileMapping(string table, string[] userIds, string[]? emails = null, bool versioned = false, bool withNotes = false) : ITableMapping<ProfileUpdate>
{
    private static readonly string[] Categories = ["Low", "Medium", "High"];

    public TableSchema Schema { get; } = new(table,
    [
        new("customer_id", ColumnType.Text),
        new("email", ColumnType.Text, Nullable: true),
        new("churn_risk_score", ColumnType.Double),
        new("churn_risk_category", ColumnType.Text),
        new("total_deposits_usd", ColumnType.Double),
        new("gaming_level", ColumnType.Int32),
        new("twitch_linked", ColumnType.Boolean),
        new("last_activity_date", ColumnType.Timestamp),
        new("update_seq", ColumnType.Int64),
        new("cdp_last_updated", ColumnType.Timestamp),
        .. withNotes ? [new TableColumn("notes", ColumnType.Text, Nullable: true)] : Array.Empty<TableColumn>(),
    ], keys: ["customer_id"], versionColumn: versioned ? "cdp_last_updated" : null);

    public string[] UserIds => userIds;

    public static string CategoryName(int category) => Categories[category];

    public void Write<TWriter>(in ProfileUpdate row, ref TWriter writer) where TWriter : struct, IRowWriter
    {
        writer.WriteText(userIds[row.User]);
        if (row.HasEmail && emails is not null) writer.WriteText(emails[row.User]);
        else writer.WriteNull();
        writer.WriteDouble(row.Score);
        writer.WriteText(Categories[row.Category]);
        writer.WriteDouble(row.Deposits);
        writer.WriteInt32(row.GamingLevel);
        writer.WriteBoolean(row.TwitchLinked);
        writer.WriteTimestamp(row.LastActivityMs);
        writer.WriteInt64(row.Sequence);
        writer.WriteTimestamp(row.UpdatedMs);
        if (withNotes) writer.WriteText("v2");
    }
}

/// <summary>Deterministic profile updates: update i goes to a pseudo-random user, its values derived from i.</summary>
internal static class ProfileUpdates
{
    public const long BaseMs = 1_764_000_000_000; // 2025-11-24T16:00:00Z

    public static string[] UserIds(int users) => [.. Enumerable.Range(0, users).Select(u => "user-" + u.ToString("D7", System.Globalization.CultureInfo.InvariantCulture))];

    public static ProfileUpdate Make(long i, int users)
    {
        var user = (int)((i * 2_654_435_761L) % users);
        return new ProfileUpdate
        {
            User = user,
            Sequence = i,
            Score = 0.05 + (i % 91) / 100.0,
            Category = (int)(i % 3),
            Deposits = i * 0.25,
            GamingLevel = (int)(i % 60),
            TwitchLinked = i % 2 == 0,
            LastActivityMs = BaseMs + i * 1000,
            UpdatedMs = BaseMs + i,
            HasEmail = i % 5 != 0,
        };
    }

    /// <summary>The last update per user among updates 0..count-1 (what an upsert must leave).</summary>
    public static Dictionary<int, ProfileUpdate> Latest(long count, int users)
    {
        var latest = new Dictionary<int, ProfileUpdate>(users);
        for (long i = 0; i < count; i++)
        {
            var u = Make(i, users);
            latest[u.User] = u;
        }
        return latest;
    }
}
