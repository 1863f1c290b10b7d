namespace Platform.Formats.Segment;

/// <summary>The Segment spec call types (seed 004 §3).</summary>
public enum SegmentMessageType
{
    /// <summary>An action the user took (<c>event</c>, e.g. "Account: Deposit").</summary>
    Track,

    /// <summary>Who the user is (<c>traits</c>).</summary>
    Identify,

    /// <summary>The user's group or account (<c>groupId</c>).</summary>
    Group,

    /// <summary>Merges two identities (<c>previousId</c> → <c>userId</c>).</summary>
    Alias,

    /// <summary>A page view (<c>name</c>).</summary>
    Page,
}
