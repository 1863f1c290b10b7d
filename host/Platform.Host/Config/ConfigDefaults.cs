using Platform.Connectors.Generator;
using Platform.Engine.Runtime;
using Platform.Engine.Time;
using Platform.Engine.Windows;

namespace Platform.Host.Config;

/// <summary>
/// Every default of the YAML pipeline format, in one place. A key left out of the YAML takes the
/// value here; <see cref="PipelineConfig.CreateDefault"/> is built from these alone. Where a
/// component owns a default (the generator, the engine's event time and runtime options), this
/// refers to it rather than repeating it.
/// </summary>
internal static class ConfigDefaults
{
    /// <summary><c>format</c>: the record format of the source's bytes.</summary>
    public const RecordFormat Format = RecordFormat.TelemetryJson;

    /// <summary><c>source.events</c> (generator): records to generate; 0 = unbounded.</summary>
    public const long GeneratorEvents = TelemetryGeneratorOptions.DefaultEvents;
    /// <summary><c>source.seed</c> (generator).</summary>
    public const long GeneratorSeed = TelemetryGeneratorOptions.DefaultSeed;
    /// <summary><c>source.devices</c> (generator): distinct device ids (at most <see cref="TelemetryGeneratorOptions.MaxDevices"/>).</summary>
    public const int GeneratorDevices = TelemetryGeneratorOptions.DefaultDevices;
    /// <summary><c>source.sensors</c> (generator): sensor types, each one of the generator's built-in profiles.</summary>
    public static readonly IReadOnlyList<string> GeneratorSensors = [.. SensorProfile.Defaults.Select(s => s.Name)];
    /// <summary><c>source.vector-share</c> (generator): share of x/y/z payloads, 0..1.</summary>
    public const double GeneratorVectorShare = TelemetryGeneratorOptions.DefaultVectorShare;
    /// <summary><c>source.malformed-share</c> (generator): share of malformed lines, 0..1.</summary>
    public const double GeneratorMalformedShare = TelemetryGeneratorOptions.DefaultMalformedShare;
    /// <summary><c>source.anomaly-share</c> (generator): share of injected anomalies, 0..1.</summary>
    public const double GeneratorAnomalyShare = TelemetryGeneratorOptions.DefaultAnomalyShare;
    /// <summary><c>source.out-of-order</c> (generator): maximum disorder of event times.</summary>
    public static readonly TimeSpan GeneratorOutOfOrder = TelemetryGeneratorOptions.DefaultMaxOutOfOrder;
    /// <summary><c>source.late-share</c> (generator): share of records made late on purpose, 0..1.</summary>
    public const double GeneratorLateShare = TelemetryGeneratorOptions.DefaultLateShare;
    /// <summary><c>source.max-lateness</c> (generator): how far beyond out-of-order a late record may lag.</summary>
    public static readonly TimeSpan GeneratorMaxLateness = TelemetryGeneratorOptions.DefaultMaxLateness;

    /// <summary><c>source.rate</c>: records per second; 0 = as fast as possible.</summary>
    public const double SourceRate = 0;

    /// <summary><c>event-time.allowed-lateness</c>: watermark = max event time − allowed lateness.</summary>
    public static readonly TimeSpan AllowedLateness = EventTimeOptions.DefaultAllowedLateness;
    /// <summary><c>event-time.idle-timeout</c>: a partition silent this long stops holding the watermark back.</summary>
    public static readonly TimeSpan IdleTimeout = EventTimeOptions.DefaultIdleTimeout;
    /// <summary><c>event-time.late-policy</c>.</summary>
    public const LatePolicy LateRecordPolicy = EventTimeOptions.DefaultLatePolicy;

    /// <summary><c>sinks[].table</c> (duckdb).</summary>
    public const string DuckDbTable = "window_stats";
    /// <summary><c>sinks[].mode</c> (duckdb).</summary>
    public const SinkWriteMode DuckDbMode = SinkWriteMode.Replace;

    /// <summary>Time between checkpoints.</summary>
    public static readonly TimeSpan CheckpointInterval = TimeSpan.FromSeconds(10);

    /// <summary>Complete checkpoints kept.</summary>
    public const int CheckpointRetain = 3;

    /// <summary><c>dead-letter.path</c> when the section is absent: <c>out/&lt;name&gt;.dlq.ndjson</c>.</summary>
    public const string DeadLetterPathFormat = "out/{0}.dlq.ndjson";

    /// <summary><c>runtime.workers</c>: 0 = one per core.</summary>
    public const int Workers = 0;
    /// <summary><c>runtime.batch-size</c>: records per batch.</summary>
    public const int BatchSize = PipelineOptions.DefaultBatchSize;
    /// <summary><c>runtime.channel-capacity</c>: batches buffered per channel.</summary>
    public const int ChannelCapacity = PipelineOptions.DefaultChannelCapacity;
    /// <summary><c>runtime.chunk-size</c> and the file source's <c>chunk-size</c>: bytes per input chunk.</summary>
    public const long ChunkSize = 256 * 1024;

    /// <summary><c>http.port</c>: 0 = off. The server binds 127.0.0.1 only.</summary>
    public const int HttpPort = 9464;

    /// <summary>The window size limits the loader accepts.</summary>
    public static readonly TimeSpan MaxWindowSize = TimeSpan.FromDays(7);
    /// <summary>The most key fields a key-by packs (two symbols in a 64-bit key).</summary>
    public const int MaxKeyFields = 2;
}
