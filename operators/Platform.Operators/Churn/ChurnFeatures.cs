namespace Platform.Operators.Churn;

/// <summary>
/// The churn model's inputs, computed from a <see cref="CustomerFeatureState"/> at a moment in event time: the
/// seed's list (days since last activity, deposits, gaming level, Twitch linked, bookings last month) plus the
/// drift signals a churn model needs (withdrawals against deposits, sessions last week against the month,
/// cancellations, support, Twitch unlinks, events per category). Training and scoring both use this, so the
/// model always sees features computed the same way.
/// </summary>
public static class ChurnFeatures
{
    /// <summary>Feature names, in vector order.</summary>
    public static readonly string[] Names =
    [
        "days_since_last_activity", "tenure_days",
        "total_deposits", "deposit_count", "total_withdrawals", "withdrawal_count", "withdrawal_ratio",
        "gaming_level", "twitch_linked", "twitch_unlinks",
        "bookings_last_month", "cancellations_last_month",
        "sessions_7d", "sessions_30d", "session_trend",
        "events_7d", "events_30d", "deposits_30d", "withdrawals_30d",
        "financial_4w", "gaming_4w", "booking_4w", "session_4w", "account_4w", "support_4w", "page_4w", "other_4w",
    ];

    /// <summary>Length of the vector.</summary>
    public const int Count = 27;

    /// <summary>Writes the features of <paramref name="s"/> at <paramref name="now"/> (Unix ms) into <paramref name="features"/>.</summary>
    public static void Compute(in CustomerFeatureState s, long now, Span<float> features)
    {
        if (features.Length < Count) throw new ArgumentException($"Need room for {Count} features.", nameof(features));
        var today = Math.Max(now, s.LastActivity) / CustomerFeatureState.DayMs;
        var week = today / 7;
        var sessions7 = s.Sessions.Sum(s.HeadDay, today, 7);
        var sessions30 = s.Sessions.Sum(s.HeadDay, today, 30);
        features[0] = s.LastActivity == 0 ? 90f : (float)Math.Max(0, (now - s.LastActivity) / (double)CustomerFeatureState.DayMs);
        features[1] = s.FirstSeen == 0 ? 0f : (float)Math.Max(0, (now - s.FirstSeen) / (double)CustomerFeatureState.DayMs);
        features[2] = (float)s.TotalDeposits;
        features[3] = s.DepositCount;
        features[4] = (float)s.TotalWithdrawals;
        features[5] = s.WithdrawalCount;
        features[6] = (float)(s.TotalWithdrawals / (s.TotalDeposits + 1));
        features[7] = s.GamingLevel;
        features[8] = s.TwitchLinked;
        features[9] = s.TwitchUnlinks;
        features[10] = s.Bookings.Sum(s.HeadDay, today, 30);
        features[11] = s.Cancellations.Sum(s.HeadDay, today, 30);
        features[12] = sessions7;
        features[13] = sessions30;
        features[14] = (sessions7 + 1f) / (sessions30 * 7f / 30f + 1f);
        features[15] = s.Events.Sum(s.HeadDay, today, 7);
        features[16] = s.Events.Sum(s.HeadDay, today, 30);
        features[17] = s.Deposits.Sum(s.HeadDay, today, 30);
        features[18] = s.Withdrawals.Sum(s.HeadDay, today, 30);
        for (var c = 0; c < CategoryWeeks.Categories; c++) features[19 + c] = s.Categories.LastFourWeeks(s.HeadDay / 7, week, (ChurnEventCategory)c);
    }
}
