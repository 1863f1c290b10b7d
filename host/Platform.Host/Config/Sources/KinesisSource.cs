using System.Text.RegularExpressions;
using Platform.Connectors.Aws.Kinesis;

namespace Platform.Host.Config.Sources;

/// <summary>Where a Kinesis shard without a checkpointed position starts (<c>initial-position</c>).</summary>
internal enum KinesisStartPosition
{
    /// <summary>The oldest record the stream keeps.</summary>
    TrimHorizon,
    /// <summary>Only records written after the start.</summary>
    Latest,
}

/// <summary>Kinesis Data Streams (<c>type: kinesis</c>): every shard, resharding followed, positions in checkpoints.</summary>
/// <param name="Stream">Stream name (<c>stream</c>, required).</param>
/// <param name="Aws">Region, endpoint, credentials, retries (<see cref="AwsConnectionConfig"/>).</param>
/// <param name="InitialPosition">Start of a shard with no checkpointed position (<c>initial-position</c>: trim-horizon, latest).</param>
/// <param name="RecordsPerCall">GetRecords limit (<c>records-per-call</c>, 1–10000).</param>
/// <param name="PollInterval">Least time between two GetRecords of one shard (<c>poll-interval</c>, ≥ 200ms: 5 reads/s per shard).</param>
/// <param name="IdlePollInterval">Wait after an empty read at the tip (<c>idle-poll-interval</c>).</param>
/// <param name="ShardDiscoveryInterval">How often ListShards looks for child shards (<c>shard-discovery-interval</c>, ≥ 100ms).</param>
/// <param name="Partitions">Partitions reported to the engine (<c>partitions</c>, 1–1024; keep it between runs of one checkpoint folder).</param>
/// <param name="Rate">Unused (Kinesis sets the pace).</param>
internal sealed record KinesisSourceConfig(string Stream, AwsConnectionConfig Aws, KinesisStartPosition InitialPosition, int RecordsPerCall,
    TimeSpan PollInterval, TimeSpan IdlePollInterval, TimeSpan ShardDiscoveryInterval, int Partitions, double Rate) : SourceConfig
{
    /// <summary>The YAML <c>type</c>.</summary>
    public const string TypeName = "kinesis";

    /// <inheritdoc/>
    public override string Type => TypeName;

    /// <inheritdoc/>
    public override double Rate { get; init; } = Rate;

    /// <summary>The connector's options (reads credentials from the environment now).</summary>
    public KinesisSourceOptions ToOptions() => new()
    {
        StreamName = Stream,
        Client = Aws.ToOptions(),
        InitialPosition = InitialPosition == KinesisStartPosition.Latest ? ShardIteratorType.Latest : ShardIteratorType.TrimHorizon,
        RecordsPerCall = RecordsPerCall,
        GetRecordsInterval = PollInterval,
        IdlePollInterval = IdlePollInterval,
        ShardDiscoveryInterval = ShardDiscoveryInterval,
        Partitions = Partitions,
    };
}

/// <summary>Binds <c>source: { type: kinesis }</c>.</summary>
internal static partial class KinesisSource
{
    /// <summary>The registry entry.</summary>
    public static SourceKind Kind { get; } = new(KinesisSourceConfig.TypeName, Bind, Write);

    /// <summary>Stream names as Kinesis allows them: 1–128 of letters, digits, '_', '-', '.'.</summary>
    [GeneratedRegex("^[A-Za-z0-9_.-]{1,128}$")]
    public static partial Regex StreamName();

    private static IEnumerable<KeyValuePair<string, string>> Write(SourceConfig config)
    {
        var k = (KinesisSourceConfig)config;
        return
        [
            ConfigYaml.Pair("stream", ConfigYaml.Text(k.Stream)),
            .. k.Aws.Write(),
            ConfigYaml.Pair("initial-position", ConfigYaml.Enum(k.InitialPosition)),
            ConfigYaml.Pair("records-per-call", ConfigYaml.Number(k.RecordsPerCall)),
            ConfigYaml.Pair("poll-interval", ConfigYaml.Duration(k.PollInterval)),
            ConfigYaml.Pair("idle-poll-interval", ConfigYaml.Duration(k.IdlePollInterval)),
            ConfigYaml.Pair("shard-discovery-interval", ConfigYaml.Duration(k.ShardDiscoveryInterval)),
            ConfigYaml.Pair("partitions", ConfigYaml.Number(k.Partitions)),
        ];
    }

    private static KinesisSourceConfig? Bind(Binding.MappingReader reader)
    {
        var errors = reader.Context.Errors.Count;
        var stream = reader.String("stream", requiredExample: "iot-telemetry");
        if (stream is not null && !StreamName().IsMatch(stream))
            reader.Context.Error(reader.Get("stream"), $"'stream' must be 1–128 letters, digits, '_', '-' or '.', got '{stream}'", "write e.g. 'stream: iot-telemetry'");
        var aws = AwsConnectionConfig.Bind(reader);
        var initial = reader.Enum("initial-position", KinesisStartPosition.TrimHorizon);
        var perCall = reader.Int32("records-per-call", KinesisSourceOptions.MaxRecordsPerCall, 1, KinesisSourceOptions.MaxRecordsPerCall);
        var poll = reader.Duration("poll-interval", KinesisSourceOptions.MinGetRecordsInterval, KinesisSourceOptions.MinGetRecordsInterval);
        var idle = reader.Duration("idle-poll-interval", KinesisSourceOptions.DefaultIdlePollInterval, TimeSpan.FromMilliseconds(1));
        var discovery = reader.Duration("shard-discovery-interval", KinesisSourceOptions.DefaultShardDiscoveryInterval, TimeSpan.FromMilliseconds(100));
        var partitions = reader.Int32("partitions", KinesisSourceOptions.DefaultPartitions, 1, 1024);
        return reader.Context.Errors.Count == errors && stream is not null && aws is not null
            ? new KinesisSourceConfig(stream, aws, initial, perCall, poll, idle, discovery, partitions, 0)
            : null;
    }
}
