using Platform.Engine.Batching;
using Platform.Engine.Contracts;

namespace Platform.Sinks.Null;

/// <summary>Discards records, counting them and their batches (benchmarks; the <c>null</c> sink type). Counters are safe to read from any thread.</summary>
public sealed class NullSink<T> : ISink<T>
{
    /// <summary>Default sink name.</summary>
    public const string DefaultName = "null";

    private long _count;
    private long _batches;
    private long _flushes;

    /// <summary>Creates the sink.</summary>
    public NullSink(string name = DefaultName)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        Name = name;
    }

    /// <inheritdoc />
    public string Name { get; }

    /// <summary>Records received.</summary>
    public long Count => Interlocked.Read(ref _count);

    /// <summary>Batches received.</summary>
    public long Batches => Interlocked.Read(ref _batches);

    /// <summary>Flushes received.</summary>
    public long Flushes => Interlocked.Read(ref _flushes);

    /// <inheritdoc />
    public ValueTask OpenAsync(CancellationToken cancellationToken) => ValueTask.CompletedTask;

    /// <inheritdoc />
    public ValueTask WriteAsync(Batch<T> batch, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(batch);
        Interlocked.Add(ref _count, batch.Count);
        Interlocked.Increment(ref _batches);
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public ValueTask FlushAsync(CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _flushes);
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
