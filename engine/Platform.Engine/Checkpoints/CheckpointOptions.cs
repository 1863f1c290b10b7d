using Platform.Engine.Contracts;

namespace Platform.Engine.Checkpoints;

/// <summary>
/// Periodic aligned checkpoints of a pipeline into <see cref="Directory"/>, and recovery from the newest
/// complete one when the pipeline starts. Immutable; validated by <see cref="Validate"/>.
/// </summary>
public sealed record CheckpointOptions
{
    /// <summary>Default time between checkpoints: 10 s.</summary>
    public static readonly TimeSpan DefaultInterval = TimeSpan.FromSeconds(10);
    /// <summary>Default number of complete checkpoints kept: 3.</summary>
    public const int DefaultRetain = 3;

    /// <summary>Where checkpoints live: one <c>chk-&lt;id&gt;</c> folder each (created if missing).</summary>
    public required string Directory { get; init; }

    /// <summary>Time between checkpoints (≥ 1 ms).</summary>
    public TimeSpan Interval { get; init; } = DefaultInterval;

    /// <summary>Complete checkpoints kept; older ones are deleted after each new one completes (≥ 1).</summary>
    public int Retain { get; init; } = DefaultRetain;

    /// <summary>Restore the newest complete checkpoint at start (default true); false starts afresh (old checkpoints stay until retention removes them).</summary>
    public bool Restore { get; init; } = true;

    /// <summary>Pipeline-wide state saved and restored with every checkpoint (e.g. the symbol table).</summary>
    public IReadOnlyList<ICheckpointParticipant> Participants { get; init; } = [];

    /// <summary>Receives one line per recovery decision (restored, skipped and why) and per failure to clean up; null = silent.</summary>
    public Action<string>? Log { get; init; }

    /// <summary>Tests only: also inject a barrier after every this many chunks (0 = by time only).</summary>
    internal long BarrierEveryChunks { get; init; }

    /// <summary>Throws <see cref="ArgumentException"/> naming the first invalid setting.</summary>
    public CheckpointOptions Validate()
    {
        if (string.IsNullOrWhiteSpace(Directory)) throw new ArgumentException("Checkpoint directory must not be empty.");
        if (Interval < TimeSpan.FromMilliseconds(1)) throw new ArgumentException($"Checkpoint interval must be ≥ 1 ms, got {Interval}.");
        if (Retain < 1) throw new ArgumentException($"Checkpoint retain must be ≥ 1, got {Retain}.");
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var p in Participants)
        {
            if (string.IsNullOrEmpty(p.Name) || p.Name.IndexOfAny(['/', '\\', '.']) >= 0 || p.Name.Length > 64)
                throw new ArgumentException($"Checkpoint participant name '{p.Name}' must be 1–64 characters without '/', '\\' or '.'.");
            if (!names.Add(p.Name)) throw new ArgumentException($"Checkpoint participant name '{p.Name}' is used twice.");
        }
        return this;
    }
}
