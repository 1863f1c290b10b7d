using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Threading.Channels;
using Platform.Engine.Contracts;

namespace Platform.Connectors.Aws.Kinesis;

/// <summary>Where a shard has been read to: the last sequence number handed to the engine, or finished (closed and drained).</summary>
/// <param name="ShardId">The shard.</param>
/// <param name="SequenceNumber">Last sequence number delivered, or null when none yet.</param>
/// <param name="Finished">True once a closed shard was read to its end.</param>
public readonly record struct KinesisShardPosition(string ShardId, string? SequenceNumber, bool Finished);

/// <summary>
/// Reads a Kinesis stream as NDJSON chunks, one record's data per line, each chunk from one shard.
/// A reader per shard calls GetRecords within the shard's limits (≤ 5 calls/s, ≤ 10 000 records),
/// backs off with full jitter when throttled, and publishes MillisBehindLatest. After a reshard a
/// child shard is read only once all its parents are drained, so a key's records stay in order.
/// Positions (last sequence number per shard) advance when <see cref="ReadAsync"/> hands a chunk
/// over; as an <see cref="ICheckpointableSource"/> it stores them in the engine's checkpoints
/// (<see cref="SavePosition"/>) and resumes from them (<see cref="Seek"/>).
/// </summary>
public sealed class KinesisSource : IChunkSource, ICheckpointableSource, IWaitableSource
{
    private readonly KinesisSourceOptions _options;
    private readonly KinesisClient _client;
    private readonly Channel<Item> _items;
    private readonly CancellationTokenSource _stop = new();
    private readonly object _lock = new();
    private readonly Dictionary<string, KinesisShardPosition> _positions = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _partitionOf = new(StringComparer.Ordinal);
    private readonly long[] _recordsPerPartition;
    private readonly Meter? _ownedMeter;
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, long> _behindByShard = new(StringComparer.Ordinal);
    private readonly Gauge<long> _behind;
    private readonly Counter<long> _records;
    private Task? _coordinator;
    private long _sequence;

    private readonly record struct Item(Chunk? Chunk, string ShardId, string? LastSequence, bool Finished, Exception? Fault);

