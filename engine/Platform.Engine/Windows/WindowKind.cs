namespace Platform.Engine.Windows;

/// <summary>The shape of a window.</summary>
public enum WindowKind : byte
{
    /// <summary>Fixed-size, non-overlapping, epoch-aligned windows.</summary>
    Tumbling = 1,
    /// <summary>Fixed-size windows starting every slide (overlapping when slide &lt; size), epoch-aligned.</summary>
    Hopping = 2,
    /// <summary>Per-key bursts of activity separated by a gap of inactivity.</summary>
    Session = 3,
}
