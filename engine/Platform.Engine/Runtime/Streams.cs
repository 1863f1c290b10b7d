using Platform.Engine.Contracts;

namespace Platform.Engine.Runtime;

/// <summary>Parsed records, not yet keyed. Stateless operators added here are fused into the parse stage.</summary>
public sealed class RecordStream<T, TTime>
    where T : struct
    where TTime : struct, IEventTimeSelector<T>
{
    private readonly JobPlan _plan;
    private readonly IChunkParser<T> _parser;
    private readonly IReadOnlyList<IBatchOperator<T, T>> _stateless;

    internal RecordStream(JobPlan plan, IChunkParser<T> parser, IReadOnlyList<IBatchOperator<T, T>> stateless)
    {
        _plan = plan;
        _parser = parser;
        _stateless = stateless;
    }

    /// <summary>Adds a stateless operator (filter, map in place), fused with the parse stage: no channel, no thread hop.</summary>
    public RecordStream<T, TTime> Apply(IBatchOperator<T, T> op, string stageName)
    {
        ArgumentNullException.ThrowIfNull(op);
        _plan.Stages.Add(new StageInfo(stageName, StageKind.Stateless, _plan.Workers, true));
        return new RecordStream<T, TTime>(_plan, _parser, [.. _stateless, op]);
    }

    /// <summary>Hash-partitions records by key over the workers; each worker owns its keys' state.</summary>
    public KeyedStream<T, TTime, TKey> KeyBy<TKey>(TKey key, string stageName = "key-by")
        where TKey : struct, IKeySelector<T>
    {
        _plan.Stages.Add(new StageInfo(stageName, StageKind.KeyBy, _plan.Workers, true));
        return new KeyedStream<T, TTime, TKey>(_plan, _parser, _stateless);
    }

    /// <summary>Writes the records to sinks (no keyed stage).</summary>
    public PipelineDefinition To(params ISink<T>[] sinks) =>
        new KeyedStream<T, TTime, NoKey<T>>(_plan, _parser, _stateless, partitioned: false)
            .Process(() => new PassThroughOperator<T>(), "pass-through", addStage: false)
            .To(sinks);
}

/// <summary>Records partitioned by key.</summary>
public sealed class KeyedStream<T, TTime, TKey>
    where T : struct
    where TTime : struct, IEventTimeSelector<T>
    where TKey : struct, IKeySelector<T>
{
    internal KeyedStream(JobPlan plan, IChunkParser<T> parser, IReadOnlyList<IBatchOperator<T, T>> stateless, bool partitioned = true)
    {
        Plan = plan;
        Parser = parser;
        Stateless = stateless;
        Partitioned = partitioned;
    }

    internal JobPlan Plan { get; }
    internal IChunkParser<T> Parser { get; }
    internal IReadOnlyList<IBatchOperator<T, T>> Stateless { get; }
    internal bool Partitioned { get; }

    /// <summary>
    /// Runs a keyed operator: <paramref name="factory"/> is called once per worker, and that instance
    /// sees only the keys hashed to its worker.
    /// </summary>
    public ResultStream<TOut> Process<TOut>(Func<IKeyedOperator<T, TOut>> factory, string stageName) where TOut : struct =>
        Process(factory, stageName, addStage: true);

    internal ResultStream<TOut> Process<TOut>(Func<IKeyedOperator<T, TOut>> factory, string stageName, bool addStage)
        where TOut : struct
    {
        ArgumentNullException.ThrowIfNull(factory);
        if (addStage) Plan.Stages.Add(new StageInfo(stageName, StageKind.Keyed, Plan.Workers, false));
        return new ResultStream<TOut>(Plan, sinks => new JobRunner<T, TTime, TKey, TOut>(Plan, Parser, Stateless, factory, sinks, Partitioned));
    }
}

/// <summary>The output of a keyed stage, ready for sinks.</summary>
public sealed class ResultStream<TOut> where TOut : struct
{
    private readonly JobPlan _plan;
    private readonly Func<ISink<TOut>[], IJobRunner> _compile;

    internal ResultStream(JobPlan plan, Func<ISink<TOut>[], IJobRunner> compile)
    {
        _plan = plan;
        _compile = compile;
    }

    /// <summary>Writes results to <paramref name="sinks"/> (each gets every batch, in order).</summary>
    public PipelineDefinition To(params ISink<TOut>[] sinks)
    {
        if (sinks.Length == 0) throw new ArgumentException("A pipeline needs at least one sink.", nameof(sinks));
        foreach (var s in sinks) _plan.Stages.Add(new StageInfo(s.Name, StageKind.Sink, 1, false));
        var graph = new PipelineGraph(_plan.Name, [.. _plan.Stages]);
        return new PipelineDefinition(graph, _plan.Options, () => _compile(sinks));
    }
}

/// <summary>The key of an unkeyed stream: every record stays on the worker that parsed it.</summary>
internal readonly struct NoKey<T> : IKeySelector<T>
{
    public long KeyOf(in T record) => 0;
}
