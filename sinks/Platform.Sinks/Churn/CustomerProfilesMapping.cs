using Platform.Engine.Records;
using Platform.Engine.Symbols;
using Platform.Sinks.Warehouse;

namespace Platform.Sinks.Churn;

/// <summary>
/// <see cref="CustomerProfileUpdate"/> as a row of <c>CUSTOMER_PROFILES</c> (seed 004 §3's columns that a stream
/// knows, plus the churn model's version and time): upserted by <c>customer_id</c>, guarded by
/// <c>churn_scored_at</c> so a replayed or late score never overwrites a newer one.
/// </summary>
public readonly struct CustomerProfilesMapping(SymbolTable symbols) : ITableMapping<CustomerProfileUpdate>
{
    private static readonly string[] Categories = ["Low", "Medium", "High"];

    /// <summary>The table (<c>customer_profiles</c>).</summary>
    public static TableSchema Table { get; } = new("customer_profiles",
    [
        new("customer_id", ColumnType.Text),
        new("churn_risk_score", ColumnType.Double),
        new("churn_risk_category", ColumnType.Text),
        new("churn_risk_flag", ColumnType.Boolean),
        new("churn_model_version", ColumnType.Text),
        new("churn_scored_at", ColumnType.Timestamp),
        new("signup_date", ColumnType.Timestamp),
        new("last_activity_date", ColumnType.Timestamp, Nullable: true),
        new("total_deposits_usd", ColumnType.Double),
        new("total_withdrawals_usd", ColumnType.Double),
        new("deposit_count", ColumnType.Int32),
        new("withdrawal_count", ColumnType.Int32),
        new("gaming_level", ColumnType.Int32),
        new("twitch_linked", ColumnType.Boolean),
        new("bookings_last_month", ColumnType.Int32),
        new("sessions_30d", ColumnType.Int32),
    ], keys: ["customer_id"], versionColumn: "churn_scored_at");

    /// <inheritdoc />
    public TableSchema Schema => Table;

    /// <inheritdoc />
    public void Write<TWriter>(in CustomerProfileUpdate row, ref TWriter writer) where TWriter : struct, IRowWriter
    {
        writer.WriteText(symbols.NameOf(row.CustomerId));
        writer.WriteDouble(row.Score);
        writer.WriteText(Categories[(int)row.Category]);
        writer.WriteBoolean(row.Category == ChurnRiskCategory.High);
        writer.WriteText(symbols.NameOf(row.ModelVersion));
        writer.WriteTimestamp(row.ScoredAt);
        writer.WriteTimestamp(row.FirstSeen);
        if (row.LastActivity == 0) writer.WriteNull();
        else writer.WriteTimestamp(row.LastActivity);
        writer.WriteDouble(row.TotalDeposits);
        writer.WriteDouble(row.TotalWithdrawals);
        writer.WriteInt32(row.DepositCount);
        writer.WriteInt32(row.WithdrawalCount);
        writer.WriteInt32(row.GamingLevel);
        writer.WriteBoolean(row.TwitchLinked);
        writer.WriteInt32(row.BookingsLastMonth);
        writer.WriteInt32(row.Sessions30d);
    }
}
