using Platform.Connectors.Files;
using Platform.Connectors.Generator;
using Platform.Engine.Checkpoints;
using Platform.Engine.Contracts;
using Platform.Engine.DeadLetters;
using Platform.Engine.Records;
using Platform.Engine.Runtime;
using Platform.Engine.Symbols;
using Platform.Engine.Time;
using Platform.Engine.Windows;
using Platform.Formats;
using Platform.Host.Config;
using Platform.Host.Config.Steps;
using Platform.Operators.Anomaly;
using Platform.Sinks.Alerts;
using Platform.Sinks.Console;
using Platform.Sinks.DeadLetter;
using Platform.Sinks.DuckDb;
using Platform.Sinks.Null;
using Platform.Sinks.Parquet;
using Platform.Sinks.Postgres;
using Platform.Sinks.Warehouse;
using EngineWindowKind = Platform.Engine.Windows.WindowKind;

namespace Platform.Host.Running;

/// <summary>Settings of one run that the command line overrides in the YAML.</summary>
/// <param name="MaxEvents">Stop the generator after this many records.</param>
/// <param name="Workers">Worker threads.</param>
/// <param name="CheckpointDir">Checkpoint folder (turns checkpoints on with the YAML's or the default interval).</param>
/// <param name="Log">Where checkpoint recovery lines go (restored, skipped and why).</param>
internal sealed record RunOverrides(long? MaxEvents = null, int? Workers = null, string? CheckpointDir = null, Action<string>? Log = null)
{
    /// <summary>Where alerts go (the daemon's, kept across reloads); null = a hub owned by the assembly.</summary>
    public AlertHub? Alerts { get; init; }

    /// <summary>The source-level monitors (the daemon's, kept across reloads); null = owned by the assembly when the YAML names any.</summary>
    public QualityMonitorSet? Monitors { get; init; }

    /// <summary>Reads from this source instead of the YAML's (DLQ replay).</summary>
    public IChunkSource? Source { get; init; }

    /// <summary>Writes dead letters here instead of the YAML's dead-letter path.</summary>
    public string? DeadLetterPath { get; init; }

    /// <summary>Wraps the dead-letter sink the engine writes to (DLQ replay maps positions back).</summary>
    public Func<IDeadLetterSink, IDeadLetterSink>? WrapDeadLetters { get; init; }

    /// <summary>Turns checkpoints off whatever the YAML says (DLQ replay).</summary>
    public bool NoCheckpoints { get; init; }

    /// <summary>Builds one partition's pipeline of a Kafka-source run (<see cref="KafkaGroupFactory"/>) instead of a whole run.</summary>
    public PartitionBinding? Partition { get; init; }
}

/// <summary>
/// What a Kafka-source run gives each partition's pipeline: the partition's source, symbol table and options
/// (checkpoint folder and participants, dead-letter routing, workers) from the consumer group, the run's shared
/// dead-letter file, and the partition's sinks.
/// </summary>
internal sealed record PartitionBinding(IChunkSource Source, SymbolTable Symbols, PipelineOptions Options, DeadLetterFileSink SharedDeadLetters,
    IReadOnlyList<ISink<WindowResult>> Sinks);

/// <summary>Everything a run owns: the compiled pipeline and what must be disposed after it.</summary>
internal sealed class PipelineAssembly : IAsyncDisposable
{
    private readonly List<IAsyncDisposable> _owned = [];

    public required PipelineDefinition Definition { get; init; }
    public required SymbolTable Symbols { get; init; }
    public required IChunkSource Source { get; init; }
    public required DeadLetterFileSink DeadLetters { get; init; }

    /// <summary>Where the run's alerts go.</summary>
    public required AlertHub Alerts { get; init; }

    /// <summary>The source-level monitors, if any.</summary>
    public QualityMonitorSet? Monitors { get; init; }

    /// <summary>The device registry and GeoJSON files of the enrich/geofence/location-fraud steps, if any.</summary>
    public DeviceSteps? Devices { get; init; }

