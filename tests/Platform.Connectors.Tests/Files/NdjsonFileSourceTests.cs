using System.Diagnostics;
using Platform.Connectors.Files;
using Platform.Connectors.Tests.Infrastructure;
using Platform.Engine.Contracts;

namespace Platform.Connectors.Tests.Files;

public sealed class NdjsonFileSourceTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    private string Write(byte[] bytes)
    {
        var path = _dir.File(Guid.NewGuid().ToString("N") + ".ndjson");
        File.WriteAllBytes(path, bytes);
        return path;
    }

    private static async Task<List<Chunk>> ReadAll(IChunkSource source)
    {
        var chunks = new List<Chunk>();
        while (await source.ReadAsync(TestContext.Current.CancellationToken) is { } c) chunks.Add(c);
        return chunks;
    }

    [Fact]
    public async Task ReadAsync_LineLongerThanMaxLine_EmittedInOwnPiecesAndNothingLost()
    {
        var longLine = new string('Z', 1000);
        var text = "first\n" + longLine + "\nlast-1\nlast-2\n";
        var bytes = System.Text.Encoding.ASCII.GetBytes(text);
        await using var source = new NdjsonFileSource(NdjsonFileSourceOptions.For(Write(bytes)) with { ChunkBytes = 64, MaxLineBytes = 256 });
        var chunks = await ReadAll(source);
        try
        {
            Assert.True(bytes.AsSpan().SequenceEqual(chunks.SelectMany(c => c.Span.ToArray()).ToArray()));
            var pieces = chunks.Where(c => c.Span.Contains((byte)'Z')).ToList();
            Assert.True(pieces.Count >= 4, $"{pieces.Count} pieces");
            // Each piece holds only bytes of the long line (the last one also its newline).
            Assert.All(pieces, p => Assert.True(p.Span.TrimEnd((byte)'\n').IndexOfAnyExcept((byte)'Z') < 0));
            Assert.All(pieces, p => Assert.InRange(p.Length, 1, 256 + 1));
            Assert.Equal("first\n", System.Text.Encoding.ASCII.GetString(chunks[0].Span));
            Assert.Equal("last-1\nlast-2\n", System.Text.Encoding.ASCII.GetString(chunks[^1].Span));
        }
        finally { chunks.ForEach(c => c.Dispose()); }
    }

    [Fact]
    public async Task StartPositions_ResumeFromCheckpoint_ReadsExactlyTheRest()
    {
        var lines = string.Concat(Enumerable.Range(0, 500).Select(i => $"{{\"n\":{i}}}\n"));
        var bytes = System.Text.Encoding.ASCII.GetBytes(lines);
        var path = Write(bytes);
        long checkpoint;
        await using (var first = new NdjsonFileSource(NdjsonFileSourceOptions.For(path) with { ChunkBytes = 100 }))
        {
            for (var i = 0; i < 7; i++) (await first.ReadAsync(TestContext.Current.CancellationToken))!.Dispose();
            checkpoint = first.PositionOf(0);
        }
        Assert.InRange(checkpoint, 1, bytes.Length - 1);
        Assert.Equal((byte)'\n', bytes[checkpoint - 1]);
        await using var resumed = new NdjsonFileSource(NdjsonFileSourceOptions.For(path) with { ChunkBytes = 100, StartPositions = [checkpoint] });
        Assert.Equal(checkpoint, resumed.PositionOf(0));
        var chunks = await ReadAll(resumed);
        try
        {
            Assert.Equal(checkpoint, chunks[0].Position);
            Assert.True(bytes.AsSpan((int)checkpoint).SequenceEqual(chunks.SelectMany(c => c.Span.ToArray()).ToArray()));
        }
        finally { chunks.ForEach(c => c.Dispose()); }
    }

    [Fact]
    public async Task ReadAsync_RecordsPerSecond_PacesLines()
    {
        var bytes = System.Text.Encoding.ASCII.GetBytes(string.Concat(Enumerable.Range(0, 300).Select(i => $"line {i}\n")));
        await using var source = new NdjsonFileSource(NdjsonFileSourceOptions.For(Write(bytes)) with { RecordsPerSecond = 2_000 });
        var watch = Stopwatch.StartNew();
        var chunks = await ReadAll(source);
        chunks.ForEach(c => c.Dispose());
        // 300 lines at 2000/s in steps of 20 lines: the last step is due at 280 lines = 140 ms.
        Assert.True(watch.ElapsedMilliseconds >= 120, $"took {watch.ElapsedMilliseconds} ms");
        Assert.Equal(15, chunks.Count);
        Assert.Equal(300, source.LinesEmitted);
    }

    [Fact]
    public void Constructor_MissingFile_ThrowsFileNotFound()
    {
        Assert.Throws<FileNotFoundException>(() => new NdjsonFileSource(NdjsonFileSourceOptions.For(_dir.File("nope.ndjson"))));
    }

    [Fact]
    public void Constructor_StartPositionPastEnd_ThrowsArgumentException()
    {
        var path = Write("a\n"u8.ToArray());
        Assert.Throws<ArgumentException>(() => new NdjsonFileSource(NdjsonFileSourceOptions.For(path) with { StartPositions = [3] }));
    }

    [Fact]
    public void Validate_BadOptions_ThrowsArgumentException()
    {
        Assert.Throws<ArgumentException>(() => NdjsonFileSourceOptions.For().Validate());
        Assert.Throws<ArgumentException>(() => (NdjsonFileSourceOptions.For("a") with { ChunkBytes = 1 }).Validate());
        Assert.Throws<ArgumentException>(() => (NdjsonFileSourceOptions.For("a", "b") with { StartPositions = [0] }).Validate());
        Assert.Throws<ArgumentException>(() => (NdjsonFileSourceOptions.For("a") with { RecordsPerSecond = double.NaN }).Validate());
    }

    public void Dispose() => _dir.Dispose();
}
