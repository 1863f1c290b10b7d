namespace Platform.Engine.Batching;

/// <summary>Where an operator writes its output records; the runtime batches and forwards them.</summary>
public interface IBatchOutput<T>
{
    /// <summary>Emits one record.</summary>
    void Emit(in T record);
}

/// <summary>An output that appends into a <see cref="Batch{T}"/> and hands full batches to a callback.</summary>
public sealed class BatchWriter<T> : IBatchOutput<T>
{
    private readonly BatchPool<T> _pool;
    private readonly Action<Batch<T>> _onFull;
    private Batch<T> _current;

    /// <summary>Creates a writer renting from <paramref name="pool"/>; <paramref name="onFull"/> takes ownership of each full batch.</summary>
    public BatchWriter(BatchPool<T> pool, Action<Batch<T>> onFull)
    {
        _pool = pool;
        _onFull = onFull;
        _current = pool.Rent();
    }

    /// <summary>Records waiting in the current batch.</summary>
    public int Pending => _current.Count;

    /// <inheritdoc />
    public void Emit(in T record)
    {
        _current.Add(record);
        if (_current.Count >= _pool.BatchSize) Flush();
    }

    /// <summary>Hands the current batch on (even when empty, so a watermark can travel) and starts a new one.</summary>
    public void Flush(long watermark = long.MinValue)
    {
        var full = _current;
        full.Watermark = watermark;
        _current = _pool.Rent();
        _onFull(full);
    }

    /// <summary>Returns the current (unsent) batch to the pool.</summary>
    public void Release() => _current.Dispose();
}
