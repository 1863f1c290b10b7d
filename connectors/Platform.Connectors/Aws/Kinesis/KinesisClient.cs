using System.Buffers.Text;
using System.Text.Json;
using Platform.Engine.Contracts;

namespace Platform.Connectors.Aws.Kinesis;

/// <summary>One shard as ListShards describes it.</summary>
/// <param name="ShardId">The shard id.</param>
/// <param name="ParentShardId">The shard it was split or merged from, or null.</param>
/// <param name="AdjacentParentShardId">The other parent of a merge, or null.</param>
/// <param name="StartingHashKey">Lowest hash key (decimal, 128 bits).</param>
/// <param name="EndingHashKey">Highest hash key.</param>
/// <param name="EndingSequenceNumber">Set once the shard is closed (split or merged).</param>
public sealed record KinesisShard(string ShardId, string? ParentShardId, string? AdjacentParentShardId, string StartingHashKey, string EndingHashKey, string? EndingSequenceNumber);

/// <summary>What GetRecords returned: the records' data as NDJSON in a pooled chunk (null when none).</summary>
public readonly record struct KinesisRecordsResult(Chunk? Chunk, int Count, string? LastSequenceNumber, string? NextShardIterator, long MillisBehindLatest);

/// <summary>Where a shard iterator starts.</summary>
public enum ShardIteratorType
{
    /// <summary>The oldest record kept.</summary>
    TrimHorizon,
    /// <summary>Just after the newest record (only new records).</summary>
    Latest,
    /// <summary>At a sequence number.</summary>
    AtSequenceNumber,
    /// <summary>Just after a sequence number (resuming from a checkpoint).</summary>
    AfterSequenceNumber,
}

/// <summary>The Kinesis Data Streams operations Platform uses, over <see cref="AwsJsonClient"/>. Thread-safe.</summary>
public sealed class KinesisClient : IDisposable
{
    /// <summary>The service name in the SigV4 scope.</summary>
    public const string Service = "kinesis";
    private const string Prefix = "Kinesis_20131202.";

    private readonly AwsJsonClient _client;
    private readonly bool _ownsClient;

    /// <summary>Wraps a JSON client created for service "kinesis".</summary>
    public KinesisClient(AwsJsonClient client, bool ownsClient = false)
    {
        _client = client;
        _ownsClient = ownsClient;
    }

    /// <summary>Builds a client from options (<paramref name="handler"/> replaces sockets in tests).</summary>
    public static KinesisClient Create(AwsClientOptions options, HttpMessageHandler? handler = null) =>
        new(options.CreateClient(Service, handler), ownsClient: true);

    /// <summary>The JSON client underneath.</summary>
    public AwsJsonClient Json => _client;

    /// <summary>Sends a PutRecords body already serialised; returns the raw response (caller disposes).</summary>
    public ValueTask<PooledBufferWriter> PutRecordsRawAsync(ReadOnlyMemory<byte> body, CancellationToken cancellationToken) =>
        _client.SendAsync(Prefix + "PutRecords", body, cancellationToken);

    /// <summary>CreateStream with <paramref name="shards"/> shards (provisioned mode).</summary>
    public Task CreateStreamAsync(string stream, int shards, CancellationToken cancellationToken) =>
        CallAsync("CreateStream", w => { w.WriteString("StreamName", stream); w.WriteNumber("ShardCount", shards); }, cancellationToken);

    /// <summary>DeleteStream.</summary>
    public Task DeleteStreamAsync(string stream, CancellationToken cancellationToken) =>
        CallAsync("DeleteStream", w => { w.WriteString("StreamName", stream); w.WriteBoolean("EnforceConsumerDeletion", true); }, cancellationToken);

    /// <summary>SplitShard at <paramref name="newStartingHashKey"/> (decimal).</summary>
    public Task SplitShardAsync(string stream, string shardId, string newStartingHashKey, CancellationToken cancellationToken) =>
        CallAsync("SplitShard", w =>
        {
            w.WriteString("StreamName", stream);
            w.WriteString("ShardToSplit", shardId);
            w.WriteString("NewStartingHashKey", newStartingHashKey);
        }, cancellationToken);