    internal KinesisSource(KinesisSourceOptions options, KinesisClient client)
    {
        _options = options;
        _client = client;
        _items = Channel.CreateBounded<Item>(new BoundedChannelOptions(options.ReadAhead) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });
        _recordsPerPartition = new long[options.Partitions];
        _ownedMeter = options.Client.Meter is null ? new Meter(MeterName) : null;
        var meter = options.Client.Meter ?? _ownedMeter!;
        _behind = meter.CreateGauge<long>("kinesis.millis_behind_latest", "ms", "How far a shard's reader is behind the tip of the stream.");
        _records = meter.CreateCounter<long>("kinesis.records", "{record}", "Records read from Kinesis.");
    }

    /// <inheritdoc />
    public string Name => "kinesis:" + _options.StreamName;

    /// <inheritdoc />
    public int Partitions => _options.Partitions;

    /// <summary>The meter of the source's instruments when <see cref="AwsClientOptions.Meter"/> is not set.</summary>
    public const string MeterName = "Platform.Connectors.Kinesis";

    /// <summary>The largest MillisBehindLatest of the shards being read, as GetRecords last reported it (0 at the tip).</summary>
    public long MillisBehindLatest => _behindByShard.IsEmpty ? 0 : _behindByShard.Values.Max();

    /// <summary>Shards being read or drained right now (for tests and health).</summary>
    public int ActiveShards { get; private set; }

    /// <inheritdoc />
    public async ValueTask<Chunk?> ReadAsync(CancellationToken cancellationToken)
    {
        _coordinator ??= Task.Run(() => CoordinateAsync(_stop.Token), CancellationToken.None);
        while (true)
        {
            if (!await _items.Reader.WaitToReadAsync(cancellationToken)) return null;
            if (!_items.Reader.TryRead(out var item)) continue;
            if (item.Fault is not null) throw new InvalidOperationException($"Kinesis source {_options.StreamName} failed: {item.Fault.Message}", item.Fault);
            lock (_lock)
            {
                var prior = _positions.GetValueOrDefault(item.ShardId);
                _positions[item.ShardId] = new KinesisShardPosition(item.ShardId, item.LastSequence ?? prior.SequenceNumber, item.Finished);
            }
            if (item.Chunk is not { } chunk) continue;
            var partition = chunk.Partition;
            chunk.Position = _recordsPerPartition[partition];
            _recordsPerPartition[partition] += CountLines(chunk.Span);
            chunk.Sequence = _sequence++;
            return chunk;
        }
    }

    /// <summary>Waits until a shard reader has handed something over (at the stream's tip: new records); moves no position.</summary>
    public async ValueTask WaitToReadAsync(CancellationToken cancellationToken)
    {
        _coordinator ??= Task.Run(() => CoordinateAsync(_stop.Token), CancellationToken.None);
        await _items.Reader.WaitToReadAsync(cancellationToken);
    }

    /// <summary>Records handed over from <paramref name="partition"/> so far (Kinesis positions are strings: see <see cref="GetPositions"/>).</summary>
    public long PositionOf(int partition) => _recordsPerPartition[partition];

    /// <summary>Every shard's position as of the last chunk <see cref="ReadAsync"/> returned.</summary>
    public IReadOnlyList<KinesisShardPosition> GetPositions()
    {
        lock (_lock) return _positions.Values.OrderBy(p => p.ShardId, StringComparer.Ordinal).ToList();
    }

    /// <summary>
    /// The shards of <paramref name="partition"/> as of the last chunk <see cref="ReadAsync"/> returned:
    /// each one's last sequence number handed over, or that it was read to its end (see <see cref="KinesisPositionCodec"/>).
    /// Called on the engine's source task when a checkpoint starts.
    /// </summary>
    public byte[] SavePosition(int partition)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(partition);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(partition, _options.Partitions);
        lock (_lock)
        {
            return KinesisPositionCodec.Encode(_positions.Values
                .Where(p => _partitionOf.GetValueOrDefault(p.ShardId, -1) == partition)
                .OrderBy(p => p.ShardId, StringComparer.Ordinal));
        }
    }

    /// <summary>
    /// Resumes from a checkpoint, before the first read: a shard with a sequence number restarts
    /// AFTER_SEQUENCE_NUMBER, a finished one is not read again (its children start at once), a shard not
    /// named starts at TRIM_HORIZON (a child) or <see cref="KinesisSourceOptions.InitialPosition"/>. Each
    /// shard stays in the partition it was saved from.
    /// </summary>
    public void Seek(IReadOnlyList<byte[]> positions)
    {
        ArgumentNullException.ThrowIfNull(positions);
        if (_coordinator is not null) throw new InvalidOperationException("Seek before the first ReadAsync.");
        if (positions.Count != _options.Partitions)
            throw new ArgumentException($"The checkpoint has Kinesis positions for {positions.Count} partitions; this source has {_options.Partitions} (partitions must not change between runs).");
        var decoded = new List<(int Partition, KinesisShardPosition Position)>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var p = 0; p < positions.Count; p++)
        {
            foreach (var shard in KinesisPositionCodec.Decode(positions[p], p))
            {
                if (!seen.Add(shard.ShardId)) throw new ArgumentException($"Kinesis shard {shard.ShardId} appears in more than one partition of the checkpoint.");
                decoded.Add((p, shard));
            }
        }
        lock (_lock)
        {
            _positions.Clear();
            _partitionOf.Clear();
            foreach (var (p, shard) in decoded)
            {
                _positions[shard.ShardId] = shard;
                _partitionOf[shard.ShardId] = p;
            }
        }
    }

    private static int CountLines(ReadOnlySpan<byte> span) => span.Count((byte)'\n');

    private async Task CoordinateAsync(CancellationToken ct)
    {
        var readers = new Dictionary<string, Task>(StringComparer.Ordinal);
        var finished = new HashSet<string>(StringComparer.Ordinal);
        try
        {
            lock (_lock)
            {
                foreach (var p in _positions.Values) if (p.Finished) finished.Add(p.ShardId);
            }
            while (!ct.IsCancellationRequested)
            {
                var shards = await _client.ListShardsAsync(_options.StreamName, ct);
                var known = shards.Select(s => s.ShardId).ToHashSet(StringComparer.Ordinal);
                ForgetExpiredShards(known);
                foreach (var (id, task) in readers)
                {
                    if (task.IsCompletedSuccessfully) finished.Add(id);
                }
                foreach (var shard in shards)
                {
                    if (readers.ContainsKey(shard.ShardId) || finished.Contains(shard.ShardId)) continue;
                    // A child starts only when every parent still listed is drained (a parent past retention is gone, so drained).
                    var parentsDone = (shard.ParentShardId is not { } p || !known.Contains(p) || finished.Contains(p))
                        && (shard.AdjacentParentShardId is not { } a || !known.Contains(a) || finished.Contains(a));
                    if (!parentsDone) continue;
                    int partition;
                    lock (_lock)
                    {
                        if (!_partitionOf.TryGetValue(shard.ShardId, out partition))
                        {
                            partition = _partitionOf.Count % _options.Partitions;
                            _partitionOf[shard.ShardId] = partition;
                        }
                    }
                    var isChild = (shard.ParentShardId is { } pp && known.Contains(pp)) || (shard.AdjacentParentShardId is { } ap && known.Contains(ap));
                    readers[shard.ShardId] = Task.Run(() => ReadShardAsync(shard, partition, isChild, ct), ct);
                }
                ActiveShards = readers.Count(r => !r.Value.IsCompleted);
                var faulted = readers.Values.FirstOrDefault(t => t.IsFaulted);
                if (faulted is not null) await faulted;
                // Wake early when a reader finishes so its children start without waiting a full interval.
                var running = readers.Values.Where(t => !t.IsCompleted).ToList();
                running.Add(Task.Delay(_options.ShardDiscoveryInterval, ct));
                await Task.WhenAny(running);
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
        catch (Exception e)
        {
            _items.Writer.TryWrite(new Item(null, string.Empty, null, false, e));
        }
    }

    /// <summary>
    /// A finished shard that ListShards no longer names has passed retention: its children treat it as
    /// drained anyway, so checkpoints stop carrying it (they would otherwise grow with every reshard).
    /// </summary>
    private void ForgetExpiredShards(HashSet<string> listed)
    {
        lock (_lock)
        {
            foreach (var p in _positions.Values.Where(p => p.Finished && !listed.Contains(p.ShardId)).ToList()) _positions.Remove(p.ShardId);
        }
    }

    private async Task ReadShardAsync(KinesisShard shard, int partition, bool isChild, CancellationToken ct)
    {
        string? after;
        lock (_lock) after = _positions.GetValueOrDefault(shard.ShardId).SequenceNumber;
        var tags = new TagList { { "stream", _options.StreamName }, { "shard", shard.ShardId } };
        var iterator = await _client.GetShardIteratorAsync(_options.StreamName, shard.ShardId,
            after is not null ? ShardIteratorType.AfterSequenceNumber : isChild ? ShardIteratorType.TrimHorizon : _options.InitialPosition, after, ct);
        var attempt = 0;
        var lastCall = DateTime.MinValue;
        while (!ct.IsCancellationRequested)
        {
            var wait = lastCall + _options.GetRecordsInterval - DateTime.UtcNow;
            if (wait > TimeSpan.Zero) await Task.Delay(wait, ct);
            lastCall = DateTime.UtcNow;
            KinesisRecordsResult result;
            try
            {
                result = await _client.GetRecordsAsync(iterator, _options.RecordsPerCall, ct);
                attempt = 0;
            }
            catch (AwsServiceException e) when (e.IsThrottle)
            {
                await Task.Delay(Backoff.FullJitter(attempt++, _options.Client.BaseDelay * 2, _options.Client.MaxDelay), ct);
                continue;
            }
            catch (AwsServiceException e) when (e.ErrorType == "ExpiredIteratorException")
            {
                iterator = await _client.GetShardIteratorAsync(_options.StreamName, shard.ShardId,
                    after is not null ? ShardIteratorType.AfterSequenceNumber : ShardIteratorType.TrimHorizon, after, ct);
                continue;
            }
            _behind.Record(result.MillisBehindLatest, tags);
            _behindByShard[shard.ShardId] = result.MillisBehindLatest;
            var done = result.NextShardIterator is null;
            if (result.Chunk is { } chunk)
            {
                chunk.Partition = partition;
                after = result.LastSequenceNumber;
                _records.Add(result.Count, tags);
                await _items.Writer.WriteAsync(new Item(chunk, shard.ShardId, after, false, null), ct);
            }
            if (done)
            {
                _behindByShard.TryRemove(shard.ShardId, out _);
                await _items.Writer.WriteAsync(new Item(null, shard.ShardId, after, true, null), ct);
                return;
            }
            iterator = result.NextShardIterator!;
            if (result.Count == 0 && result.MillisBehindLatest == 0) await Task.Delay(_options.IdlePollInterval, ct);
        }
    }

    /// <summary>Stops the readers and the client.</summary>
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        if (_coordinator is not null)
        {
            try { await _coordinator; } catch (OperationCanceledException) { }
        }
        while (_items.Reader.TryRead(out var item)) item.Chunk?.Dispose();
        _client.Dispose();
        _ownedMeter?.Dispose();
        _stop.Dispose();
    }
}
