namespace Platform.Operators.Churn;

/// <summary>When the churn operator scores. Immutable; <see cref="Validate"/> checks it.</summary>
public sealed record ChurnScoringOptions
{
    /// <summary>
    /// Customers whose features changed are scored when event time has moved this far since the last such round
    /// (so a session's burst of events costs one score, not one per event). Default 15 minutes.
    /// </summary>
    public TimeSpan ScoreChangedEvery { get; init; } = TimeSpan.FromMinutes(15);

    /// <summary>Every customer is re-scored this often in event time (inactivity raises risk without any event). Default 1 day.</summary>
    public TimeSpan RescoreEvery { get; init; } = TimeSpan.FromDays(1);

    /// <summary>A score is emitted when it moved by at least this much or changed band. Default 0.01.</summary>
    public double MinChange { get; init; } = 0.01;

    /// <summary>Throws <see cref="ArgumentException"/> naming the first bad setting.</summary>
    public ChurnScoringOptions Validate()
    {
        if (ScoreChangedEvery < TimeSpan.Zero) throw new ArgumentException($"ScoreChangedEvery must be ≥ 0, got {ScoreChangedEvery}.");
        if (RescoreEvery <= TimeSpan.Zero) throw new ArgumentException($"RescoreEvery must be > 0, got {RescoreEvery}.");
        if (!(MinChange >= 0 && MinChange < 1)) throw new ArgumentException($"MinChange must be within [0, 1), got {MinChange}.");
        return this;
    }
}
