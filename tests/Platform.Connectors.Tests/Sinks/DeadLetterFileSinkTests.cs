using System.Text.Json;
using Platform.Connectors.Tests.Infrastructure;
using Platform.Sinks.DeadLetter;

namespace Platform.Connectors.Tests.Sinks;

public sealed class DeadLetterFileSinkTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    [Fact]
    public async Task Write_ConcurrentThreads_EveryLineValidJsonWithItsRawBytes()
    {
        var path = _dir.File("dlq/sub/dead.ndjson");
        const int Threads = 6, PerThread = 2_000;
        var sink = new DeadLetterFileSink(new DeadLetterFileOptions { Path = path, BufferBytes = 4096 });
        await using (sink)
        {
            var workers = Enumerable.Range(0, Threads).Select(t => Task.Run(() =>
            {
                var random = new Random(t);
                for (var i = 0; i < PerThread; i++)
                {
                    // Raw bytes that are not text (newlines, quotes, invalid UTF-8) must survive as base64.
                    var raw = new byte[random.Next(0, 300)];
                    random.NextBytes(raw);
                    if (raw.Length > 4) { raw[0] = (byte)t; raw[1] = (byte)(i >> 8); raw[2] = (byte)i; raw[3] = (byte)'\n'; }
                    sink.Write($"src-{t}", t, i * 1000L, $"reason \"{i}\"\n\u00e9", raw);
                }
            }, TestContext.Current.CancellationToken)).ToArray();
            await Task.WhenAll(workers);
            Assert.Equal(Threads * PerThread, sink.Count);
            await sink.FlushAsync(TestContext.Current.CancellationToken);
        }
        var lines = await File.ReadAllLinesAsync(path, TestContext.Current.CancellationToken);
        Assert.Equal(Threads * PerThread, lines.Length);
        var seen = new HashSet<(int, long)>();
        foreach (var line in lines)
        {
            using var doc = JsonDocument.Parse(line);
            var root = doc.RootElement;
            var partition = root.GetProperty("partition").GetInt32();
            var position = root.GetProperty("position").GetInt64();
            Assert.Equal($"src-{partition}", root.GetProperty("source").GetString());
            Assert.Equal($"reason \"{position / 1000}\"\n\u00e9", root.GetProperty("reason").GetString());
            var raw = root.GetProperty("raw").GetBytesFromBase64();
            if (raw.Length > 4)
            {
                Assert.Equal(partition, raw[0]);
                Assert.Equal(position / 1000, (raw[1] << 8) | raw[2]);
            }
            Assert.True(root.GetProperty("time").GetDateTimeOffset() > DateTimeOffset.UtcNow.AddMinutes(-5));
            Assert.True(seen.Add((partition, position)), "duplicate line");
        }
    }

    [Fact]
    public async Task Write_ThenReopen_AppendsToTheFile()
    {
        var path = _dir.File("dead.ndjson");
        await using (var first = new DeadLetterFileSink(new DeadLetterFileOptions { Path = path })) first.Write("s", 0, 1, "bad", "x"u8);
        await using (var second = new DeadLetterFileSink(new DeadLetterFileOptions { Path = path })) second.Write("s", 0, 2, "bad", "y"u8);
        var lines = await File.ReadAllLinesAsync(path, TestContext.Current.CancellationToken);
        Assert.Equal(2, lines.Length);
        Assert.Equal("y", System.Text.Encoding.ASCII.GetString(JsonDocument.Parse(lines[1]).RootElement.GetProperty("raw").GetBytesFromBase64()));
    }

    [Fact]
    public async Task FlushAsync_AfterWrite_LineOnDiskBeforeDispose()
    {
        var path = _dir.File("flush.ndjson");
        await using var sink = new DeadLetterFileSink(new DeadLetterFileOptions { Path = path });
        sink.Write("s", 3, 42, "truncated", "{\"a\":"u8);
        await sink.FlushAsync(TestContext.Current.CancellationToken);
        using var reader = new StreamReader(new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite));
        var root = JsonDocument.Parse(await reader.ReadLineAsync(TestContext.Current.CancellationToken) ?? "").RootElement;
        Assert.Equal(42, root.GetProperty("position").GetInt64());
        Assert.Equal("{\"a\":", System.Text.Encoding.UTF8.GetString(root.GetProperty("raw").GetBytesFromBase64()));
    }

    [Fact]
    public async Task Write_AfterDispose_ThrowsObjectDisposed()
    {
        var sink = new DeadLetterFileSink(new DeadLetterFileOptions { Path = _dir.File("d.ndjson") });
        await sink.DisposeAsync();
        Assert.Throws<ObjectDisposedException>(() => sink.Write("s", 0, 0, "r", "x"u8));
    }

    public void Dispose() => _dir.Dispose();
}
