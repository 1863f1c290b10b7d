namespace Platform.Operators.Enrichment;

/// <summary>What the enrich step does with a record whose device is not in the registry.</summary>
public enum MissingKeyPolicy
{
    /// <summary>Emit it unmatched, with an empty row.</summary>
    PassThrough,
    /// <summary>Send it to the dead-letter queue with reason "unknown device".</summary>
    DeadLetter,
    /// <summary>Emit it with the configured default row.</summary>
    DefaultRow,
}
