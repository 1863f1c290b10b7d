using Platform.Host.Benchmarks;

namespace Platform.Bench.Tests;

/// <summary>
/// The iot-anomaly input streamed from a temporary file (so a 20 M-line run does not hold its input in memory) is the
/// same bytes as the in-memory input, gives Platform the same result, and its file is gone once it is disposed.
/// </summary>
public sealed class StreamedInputTests
{
    private static Platform.Connectors.Generator.TelemetryGeneratorOptions Options() =>
        BenchInput.StandardOptions(30_000) with { Devices = 50, Seed = 11, TimeStep = TimeSpan.FromMilliseconds(10) };

    [Fact]
    public void File_blocks_hold_the_same_bytes_as_memory_blocks()
    {
        var memory = BenchInput.Generate(Options());
        using var streamed = BenchInput.GenerateToFile(Options());
        Assert.True(streamed.Streamed);
        Assert.False(memory.Streamed);
        Assert.Equal(memory.Lines, streamed.Lines);
        Assert.Equal(memory.Bytes, streamed.Bytes);
        Assert.Equal(memory.Blocks.Count, streamed.Blocks.Count);
        var stored = (IBenchBlocks)streamed.Blocks;
        for (var i = 0; i < memory.Blocks.Count; i++)
        {
            Assert.Equal(memory.Blocks[i].Length, stored.LengthOf(i));
            var copy = new byte[stored.LengthOf(i) + 7];
            stored.CopyTo(i, copy);
            Assert.True(memory.Blocks[i].AsSpan().SequenceEqual(copy.AsSpan(0, stored.LengthOf(i))), $"block {i} differs");
            Assert.Equal(memory.Blocks[i], streamed.Blocks[i]);
        }
    }

    [Fact]
    public async Task Platform_gives_the_same_result_on_streamed_input()
    {
        var memory = BenchInput.Generate(Options());
        using var streamed = BenchInput.GenerateToFile(Options());
        var ct = TestContext.Current.CancellationToken;
        var a = await new PlatformIotEngine().RunAsync(memory.Blocks, IotJobSettings.Default, 2, false, ct);
        var b = await new PlatformIotEngine().RunAsync(streamed.Blocks, IotJobSettings.Default, 2, false, ct);
        Assert.Equal(memory.ValidRecords, b.RecordsIn);
        Assert.Equal(memory.MalformedLines, b.Rejected);
        Assert.True(b.Digest.Rows > 100, $"{b.Digest.Rows} rows");
        Assert.Null(b.Digest.Differences(a.Digest));
    }

    [Fact]
    public void Disposing_a_streamed_input_deletes_its_file()
    {
        var streamed = BenchInput.GenerateToFile(Options());
        var path = ((FileBenchBlocks)streamed.Blocks).Path;
        Assert.True(File.Exists(path));
        streamed.Dispose();
        Assert.False(File.Exists(path));
    }
}
