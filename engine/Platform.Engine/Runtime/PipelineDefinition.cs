namespace Platform.Engine.Runtime;

/// <summary>A compiled pipeline, ready to run (once per <see cref="Start"/>).</summary>
public sealed class PipelineDefinition
{
    private readonly Func<IJobRunner> _compile;

    internal PipelineDefinition(PipelineGraph graph, PipelineOptions options, Func<IJobRunner> compile)
    {
        Graph = graph;
        Options = options;
        _compile = compile;
    }

    /// <summary>The stages, in order.</summary>
    public PipelineGraph Graph { get; }

    /// <summary>The options it runs with.</summary>
    public PipelineOptions Options { get; }

    /// <summary>
    /// Starts the pipeline. Cancelling <paramref name="stop"/> is a graceful stop: the source stops
    /// reading, everything already read is processed and flushed, windows fire, sinks flush.
    /// </summary>
    public RunningPipeline Start(CancellationToken stop = default) => _compile().Start(stop);

    /// <summary>Runs to the end of a bounded source, or until <paramref name="stop"/> (graceful).</summary>
    public Task<PipelineResult> RunAsync(CancellationToken stop = default) => Start(stop).Completion;
}

/// <summary>Totals of a finished run.</summary>
public sealed record PipelineResult(long Bytes, long RecordsIn, long Rejected, long RecordsOut, long Late, TimeSpan Elapsed)
{
    /// <summary>Parsed records per second over the run.</summary>
    public double RecordsPerSecond => Elapsed.TotalSeconds > 0 ? RecordsIn / Elapsed.TotalSeconds : 0;
}

/// <summary>A pipeline in flight.</summary>
public sealed class RunningPipeline
{
    private readonly CancellationTokenSource _abort;

    internal RunningPipeline(PipelineStats stats, Task<PipelineResult> completion, CancellationTokenSource abort)
    {
        Stats = stats;
        Completion = completion;
        _abort = abort;
    }

    /// <summary>Live counters.</summary>
    public PipelineStats Stats { get; }

    /// <summary>Completes with the totals when the pipeline has drained (or faults with the first error).</summary>
    public Task<PipelineResult> Completion { get; }

    /// <summary>Stops at once without draining (in-flight batches are discarded).</summary>
    public void Abort() => _abort.Cancel();
}

/// <summary>A typed runner behind a definition.</summary>
internal interface IJobRunner
{
    RunningPipeline Start(CancellationToken stop);
}
