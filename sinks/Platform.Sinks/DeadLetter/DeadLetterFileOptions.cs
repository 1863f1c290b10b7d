namespace Platform.Sinks.DeadLetter;

/// <summary>Where a <see cref="DeadLetterFileSink"/> writes. Immutable; <see cref="Validate"/> checks it (the sink calls it).</summary>
public sealed record DeadLetterFileOptions
{
    /// <summary>Default write buffer: 64 KiB.</summary>
    public const int DefaultBufferBytes = 64 * 1024;

    /// <summary>The NDJSON file; appended to, created with its directory when missing.</summary>
    public required string Path { get; init; }

    /// <summary>Bytes buffered before a write to the file.</summary>
    public int BufferBytes { get; init; } = DefaultBufferBytes;

    /// <summary>True to make <see cref="DeadLetterFileSink.FlushAsync"/> also flush the OS cache to disk (fsync).</summary>
    public bool FlushToDisk { get; init; }

    /// <summary>The sink's name in logs and metrics.</summary>
    public string Name { get; init; } = "dead-letters";

    /// <summary>Throws <see cref="ArgumentException"/> describing the first invalid setting.</summary>
    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(Path)) throw new ArgumentException("Path must not be empty.");
        if (BufferBytes is < 0 or > 64 * 1024 * 1024) throw new ArgumentException($"BufferBytes must be in [0, 64 MiB], got {BufferBytes}.");
        if (string.IsNullOrWhiteSpace(Name)) throw new ArgumentException("Name must not be empty.");
    }
}