    /// <summary>Valid records the source emitted, where the source knows (the generator does).</summary>
    public Func<long>? SourceValidRecords { get; init; }

    internal void Own(IAsyncDisposable d) => _owned.Add(d);

    public async ValueTask DisposeAsync()
    {
        for (var i = _owned.Count - 1; i >= 0; i--) await _owned[i].DisposeAsync();
    }
}

/// <summary>Compiles a validated <see cref="PipelineConfig"/> into the same graph the fluent API builds.</summary>
internal static class PipelineFactory
{
    public static PipelineAssembly Build(PipelineConfig config, RunOverrides overrides)
    {
        if (ChurnPipelineFactory.Handles(config)) return ChurnPipelineFactory.Build(config, overrides);
        var partition = overrides.Partition;
        var symbols = partition?.Symbols ?? new SymbolTable();
        var deadLetters = partition?.SharedDeadLetters ?? new DeadLetterFileSink(new DeadLetterFileOptions { Path = overrides.DeadLetterPath ?? config.DeadLetter.FullPath });
        var checkpoint = ResolveCheckpoint(config, overrides);
        if (checkpoint is not null && config.Sinks.OfType<DuckDbSinkConfig>().FirstOrDefault(d => d.Mode == SinkWriteMode.Replace) is { } replacing)
        {
            throw new InvalidOperationException($"The duckdb sink writing {replacing.Path} has mode: replace, which drops the table at every start, so results from before a restart would be lost. With checkpoints use mode: upsert.");
        }
        var (source, validRecords) = (partition?.Source ?? overrides.Source) is { } given ? (given, null) : CreateSource(config, overrides, deadLetters);
        var ownedHub = overrides.Alerts is null ? new AlertHub(new AlertFeed()) : null;
        var hub = overrides.Alerts ?? ownedHub!;
        var ownedMonitors = overrides.Monitors is null && HasSourceMonitors(config) ? new QualityMonitorSet(hub, checkEvery: CheckInterval(config)) : null;
        var monitors = overrides.Monitors ?? ownedMonitors;
        monitors?.Apply(config, source.Name);
        var options = BaseOptions(config, overrides, deadLetters, checkpoint, [new SymbolTableCheckpoint(symbols), new DeadLetterCheckpoint(deadLetters), .. Ingest.IngestSources.CheckpointParticipants(source)]);
        if (partition is not null) options = options with { Workers = partition.Options.Workers, DeadLetters = partition.Options.DeadLetters, Checkpoint = partition.Options.Checkpoint };
        var transactional = new List<ExactlyOnceSink>();
        var sinks = partition?.Sinks.ToArray() ?? config.Sinks.Select(s => s is Config.Sinks.KafkaSinkConfig { DeliveryGuarantee: Sinks.Kafka.KafkaDeliveryGuarantee.ExactlyOnce } k
            ? AddTransactional(KafkaSinks.ExactlyOnce(k, k.TransactionalId!, options.Checkpoint?.Directory
                ?? throw new InvalidOperationException($"The kafka sink to '{k.Topic}' is exactly-once: its transactions commit with checkpoints, so the pipeline needs a 'checkpoint' section."),
                symbols, deadLetters, offsets: null), transactional)
            : CreateSink(s, symbols, deadLetters)).ToArray();
        // Each exactly-once session saves its pending transaction with the checkpoint and settles it on restore.
        if (transactional.Count > 0) options = options with { Checkpoint = options.Checkpoint! with { Participants = [.. options.Checkpoint.Participants, .. transactional.Select(t => t.Session)] } };
        var devices = DeviceSteps.Create(config, symbols, overrides.Log);
        var parsed = Pipeline.Create(config.Name, options)
            .From(source, source.Name)
            .Parse(new MonitoringParser<Telemetry>(new TelemetryNdjsonParser(symbols), config.Parser.SkipPrefix, monitors is { Any: true } ? monitors : null));
        if (devices?.Settings.Registry is { } registry && devices.Settings.Policy == Operators.Enrichment.MissingKeyPolicy.DeadLetter)
        {
            parsed = parsed.Apply(new Operators.Enrichment.UnknownDeviceFilter(registry, options.DeadLetters ?? deadLetters, symbols), "enrich: unknown devices to the dead-letter queue");
        }
        var keyBy = config.Steps.OfType<KeyByStepConfig>().SingleOrDefault()
            ?? throw new NotSupportedException("This build runs telemetry pipelines of key-by → window → aggregate; add a key-by step.");
        var window = config.Steps.OfType<WindowStepConfig>().SingleOrDefault()
            ?? throw new NotSupportedException("This build runs telemetry pipelines of key-by → window → aggregate; add a window step.");
        var late = options.EventTime.LatePolicy == LatePolicy.SideOutput
            ? () => (Engine.Batching.IBatchOutput<Telemetry>)new LateRecordsToDeadLetters(deadLetters, symbols)
            : (Func<Engine.Batching.IBatchOutput<Telemetry>>?)null;
        var spec = ToSpec(window);
        var windowOptions = new WindowOperatorOptions { Spec = spec, LatePolicy = options.EventTime.LatePolicy }.Validate();
        var anomalyStep = config.Steps.OfType<AnomalyStepConfig>().FirstOrDefault();
        var anomaly = anomalyStep is null ? null : new AnomalyDetectorOptions { Threshold = anomalyStep.Threshold, Detectors = anomalyStep.DetectorFlags };
        var keySilence = monitors?.KeySilence ?? config.Steps.OfType<FreshnessStepConfig>().FirstOrDefault()?.KeySilence ?? TimeSpan.Zero;
        // The stage keeps the name WindowedStream.Aggregate gives it, so the checkpoint fingerprint does not
        // change when side operators come or go (a hot reload restores into the new shape).
        var stageName = $"aggregate {spec}";
        var definition = string.Join(",", keyBy.Fields) switch
        {
            "deviceId,sensorType" or "sensorType,deviceId" =>
                parsed.KeyBy(default(TelemetrySensorKey), "key-by " + string.Join("×", keyBy.Fields))
                    .Process(() => new TelemetryKeyedStage<TelemetrySensorKey>(windowOptions, late?.Invoke(), anomaly, keySilence,
                        k => symbols.NameOf(new Symbol((int)(k >> 32))) + "/" + symbols.NameOf(new Symbol((int)k)), hub, overrides.Log, devices?.Settings), stageName)
                    .To(sinks),
            "deviceId" =>
                parsed.KeyBy(default(TelemetryDeviceKey), "key-by deviceId")
                    .Process(() => new TelemetryKeyedStage<TelemetryDeviceKey>(windowOptions, late?.Invoke(), anomaly, keySilence,
                        k => symbols.NameOf(new Symbol((int)k)), hub, overrides.Log, devices?.Settings), stageName)
                    .To(sinks),
            var other => throw new NotSupportedException($"key-by [{other}] is not supported yet; use [deviceId, sensorType] or [deviceId]."),
        };
        var assembly = new PipelineAssembly
        {
            Definition = definition,
            Symbols = symbols,
            Source = source,
            DeadLetters = deadLetters,
            Alerts = hub,
            Monitors = monitors,
            SourceValidRecords = validRecords,
            Devices = devices,
        };
        if (ownedHub is not null) assembly.Own(ownedHub);
        if (devices is not null) assembly.Own(devices);
        if (ownedMonitors is not null) assembly.Own(ownedMonitors);
        if (partition is null) assembly.Own(deadLetters); // a partition shares the run's
        assembly.Own(source);
        foreach (var t in transactional) assembly.Own(t.SessionLifetime); // disposed after the sinks: aborts what is still open
        foreach (var s in sinks) assembly.Own(s);
        return assembly;
    }

