using Platform.Engine.Windows;

namespace Platform.Host.Config;

/// <summary>
/// A pipeline as written in YAML, bound and checked: immutable, compared by value.
/// Build one with <see cref="PipelineConfigLoader"/>; defaults live in <see cref="ConfigDefaults"/>.
/// </summary>
/// <remarks>
/// Relative paths: an input path (the file source's <c>path</c>) resolves against the folder of
/// the YAML file, so a pipeline ships with its data; an output path (sink <c>path</c>,
/// <c>dead-letter.path</c>) resolves against the current working directory, where the user runs
/// the command. Each path is kept as written (<c>Path</c>) and resolved (<c>FullPath</c>).
/// </remarks>
/// <param name="Name">The pipeline's name (<c>name</c>; defaults to the file name without extension); letters, digits, '.', '_' and '-'.</param>
/// <param name="Source">Where records come from (<c>source</c>, required).</param>
/// <param name="Format">The format of the source's bytes (<c>format</c>, default telemetry-json).</param>
/// <param name="EventTime">Watermarks and late records (<c>event-time</c>).</param>
/// <param name="Steps">The operators, in order (<c>steps</c>).</param>
/// <param name="Sinks">Where results go (<c>sinks</c>, at least one).</param>
/// <param name="DeadLetter">Where malformed and rejected records go (<c>dead-letter</c>).</param>
/// <param name="Runtime">Workers, batches and channels (<c>runtime</c>).</param>
/// <param name="Http">Health and metrics endpoints (<c>http</c>).</param>
internal sealed record PipelineConfig(
    string Name,
    SourceConfig Source,
    RecordFormat Format,
    EventTimeConfig EventTime,
    EquatableList<StepConfig> Steps,
    EquatableList<SinkConfig> Sinks,
    DeadLetterConfig DeadLetter,
    RuntimeConfig Runtime,
    HttpConfig Http)
{
    /// <summary>Periodic checkpoints and recovery (<c>checkpoint</c>); null = off.</summary>
    public CheckpointConfig? Checkpoint { get; init; }

    /// <summary>How lines are read before parsing (<c>parser</c>).</summary>
    public ParserConfig Parser { get; init; } = ParserConfig.Default;

    /// <summary>Alert channels and limits (<c>alerts</c>); null = alerts reach the dashboard only.</summary>
    public AlertsConfig? Alerts { get; init; }

    /// <summary>The run report posted at the end of a run (<c>run-report</c>); null = none.</summary>
    public RunReportConfig? RunReport { get; init; }

    /// <summary>OpenTelemetry tracing (<c>tracing</c>); null = off.</summary>
    public TracingConfig? Tracing { get; init; }

    /// <summary>
    /// The pipeline made of defaults only: a generator, key by device×sensor, 10 s tumbling
    /// windows, every aggregate, a null sink.
    /// </summary>
    public static PipelineConfig CreateDefault(string name = "pipeline", string? workingDirectory = null) => new(
        name,
        GeneratorSourceConfig.Default,
        ConfigDefaults.Format,
        EventTimeConfig.Default,
        new EquatableList<StepConfig>([
            new KeyByStepConfig(new EquatableList<string>(["deviceId", "sensorType"])),
            new WindowStepConfig(WindowKind.Tumbling, TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(10), TimeSpan.Zero),
            new AggregateStepConfig(AggregateStepConfig.AllFunctions),
        ]),
        new EquatableList<SinkConfig>([new NullSinkConfig()]),
        DeadLetterConfig.CreateDefault(name, workingDirectory ?? Environment.CurrentDirectory),
        RuntimeConfig.Default,
        HttpConfig.Default);

    /// <summary>One line naming the flow: <c>generator → key-by → window → aggregate → duckdb</c>.</summary>
    public string Describe() =>
        string.Join(" → ", new[] { Source.Type }.Concat(Steps.Select(s => s.Op)).Append(string.Join(" + ", Sinks.Select(s => s.Type))));
}

