namespace Platform.Formats;

/// <summary>Settings of <see cref="TelemetryNdjsonParser"/>.</summary>
public sealed record TelemetryNdjsonParserOptions
{
    /// <summary>Default <see cref="MaxLineBytes"/>: 64 KiB.</summary>
    public const int DefaultMaxLineBytes = 64 * 1024;

    /// <summary>Smallest accepted <see cref="MaxLineBytes"/>.</summary>
    public const int MinMaxLineBytes = 64;

    /// <summary>Largest accepted <see cref="MaxLineBytes"/>: 4 MiB (the scanner packs in-line offsets into 23 bits).</summary>
    public const int MaxMaxLineBytes = 4 * 1024 * 1024;

    /// <summary>The defaults.</summary>
    public static TelemetryNdjsonParserOptions Default { get; } = new();

    /// <summary>
    /// Longest line accepted, in bytes, not counting its "\n" or "\r\n" terminator (default 65536).
    /// A longer line goes to the dead-letter queue with its first <see cref="MaxLineBytes"/> bytes,
    /// without being parsed; the rest of it is skipped.
    /// </summary>
    public int MaxLineBytes { get; init; } = DefaultMaxLineBytes;

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> when a setting is out of range.</summary>
    public TelemetryNdjsonParserOptions Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxLineBytes, MinMaxLineBytes, nameof(MaxLineBytes));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(MaxLineBytes, MaxMaxLineBytes, nameof(MaxLineBytes));
        return this;
    }
}