    /// <summary>
    /// A run's checkpoint settings: none with <see cref="RunOverrides.NoCheckpoints"/>; with
    /// <see cref="RunOverrides.CheckpointDir"/> the YAML's in that folder (or the default interval when the YAML has
    /// none); else the YAML's.
    /// </summary>
    internal static CheckpointConfig? ResolveCheckpoint(PipelineConfig config, RunOverrides overrides) =>
        overrides.NoCheckpoints ? null : overrides.CheckpointDir is { } dir
            ? (config.Checkpoint ?? CheckpointConfig.At(dir, Environment.CurrentDirectory)) with { Dir = dir, FullPath = Path.GetFullPath(dir) }
            : config.Checkpoint;

    /// <summary>
    /// The engine options every YAML pipeline shares: workers (the run's override first), batch and channel sizes,
    /// event time, the dead letters (wrapped when the run asks, as DLQ replay does) and checkpoints with the
    /// pipeline's own participants.
    /// </summary>
    internal static PipelineOptions BaseOptions(PipelineConfig config, RunOverrides overrides, IDeadLetterSink deadLetters, CheckpointConfig? checkpoint, IReadOnlyList<ICheckpointParticipant> participants) => new()
    {
        Workers = overrides.Workers ?? config.Runtime.Workers,
        BatchSize = config.Runtime.BatchSize,
        ChannelCapacity = config.Runtime.ChannelCapacity,
        EventTime = new EventTimeOptions
        {
            AllowedLateness = config.EventTime.AllowedLateness,
            IdleTimeout = config.EventTime.IdleTimeout,
            LatePolicy = config.EventTime.LatePolicy,
        },
        DeadLetters = overrides.WrapDeadLetters?.Invoke(deadLetters) ?? deadLetters,
        Checkpoint = checkpoint is null ? null : new CheckpointOptions
        {
            Directory = checkpoint.FullPath,
            Interval = checkpoint.Interval,
            Retain = checkpoint.Retain,
            Participants = participants,
            Log = overrides.Log,
        },
    };

