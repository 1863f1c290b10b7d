using Platform.Engine.Symbols;
using Platform.Formats.Segment;

namespace Platform.Operators.Churn;

/// <summary>
/// One customer's churn features in keyed state, updated per event in event time. An unmanaged struct (no
/// references), so snapshots copy it as bytes. Windows slide by day (sessions, events, deposits, withdrawals,
/// bookings, cancellations over the last 32 days) and by week (events per category over 5 weeks); a late event
/// still counts in the totals, and in the windows while its day is within them.
/// </summary>
public struct CustomerFeatureState
{
    /// <summary>Milliseconds per day.</summary>
    public const long DayMs = 86_400_000;

    /// <summary>The id the customer is known by (user id once identified).</summary>
    public Symbol CustomerId;
    /// <summary>First event (Unix ms); 0 for a new state.</summary>
    public long FirstSeen;
    /// <summary>Last track or page event (Unix ms).</summary>
    public long LastActivity;
    /// <summary>Newest day the windows have advanced to.</summary>
    public long HeadDay;
    /// <summary>Sum of deposit amounts.</summary>
    public double TotalDeposits;
    /// <summary>Sum of withdrawal amounts.</summary>
    public double TotalWithdrawals;
    /// <summary>Deposits.</summary>
    public int DepositCount;
    /// <summary>Withdrawals.</summary>
    public int WithdrawalCount;
    /// <summary>Latest known gaming level.</summary>
    public int GamingLevel;
    /// <summary>Event time of the last Twitch link change, so an older one never overrides a newer.</summary>
    public long TwitchChangedAt;
    /// <summary>1 linked, 0 not (or unknown).</summary>
    public byte TwitchLinked;
    /// <summary>Times Twitch was unlinked.</summary>
    public byte TwitchUnlinks;
    /// <summary>True once the features changed since the last score.</summary>
    public bool Dirty;
    /// <summary>Band of the last emitted score.</summary>
    public byte LastCategory;
    /// <summary>Last emitted score (0: never scored).</summary>
    public float LastScore;
    /// <summary>Symbol id of the model version of the last emitted score.</summary>
    public int LastVersion;
    /// <summary>Sessions per day.</summary>
    public DayCounts Sessions;
    /// <summary>Track and page events per day.</summary>
    public DayCounts Events;
    /// <summary>Deposits per day.</summary>
    public DayCounts Deposits;
    /// <summary>Withdrawals per day.</summary>
    public DayCounts Withdrawals;
    /// <summary>Bookings per day.</summary>
    public DayCounts Bookings;
    /// <summary>Cancelled bookings per day.</summary>
    public DayCounts Cancellations;
    /// <summary>Events per category per week.</summary>
    public CategoryWeeks Categories;

    /// <summary>Applies one event.</summary>
    public void Apply(in CustomerEvent e, ChurnEventKind kind, ChurnEventCategory category)
    {
        var t = e.Timestamp;
        if (FirstSeen == 0 || t < FirstSeen) FirstSeen = t;
        if (!e.UserId.IsNone) CustomerId = e.UserId;
        else if (CustomerId.IsNone) CustomerId = e.AnonymousId;
        var day = Math.DivRem(t, DayMs, out var rem) - (rem < 0 ? 1 : 0);
        AdvanceTo(day);
        var inWindow = day > HeadDay - DayCounts.Days;
        if (e.Type is SegmentMessageType.Track or SegmentMessageType.Page)
        {
            if (t > LastActivity) LastActivity = t;
            if (inWindow) Events.Add(day);
            if (day / 7 > HeadDay / 7 - CategoryWeeks.Weeks) Categories.Add(day / 7, category);
        }
        if (kind != ChurnEventKind.None) ApplyKind(e, kind, day, inWindow);
        if (e.Level >= 0 && e.Level > GamingLevel) GamingLevel = e.Level;
        if (e.TwitchLinked >= 0) SetTwitch(e.TwitchLinked == 1, t, countUnlink: false);
        Dirty = true;
    }

    private void ApplyKind(in CustomerEvent e, ChurnEventKind kind, long day, bool inWindow)
    {
        var amount = double.IsFinite(e.Amount) && e.Amount > 0 ? e.Amount : 0;
        if ((kind & ChurnEventKind.Session) != 0 && inWindow) Sessions.Add(day);
        if ((kind & ChurnEventKind.Deposit) != 0)
        {
            TotalDeposits += amount;
            DepositCount++;
            if (inWindow) Deposits.Add(day);
        }
        if ((kind & ChurnEventKind.Withdrawal) != 0)
        {
            TotalWithdrawals += amount;
            WithdrawalCount++;
            if (inWindow) Withdrawals.Add(day);
        }
        if ((kind & ChurnEventKind.Booking) != 0 && inWindow) Bookings.Add(day);
        if ((kind & ChurnEventKind.BookingCancelled) != 0 && inWindow) Cancellations.Add(day);
        if ((kind & ChurnEventKind.TwitchUnlinked) != 0) SetTwitch(false, e.Timestamp, countUnlink: true);
        else if ((kind & ChurnEventKind.TwitchLinked) != 0) SetTwitch(true, e.Timestamp, countUnlink: false);
    }

    private void SetTwitch(bool linked, long time, bool countUnlink)
    {
        if (countUnlink && TwitchUnlinks < byte.MaxValue) TwitchUnlinks++;
        if (time < TwitchChangedAt) return;
        TwitchChangedAt = time;
        TwitchLinked = linked ? (byte)1 : (byte)0;
    }

    /// <summary>Moves the windows forward to <paramref name="day"/> (no-op for earlier days).</summary>
    public void AdvanceTo(long day)
    {
        if (day <= HeadDay) return;
        Sessions.Advance(HeadDay, day);
        Events.Advance(HeadDay, day);
        Deposits.Advance(HeadDay, day);
        Withdrawals.Advance(HeadDay, day);
        Bookings.Advance(HeadDay, day);
        Cancellations.Advance(HeadDay, day);
        Categories.Advance(HeadDay / 7, day / 7);
        HeadDay = day;
    }

    /// <summary>Folds <paramref name="other"/> (an identity merged by alias) into this state.</summary>
    public void Merge(ref CustomerFeatureState other)
    {
        var head = Math.Max(HeadDay, other.HeadDay);
        AdvanceTo(head);
        other.AdvanceTo(head);
        if (other.FirstSeen != 0 && (FirstSeen == 0 || other.FirstSeen < FirstSeen)) FirstSeen = other.FirstSeen;
        LastActivity = Math.Max(LastActivity, other.LastActivity);
        TotalDeposits += other.TotalDeposits;
        TotalWithdrawals += other.TotalWithdrawals;
        DepositCount += other.DepositCount;
        WithdrawalCount += other.WithdrawalCount;
        GamingLevel = Math.Max(GamingLevel, other.GamingLevel);
        if (other.TwitchChangedAt > TwitchChangedAt)
        {
            TwitchChangedAt = other.TwitchChangedAt;
            TwitchLinked = other.TwitchLinked;
        }
        TwitchUnlinks = (byte)Math.Min(byte.MaxValue, TwitchUnlinks + other.TwitchUnlinks);
        Sessions.Merge(other.Sessions);
        Events.Merge(other.Events);
        Deposits.Merge(other.Deposits);
        Withdrawals.Merge(other.Withdrawals);
        Bookings.Merge(other.Bookings);
        Cancellations.Merge(other.Cancellations);
        Categories.Merge(other.Categories);
        Dirty = true;
    }
}
