using Platform.Engine.Runtime;

namespace Platform.Connectors.Kafka;

/// <summary>One assigned partition at work: its chunk builder (poll thread), its source and its running pipeline.</summary>
internal sealed class KafkaPartitionTask(KafkaPartitionSource source, KafkaPartitionTaskContext context, int chunkBytes) : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();

    public KafkaPartitionSource Source { get; } = source;
    public KafkaPartitionTaskContext Context { get; } = context;
    public KafkaChunkBuilder Builder { get; } = new(chunkBytes);
    public RunningPipeline? Running { get; private set; }

    /// <summary>Poll thread: messages stamped before this (Unix ms) are skipped; -1 = none (the usual case).</summary>
    public long SkipBeforeMs { get; set; } = -1;

    /// <summary>
    /// Poll thread: the offset this partition is held at while its value is not ready (<see cref="KafkaValueHolds"/>);
    /// -1 = not held (the usual case).
    /// </summary>
    public long HeldAt { get; set; } = -1;

    /// <summary>Poll thread: the hold is over and the partition was sought back to <see cref="HeldAt"/>; messages before that one arrives are stale.</summary>
    public bool HoldReleased { get; set; }

    public Task Completion => Running?.Completion ?? Task.CompletedTask;

    public void Start(PipelineDefinition definition) => Running = definition.Start(_stop.Token);

    /// <summary>Graceful: the pipeline takes what it has, makes a final checkpoint (open windows kept) and ends.</summary>
    public void RequestStop() => _stop.Cancel();

    /// <summary>At once, no final checkpoint (a crash, or a partition lost to the group).</summary>
    public void Abort() => Running?.Abort();

    /// <summary>Waits for the pipeline to end; false on timeout. A failure is not thrown (see <see cref="Completion"/>).</summary>
    public bool WaitEnded(TimeSpan timeout)
    {
        try
        {
            return Completion.Wait(timeout);
        }
        catch (AggregateException)
        {
            return true;
        }
    }

    public async ValueTask DisposeAsync()
    {
        Builder.Discard();
        await Source.DisposeAsync();
        foreach (var owned in Context.Owned) await owned.DisposeAsync();
        _stop.Dispose();
    }
}
