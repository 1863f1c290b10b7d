using System.Diagnostics.CodeAnalysis;

namespace Platform.Engine.Windows;

/// <summary>
/// What windows a record belongs to. Times are Unix milliseconds. Tumbling and hopping windows are aligned
/// to the epoch: the window starts are the multiples of the slide (floor division, so negative timestamps are
/// correct too), a window is <c>[start, start + size)</c>, and a timestamp <c>t</c> belongs to every window with
/// <c>t - size &lt; start ≤ t</c>. Session windows depend on the data (see <see cref="WindowStatsOperator{TIn, TKey, TTime, TValue}"/>).
/// </summary>
public readonly struct WindowSpec : IEquatable<WindowSpec>
{
    /// <summary>Largest event time a window operator accepts (2^62 ms, about 146 million years).</summary>
    public const long MaxTimestamp = 1L << 62;

    /// <summary>Smallest event time a window operator accepts.</summary>
    public const long MinTimestamp = -(1L << 62);

    /// <summary>Longest window size, slide or gap (2^50 ms, about 35,000 years).</summary>
    public const long MaxDurationMs = 1L << 50;

    /// <summary>Most hopping windows one timestamp may belong to (size / slide rounded up).</summary>
    public const int MaxWindowsPerTimestamp = 1024;

    private WindowSpec(WindowKind kind, long size, long slide, long gap)
    {
        Kind = kind;
        SizeMs = size;
        SlideMs = slide;
        GapMs = gap;
    }

    /// <summary>The window shape; 0 for <c>default(WindowSpec)</c>, which is invalid.</summary>
    public WindowKind Kind { get; }

    /// <summary>Window length in ms (tumbling, hopping); 0 for sessions.</summary>
    public long SizeMs { get; }

    /// <summary>Distance between window starts in ms (equals <see cref="SizeMs"/> for tumbling); 0 for sessions.</summary>
    public long SlideMs { get; }

    /// <summary>Session gap in ms: records of a key closer than this belong to one session; 0 otherwise.</summary>
    public long GapMs { get; }

    /// <summary>True for a session spec.</summary>
    public bool IsSession => Kind == WindowKind.Session;

    /// <summary>True for a valid spec (not <c>default</c>).</summary>
    public bool IsValid => Kind is WindowKind.Tumbling or WindowKind.Hopping or WindowKind.Session;

    /// <summary>Most windows one timestamp belongs to: ceil(size / slide); 1 for tumbling and sessions.</summary>
    public int WindowsPerTimestamp => Kind == WindowKind.Hopping ? (int)((SizeMs + SlideMs - 1) / SlideMs) : 1;

    /// <summary>Tumbling windows of <paramref name="size"/> (whole milliseconds, positive).</summary>
    public static WindowSpec Tumbling(TimeSpan size) => Tumbling(ToMs(size, nameof(size)));

    /// <summary>Tumbling windows of <paramref name="sizeMs"/> milliseconds.</summary>
    public static WindowSpec Tumbling(long sizeMs)
    {
        CheckDuration(sizeMs, nameof(sizeMs));
        return new WindowSpec(WindowKind.Tumbling, sizeMs, sizeMs, 0);
    }

    /// <summary>Hopping windows of <paramref name="size"/> starting every <paramref name="slide"/> (0 &lt; slide ≤ size).</summary>
    public static WindowSpec Hopping(TimeSpan size, TimeSpan slide) => Hopping(ToMs(size, nameof(size)), ToMs(slide, nameof(slide)));

    /// <summary>Hopping windows of <paramref name="sizeMs"/> ms starting every <paramref name="slideMs"/> ms (0 &lt; slide ≤ size).</summary>
    public static WindowSpec Hopping(long sizeMs, long slideMs)
    {
        CheckDuration(sizeMs, nameof(sizeMs));
        CheckDuration(slideMs, nameof(slideMs));
        if (slideMs > sizeMs)
            throw new ArgumentOutOfRangeException(nameof(slideMs), slideMs, $"Slide must not exceed the window size ({sizeMs} ms); windows would leave gaps.");
        if ((sizeMs + slideMs - 1) / slideMs > MaxWindowsPerTimestamp)
            throw new ArgumentOutOfRangeException(nameof(slideMs), slideMs, $"size / slide must be at most {MaxWindowsPerTimestamp} windows per record.");
        return new WindowSpec(WindowKind.Hopping, sizeMs, slideMs, 0);
    }

    /// <summary>Session windows closed by <paramref name="gap"/> of inactivity (whole milliseconds, positive).</summary>
    public static WindowSpec Session(TimeSpan gap) => Session(ToMs(gap, nameof(gap)));

    /// <summary>Session windows closed by <paramref name="gapMs"/> ms of inactivity.</summary>
    public static WindowSpec Session(long gapMs)
    {
        CheckDuration(gapMs, nameof(gapMs));
        return new WindowSpec(WindowKind.Session, 0, 0, gapMs);
    }

    /// <summary>Start of the latest window containing <paramref name="timestamp"/> (tumbling, hopping).</summary>
    public long LastWindowStart(long timestamp) => FloorDiv(timestamp, SlideMs) * SlideMs;

    /// <summary>Start of the earliest window containing <paramref name="timestamp"/> (tumbling, hopping).</summary>
    public long FirstWindowStart(long timestamp) => FloorDiv(timestamp - SizeMs, SlideMs) * SlideMs + SlideMs;

    /// <summary>
    /// Writes the starts of every window containing <paramref name="timestamp"/> into <paramref name="starts"/>
    /// in ascending order and returns how many (at most <see cref="WindowsPerTimestamp"/>). Allocation-free.
    /// </summary>
    public int AssignWindows(long timestamp, Span<long> starts)
    {
        if (Kind is not (WindowKind.Tumbling or WindowKind.Hopping))
            throw new InvalidOperationException($"AssignWindows needs a tumbling or hopping spec, not {this}.");
        if (timestamp is < MinTimestamp or > MaxTimestamp)
            throw new ArgumentOutOfRangeException(nameof(timestamp), timestamp, "Timestamp outside [MinTimestamp, MaxTimestamp].");
        var n = 0;
        for (var s = FirstWindowStart(timestamp); s <= timestamp; s += SlideMs)
        {
            if (n == starts.Length) ThrowSpanTooSmall();
            starts[n++] = s;
        }

        return n;
    }

    /// <summary>Floor division (rounds toward −∞, unlike <c>/</c>), for positive <paramref name="divisor"/>.</summary>
    public static long FloorDiv(long value, long divisor)
    {
        var q = value / divisor;
        return (value % divisor != 0 && value < 0) ? q - 1 : q;
    }

    /// <inheritdoc />
    public bool Equals(WindowSpec other) => Kind == other.Kind && SizeMs == other.SizeMs && SlideMs == other.SlideMs && GapMs == other.GapMs;

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is WindowSpec other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Kind, SizeMs, SlideMs, GapMs);

    /// <summary>Equality.</summary>
    public static bool operator ==(WindowSpec left, WindowSpec right) => left.Equals(right);

    /// <summary>Inequality.</summary>
    public static bool operator !=(WindowSpec left, WindowSpec right) => !left.Equals(right);

    /// <inheritdoc />
    public override string ToString() => Kind switch
    {
        WindowKind.Tumbling => $"tumbling({SizeMs} ms)",
        WindowKind.Hopping => $"hopping({SizeMs} ms, slide {SlideMs} ms)",
        WindowKind.Session => $"session(gap {GapMs} ms)",
        _ => "invalid",
    };

    private static long ToMs(TimeSpan span, string name)
    {
        if (span.Ticks % TimeSpan.TicksPerMillisecond != 0)
            throw new ArgumentOutOfRangeException(name, span, "Window durations must be whole milliseconds.");
        return span.Ticks / TimeSpan.TicksPerMillisecond;
    }

    private static void CheckDuration(long ms, string name)
    {
        if (ms <= 0) throw new ArgumentOutOfRangeException(name, ms, "Window durations must be positive.");
        if (ms > MaxDurationMs) throw new ArgumentOutOfRangeException(name, ms, $"Window durations must be at most {MaxDurationMs} ms.");
    }

    [DoesNotReturn]
    private static void ThrowSpanTooSmall() =>
        throw new ArgumentException("The span is shorter than WindowsPerTimestamp.", "starts");
}
