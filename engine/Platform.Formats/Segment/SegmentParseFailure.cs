namespace Platform.Formats.Segment;

/// <summary>
/// Why a Segment message was rejected, kept as constants on the hot path; <see cref="ToReason"/> builds the
/// text (with the same field names and wording as <see cref="SegmentMessageValidator"/>) on the dead-letter path.
/// </summary>
public struct SegmentParseFailure
{
    /// <summary>The field at fault (a constant), "$" for the whole message.</summary>
    public string Field;
    /// <summary>What is wrong (a constant).</summary>
    public string Reason;
    /// <summary>The message's index in a <c>batch</c> array, -1 for a single message.</summary>
    public int BatchIndex;

    internal static SegmentParseFailure Of(string field, string reason) => new() { Field = field, Reason = reason, BatchIndex = -1 };

    /// <summary>"batch[3].event: required for track: a non-empty string".</summary>
    public readonly string ToReason() => BatchIndex < 0 ? $"{Field}: {Reason}" : Field == "$" ? $"batch[{BatchIndex}]: {Reason}" : $"batch[{BatchIndex}].{Field}: {Reason}";
}

/// <summary>The rejection texts shared by the validator (ingest) and the parser (pipelines).</summary>
public static class SegmentReasons
{
    /// <summary>A message that is not an object.</summary>
    public const string NotObject = "a message must be a JSON object";
    /// <summary>A missing or unknown <c>type</c>.</summary>
    public const string TypeRequired = "required in a batch: one of track, identify, group, alias, page";
    /// <summary>An id of the wrong JSON type.</summary>
    public const string MustBeString = "must be a string";
    /// <summary>Neither user id nor anonymous id.</summary>
    public const string IdRequired = "userId or anonymousId is required";
    /// <summary>Alias without its new id.</summary>
    public const string AliasUserIdRequired = "required for alias: the new id";
    /// <summary>properties / traits / context / integrations of another JSON type.</summary>
    public const string MustBeObject = "must be a JSON object";
    /// <summary>A bad <c>timestamp</c>.</summary>
    public const string BadTimestamp = "must be an ISO-8601 date-time string";

    /// <summary>Track / group / alias without their subject field.</summary>
    public static string SubjectRequired(SegmentMessageType type) => $"required for {SegmentMessageValidator.NameOf(type)}: a non-empty string";
}
