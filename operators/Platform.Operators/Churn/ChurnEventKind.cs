namespace Platform.Operators.Churn;

/// <summary>What a customer event means for the churn features (from its "Category: Action" name).</summary>
[Flags]
public enum ChurnEventKind : ushort
{
    /// <summary>Nothing special.</summary>
    None = 0,
    /// <summary>A session started ("Session: Started", "Application Opened").</summary>
    Session = 1,
    /// <summary>Money came in ("Financial: Large Deposit Made").</summary>
    Deposit = 2,
    /// <summary>Money went out ("Financial: Withdrawal Made").</summary>
    Withdrawal = 4,
    /// <summary>A booking was made ("Booking: Appointment Booked").</summary>
    Booking = 8,
    /// <summary>A booking was cancelled.</summary>
    BookingCancelled = 16,
    /// <summary>Twitch was linked.</summary>
    TwitchLinked = 32,
    /// <summary>Twitch was unlinked.</summary>
    TwitchUnlinked = 64,
    /// <summary>A support ticket ("Support: …").</summary>
    Support = 128,
}

/// <summary>The event categories counted per week (the "Category" of "Category: Action"; page views are Page).</summary>
public enum ChurnEventCategory : byte
{
    /// <summary>Deposits, withdrawals, transfers.</summary>
    Financial,
    /// <summary>Games, levels, achievements.</summary>
    Gaming,
    /// <summary>Appointments.</summary>
    Booking,
    /// <summary>Sessions.</summary>
    Session,
    /// <summary>Account changes (links, settings).</summary>
    Account,
    /// <summary>Support tickets.</summary>
    Support,
    /// <summary>Page views.</summary>
    Page,
    /// <summary>Anything else.</summary>
    Other,
}
