using System.Collections.Concurrent;

namespace Platform.Engine.Batching;

/// <summary>
/// A pool of <see cref="Batch{T}"/>s. Counts what is out, so a test can fail a leak
/// (<see cref="Outstanding"/> must be back at zero when a pipeline ends).
/// </summary>
public sealed class BatchPool<T>
{
    /// <summary>Default records per batch.</summary>
    public const int DefaultBatchSize = 2048;

    private readonly ConcurrentQueue<Batch<T>> _free = new();
    private long _outstanding;

    /// <summary>Creates a pool of batches of <paramref name="batchSize"/> records.</summary>
    public BatchPool(int batchSize = DefaultBatchSize)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        BatchSize = batchSize;
    }

    /// <summary>Records per batch.</summary>
    public int BatchSize { get; }

    /// <summary>Batches rented and not yet returned.</summary>
    public long Outstanding => Interlocked.Read(ref _outstanding);

    /// <summary>Takes an empty batch.</summary>
    public Batch<T> Rent()
    {
        Interlocked.Increment(ref _outstanding);
        return _free.TryDequeue(out var b) ? b : new Batch<T>(this, BatchSize);
    }

    internal void Return(Batch<T> batch)
    {
        Interlocked.Decrement(ref _outstanding);
        _free.Enqueue(batch);
    }
}
