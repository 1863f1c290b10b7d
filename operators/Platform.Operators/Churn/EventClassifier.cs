using Platform.Engine.Symbols;
using Platform.Formats.Segment;

namespace Platform.Operators.Churn;

/// <summary>
/// Classifies event names once per distinct name (a cache indexed by symbol id), so the per-record cost is an
/// array read. One per worker: not thread-safe.
/// </summary>
public sealed class EventClassifier(SymbolTable symbols)
{
    // Per symbol id: 0 = not classified yet, else (kind << 4 | category) + 1.
    private int[] _cache = new int[1024];

    /// <summary>The kind and category of <paramref name="e"/>.</summary>
    public (ChurnEventKind Kind, ChurnEventCategory Category) Classify(in CustomerEvent e)
    {
        if (e.Type == SegmentMessageType.Page) return (ChurnEventKind.None, ChurnEventCategory.Page);
        if (e.Type != SegmentMessageType.Track || e.Event.IsNone) return (ChurnEventKind.None, ChurnEventCategory.Other);
        var id = e.Event.Id;
        if (id >= _cache.Length) Array.Resize(ref _cache, Math.Max(id + 1, _cache.Length * 2));
        var packed = _cache[id];
        if (packed == 0) _cache[id] = packed = Pack(Classify(symbols.NameOf(e.Event))) + 1;
        packed--;
        return ((ChurnEventKind)(packed >> 4), (ChurnEventCategory)(packed & 0xF));
    }

    private static int Pack((ChurnEventKind Kind, ChurnEventCategory Category) c) => ((int)c.Kind << 4) | (int)c.Category;

    /// <summary>The rules, by name ("Category: Action", case-insensitive).</summary>
    public static (ChurnEventKind Kind, ChurnEventCategory Category) Classify(string name)
    {
        var colon = name.IndexOf(": ", StringComparison.Ordinal);
        var category = colon > 0 ? name[..colon] : "";
        bool Has(string s) => name.Contains(s, StringComparison.OrdinalIgnoreCase);
        var cat = category.ToUpperInvariant() switch
        {
            "FINANCIAL" or "PAYMENT" or "WALLET" => ChurnEventCategory.Financial,
            "GAMING" or "GAME" => ChurnEventCategory.Gaming,
            "BOOKING" or "BOOKINGS" or "CALENDAR" => ChurnEventCategory.Booking,
            "SESSION" => ChurnEventCategory.Session,
            "ACCOUNT" => ChurnEventCategory.Account,
            "SUPPORT" => ChurnEventCategory.Support,
            _ => ChurnEventCategory.Other,
        };
        var kind = ChurnEventKind.None;
        if (cat == ChurnEventCategory.Session || Has("Application Opened") || Has("Session Started")) kind |= ChurnEventKind.Session;
        if (Has("Deposit")) kind |= ChurnEventKind.Deposit;
        if (Has("Withdraw")) kind |= ChurnEventKind.Withdrawal;
        if (cat == ChurnEventCategory.Booking && Has("Cancel")) kind |= ChurnEventKind.BookingCancelled;
        else if (cat == ChurnEventCategory.Booking && (Has("Booked") || Has("Scheduled") || Has("Created"))) kind |= ChurnEventKind.Booking;
        if (Has("Twitch") && Has("Unlinked")) kind |= ChurnEventKind.TwitchUnlinked;
        else if (Has("Twitch") && Has("Linked")) kind |= ChurnEventKind.TwitchLinked;
        if (cat == ChurnEventCategory.Support) kind |= ChurnEventKind.Support;
        return (kind, cat);
    }
}
