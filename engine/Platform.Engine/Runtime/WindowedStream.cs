using Platform.Engine.Batching;
using Platform.Engine.Contracts;
using Platform.Engine.Records;
using Platform.Engine.Windows;

namespace Platform.Engine.Runtime;

/// <summary>Keyed records grouped into event-time windows, waiting for an aggregate.</summary>
public sealed class WindowedStream<T, TTime, TKey>
    where T : struct
    where TTime : struct, IEventTimeSelector<T>
    where TKey : struct, IKeySelector<T>
{
    private readonly KeyedStream<T, TTime, TKey> _keyed;
    private readonly WindowOperatorOptions _options;
    private readonly Func<IBatchOutput<T>>? _lateOutput;

    internal WindowedStream(KeyedStream<T, TTime, TKey> keyed, WindowOperatorOptions options, Func<IBatchOutput<T>>? lateOutput)
    {
        _keyed = keyed;
        _options = options;
        _lateOutput = lateOutput;
    }

    /// <summary>Count, sum, min, max, mean, variance and p50/p95/p99 of <paramref name="value"/> per key and window.</summary>
    public ResultStream<WindowResult> Aggregate<TValue>(TValue value, string stageName = "aggregate")
        where TValue : struct, IValueSelector<T>
    {
        var options = _options;
        var late = _lateOutput;
        return _keyed.Process<WindowResult>(
            () => new WindowStatsOperator<T, TKey, TTime, TValue>(options, late?.Invoke(), valueSelector: value),
            $"{stageName} {options.Spec}");
    }
}

/// <summary>Window operations on keyed streams.</summary>
public static class WindowingExtensions
{
    /// <summary>
    /// Groups each key's records into event-time windows; late records follow the pipeline's
    /// <see cref="Time.EventTimeOptions.LatePolicy"/> (<paramref name="lateOutput"/> makes one side output per worker).
    /// </summary>
    public static WindowedStream<T, TTime, TKey> Window<T, TTime, TKey>(
        this KeyedStream<T, TTime, TKey> keyed, WindowSpec spec, Func<IBatchOutput<T>>? lateOutput = null, TimeSpan? updateRetention = null)
        where T : struct
        where TTime : struct, IEventTimeSelector<T>
        where TKey : struct, IKeySelector<T>
    {
        var options = new WindowOperatorOptions
        {
            Spec = spec,
            LatePolicy = keyed.Plan.Options.EventTime.LatePolicy,
            UpdateRetention = updateRetention ?? WindowOperatorOptions.DefaultUpdateRetention,
        }.Validate();
        return new WindowedStream<T, TTime, TKey>(keyed, options, lateOutput);
    }
}
