using System.Globalization;
using Platform.Connectors.Kafka;
using Platform.Connectors.SchemaRegistry;
using Platform.Host.Config.Binding;

namespace Platform.Host.Config.Sources;

/// <summary>Kafka (<c>type: kafka</c>): a consumer-group member, one pipeline task per assigned partition; needs a <c>checkpoint</c> section.</summary>
/// <param name="BootstrapServers">Brokers (<c>bootstrap-servers</c>, required).</param>
/// <param name="Topic">Topic read (<c>topic</c>, required).</param>
/// <param name="GroupId">Consumer group (<c>group-id</c>, default the pipeline name).</param>
/// <param name="StartFrom">Start without checkpoint or committed offset (<c>start-from</c>: earliest, latest, timestamp).</param>
/// <param name="StartTimestamp">With <c>start-from: timestamp</c> (<c>start-timestamp</c>, ISO-8601).</param>
/// <param name="DeadLetterTopic">Topic for undecodable messages (<c>dead-letter-topic</c>; default the pipeline's DLQ file).</param>
/// <param name="SessionTimeout">How soon a dead member's partitions move (<c>session-timeout</c>).</param>
/// <param name="Rate">Unused.</param>
internal sealed record KafkaSourceConfig(string BootstrapServers, string Topic, string? GroupId, KafkaStartFrom StartFrom, DateTimeOffset? StartTimestamp,
    string? DeadLetterTopic, TimeSpan SessionTimeout, double Rate) : SourceConfig
{
    /// <summary>The YAML <c>type</c>.</summary>
    public const string TypeName = "kafka";

    /// <inheritdoc/>
    public override string Type => TypeName;

    /// <inheritdoc/>
    public override double Rate { get; init; } = Rate;

    /// <summary>How message values are encoded (<c>format</c>: json, default, or avro).</summary>
    public KafkaValueFormat Format { get; init; } = KafkaValueFormat.Json;

    /// <summary>With <c>format: avro</c>: the Schema Registry's base URL (<c>schema-registry</c>), where writer schemas are fetched by id.</summary>
    public string? SchemaRegistryUrl { get; init; }

    /// <summary>With <c>format: avro</c>: how the topic's subjects are named (<c>subject-naming</c>: topic, record, topic-record).</summary>
    public SubjectNaming SubjectNaming { get; init; } = SubjectNaming.Topic;

    /// <summary>The registry settings of an Avro source (null for JSON).</summary>
    public SchemaRegistryOptions? SchemaRegistry => Format == KafkaValueFormat.Avro && SchemaRegistryUrl is { } url
        ? new SchemaRegistryOptions { Url = url, SubjectNaming = SubjectNaming }
        : null;

    /// <summary>The consumer-group settings, with the checkpoint store every instance of the group shares.</summary>
    public KafkaSourceOptions ToOptions(string pipelineName, CheckpointConfig checkpoint) => new()
    {
        BootstrapServers = BootstrapServers,
        Topic = Topic,
        GroupId = GroupId ?? pipelineName,
        CheckpointDirectory = checkpoint.FullPath,
        CheckpointInterval = checkpoint.Interval,
        CheckpointRetain = checkpoint.Retain,
        StartFrom = StartFrom,
        StartTimestamp = StartTimestamp,
        DeadLetterTopic = DeadLetterTopic,
        SessionTimeout = SessionTimeout,
    };
}

/// <summary>How the values of a Kafka source's messages are encoded.</summary>
internal enum KafkaValueFormat
{
    /// <summary>One telemetry JSON object per message (what the parser reads directly).</summary>
    Json,

    /// <summary>Confluent-framed Avro telemetry (magic byte + schema id), any compatible writer schema version.</summary>
    Avro,
}

/// <summary>Binds <c>source: { type: kafka }</c>.</summary>
internal static class KafkaSource
{
    /// <summary>The registry entry.</summary>
    public static SourceKind Kind { get; } = new(KafkaSourceConfig.TypeName, Bind, Write);