/// <summary>Event time and watermarks (<c>event-time</c>).</summary>
/// <param name="AllowedLateness">Watermark = max event time − this (<c>allowed-lateness</c>, ≥ 0, default 5s).</param>
/// <param name="IdleTimeout">A source partition silent this long no longer holds the watermark back (<c>idle-timeout</c>, &gt; 0, default 30s).</param>
/// <param name="LatePolicy">What happens to a record behind the watermark (<c>late-policy</c>, default drop).</param>
internal sealed record EventTimeConfig(TimeSpan AllowedLateness, TimeSpan IdleTimeout, LatePolicy LatePolicy)
{
    /// <summary>All defaults.</summary>
    public static EventTimeConfig Default { get; } =
        new(ConfigDefaults.AllowedLateness, ConfigDefaults.IdleTimeout, ConfigDefaults.LateRecordPolicy);
}

/// <summary>The dead-letter file (<c>dead-letter</c>): NDJSON of reason, source, position, raw bytes.</summary>
/// <param name="Path">As written (<c>path</c>; default <c>out/&lt;name&gt;.dlq.ndjson</c>).</param>
/// <param name="FullPath">Resolved against the working directory.</param>
internal sealed record DeadLetterConfig(string Path, string FullPath)
{
    /// <summary>The default dead-letter file of a pipeline named <paramref name="pipelineName"/>.</summary>
    public static DeadLetterConfig CreateDefault(string pipelineName, string workingDirectory)
    {
        var path = ConfigDefaults.DeadLetterPathFormat.Replace("{0}", pipelineName, StringComparison.Ordinal);
        return new(path, System.IO.Path.GetFullPath(path, workingDirectory));
    }
}

/// <summary>Threads, batches and channels (<c>runtime</c>).</summary>
/// <param name="Workers">Keyed workers (<c>workers</c>; 0 = one per core, default 0).</param>
/// <param name="BatchSize">Records per batch (<c>batch-size</c>, 1..1,048,576, default 2048).</param>
/// <param name="ChannelCapacity">Batches buffered per channel (<c>channel-capacity</c>, ≥ 1, default 16).</param>
/// <param name="ChunkSize">Bytes per input chunk (<c>chunk-size</c>, a size like 256KiB, 1KiB..64MiB, default 256KiB).</param>
internal sealed record RuntimeConfig(int Workers, int BatchSize, int ChannelCapacity, long ChunkSize)
{
    /// <summary>All defaults.</summary>
    public static RuntimeConfig Default { get; } =
        new(ConfigDefaults.Workers, ConfigDefaults.BatchSize, ConfigDefaults.ChannelCapacity, ConfigDefaults.ChunkSize);

    /// <summary><see cref="Workers"/> with 0 resolved to the processor count.</summary>
    public int EffectiveWorkers => Workers > 0 ? Workers : Environment.ProcessorCount;
}

/// <summary>The daemon's HTTP endpoints (<c>http</c>): /health/live, /health/ready, /metrics on 127.0.0.1.</summary>
/// <param name="Port">TCP port (<c>port</c>, 0..65535; 0 = off; default 9464).</param>
internal sealed record HttpConfig(int Port)
{
    /// <summary>All defaults.</summary>
    public static HttpConfig Default { get; } = new(ConfigDefaults.HttpPort);

    /// <summary>True when the endpoints are on.</summary>
    public bool Enabled => Port != 0;
}

/// <summary>Checkpoints (<c>checkpoint</c>): aligned snapshots of every worker's state plus the source's positions.</summary>
/// <param name="Dir">As written (<c>dir</c>, required).</param>
/// <param name="FullPath">Resolved against the working directory (an output).</param>
/// <param name="Interval">Time between checkpoints (<c>interval</c>, ≥ 10ms, default 10s).</param>
/// <param name="Retain">Complete checkpoints kept (<c>retain</c>, 1..1000, default 3).</param>
internal sealed record CheckpointConfig(string Dir, string FullPath, TimeSpan Interval, int Retain)
{
    /// <summary>Defaults for a checkpoint folder given on the command line.</summary>
    public static CheckpointConfig At(string dir, string workingDirectory) =>
        new(dir, System.IO.Path.GetFullPath(dir, workingDirectory), ConfigDefaults.CheckpointInterval, ConfigDefaults.CheckpointRetain);
}
