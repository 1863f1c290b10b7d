using Confluent.Kafka;

namespace Platform.Connectors.Kafka;

/// <summary>
/// Settings of a Kafka source (a consumer-group member running one pipeline task per assigned partition).
/// Immutable; <see cref="Validate"/> checks it. The consumer always runs with cooperative-sticky assignment,
/// no auto-commit (offsets are committed when a checkpoint completes) and <c>isolation.level=read_committed</c>.
/// </summary>
public sealed record KafkaSourceOptions
{
    /// <summary>Default <see cref="ChunkBytes"/>: 64 KiB.</summary>
    public const int DefaultChunkBytes = 64 * 1024;

    /// <summary>"host:port,…" of the brokers.</summary>
    public required string BootstrapServers { get; init; }

    /// <summary>The topic read.</summary>
    public required string Topic { get; init; }

    /// <summary>The consumer group: instances with the same group share the partitions.</summary>
    public required string GroupId { get; init; }

    /// <summary>
    /// Root of the checkpoint store shared by every instance of the group (one folder per partition under it,
    /// <c>&lt;topic&gt;-&lt;partition&gt;</c>): whoever owns a partition next restores its state from there.
    /// </summary>
    public required string CheckpointDirectory { get; init; }

    /// <summary>Time between checkpoints of each partition task (and so between offset commits). Default 10 s.</summary>
    public TimeSpan CheckpointInterval { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Complete checkpoints kept per partition. Default 3.</summary>
    public int CheckpointRetain { get; init; } = 3;

    /// <summary>Where a partition with no checkpoint and no committed offset starts. Default earliest.</summary>
    public KafkaStartFrom StartFrom { get; init; } = KafkaStartFrom.Earliest;

    /// <summary>With <see cref="KafkaStartFrom.Timestamp"/>: the first event time wanted.</summary>
    public DateTimeOffset? StartTimestamp { get; init; }

    /// <summary>Topic for messages that cannot be decoded (headers: error, topic, partition, offset); null = the pipeline's own DLQ.</summary>
    public string? DeadLetterTopic { get; init; }

    /// <summary>Bytes of messages gathered into one chunk for the parser. Default 64 KiB.</summary>
    public int ChunkBytes { get; init; } = DefaultChunkBytes;

    /// <summary>Longest a partly filled chunk waits for more messages. Default 20 ms.</summary>
    public TimeSpan ChunkLinger { get; init; } = TimeSpan.FromMilliseconds(20);

    /// <summary>Group session timeout: how soon the group notices a dead member and moves its partitions. Default 10 s.</summary>
    public TimeSpan SessionTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Further librdkafka consumer settings, passed as they are (they win over the ones above).</summary>
    public IReadOnlyDictionary<string, string> Extra { get; init; } = new Dictionary<string, string>();

    /// <summary>Name for logs and metrics; default "kafka:{Topic}".</summary>
    public string? Name { get; init; }

    /// <summary>The name in effect.</summary>
    public string EffectiveName => Name ?? "kafka:" + Topic;

    /// <summary>Throws <see cref="ArgumentException"/> naming the first invalid setting.</summary>
    public KafkaSourceOptions Validate()
    {
        if (string.IsNullOrWhiteSpace(BootstrapServers)) throw new ArgumentException("BootstrapServers must be set (host:port,…).", nameof(BootstrapServers));
        if (string.IsNullOrWhiteSpace(Topic)) throw new ArgumentException("Topic must be set.", nameof(Topic));
        if (string.IsNullOrWhiteSpace(GroupId)) throw new ArgumentException("GroupId must be set.", nameof(GroupId));
        if (string.IsNullOrWhiteSpace(CheckpointDirectory)) throw new ArgumentException("CheckpointDirectory must be set: a partition's state and offset move together through it.", nameof(CheckpointDirectory));
        if (CheckpointInterval < TimeSpan.FromMilliseconds(1)) throw new ArgumentException($"CheckpointInterval must be ≥ 1 ms, got {CheckpointInterval}.", nameof(CheckpointInterval));
        if (CheckpointRetain < 1) throw new ArgumentException($"CheckpointRetain must be ≥ 1, got {CheckpointRetain}.", nameof(CheckpointRetain));
        if (StartFrom == KafkaStartFrom.Timestamp && StartTimestamp is null) throw new ArgumentException("StartFrom = Timestamp needs StartTimestamp.", nameof(StartTimestamp));
        if (ChunkBytes is < 1024 or > 16 * 1024 * 1024) throw new ArgumentException($"ChunkBytes must be 1 KiB–16 MiB, got {ChunkBytes}.", nameof(ChunkBytes));
        if (ChunkLinger < TimeSpan.FromMilliseconds(1)) throw new ArgumentException($"ChunkLinger must be ≥ 1 ms, got {ChunkLinger}.", nameof(ChunkLinger));
        if (SessionTimeout < TimeSpan.FromSeconds(1)) throw new ArgumentException($"SessionTimeout must be ≥ 1 s, got {SessionTimeout}.", nameof(SessionTimeout));
        return this;
    }

    /// <summary>The librdkafka consumer settings.</summary>
    public ConsumerConfig ToConsumerConfig()
    {
        var config = new ConsumerConfig
        {
            BootstrapServers = BootstrapServers,
            GroupId = GroupId,
            ClientId = EffectiveName,
            EnableAutoCommit = false,
            EnableAutoOffsetStore = false,
            IsolationLevel = IsolationLevel.ReadCommitted,
            PartitionAssignmentStrategy = PartitionAssignmentStrategy.CooperativeSticky,
            AutoOffsetReset = StartFrom == KafkaStartFrom.Latest ? AutoOffsetReset.Latest : AutoOffsetReset.Earliest,
            SessionTimeoutMs = (int)SessionTimeout.TotalMilliseconds,
            HeartbeatIntervalMs = Math.Max(100, (int)SessionTimeout.TotalMilliseconds / 5),
            EnablePartitionEof = false,
            // The poll loop reads partition, offset, value and (start-from-timestamp scans) the timestamp; without
            // this Confluent.Kafka allocates the topic name and a header list for every message.
            ConsumeResultFields = "timestamp",
        };
        foreach (var (key, value) in Extra) config.Set(key, value);
        return config;
    }
}
