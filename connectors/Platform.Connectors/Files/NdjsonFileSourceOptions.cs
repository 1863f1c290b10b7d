namespace Platform.Connectors.Files;

/// <summary>
/// Where and how an <see cref="NdjsonFileSource"/> reads. Immutable; <see cref="Validate"/> checks it
/// (the source calls it). Each file is one partition, in the order given.
/// </summary>
public sealed record NdjsonFileSourceOptions
{
    /// <summary>Default target chunk size: 256 KiB.</summary>
    public const int DefaultChunkBytes = 256 * 1024;
    /// <summary>Default longest line kept whole: 1 MiB. Longer lines are cut into pieces of this size (each rejected by the parser).</summary>
    public const int DefaultMaxLineBytes = 1024 * 1024;
    /// <summary>Smallest chunk size accepted.</summary>
    public const int MinChunkBytes = 16;
    /// <summary>Largest chunk or line size accepted.</summary>
    public const int MaxBytes = 256 * 1024 * 1024;

    /// <summary>The files, one partition each.</summary>
    public required IReadOnlyList<string> Paths { get; init; }

    /// <summary>The source's name in logs, metrics and dead letters.</summary>
    public string Name { get; init; } = "file";

    /// <summary>Target chunk size in bytes; a chunk ends at the last newline that fits.</summary>
    public int ChunkBytes { get; init; } = DefaultChunkBytes;

    /// <summary>
    /// A line longer than the chunk grows its chunk up to this many bytes (or <see cref="ChunkBytes"/>, if larger);
    /// a line longer still is emitted in pieces of that size, each its own chunk, so the parser rejects it and nothing is lost.
    /// </summary>
    public int MaxLineBytes { get; init; } = DefaultMaxLineBytes;

    /// <summary>Byte offset to start each file at (a checkpointed <see cref="NdjsonFileSource.PositionOf"/>, which is always a line start); null = from the beginning.</summary>
    public IReadOnlyList<long>? StartPositions { get; init; }

    /// <summary>Replay rate in records (lines) per second over all files; 0 = as fast as the disk goes.</summary>
    public double RecordsPerSecond { get; init; }

    /// <summary>Options reading <paramref name="paths"/> with every other setting at its default.</summary>
    public static NdjsonFileSourceOptions For(params string[] paths) => new() { Paths = paths };

    /// <summary>Throws <see cref="ArgumentException"/> describing the first invalid setting.</summary>
    public void Validate()
    {
        if (Paths is null || Paths.Count == 0) throw new ArgumentException("At least one path is required.");
        if (Paths.Any(string.IsNullOrWhiteSpace)) throw new ArgumentException("Paths must not be empty.");
        if (string.IsNullOrWhiteSpace(Name)) throw new ArgumentException("Name must not be empty.");
        if (ChunkBytes is < MinChunkBytes or > MaxBytes) throw new ArgumentException($"ChunkBytes must be in [{MinChunkBytes}, {MaxBytes}], got {ChunkBytes}.");
        if (MaxLineBytes is < MinChunkBytes or > MaxBytes) throw new ArgumentException($"MaxLineBytes must be in [{MinChunkBytes}, {MaxBytes}], got {MaxLineBytes}.");
        if (StartPositions is not null)
        {
            if (StartPositions.Count != Paths.Count) throw new ArgumentException($"StartPositions has {StartPositions.Count} entries for {Paths.Count} paths.");
            if (StartPositions.Any(p => p < 0)) throw new ArgumentException("StartPositions must be >= 0.");
        }
        if (!(RecordsPerSecond >= 0) || double.IsInfinity(RecordsPerSecond)) throw new ArgumentException($"RecordsPerSecond must be >= 0 (0 = full speed), got {RecordsPerSecond}.");
    }
}
