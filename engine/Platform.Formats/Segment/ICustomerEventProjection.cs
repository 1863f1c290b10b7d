namespace Platform.Formats.Segment;

/// <summary>
/// Reads what a pipeline needs from a message's properties / traits into the record while the bytes are still
/// there (the parser calls it once per message with an object present). Implement as a struct: the parser is
/// specialised on it, so the call is inlined.
/// </summary>
public interface ICustomerEventProjection
{
    /// <summary>Fills fields of <paramref name="record"/> from <paramref name="properties"/>.</summary>
    void Project(ref CustomerEvent record, in SegmentProperties properties);
}

/// <summary>
/// The CDP projection (seed 004 §3): <c>amount</c> of financial events, <c>level</c> / <c>gaming_level</c>, and
/// <c>twitch_linked</c>. Objects of other events are never looked into.
/// </summary>
public readonly struct CdpProjection : ICustomerEventProjection
{
    /// <inheritdoc />
    public void Project(ref CustomerEvent record, in SegmentProperties properties)
    {
        if (properties.TryGetDouble("amount"u8, out var amount)) record.Amount = amount;
        if (properties.TryGetDouble("level"u8, out var level) || properties.TryGetDouble("gaming_level"u8, out level))
        {
            record.Level = (int)Math.Clamp(level, 0, int.MaxValue);
        }
        if (properties.TryGetBool("twitch_linked"u8, out var linked)) record.TwitchLinked = linked ? (sbyte)1 : (sbyte)0;
    }
}

/// <summary>Reads nothing: events keep only their typed header fields.</summary>
public readonly struct NoProjection : ICustomerEventProjection
{
    /// <inheritdoc />
    public void Project(ref CustomerEvent record, in SegmentProperties properties)
    {
    }
}