    /// <summary>UpdateShardCount with uniform scaling: splits or merges shards to <paramref name="targetShards"/>.</summary>
    public Task UpdateShardCountAsync(string stream, int targetShards, CancellationToken cancellationToken) =>
        CallAsync("UpdateShardCount", w =>
        {
            w.WriteString("StreamName", stream);
            w.WriteNumber("TargetShardCount", targetShards);
            w.WriteString("ScalingType", "UNIFORM_SCALING");
        }, cancellationToken);

    /// <summary>The stream's status (CREATING, ACTIVE, UPDATING, DELETING) from DescribeStreamSummary.</summary>
    public async Task<string> GetStreamStatusAsync(string stream, CancellationToken cancellationToken)
    {
        using var doc = await CallJsonAsync("DescribeStreamSummary", w => w.WriteString("StreamName", stream), cancellationToken);
        return doc.RootElement.GetProperty("StreamDescriptionSummary").GetProperty("StreamStatus").GetString() ?? "UNKNOWN";
    }

    /// <summary>Polls until the stream is ACTIVE or <paramref name="timeout"/> passes.</summary>
    public async Task WaitForActiveAsync(string stream, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            if (await GetStreamStatusAsync(stream, cancellationToken) == "ACTIVE") return;
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"Stream {stream} not ACTIVE within {timeout}.");
            await Task.Delay(100, cancellationToken);
        }
    }

    /// <summary>Every shard of the stream, open and closed (ListShards, following NextToken).</summary>
    public async Task<List<KinesisShard>> ListShardsAsync(string stream, CancellationToken cancellationToken)
    {
        var shards = new List<KinesisShard>();
        string? next = null;
        do
        {
            var token = next;
            using var doc = await CallJsonAsync("ListShards", w =>
            {
                if (token is null) w.WriteString("StreamName", stream);
                else w.WriteString("NextToken", token);
            }, cancellationToken);
            foreach (var s in doc.RootElement.GetProperty("Shards").EnumerateArray())
            {
                var range = s.GetProperty("HashKeyRange");
                var seq = s.GetProperty("SequenceNumberRange");
                shards.Add(new KinesisShard(
                    s.GetProperty("ShardId").GetString()!,
                    s.TryGetProperty("ParentShardId", out var p) && p.ValueKind == JsonValueKind.String ? p.GetString() : null,
                    s.TryGetProperty("AdjacentParentShardId", out var a) && a.ValueKind == JsonValueKind.String ? a.GetString() : null,
                    range.GetProperty("StartingHashKey").GetString()!,
                    range.GetProperty("EndingHashKey").GetString()!,
                    seq.TryGetProperty("EndingSequenceNumber", out var e) && e.ValueKind == JsonValueKind.String ? e.GetString() : null));
            }
            next = doc.RootElement.TryGetProperty("NextToken", out var n) && n.ValueKind == JsonValueKind.String ? n.GetString() : null;
        }
        while (next is not null);
        return shards;
    }

    /// <summary>GetShardIterator.</summary>
    public async Task<string> GetShardIteratorAsync(string stream, string shardId, ShardIteratorType type, string? sequenceNumber, CancellationToken cancellationToken)
    {
        var typeName = type switch
        {
            ShardIteratorType.TrimHorizon => "TRIM_HORIZON",
            ShardIteratorType.Latest => "LATEST",
            ShardIteratorType.AtSequenceNumber => "AT_SEQUENCE_NUMBER",
            _ => "AFTER_SEQUENCE_NUMBER",
        };
        using var doc = await CallJsonAsync("GetShardIterator", w =>
        {
            w.WriteString("StreamName", stream);
            w.WriteString("ShardId", shardId);
            w.WriteString("ShardIteratorType", typeName);
            if (type is ShardIteratorType.AtSequenceNumber or ShardIteratorType.AfterSequenceNumber) w.WriteString("StartingSequenceNumber", sequenceNumber);
        }, cancellationToken);
        return doc.RootElement.GetProperty("ShardIterator").GetString()!;
    }

    /// <summary>
    /// GetRecords: decodes each record's base64 data straight into a pooled chunk, one record per
    /// line (a newline is added unless the data ends with one).
    /// </summary>
    public async Task<KinesisRecordsResult> GetRecordsAsync(string shardIterator, int limit, CancellationToken cancellationToken)
    {
        using var body = new PooledBufferWriter(512);
        using (var w = new Utf8JsonWriter(body))
        {
            w.WriteStartObject();
            w.WriteString("ShardIterator", shardIterator);
            w.WriteNumber("Limit", limit);
            w.WriteEndObject();
        }
        using var response = await _client.SendAsync(Prefix + "GetRecords", body.WrittenMemory, cancellationToken);
        return ParseGetRecords(response.WrittenSpan);
    }

    internal static KinesisRecordsResult ParseGetRecords(ReadOnlySpan<byte> json)
    {
        Chunk? chunk = null;
        var count = 0;
        string? next = null;
        long behind = 0;
        Span<byte> lastSeq = stackalloc byte[160];
        var lastSeqLength = 0;
        var reader = new Utf8JsonReader(json);
        try
        {
            reader.Read();
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("Records"u8))
                {
                    reader.Read();
                    while (reader.Read() && reader.TokenType == JsonTokenType.StartObject)
                    {
                        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                        {
                            if (reader.ValueTextEquals("Data"u8))
                            {
                                reader.Read();
                                chunk ??= new Chunk(json.Length + 16);
                                AppendData(ref reader, chunk);
                                count++;
                            }
                            else if (reader.ValueTextEquals("SequenceNumber"u8))
                            {
                                reader.Read();
                                lastSeqLength = reader.CopyString(lastSeq);
                            }
                            else
                            {
                                reader.Read();
                                reader.Skip();
                            }
                        }
                    }
                }
                else if (reader.ValueTextEquals("NextShardIterator"u8))
                {
                    reader.Read();
                    next = reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
                }
                else if (reader.ValueTextEquals("MillisBehindLatest"u8))
                {
                    reader.Read();
                    behind = reader.GetInt64();
                }
                else
                {
                    reader.Read();
                    reader.Skip();
                }
            }
        }
        catch
        {
            chunk?.Dispose();
            throw;
        }
        var seq = lastSeqLength > 0 ? System.Text.Encoding.ASCII.GetString(lastSeq[..lastSeqLength]) : null;
        return new KinesisRecordsResult(chunk, count, seq, next, behind);
    }

    private static void AppendData(ref Utf8JsonReader reader, Chunk chunk)
    {
        ReadOnlySpan<byte> base64 = reader.ValueSpan;
        byte[]? unescaped = null;
        if (reader.ValueIsEscaped)
        {
            unescaped = new byte[reader.ValueSpan.Length];
            base64 = unescaped.AsSpan(0, reader.CopyString(unescaped));
        }
        chunk.EnsureCapacity(chunk.Length + base64.Length / 4 * 3 + 4);
        var status = Base64.DecodeFromUtf8(base64, chunk.Buffer.AsSpan(chunk.Length), out _, out var written);
        if (status != System.Buffers.OperationStatus.Done) AwsThrow.Protocol("GetRecords", "record Data is not valid base64");
        chunk.Length += written;
        if (written == 0 || chunk.Buffer[chunk.Length - 1] != (byte)'\n') chunk.Buffer[chunk.Length++] = (byte)'\n';
    }

    private async Task CallAsync(string operation, Action<Utf8JsonWriter> write, CancellationToken cancellationToken)
    {
        using var body = Serialize(write);
        using var response = await _client.SendAsync(Prefix + operation, body.WrittenMemory, cancellationToken);
    }

    private async Task<JsonDocument> CallJsonAsync(string operation, Action<Utf8JsonWriter> write, CancellationToken cancellationToken)
    {
        using var body = Serialize(write);
        using var response = await _client.SendAsync(Prefix + operation, body.WrittenMemory, cancellationToken);
        return JsonDocument.Parse(response.WrittenSpan.ToArray());
    }

    private static PooledBufferWriter Serialize(Action<Utf8JsonWriter> write)
    {
        var body = new PooledBufferWriter(512);
        using var w = new Utf8JsonWriter(body);
        w.WriteStartObject();
        write(w);
        w.WriteEndObject();
        w.Flush();
        return body;
    }

    /// <summary>Disposes the JSON client when this client owns it.</summary>
    public void Dispose()
    {
        if (_ownsClient) _client.Dispose();
    }
}
