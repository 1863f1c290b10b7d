using Platform.Engine.Batching;

namespace Platform.Engine.Contracts;

/// <summary>
/// Where results go. Called from one thread. <see cref="WriteAsync"/> must copy what it keeps:
/// the batch returns to its pool when the call completes.
/// </summary>
public interface ISink<T> : IAsyncDisposable
{
    /// <summary>A name for logs and metrics.</summary>
    string Name { get; }

    /// <summary>Prepares the sink (connect, create tables) before the first write.</summary>
    ValueTask OpenAsync(CancellationToken cancellationToken);

    /// <summary>Writes a batch (may buffer).</summary>
    ValueTask WriteAsync(Batch<T> batch, CancellationToken cancellationToken);

    /// <summary>Makes everything written so far durable (on shutdown and on checkpoint barriers).</summary>
    ValueTask FlushAsync(CancellationToken cancellationToken);
}
