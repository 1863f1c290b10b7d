namespace Platform.Connectors.Aws.Kinesis;

/// <summary>Settings of a Kinesis source. Immutable; <see cref="Validate"/> checks it, <see cref="CreateSource"/> builds the source.</summary>
public sealed record KinesisSourceOptions
{
    /// <summary>Kinesis allows 5 GetRecords calls per second per shard: at least 200 ms between calls.</summary>
    public static readonly TimeSpan MinGetRecordsInterval = TimeSpan.FromMilliseconds(200);
    /// <summary>Most records one GetRecords call may return.</summary>
    public const int MaxRecordsPerCall = 10_000;
    /// <summary>Default wait after an empty GetRecords at the tip of a shard.</summary>
    public static readonly TimeSpan DefaultIdlePollInterval = TimeSpan.FromSeconds(1);
    /// <summary>Default interval between ListShards calls that find children of split or merged shards.</summary>
    public static readonly TimeSpan DefaultShardDiscoveryInterval = TimeSpan.FromSeconds(10);
    /// <summary>Default partitions reported to the engine.</summary>
    public const int DefaultPartitions = 16;

    /// <summary>The stream name.</summary>
    public required string StreamName { get; init; }

    /// <summary>Client settings (region, endpoint, credentials, retries).</summary>
    public AwsClientOptions Client { get; init; } = new();

    /// <summary>Where a shard without a stored position starts: TrimHorizon (default) or Latest. Children of a reshard always start at TrimHorizon.</summary>
    public ShardIteratorType InitialPosition { get; init; } = ShardIteratorType.TrimHorizon;

    /// <summary>Records per GetRecords call (1–10 000). Default 10 000.</summary>
    public int RecordsPerCall { get; init; } = MaxRecordsPerCall;

    /// <summary>Minimum time between GetRecords calls on one shard (≥ 200 ms, the 5 reads/s/shard limit).</summary>
    public TimeSpan GetRecordsInterval { get; init; } = MinGetRecordsInterval;

    /// <summary>Wait after an empty read at the tip of a shard. Default 1 s.</summary>
    public TimeSpan IdlePollInterval { get; init; } = DefaultIdlePollInterval;

    /// <summary>How often ListShards looks for new (child) shards. Default 10 s.</summary>
    public TimeSpan ShardDiscoveryInterval { get; init; } = DefaultShardDiscoveryInterval;

    /// <summary>Partitions reported to the engine; shard number n (in discovery order) is partition n mod this. Default 16.</summary>
    public int Partitions { get; init; } = DefaultPartitions;

    /// <summary>Chunks read ahead of the engine across all shards. Default 32.</summary>
    public int ReadAhead { get; init; } = 32;

    /// <summary>Throws <see cref="ArgumentException"/> naming the first invalid setting.</summary>
    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(StreamName)) throw new ArgumentException("StreamName must be set.", nameof(StreamName));
        Client.Validate();
        if (InitialPosition is not (ShardIteratorType.TrimHorizon or ShardIteratorType.Latest))
            throw new ArgumentException("InitialPosition must be TrimHorizon or Latest (sequence numbers come from checkpoints).", nameof(InitialPosition));
        if (RecordsPerCall is < 1 or > MaxRecordsPerCall) throw new ArgumentException("RecordsPerCall must be 1–10000.", nameof(RecordsPerCall));
        if (GetRecordsInterval < MinGetRecordsInterval) throw new ArgumentException("GetRecordsInterval must be ≥ 200 ms (5 reads/s per shard).", nameof(GetRecordsInterval));
        if (IdlePollInterval <= TimeSpan.Zero) throw new ArgumentException("IdlePollInterval must be > 0.", nameof(IdlePollInterval));
        if (ShardDiscoveryInterval < TimeSpan.FromMilliseconds(100)) throw new ArgumentException("ShardDiscoveryInterval must be ≥ 100 ms.", nameof(ShardDiscoveryInterval));
        if (Partitions < 1) throw new ArgumentException("Partitions must be ≥ 1.", nameof(Partitions));
        if (ReadAhead < 1) throw new ArgumentException("ReadAhead must be ≥ 1.", nameof(ReadAhead));
    }

    /// <summary>Validates and builds the source (<paramref name="handler"/> replaces sockets in tests).</summary>
    public KinesisSource CreateSource(HttpMessageHandler? handler = null)
    {
        Validate();
        return new KinesisSource(this, KinesisClient.Create(Client, handler));
    }
}
