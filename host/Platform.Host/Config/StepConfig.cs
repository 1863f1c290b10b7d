using Platform.Engine.Windows;

namespace Platform.Host.Config;

/// <summary>One operator of <c>steps[]</c>. One subtype per <c>op</c>; see <see cref="ConfigRegistry"/>.</summary>
internal abstract record StepConfig
{
    /// <summary>The YAML <c>op</c>.</summary>
    public abstract string Op { get; }
}

/// <summary>Partition records by key fields (<c>op: key-by</c>).</summary>
/// <param name="Fields">Record fields that make the key (<c>fields</c>; telemetry: deviceId, sensorType, unit; at most two).</param>
internal sealed record KeyByStepConfig(EquatableList<string> Fields) : StepConfig
{
    /// <summary>The YAML <c>op</c>.</summary>
    public const string OpName = "key-by";

    /// <inheritdoc/>
    public override string Op => OpName;
}

/// <summary>Event-time windows per key (<c>op: window</c>); needs a key-by before it.</summary>
/// <param name="Kind">tumbling, hopping or session (<c>kind</c>, default tumbling).</param>
/// <param name="Size">Window length (<c>size</c>; tumbling and hopping; zero for session).</param>
/// <param name="Slide">Distance between window starts (<c>slide</c>; hopping, ≤ size; equals Size for tumbling; zero for session).</param>
/// <param name="Gap">Inactivity that closes a session (<c>gap</c>; session only; zero otherwise).</param>
internal sealed record WindowStepConfig(WindowKind Kind, TimeSpan Size, TimeSpan Slide, TimeSpan Gap) : StepConfig
{
    /// <summary>The YAML <c>op</c>.</summary>
    public const string OpName = "window";

    /// <inheritdoc/>
    public override string Op => OpName;
}

/// <summary>Aggregates per key and window (<c>op: aggregate</c>); needs a window before it.</summary>
/// <param name="Functions">What to compute (<c>functions</c>: count, sum, min, max, mean, variance, pNN).</param>
internal sealed record AggregateStepConfig(EquatableList<AggregateFunction> Functions) : StepConfig
{
    /// <summary>The YAML <c>op</c>.</summary>
    public const string OpName = "aggregate";

    /// <summary>count, sum, min, max, mean, variance, p50, p95, p99 — the default of <c>functions</c>.</summary>
    public static EquatableList<AggregateFunction> AllFunctions { get; } = new([
        new(AggregateKind.Count), new(AggregateKind.Sum), new(AggregateKind.Min), new(AggregateKind.Max),
        new(AggregateKind.Mean), new(AggregateKind.Variance),
        new(AggregateKind.Percentile, 0.50), new(AggregateKind.Percentile, 0.95), new(AggregateKind.Percentile, 0.99),
    ]);

    /// <inheritdoc/>
    public override string Op => OpName;
}

/// <summary>One aggregate function; <paramref name="Quantile"/> (0..1) only for <see cref="AggregateKind.Percentile"/>.</summary>
internal readonly record struct AggregateFunction(AggregateKind Kind, double Quantile = 0)
{
    /// <summary>The YAML spelling and column name: count, …, p50, p99, p99.9.</summary>
    public string Name => Kind == AggregateKind.Percentile
        ? "p" + (Quantile * 100).ToString("0.###", System.Globalization.CultureInfo.InvariantCulture)
        : Kind.ToString().ToLowerInvariant();

    public override string ToString() => Name;
}
