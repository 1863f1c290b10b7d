using System.Text.Json;
using Platform.Host.Running;

namespace Platform.Integration.Tests;

public class RunCommandTests
{
    [Fact]
    public async Task RunAsync_SampleTwice_WindowCountsAddUpToGeneratedValidRecordsEachTime()
    {
        using var dir = new TempDir();
        var yaml = PipelineYaml.WriteSample(dir, events: 100_000);
        var summary = dir.File("summary.json");

        for (var run = 0; run < 2; run++)
        {
            var exit = await RunCommand.RunAsync(new RunCommand.RunRequest(yaml, null, null, 2, null, summary));
            Assert.Equal(0, exit);
            var totals = JsonSerializer.Deserialize(File.ReadAllText(summary), RunTotalsJson.Default.RunTotals)!;
            var (rows, records) = DuckDbQueries.WindowTotals(dir.File("iot.duckdb"));
            Assert.Equal(totals.SourceValidRecords, totals.RecordsIn);
            Assert.Equal(totals.RecordsIn, records);
            Assert.Equal(totals.RecordsOut, rows);
            Assert.Equal(100_000, totals.RecordsIn + totals.DeadLetters);
            Assert.True(totals.DeadLetters > 0, "the sample's malformed share reaches the dead-letter file");
            // The dead-letter file is appended to, never truncated: run 2 adds its own lines.
            Assert.Equal(totals.DeadLetters * (run + 1), File.ReadLines(dir.File("iot.dlq.ndjson")).LongCount());
        }
    }

    [Fact]
    public async Task RunAsync_MaxEvents_StopsAtThatManySourceRecords()
    {
        using var dir = new TempDir();
        var yaml = PipelineYaml.WriteSample(dir, events: 0);
        var summary = dir.File("summary.json");

        var exit = await RunCommand.RunAsync(new RunCommand.RunRequest(yaml, 30_000, null, 2, null, summary));

        Assert.Equal(0, exit);
        var totals = JsonSerializer.Deserialize(File.ReadAllText(summary), RunTotalsJson.Default.RunTotals)!;
        Assert.Equal(30_000, totals.RecordsIn + totals.DeadLetters);
        Assert.Equal(totals.RecordsIn, DuckDbQueries.WindowTotals(dir.File("iot.duckdb")).Records);
    }

    [Fact]
    public async Task RunAsync_InvalidYaml_ExitsTwo()
    {
        using var dir = new TempDir();
        var yaml = dir.File("bad.yaml");
        File.WriteAllText(yaml, "name: bad\nsource:\n  type: generatr\nsinks:\n  - type: null\n");

        var exit = await RunCommand.RunAsync(new RunCommand.RunRequest(yaml, null, null, null, null, null));

        Assert.Equal(2, exit);
    }
}
