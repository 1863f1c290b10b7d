using System.Buffers.Binary;
using System.Threading.Channels;
using Platform.Engine.Contracts;

namespace Platform.Connectors.Kafka;

/// <summary>
/// One assigned partition as a pipeline source. The group's poll thread hands it chunks of whole messages; its
/// position is the offset after the last chunk the pipeline took, which is what a checkpoint records and what is
/// committed to the group once that checkpoint completes. When no message comes for a while it returns an empty
/// chunk, so the pipeline's checkpoint timer still turns on an idle partition.
/// </summary>
internal sealed class KafkaPartitionSource : IChunkSource, ICheckpointCommitSource
{
    /// <summary>Longest wait for a chunk before an empty one is returned.</summary>
    internal static readonly TimeSpan IdleTick = TimeSpan.FromMilliseconds(100);
    private const int KeptOffsetIndexes = 64;

    private readonly Channel<(Chunk Chunk, KafkaChunkOffsets Offsets)> _chunks =
        Channel.CreateBounded<(Chunk, KafkaChunkOffsets)>(new BoundedChannelOptions(4) { SingleReader = true, SingleWriter = true, FullMode = BoundedChannelFullMode.Wait });
    private readonly Queue<KafkaChunkOffsets> _recent = new();
    private readonly Lock _lock = new();
    private readonly TaskCompletionSource _started = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Action<long, long> _onCheckpointComplete;
    private long _next = -1;
    private long _barrier = -1;
    private long _position;

    /// <param name="topic">The topic.</param>
    /// <param name="partition">The Kafka partition.</param>
    /// <param name="onCheckpointComplete">(checkpoint id, offset to commit), called when a checkpoint with a position completes.</param>
    public KafkaPartitionSource(string topic, int partition, Action<long, long> onCheckpointComplete)
    {
        Topic = topic;
        KafkaPartition = partition;
        _onCheckpointComplete = onCheckpointComplete;
        Name = $"{topic}-{partition}";
    }

    public string Name { get; }

    /// <summary>The topic.</summary>
    public string Topic { get; }

    /// <summary>The Kafka partition (the pipeline sees one partition, number 0).</summary>
    public int KafkaPartition { get; }

    public int Partitions => 1;

    /// <summary>The offset recovery restored, or -1 when it found no checkpoint position.</summary>
    public long RestoredOffset { get; private set; } = -1;

    /// <summary>Completes when the pipeline asked for its first chunk: recovery is over and the start offset is known.</summary>
    public Task Started => _started.Task;

    /// <summary>The offset after the last chunk the pipeline took (-1 before the first).</summary>
    public long NextOffset => Interlocked.Read(ref _next);

    public async ValueTask<Chunk?> ReadAsync(CancellationToken cancellationToken)
    {
        _started.TrySetResult();
        if (_chunks.Reader.TryRead(out var item)) return Accept(item);
        using var idle = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        idle.CancelAfter(IdleTick);
        try
        {
            return Accept(await _chunks.Reader.ReadAsync(idle.Token));
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return new Chunk(0) { Position = _position };
        }
        catch (ChannelClosedException)
        {
            return null;
        }
    }

    private Chunk Accept((Chunk Chunk, KafkaChunkOffsets Offsets) item)
    {
        lock (_lock)
        {
            _recent.Enqueue(item.Offsets);
            if (_recent.Count > KeptOffsetIndexes) _recent.Dequeue().Release();
        }
        _position = item.Chunk.Position + item.Chunk.Length;
        Interlocked.Exchange(ref _next, item.Offsets.Next);
        return item.Chunk;
    }

    /// <summary>The Kafka offset of the message at virtual byte <paramref name="position"/> (for dead letters), or -1.</summary>
    public long OffsetAt(long position)
    {
        lock (_lock)
        {
            KafkaChunkOffsets? match = null;
            foreach (var o in _recent)
            {
                if (o.ChunkPosition <= position) match = o;
            }
            return match?.OffsetAt(position) ?? -1;
        }
    }

    /// <summary>Poll thread: offers a chunk; false when the pipeline has not taken earlier ones yet (try again later).</summary>
    public bool TryOffer(Chunk chunk, KafkaChunkOffsets offsets) => _chunks.Writer.TryWrite((chunk, offsets));

    /// <summary>Poll thread: waits (bounded) until a chunk can be offered.</summary>
    public ValueTask<bool> WaitToOfferAsync(CancellationToken cancellationToken) => _chunks.Writer.WaitToWriteAsync(cancellationToken);

    public long PositionOf(int partition) => NextOffset;

    /// <summary>The offset the newest checkpoint barrier recorded (-1 before the first): what that checkpoint commits.</summary>
    public long BarrierOffset => Interlocked.Read(ref _barrier);

    public byte[] SavePosition(int partition)
    {
        var next = NextOffset;
        Interlocked.Exchange(ref _barrier, next);
        if (next < 0) return [];
        var bytes = new byte[8];
        BinaryPrimitives.WriteInt64LittleEndian(bytes, next);
        return bytes;
    }

    public void Seek(IReadOnlyList<byte[]> positions)
    {
        if (positions.Count != 1) throw new ArgumentException($"a Kafka partition task has 1 position, the checkpoint has {positions.Count}");
        var p = positions[0];
        if (p.Length == 0) return;
        if (p.Length != 8) throw new ArgumentException($"a Kafka position is 8 bytes, got {p.Length}");
        var offset = BinaryPrimitives.ReadInt64LittleEndian(p);
        if (offset < 0) throw new ArgumentException($"offset {offset} is negative");
        RestoredOffset = offset;
        Interlocked.Exchange(ref _next, offset);
    }

    public void OnCheckpointComplete(long checkpointId, IReadOnlyList<byte[]> positions)
    {
        if (positions.Count == 1 && positions[0].Length == 8) _onCheckpointComplete(checkpointId, BinaryPrimitives.ReadInt64LittleEndian(positions[0]));
    }

    /// <summary>Drops chunks the pipeline never took and the offset indexes.</summary>
    public ValueTask DisposeAsync()
    {
        _chunks.Writer.TryComplete();
        while (_chunks.Reader.TryRead(out var item))
        {
            item.Chunk.Dispose();
            item.Offsets.Release();
        }
        lock (_lock)
        {
            while (_recent.Count > 0) _recent.Dequeue().Release();
        }
        return ValueTask.CompletedTask;
    }
}
