namespace Platform.Engine.DeadLetters;

/// <summary>A dead-letter sink that keeps only a count and the latest few reasons (for tests and benchmarks).</summary>
public sealed class CountingDeadLetterSink : IDeadLetterSink
{
    private long _count;
    private volatile string? _lastReason;

    /// <inheritdoc />
    public long Count => Interlocked.Read(ref _count);

    /// <summary>The reason of the latest dead letter.</summary>
    public string? LastReason => _lastReason;

    /// <inheritdoc />
    public void Write(string source, int partition, long position, string reason, ReadOnlySpan<byte> raw)
    {
        Interlocked.Increment(ref _count);
        _lastReason = reason;
    }
}
