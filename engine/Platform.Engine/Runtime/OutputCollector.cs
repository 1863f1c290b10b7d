using Platform.Engine.Batching;

namespace Platform.Engine.Runtime;

/// <summary>
/// A worker's output: records go into a pooled batch; full (or sealed) batches queue up until the
/// worker's loop hands them to the sink channel, so operators never block inside <see cref="Emit"/>.
/// </summary>
internal sealed class OutputCollector<T>(BatchPool<T> pool) : IBatchOutput<T>
{
    private Batch<T> _current = pool.Rent();

    public Queue<Batch<T>> Ready { get; } = new();

    public void Emit(in T record)
    {
        _current.Add(record);
        if (_current.Count >= pool.BatchSize) Seal();
    }

    /// <summary>Queues the current batch if it holds anything.</summary>
    public void Seal()
    {
        if (_current.Count == 0) return;
        Ready.Enqueue(_current);
        _current = pool.Rent();
    }

    public void Release()
    {
        _current.Dispose();
        while (Ready.TryDequeue(out var b)) b.Dispose();
    }
}
