using Platform.Engine.Contracts;
using Platform.Engine.Records;
using Platform.Engine.Windows;

namespace Platform.Engine.Runtime;

/// <summary>
/// Entry point of the fluent API:
/// <c>Pipeline.Create("iot").From(source).Parse(parser).KeyBy(new TelemetrySensorKey()).Window(spec).Aggregate(new TelemetryValue()).To(sink)</c>.
/// </summary>
public static class Pipeline
{
    /// <summary>Starts a pipeline definition.</summary>
    public static PipelineBuilder Create(string name = "pipeline", PipelineOptions? options = null) =>
        new(name, (options ?? new PipelineOptions()).Validate());
}

/// <summary>A pipeline with no source yet.</summary>
public sealed class PipelineBuilder
{
    private readonly string _name;
    private readonly PipelineOptions _options;

    internal PipelineBuilder(string name, PipelineOptions options)
    {
        _name = name;
        _options = options;
    }

    /// <summary>Reads from <paramref name="source"/>.</summary>
    public SourceStream From(IChunkSource source, string? stageName = null)
    {
        ArgumentNullException.ThrowIfNull(source);
        var plan = new JobPlan(_name, _options, source);
        plan.Stages.Add(new StageInfo(stageName ?? source.Name, StageKind.Source, 1, false));
        return new SourceStream(plan);
    }
}

/// <summary>A stream of raw chunks.</summary>
public sealed class SourceStream
{
    private readonly JobPlan _plan;

    internal SourceStream(JobPlan plan) => _plan = plan;

    /// <summary>Parses chunks into records whose event time <paramref name="eventTime"/> reads.</summary>
    public RecordStream<T, TTime> Parse<T, TTime>(IChunkParser<T> parser, TTime eventTime, string stageName = "parse")
        where T : struct
        where TTime : struct, IEventTimeSelector<T>
    {
        ArgumentNullException.ThrowIfNull(parser);
        _plan.Stages.Add(new StageInfo(stageName, StageKind.Parse, _plan.Workers, false));
        return new RecordStream<T, TTime>(_plan, parser, []);
    }

    /// <summary>Parses chunks into telemetry records, event time = <see cref="Telemetry.Timestamp"/>.</summary>
    public RecordStream<Telemetry, TelemetryEventTime> Parse(IChunkParser<Telemetry> parser, string stageName = "parse") =>
        Parse(parser, default(TelemetryEventTime), stageName);
}
