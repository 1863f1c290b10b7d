namespace Platform.Operators.Geo;

/// <summary>Debounce and dwell settings for <see cref="GeofenceOperator"/>.</summary>
public sealed record GeofenceOptions
{
    /// <summary>Consecutive fixes on the other side before enter/exit is emitted (1 = no debounce).</summary>
    public int Debounce { get; init; } = 3;

    /// <summary>Time inside (ms since the enter) after which one dwell event is emitted; 0 = no dwell events.</summary>
    public long DwellMilliseconds { get; init; } = 5 * 60_000;

    /// <summary>Throws on nonsense.</summary>
    public GeofenceOptions Validate()
    {
        if (Debounce < 1) throw new ArgumentOutOfRangeException(nameof(Debounce), Debounce, "Debounce must be at least 1 fix.");
        if (DwellMilliseconds < 0) throw new ArgumentOutOfRangeException(nameof(DwellMilliseconds), DwellMilliseconds, "Dwell time cannot be negative.");
        return this;
    }
}
