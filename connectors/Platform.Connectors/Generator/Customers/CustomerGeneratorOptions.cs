namespace Platform.Connectors.Generator.Customers;

/// <summary>What <see cref="CustomerGenerator"/> writes. Immutable; <see cref="Validate"/> checks it.</summary>
public sealed record CustomerGeneratorOptions
{
    /// <summary>Default users.</summary>
    public const int DefaultUsers = 10_000;
    /// <summary>Default seed.</summary>
    public const long DefaultSeed = 42;

    /// <summary>Users to simulate.</summary>
    public int Users { get; init; } = DefaultUsers;
    /// <summary>Seed: the same seed and options give the same bytes and labels.</summary>
    public long Seed { get; init; } = DefaultSeed;
    /// <summary>Event time of the observation window's start.</summary>
    public DateTimeOffset Start { get; init; } = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    /// <summary>Length of the observation window in days; events end there.</summary>
    public int Days { get; init; } = 90;
    /// <summary>Share of users who churn (during the window's last part, or just after it: their behaviour has drifted by the end).</summary>
    public double ChurnShare { get; init; } = 0.3;
    /// <summary>Share of users who browse anonymously first and are then aliased to their user id.</summary>
    public double AnonymousShare { get; init; } = 0.3;
    /// <summary>Share of lines written as Segment batch requests of 2–5 messages.</summary>
    public double BatchShare { get; init; }
    /// <summary>Share of malformed lines (they go to the dead letters of a pipeline).</summary>
    public double MalformedShare { get; init; }
    /// <summary>Mean sessions per active user and day.</summary>
    public double SessionsPerDay { get; init; } = 0.25;

    /// <summary>Throws <see cref="ArgumentException"/> naming the first bad setting.</summary>
    public CustomerGeneratorOptions Validate()
    {
        if (Users < 1) throw new ArgumentException($"Users must be ≥ 1, got {Users}.");
        if (Days < 7) throw new ArgumentException($"Days must be ≥ 7, got {Days}.");
        foreach (var (name, v) in new[] { ("ChurnShare", ChurnShare), ("AnonymousShare", AnonymousShare), ("BatchShare", BatchShare), ("MalformedShare", MalformedShare) })
        {
            if (!(v >= 0 && v <= 1)) throw new ArgumentException($"{name} must be within 0–1, got {v}.");
        }
        if (!(SessionsPerDay > 0 && SessionsPerDay <= 50)) throw new ArgumentException($"SessionsPerDay must be within (0, 50], got {SessionsPerDay}.");
        return this;
    }
}

/// <summary>The ground truth of one simulated user.</summary>
/// <param name="UserId">The user id the events carry.</param>
/// <param name="Churned">Whether the user churns (inside the window's tail or just after it).</param>
public readonly record struct CustomerLabel(string UserId, bool Churned);
