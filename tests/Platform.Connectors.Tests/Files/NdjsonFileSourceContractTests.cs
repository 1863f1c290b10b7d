using Platform.Connectors.Files;
using Platform.Connectors.Generator;
using Platform.Connectors.Tests.Infrastructure;
using Platform.Engine.Contracts;

namespace Platform.Connectors.Tests.Files;

/// <summary>Runs the source contract over NDJSON files written into a temp directory.</summary>
public abstract class NdjsonFileSourceContractTestsBase : SourceContractTests, IDisposable
{
    private readonly TempDirectory _dir = new();

    protected abstract byte[][] Files();

    protected virtual int ChunkBytes => 1024;

    protected virtual int MaxLineBytes => 64 * 1024;

    protected override (IChunkSource Source, byte[][] Expected) Create()
    {
        var files = Files();
        var paths = files.Select((bytes, i) =>
        {
            var path = _dir.File($"part-{i}-{Guid.NewGuid():N}.ndjson");
            File.WriteAllBytes(path, bytes);
            return path;
        }).ToArray();
        var options = NdjsonFileSourceOptions.For(paths) with { ChunkBytes = ChunkBytes, MaxLineBytes = MaxLineBytes };
        return (new NdjsonFileSource(options), files);
    }

    /// <summary>Random printable lines of 0–<paramref name="maxLength"/> bytes, plus extra lines.</summary>
    protected static byte[] RandomLines(int seed, int count, int maxLength, bool finalNewline = true, params int[] longLines)
    {
        var random = new Random(seed);
        var stream = new MemoryStream();
        var lengths = Enumerable.Range(0, count).Select(_ => random.Next(0, maxLength + 1)).Concat(longLines).OrderBy(_ => random.Next()).ToList();
        for (var i = 0; i < lengths.Count; i++)
        {
            for (var j = 0; j < lengths[i]; j++) stream.WriteByte((byte)random.Next(0x20, 0x7F));
            if (i < lengths.Count - 1 || finalNewline) stream.WriteByte((byte)'\n');
        }
        return stream.ToArray();
    }

    public void Dispose()
    {
        _dir.Dispose();
        GC.SuppressFinalize(this);
    }
}

public class NdjsonFileSourceRandomLinesContractTests : NdjsonFileSourceContractTestsBase
{
    // Lines up to 300 bytes in 1 KiB chunks, and two lines longer than a chunk (the chunk grows).
    protected override byte[][] Files() => [RandomLines(1, 2_000, 300, finalNewline: true, 5_000, 40_000)];
}

public class NdjsonFileSourceNoFinalNewlineContractTests : NdjsonFileSourceContractTestsBase
{
    protected override byte[][] Files() => [RandomLines(2, 500, 200, finalNewline: false)];
}

public class NdjsonFileSourceEmptyFileContractTests : NdjsonFileSourceContractTestsBase
{
    protected override byte[][] Files() => [[]];
}

public class NdjsonFileSourceSeveralFilesContractTests : NdjsonFileSourceContractTestsBase
{
    protected override byte[][] Files() => [RandomLines(3, 800, 120), [], RandomLines(4, 50, 3_000, finalNewline: false), "x"u8.ToArray()];
}

public class NdjsonFileSourceTelemetryContractTests : NdjsonFileSourceContractTestsBase
{
    protected override int ChunkBytes => NdjsonFileSourceOptions.DefaultChunkBytes;

    protected override byte[][] Files() => [TelemetryGenerator.GenerateNdjson(new TelemetryGeneratorOptions { Events = 20_000, MalformedShare = 0.01 })];
}
