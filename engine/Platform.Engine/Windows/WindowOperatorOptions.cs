using Platform.Engine.Aggregates;

namespace Platform.Engine.Windows;

/// <summary>Settings of a <see cref="WindowStatsOperator{TIn, TKey, TTime, TValue}"/>. Immutable; <see cref="Validate"/> checks it.</summary>
public sealed record WindowOperatorOptions
{
    /// <summary>Default <see cref="UpdateRetention"/>: 1 minute.</summary>
    public static readonly TimeSpan DefaultUpdateRetention = TimeSpan.FromMinutes(1);

    /// <summary>Default <see cref="LatePolicy"/>: drop and count.</summary>
    public const LatePolicy DefaultLatePolicy = LatePolicy.Drop;

    /// <summary>The windows.</summary>
    public required WindowSpec Spec { get; init; }

    /// <summary>What happens to late records.</summary>
    public LatePolicy LatePolicy { get; init; } = DefaultLatePolicy;

    /// <summary>
    /// With <see cref="LatePolicy.Update"/>: how long (event time, past the window's end) a fired window keeps its
    /// state to absorb late records. A window is retained while watermark &lt; end + retention. Whole ms; zero or more.
    /// Ignored by the other policies, which free a window when it fires.
    /// </summary>
    public TimeSpan UpdateRetention { get; init; } = DefaultUpdateRetention;

    /// <summary>Relative accuracy of the p50/p95/p99 quantile sketch (0.0001 … 0.5; default 1 %).</summary>
    public double SketchRelativeAccuracy { get; init; } = QuantileSketch.DefaultRelativeAccuracy;

    /// <summary>Most buckets per sign in one sketch, a power of two (16 … 65536); beyond it the lowest buckets collapse.</summary>
    public int SketchMaxBuckets { get; init; } = QuantileSketch.DefaultMaxBuckets;

    /// <summary><see cref="UpdateRetention"/> in whole milliseconds.</summary>
    public long UpdateRetentionMs => (long)UpdateRetention.TotalMilliseconds;

    /// <summary>Throws <see cref="ArgumentException"/> when a setting is invalid; returns this.</summary>
    public WindowOperatorOptions Validate()
    {
        if (!Spec.IsValid) throw new ArgumentException("Spec is not set (default WindowSpec); use WindowSpec.Tumbling/Hopping/Session.", nameof(Spec));
        if (!Enum.IsDefined(LatePolicy)) throw new ArgumentOutOfRangeException(nameof(LatePolicy), LatePolicy, "Unknown late policy.");
        if (UpdateRetention < TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(UpdateRetention), UpdateRetention, "Update retention must be zero or more.");
        if (UpdateRetentionMs > WindowSpec.MaxDurationMs) throw new ArgumentOutOfRangeException(nameof(UpdateRetention), UpdateRetention, "Update retention is too long.");
        SketchArena.ValidateSettings(SketchRelativeAccuracy, SketchMaxBuckets);
        return this;
    }
}