    private static ISink<WindowResult> AddTransactional(ExactlyOnceSink sink, List<ExactlyOnceSink> all)
    {
        all.Add(sink);
        return sink.Sink;
    }

    /// <summary>True when the YAML names a source-level monitor.</summary>
    internal static bool HasSourceMonitors(PipelineConfig config) =>
        config.Steps.Any(s => s is FreshnessStepConfig or VolumeStepConfig or SchemaDriftStepConfig);

    /// <summary>How often the monitors are checked: a quarter of the shortest limit, between 10 ms and 1 s.</summary>
    internal static TimeSpan CheckInterval(PipelineConfig config)
    {
        var shortest = config.Steps.Select(s => s switch
        {
            FreshnessStepConfig f => f.MaxSilence,
            VolumeStepConfig v => v.Window,
            _ => TimeSpan.MaxValue,
        }).DefaultIfEmpty(TimeSpan.MaxValue).Min();
        var quarter = shortest == TimeSpan.MaxValue ? TimeSpan.FromSeconds(1) : shortest / 4;
        return TimeSpan.FromTicks(Math.Clamp(quarter.Ticks, TimeSpan.FromMilliseconds(10).Ticks, TimeSpan.FromSeconds(1).Ticks));
    }

    private static WindowSpec ToSpec(WindowStepConfig w) => w.Kind switch
    {
        EngineWindowKind.Tumbling => WindowSpec.Tumbling(w.Size),
        EngineWindowKind.Hopping => WindowSpec.Hopping(w.Size, w.Slide),
        EngineWindowKind.Session => WindowSpec.Session(w.Gap),
        _ => throw new NotSupportedException($"Window kind {w.Kind}."),
    };