    private static IEnumerable<KeyValuePair<string, string>> Write(SourceConfig config)
    {
        var k = (KafkaSourceConfig)config;
        var pairs = new List<KeyValuePair<string, string>>
        {
            ConfigYaml.Pair("bootstrap-servers", ConfigYaml.Text(k.BootstrapServers)),
            ConfigYaml.Pair("topic", ConfigYaml.Text(k.Topic)),
            ConfigYaml.Pair("start-from", ConfigYaml.Enum(k.StartFrom)),
            ConfigYaml.Pair("session-timeout", ConfigYaml.Duration(k.SessionTimeout)),
        };
        if (k.GroupId is not null) pairs.Add(ConfigYaml.Pair("group-id", ConfigYaml.Text(k.GroupId)));
        if (k.StartTimestamp is { } ts) pairs.Add(ConfigYaml.Pair("start-timestamp", ConfigYaml.Text(ts.ToString("O", CultureInfo.InvariantCulture))));
        if (k.DeadLetterTopic is not null) pairs.Add(ConfigYaml.Pair("dead-letter-topic", ConfigYaml.Text(k.DeadLetterTopic)));
        if (k.Format != KafkaValueFormat.Json) pairs.Add(ConfigYaml.Pair("format", ConfigYaml.Enum(k.Format)));
        if (k.SchemaRegistryUrl is not null) pairs.Add(ConfigYaml.Pair("schema-registry", ConfigYaml.Text(k.SchemaRegistryUrl)));
        if (k.Format == KafkaValueFormat.Avro) pairs.Add(ConfigYaml.Pair("subject-naming", ConfigYaml.Enum(k.SubjectNaming)));
        return pairs;
    }

    private static KafkaSourceConfig? Bind(MappingReader reader)
    {
        var errors = reader.Context.Errors.Count;
        var servers = reader.String("bootstrap-servers", requiredExample: "127.0.0.1:9092");
        var topic = reader.String("topic", requiredExample: "telemetry");
        var group = reader.String("group-id");
        var startFrom = reader.Enum("start-from", KafkaStartFrom.Earliest);
        DateTimeOffset? startTimestamp = null;
        if (reader.String("start-timestamp") is { } text)
        {
            if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed)) startTimestamp = parsed;
            else reader.Context.Error(reader.Get("start-timestamp"), $"'start-timestamp' must be an ISO-8601 time, got '{text}'", "write e.g. 'start-timestamp: 2026-01-01T00:00:00Z'");
        }
        if (startFrom == KafkaStartFrom.Timestamp && startTimestamp is null && !reader.Has("start-timestamp"))
            reader.Context.Error(reader.Get("start-from"), "'start-from: timestamp' needs 'start-timestamp'", "add e.g. 'start-timestamp: 2026-01-01T00:00:00Z'");
        var deadLetterTopic = reader.String("dead-letter-topic");
        var session = reader.Duration("session-timeout", TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(1));
        var rate = reader.Double("rate", 0, 0);
        var format = reader.Enum("format", KafkaValueFormat.Json);
        var registry = reader.String("schema-registry");
        var naming = reader.Enum("subject-naming", SubjectNaming.Topic);
        if (format == KafkaValueFormat.Avro && registry is null && !reader.Has("schema-registry"))
            reader.Context.Error(reader.Get("format"), "'format: avro' needs 'schema-registry': writer schemas are fetched from it by the id in each message", "add e.g. 'schema-registry: http://127.0.0.1:8081'");
        if (registry is not null && (!Uri.TryCreate(registry, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https")))
            reader.Context.Error(reader.Get("schema-registry"), $"'schema-registry' must be an absolute http(s) URL, got '{registry}'", "write e.g. 'schema-registry: http://127.0.0.1:8081'");
        if (format == KafkaValueFormat.Json && (registry is not null || reader.Has("subject-naming")))
            reader.Context.Error(reader.Get("schema-registry") ?? reader.Get("subject-naming")!, "'schema-registry' and 'subject-naming' apply to 'format: avro' only", "add 'format: avro', or remove them");
        return reader.Context.Errors.Count == errors && servers is not null && topic is not null
            ? new KafkaSourceConfig(servers, topic, group, startFrom, startTimestamp, deadLetterTopic, session, rate)
            {
                Format = format, SchemaRegistryUrl = registry, SubjectNaming = naming,
            }
            : null;
    }
}
