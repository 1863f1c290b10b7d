using Platform.Engine.Contracts;

namespace Platform.Connectors.Tests.Infrastructure;

/// <summary>
/// What every chunk source must do, run against each source: chunks hold whole lines, positions
/// are contiguous per partition, the chunks put together are the source's bytes, the end is null
/// (and stays null), and a cancelled token is honoured.
/// </summary>
public abstract class SourceContractTests
{
    /// <summary>A fresh source and, per partition, the exact bytes it must deliver.</summary>
    protected abstract (IChunkSource Source, byte[][] Expected) Create();

    private static async Task<List<Chunk>> ReadAllAsync(IChunkSource source)
    {
        var chunks = new List<Chunk>();
        var ct = TestContext.Current.CancellationToken;
        while (await source.ReadAsync(ct) is { } chunk)
        {
            chunks.Add(chunk);
            Assert.True(chunks.Count < 10_000_000, "source did not end");
        }
        return chunks;
    }

    [Fact]
    public async Task ReadAsync_ToEnd_ConcatenatedChunksEqualSourceBytes()
    {
        var (source, expected) = Create();
        await using var _ = source;
        var chunks = await ReadAllAsync(source);
        try
        {
            for (var p = 0; p < expected.Length; p++)
            {
                var got = chunks.Where(c => c.Partition == p).SelectMany(c => c.Span.ToArray()).ToArray();
                Assert.Equal(expected[p].Length, got.Length);
                Assert.True(expected[p].AsSpan().SequenceEqual(got), $"partition {p}: bytes differ");
            }
            Assert.All(chunks, c => Assert.InRange(c.Partition, 0, source.Partitions - 1));
        }
        finally { chunks.ForEach(c => c.Dispose()); }
    }

    [Fact]
    public async Task ReadAsync_ToEnd_PositionsContiguousAndSequenceIncreasing()
    {
        var (source, expected) = Create();
        await using var _ = source;
        var next = new long[source.Partitions];
        for (var p = 0; p < next.Length; p++) next[p] = source.PositionOf(p);
        long lastSequence = -1;
        var ct = TestContext.Current.CancellationToken;
        while (await source.ReadAsync(ct) is { } chunk)
        {
            using (chunk)
            {
                Assert.True(chunk.Length > 0, "empty chunk");
                Assert.Equal(next[chunk.Partition], chunk.Position);
                Assert.True(chunk.Sequence > lastSequence, "sequence not increasing");
                lastSequence = chunk.Sequence;
                next[chunk.Partition] = chunk.Position + chunk.Length;
                Assert.Equal(next[chunk.Partition], source.PositionOf(chunk.Partition));
            }
        }
        for (var p = 0; p < expected.Length; p++) Assert.Equal(expected[p].Length, next[p]);
    }

    [Fact]
    public async Task ReadAsync_ToEnd_EveryChunkEndsAtNewlineExceptAnUnterminatedLastLine()
    {
        var (source, expected) = Create();
        await using var _ = source;
        var chunks = await ReadAllAsync(source);
        try
        {
            foreach (var group in chunks.GroupBy(c => c.Partition))
            {
                var list = group.ToList();
                var bytes = expected[group.Key];
                for (var i = 0; i < list.Count; i++)
                {
                    var endsAtNewline = list[i].Span[^1] == (byte)'\n';
                    var isLast = i == list.Count - 1;
                    if (!isLast || bytes[^1] == (byte)'\n') Assert.True(endsAtNewline, $"chunk {i} of partition {group.Key} at {list[i].Position} does not end at a newline");
                }
            }
        }
        finally { chunks.ForEach(c => c.Dispose()); }
    }

    [Fact]
    public async Task ReadAsync_AfterEnd_ReturnsNullAgain()
    {
        var (source, _) = Create();
        await using var __ = source;
        (await ReadAllAsync(source)).ForEach(c => c.Dispose());
        Assert.Null(await source.ReadAsync(TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task ReadAsync_CancelledToken_ThrowsOperationCanceled()
    {
        var (source, _) = Create();
        await using var __ = source;
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await source.ReadAsync(cts.Token));
    }
}
