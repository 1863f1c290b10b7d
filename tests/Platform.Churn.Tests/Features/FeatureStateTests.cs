using Platform.Engine.Records;
using Platform.Engine.Symbols;
using Platform.Formats.Segment;
using Platform.Operators.Churn;

namespace Platform.Churn.Tests.Features;

/// <summary>Per-customer features in event time: totals, sliding windows, traits.</summary>
public sealed class FeatureStateTests
{
    private static (CustomerFeatureState State, float[] Features) Run(long nowDays, params string[] lines)
    {
        var symbols = new SymbolTable();
        var op = new ChurnScoringOperator(symbols);
        var events = Events.Parse(symbols, lines);
        op.OnRecords(events, new ListOutput<CustomerProfileUpdate>());
        Assert.True(op.TryGetState(events[0].Profile, out var state));
        var features = new float[ChurnFeatures.Count];
        ChurnFeatures.Compute(state, Events.Day0.AddDays(nowDays).ToUnixTimeMilliseconds(), features);
        return (state, features);
    }

    private static float F(float[] features, string name) => features[Array.IndexOf(ChurnFeatures.Names, name)];

    [Fact]
    public void Deposits_and_withdrawals_sum_amounts_and_count_events()
    {
        var (state, f) = Run(10,
            Events.Track("u", "Financial: Large Deposit Made", 1, "{\"amount\":15000.5,\"currency\":\"USD\"}"),
            Events.Track("u", "Financial: Deposit Made", 2, "{\"amount\":\"250\"}"),
            Events.Track("u", "Financial: Withdrawal Made", 3, "{\"amount\":2000}"),
            Events.Track("u", "Financial: Withdrawal Made", 4, "{}"));
        Assert.Equal(15250.5, state.TotalDeposits, 6);
        Assert.Equal(2, state.DepositCount);
        Assert.Equal(2000, state.TotalWithdrawals, 6);
        Assert.Equal(2, state.WithdrawalCount);
        Assert.Equal(2000 / 15251.5, F(f, "withdrawal_ratio"), 4);
        Assert.Equal(2, F(f, "withdrawals_30d"));
        Assert.Equal(4, F(f, "financial_4w"));
    }

    [Fact]
    public void Windows_slide_with_event_time()
    {
        var lines = new List<string>();
        for (var d = 0; d < 40; d += 2) lines.Add(Events.Track("u", "Session: Started", d + 0.5));
        lines.Add(Events.Track("u", "Booking: Appointment Booked", 5));
        lines.Add(Events.Track("u", "Booking: Appointment Booked", 30));
        lines.Add(Events.Track("u", "Booking: Appointment Cancelled", 31));
        var (_, f) = Run(39, [.. lines]);
        // Sessions on days 0.5, 2.5, …, 38.5: the 7 days ending on day 39 hold days 33–39 → 34.5, 36.5, 38.5.
        Assert.Equal(3, F(f, "sessions_7d"));
        Assert.Equal(15, F(f, "sessions_30d"));
        Assert.Equal(1, F(f, "bookings_last_month"));
        Assert.Equal(1, F(f, "cancellations_last_month"));
        Assert.Equal(0.5f, F(f, "days_since_last_activity"), 3);
        Assert.Equal(39 - 0.5f, F(f, "tenure_days"), 3);
        // Nothing after day 39: ten days later the week is empty and the month has shrunk.
        var (_, later) = Run(49, [.. lines]);
        Assert.Equal(0, F(later, "sessions_7d"));
        Assert.Equal(10, F(later, "sessions_30d"));
        Assert.Equal(10.5f, F(later, "days_since_last_activity"), 3);
    }

    [Fact]
    public void Late_events_count_in_totals_and_in_windows_they_still_fit()
    {
        var (state, f) = Run(60,
            Events.Track("u", "Session: Started", 60),
            Events.Track("u", "Session: Started", 2),  // 58 days late: outside every window, still activity history
            Events.Track("u", "Session: Started", 50), // 10 days late: inside the month
            Events.Track("u", "Financial: Deposit Made", 1, "{\"amount\":10}"));
        Assert.Equal(2, F(f, "sessions_30d"));
        Assert.Equal(1, state.DepositCount);
        Assert.Equal(Events.Day0.AddDays(1).ToUnixTimeMilliseconds(), state.FirstSeen);
        Assert.Equal(Events.Day0.AddDays(60).ToUnixTimeMilliseconds(), state.LastActivity);
    }

    [Fact]
    public void Gaming_level_and_twitch_follow_traits_and_events_in_event_time()
    {
        var (state, f) = Run(10,
            Events.Identify("u", 1, "{\"gaming_level\":5,\"twitch_linked\":true}"),
            Events.Track("u", "Gaming: Level Up", 2, "{\"level\":6}"),
            Events.Track("u", "Account: Twitch Unlinked", 4),
            Events.Identify("u", 3, "{\"twitch_linked\":true}")); // older than the unlink: does not undo it
        Assert.Equal(6, state.GamingLevel);
        Assert.Equal(0, F(f, "twitch_linked"));
        Assert.Equal(1, F(f, "twitch_unlinks"));
        Assert.Equal(6, F(f, "gaming_level"));
    }

    [Fact]
    public void Event_names_are_classified_by_category_and_action()
    {
        Assert.Equal((ChurnEventKind.Deposit, ChurnEventCategory.Financial), EventClassifier.Classify("Financial: Large Deposit Made"));
        Assert.Equal((ChurnEventKind.Withdrawal, ChurnEventCategory.Financial), EventClassifier.Classify("Financial: Withdrawal Made"));
        Assert.Equal((ChurnEventKind.Session, ChurnEventCategory.Session), EventClassifier.Classify("Session: Started"));
        Assert.Equal((ChurnEventKind.Booking, ChurnEventCategory.Booking), EventClassifier.Classify("Booking: Appointment Booked"));
        Assert.Equal((ChurnEventKind.BookingCancelled, ChurnEventCategory.Booking), EventClassifier.Classify("Booking: Appointment Cancelled"));
        Assert.Equal((ChurnEventKind.TwitchUnlinked, ChurnEventCategory.Account), EventClassifier.Classify("Account: Twitch Unlinked"));
        Assert.Equal((ChurnEventKind.TwitchLinked, ChurnEventCategory.Account), EventClassifier.Classify("Account: Twitch Linked"));
        Assert.Equal((ChurnEventKind.None, ChurnEventCategory.Gaming), EventClassifier.Classify("Gaming: Achievement Unlocked"));
        Assert.Equal((ChurnEventKind.None, ChurnEventCategory.Other), EventClassifier.Classify("Something happened"));
    }
}
