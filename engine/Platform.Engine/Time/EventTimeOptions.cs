using Platform.Engine.Windows;

namespace Platform.Engine.Time;

/// <summary>
/// Event-time settings of a source or stage: how much out-of-orderness the watermark tolerates, when a
/// silent partition stops holding the watermark back, and what happens to records behind the watermark.
/// Immutable; <see cref="Validate"/> checks it.
/// </summary>
public sealed record EventTimeOptions
{
    /// <summary>Default <see cref="AllowedLateness"/>: 5 seconds.</summary>
    public static readonly TimeSpan DefaultAllowedLateness = TimeSpan.FromSeconds(5);

    /// <summary>Default <see cref="IdleTimeout"/>: 30 seconds.</summary>
    public static readonly TimeSpan DefaultIdleTimeout = TimeSpan.FromSeconds(30);

    /// <summary>Default <see cref="LatePolicy"/>: <see cref="Windows.LatePolicy.Drop"/>.</summary>
    public const LatePolicy DefaultLatePolicy = LatePolicy.Drop;

    /// <summary>The default options.</summary>
    public static EventTimeOptions Default { get; } = new();

    /// <summary>
    /// Bounded out-of-orderness: a partition's watermark is the largest event time it has seen minus
    /// this (whole milliseconds; sub-millisecond parts are truncated). Zero or more.
    /// </summary>
    public TimeSpan AllowedLateness { get; init; } = DefaultAllowedLateness;

    /// <summary>
    /// A partition without data for this long (wall-clock, measured with the injected
    /// <see cref="TimeProvider"/>) is idle and no longer holds the combined watermark back, until it gets
    /// data again. Positive, or <see cref="Timeout.InfiniteTimeSpan"/> to never time out.
    /// </summary>
    public TimeSpan IdleTimeout { get; init; } = DefaultIdleTimeout;

    /// <summary>What windowed operators do with a record behind the watermark.</summary>
    public LatePolicy LatePolicy { get; init; } = DefaultLatePolicy;

    /// <summary><see cref="AllowedLateness"/> in whole milliseconds.</summary>
    public long AllowedLatenessMs => (long)AllowedLateness.TotalMilliseconds;

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> when a setting is out of range.</summary>
    public EventTimeOptions Validate()
    {
        if (AllowedLateness < TimeSpan.Zero)
            throw new ArgumentOutOfRangeException(nameof(AllowedLateness), AllowedLateness, "Allowed lateness must be zero or more.");
        if (IdleTimeout <= TimeSpan.Zero && IdleTimeout != Timeout.InfiniteTimeSpan)
            throw new ArgumentOutOfRangeException(nameof(IdleTimeout), IdleTimeout, "Idle timeout must be positive or Timeout.InfiniteTimeSpan.");
        if (!Enum.IsDefined(LatePolicy))
            throw new ArgumentOutOfRangeException(nameof(LatePolicy), LatePolicy, "Unknown late policy.");
        return this;
    }
}
