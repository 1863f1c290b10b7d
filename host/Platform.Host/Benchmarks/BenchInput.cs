using Platform.Connectors.Generator;

namespace Platform.Host.Benchmarks;

/// <summary>
/// The standard telemetry-json input (100k devices, 4 sensors, 5% vectors, 0.1% malformed, seeded), generated
/// once as blocks of whole lines, so runs measure the engines, not the generator. Every engine is fed these same
/// bytes. Event time rises monotonically through the input, so it cannot be replayed to make it longer: N events
/// are N lines (~245 bytes each). <see cref="Generate"/> holds them in memory; <see cref="GenerateToFile"/> writes
/// them to a temporary file read back block by block (<see cref="FileBenchBlocks"/>), so a large run's peak working
/// set is the engine's alone. Dispose to delete the file.
/// </summary>
public sealed class BenchInput : IDisposable
{
    /// <summary>Bytes per block (the engine's usual chunk size).</summary>
    public const int BlockBytes = 256 * 1024;

    private BenchInput(IReadOnlyList<byte[]> blocks, long bytes, long lines, long valid, long malformed, TimeSpan generation)
    {
        Blocks = blocks;
        Lines = lines;
        ValidRecords = valid;
        MalformedLines = malformed;
        Bytes = bytes;
        GenerationTime = generation;
    }

    /// <summary>True when the blocks are in a temporary file, not in memory.</summary>
    public bool Streamed => Blocks is FileBenchBlocks;

    /// <summary>The blocks, each ending at a line end.</summary>
    public IReadOnlyList<byte[]> Blocks { get; }

    /// <summary>Lines.</summary>
    public long Lines { get; }

    /// <summary>Valid lines (as the generator wrote them).</summary>
    public long ValidRecords { get; }

    /// <summary>Malformed lines.</summary>
    public long MalformedLines { get; }

    /// <summary>Total bytes.</summary>
    public long Bytes { get; }

    /// <summary>How long generating took.</summary>
    public TimeSpan GenerationTime { get; }

    /// <summary>The standard options for <paramref name="events"/> lines.</summary>
    public static TelemetryGeneratorOptions StandardOptions(long events, long seed = TelemetryGeneratorOptions.DefaultSeed) => new()
    {
        Events = events,
        Seed = seed,
        Devices = 100_000,
        VectorShare = 0.05,
        MalformedShare = 0.001,
    };

    /// <summary>Generates <paramref name="options"/> into blocks of <see cref="BlockBytes"/>.</summary>
    public static BenchInput Generate(TelemetryGeneratorOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var watch = System.Diagnostics.Stopwatch.StartNew();
        var generator = new TelemetryGenerator(options);
        var buffer = new byte[BlockBytes];
        var blocks = new List<byte[]>((int)Math.Min(int.MaxValue, options.Events * 260 / BlockBytes + 1));
        while (!generator.IsComplete)
        {
            var n = generator.Fill(buffer);
            if (n == 0) break;
            blocks.Add(buffer.AsSpan(0, n).ToArray());
        }
        return new BenchInput(blocks, blocks.Sum(b => (long)b.Length), generator.Lines, generator.ValidRecords, generator.MalformedLines, watch.Elapsed);
    }

    /// <summary>
    /// Generates <paramref name="options"/> into a temporary file (in <paramref name="directory"/>, default the temp
    /// folder) in blocks of <see cref="BlockBytes"/>; the file is deleted when this input is disposed.
    /// </summary>
    public static BenchInput GenerateToFile(TelemetryGeneratorOptions options, string? directory = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        var watch = System.Diagnostics.Stopwatch.StartNew();
        var generator = new TelemetryGenerator(options);
        var buffer = new byte[BlockBytes];
        var blocks = new FileBenchBlocks(directory);
        try
        {
            while (!generator.IsComplete)
            {
                var n = generator.Fill(buffer);
                if (n == 0) break;
                blocks.Append(buffer.AsSpan(0, n));
            }
        }
        catch
        {
            blocks.Dispose();
            throw;
        }
        return new BenchInput(blocks, blocks.Bytes, generator.Lines, generator.ValidRecords, generator.MalformedLines, watch.Elapsed);
    }

    /// <summary>Deletes the temporary file of a streamed input (nothing for an in-memory one).</summary>
    public void Dispose() => (Blocks as IDisposable)?.Dispose();
}