    internal static (IChunkSource Source, Func<long>? ValidRecords) CreateSource(PipelineConfig config, RunOverrides overrides, IDeadLetterSink? deadLetters = null)
    {
        var chunkBytes = (int)config.Runtime.ChunkSize;
        switch (config.Source)
        {
            case GeneratorSourceConfig g:
                var events = overrides.MaxEvents is { } max && (g.Events == 0 || max < g.Events) ? max : g.Events;
                var generator = new TelemetryGeneratorSource(new TelemetryGeneratorOptions
                {
                    Events = events,
                    Seed = g.Seed,
                    Devices = g.Devices,
                    Sensors = [.. g.Sensors.Select(name => SensorProfile.Defaults.Single(p => p.Name == name))],
                    VectorShare = g.VectorShare,
                    MalformedShare = g.MalformedShare,
                    AnomalyShare = g.AnomalyShare,
                    MaxOutOfOrder = g.OutOfOrder,
                    LateShare = g.LateShare,
                    MaxLateness = g.MaxLateness,
                    Rate = g.Rate,
                }, chunkBytes);
                return (generator, () => generator.ValidRecordsEmitted);
            case FileSourceConfig f:
                return (new NdjsonFileSource(new NdjsonFileSourceOptions
                {
                    Paths = [f.FullPath],
                    ChunkBytes = (int)f.ChunkSize,
                    RecordsPerSecond = f.Rate,
                }), null);
            case Config.Sources.HttpSourceConfig h:
                return (Ingest.IngestSources.CreateHttp(h, chunkBytes), null);
            case Config.Sources.MqttSourceConfig m:
                return (Ingest.IngestSources.CreateMqtt(m, chunkBytes, deadLetters), null);
            case Config.Sources.KafkaSourceConfig:
                // A Kafka source is a consumer-group member with one pipeline per partition: KafkaGroupFactory builds it.
                throw new NotSupportedException("A kafka source runs one pipeline per assigned partition; it is built by KafkaGroupFactory ('platform run' does that), not as one source.");
            case Config.Sources.KinesisSourceConfig k:
                return (k.ToOptions().CreateSource(), null);
            default:
                throw new NotSupportedException($"Source type '{config.Source.Type}'.");
        }
    }

    internal static ISink<WindowResult> CreateSink(SinkConfig config, SymbolTable symbols, DeadLetterFileSink deadLetters) => config switch
    {
        DuckDbSinkConfig d => new DuckDbUpsertSink<WindowResult, WindowStatsMapping>(new DuckDbTableSinkOptions
        {
            Path = d.FullPath,
            Table = d.Table,
            Mode = d.Mode switch
            {
                SinkWriteMode.Replace => DuckDbWriteMode.Replace,
                SinkWriteMode.Upsert => DuckDbWriteMode.Upsert,
                _ => DuckDbWriteMode.Append,
            },
        }, new WindowStatsMapping(symbols)),
        ConsoleSinkConfig => new ConsoleWindowSink(Console.Out, symbols),
        NullSinkConfig => new NullSink<WindowResult>(),
        Config.Sinks.PostgresSinkConfig p => new PostgresUpsertSink<WindowResult, WindowStatsMapping>(p.ToOptions(), new WindowStatsMapping(symbols)),
        Config.Sinks.ParquetSinkConfig q => new ParquetPartitionedSink<WindowResult, WindowStatsMapping>(q.ToOptions(), new WindowStatsMapping(symbols)),
        Config.Sinks.KafkaSinkConfig k => k.ToOptions().CreateSink<WindowResult, Sinks.Kafka.KafkaWindowResultEncoder>(
            new Sinks.Kafka.KafkaWindowResultEncoder(new Sinks.Kafka.SymbolUtf8Cache(symbols), k.Key), deadLetters),
        Config.Sinks.KinesisSinkConfig k => k.CreateSink(symbols, deadLetters),
        Config.Sinks.EventBridgeSinkConfig e => e.CreateSink(symbols, deadLetters),
        _ => throw new NotSupportedException($"Sink type '{config.Type}'."),
    };
}
