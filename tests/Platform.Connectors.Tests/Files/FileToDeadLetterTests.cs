using System.Text.Json;
using Platform.Connectors.Files;
using Platform.Connectors.Generator;
using Platform.Connectors.Tests.Infrastructure;
using Platform.Engine.Batching;
using Platform.Engine.Records;
using Platform.Engine.Symbols;
using Platform.Formats;
using Platform.Sinks.DeadLetter;

namespace Platform.Connectors.Tests.Files;

/// <summary>File source → telemetry parser → dead-letter file: positions and raw bytes point back into the file.</summary>
public sealed class FileToDeadLetterTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    [Fact]
    public async Task ReadParse_GeneratedFileWithMalformedLines_EveryDeadLetterPointsAtItsBytesInTheFile()
    {
        var data = TelemetryGenerator.GenerateNdjson(new TelemetryGeneratorOptions { Events = 30_000, Seed = 4, MalformedShare = 0.01 }, out var generator);
        var path = _dir.File("in.ndjson");
        await File.WriteAllBytesAsync(path, data, TestContext.Current.CancellationToken);
        var dlqPath = _dir.File("dlq/dead.ndjson");
        var parser = new TelemetryNdjsonParser(new SymbolTable());
        var pool = new BatchPool<Telemetry>(4096);
        long parsed = 0;
        await using (var dlq = new DeadLetterFileSink(new DeadLetterFileOptions { Path = dlqPath }))
        await using (var source = new NdjsonFileSource(NdjsonFileSourceOptions.For(path) with { ChunkBytes = 8 * 1024, Name = "in" }))
        {
            while (await source.ReadAsync(TestContext.Current.CancellationToken) is { } chunk)
            {
                using (chunk)
                {
                    var batch = pool.Rent();
                    parser.Parse(chunk, source.Name, batch, dlq);
                    parsed += batch.Count;
                    batch.Dispose();
                }
            }
            Assert.Equal(generator.MalformedLines, dlq.Count);
        }
        Assert.Equal(generator.ValidRecords, parsed);
        var lines = await File.ReadAllLinesAsync(dlqPath, TestContext.Current.CancellationToken);
        Assert.Equal(generator.MalformedLines, lines.Length);
        foreach (var line in lines)
        {
            var root = JsonDocument.Parse(line).RootElement;
            var position = root.GetProperty("position").GetInt64();
            var raw = root.GetProperty("raw").GetBytesFromBase64();
            Assert.Equal("in", root.GetProperty("source").GetString());
            Assert.False(string.IsNullOrEmpty(root.GetProperty("reason").GetString()));
            Assert.True(position == 0 || data[position - 1] == (byte)'\n', $"position {position} is not a line start");
            Assert.True(data.AsSpan((int)position, raw.Length).SequenceEqual(raw), $"raw bytes at {position} differ");
        }
    }

    public void Dispose() => _dir.Dispose();
}
