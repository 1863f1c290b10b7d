using Platform.Engine.Contracts;
using Platform.Engine.Symbols;

namespace Platform.Formats.Segment;

/// <summary>
/// One Segment call (seed 004 §3: track / identify / group / alias / page) as a plain struct. Ids and names are
/// interned <see cref="Symbol"/>s, time is Unix ms UTC, the message id is 128 bits (a UUID as such, any other
/// string hashed), so a record never holds a string. Properties (track, page) or traits (identify, group) are
/// not decoded into the record: the parser notes where they are and hands them to a projection
/// (<see cref="ICustomerEventProjection"/>) that reads the few values a pipeline needs into
/// <see cref="Amount"/>, <see cref="Level"/> and <see cref="TwitchLinked"/>.
/// </summary>
public struct CustomerEvent
{
    /// <summary>The call type.</summary>
    public SegmentMessageType Type;
    /// <summary>The user id; None when only an anonymous id was given.</summary>
    public Symbol UserId;
    /// <summary>The anonymous (device / browser) id; None when absent.</summary>
    public Symbol AnonymousId;
    /// <summary>
    /// The identity whose state the record updates: the user id, else the anonymous id, until an identity
    /// resolver (alias) maps it to the profile it was merged into.
    /// </summary>
    public Symbol Profile;
    /// <summary>Track's event name ("Financial: Large Deposit Made"), page's name, group's groupId, alias's previousId.</summary>
    public Symbol Event;
    /// <summary>The "Category" of a "Category: Action" event name (None when the name has no ": ").</summary>
    public Symbol Category;
    /// <summary>Event time: the client's <c>timestamp</c>, else <c>receivedAt</c>; Unix ms UTC.</summary>
    public long Timestamp;
    /// <summary>The message id as 128 bits (deduplication, tracing).</summary>
    public UInt128 MessageId;
    /// <summary>Start of the <c>properties</c> / <c>traits</c> object within the message's bytes (valid only while parsing).</summary>
    public int PropertiesStart;
    /// <summary>Length of that object; 0 when absent or null.</summary>
    public int PropertiesLength;
    /// <summary>A money amount from the properties (<c>amount</c>), NaN when absent.</summary>
    public double Amount;
    /// <summary>A level from the properties or traits (<c>level</c> / <c>gaming_level</c>), -1 when absent.</summary>
    public int Level;
    /// <summary>The <c>twitch_linked</c> trait or property: 1 true, 0 false, -1 absent.</summary>
    public sbyte TwitchLinked;
}

/// <summary>Event time of a <see cref="CustomerEvent"/>.</summary>
public readonly struct CustomerEventTime : IEventTimeSelector<CustomerEvent>
{
    /// <inheritdoc />
    public long TimeOf(in CustomerEvent record) => record.Timestamp;
}

/// <summary>Keys customer events by <see cref="CustomerEvent.Profile"/>.</summary>
public readonly struct CustomerProfileKey : IKeySelector<CustomerEvent>
{
    /// <inheritdoc />
    public long KeyOf(in CustomerEvent record) => record.Profile.Id;
}
