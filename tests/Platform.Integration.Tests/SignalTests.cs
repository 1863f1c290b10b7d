using System.Diagnostics;
using System.Text.Json;
using Platform.Host.Running;

namespace Platform.Integration.Tests;

public class SignalTests
{
    [Fact]
    public async Task Run_SigtermMidRun_ExitsZeroWithinFiveSecondsAndEveryEmittedRecordIsInTheSink()
    {
        using var dir = new TempDir();
        var yaml = PipelineYaml.WriteSample(dir, events: 0, rate: 200_000);
        var summary = dir.File("summary.json");
        using var process = Process.Start(new ProcessStartInfo("dotnet", [RepoPaths.PlatformDll, "run", yaml, "--workers", "2", "--summary-json", summary])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        })!;
        var progress = new SummaryProgress();
        var stdout = progress.ReadAllAsync(process.StandardOutput);
        var stderr = process.StandardError.ReadToEndAsync();
        try
        {
            await StopAndCheckAsync(process, dir, summary, progress, stdout, stderr);
        }
        finally
        {
            if (!process.HasExited) process.Kill(entireProcessTree: true);
        }
    }

    private static async Task StopAndCheckAsync(
        Process process, TempDir dir, string summary, SummaryProgress progress, Task<string> stdout, Task<string> stderr)
    {
        // Let it run until records flow (the live summary line shows them), then ask it to stop. Start-up on a loaded
        // machine can take many seconds, so wait for the count rather than for a fixed time.
        var flowing = await progress.WaitForRecordsAsync(20_000, TimeSpan.FromSeconds(90));
        if (process.HasExited) Assert.Fail("the unbounded pipeline stopped by itself: " + await stderr);
        Assert.True(flowing, "no summary line showed 20,000 records within 90 s:\n" + progress.Text);
        using (var kill = Process.Start("kill", ["-TERM", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
        {
            await kill.WaitForExitAsync();
            Assert.Equal(0, kill.ExitCode);
        }
        var stopwatch = Stopwatch.StartNew();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await process.WaitForExitAsync(timeout.Token);
        stopwatch.Stop();

        Assert.True(process.ExitCode == 0, $"exit {process.ExitCode}\n{await stdout}\n{await stderr}");
        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(5), $"took {stopwatch.Elapsed} to drain and exit");
        var totals = JsonSerializer.Deserialize(File.ReadAllText(summary), RunTotalsJson.Default.RunTotals)!;
        Assert.Equal("SIGTERM", totals.StoppedBy);
        Assert.True(totals.RecordsIn > 10_000, $"records flowed before the signal: {totals.RecordsIn}");
        Assert.Equal(totals.SourceValidRecords, totals.RecordsIn);
        Assert.Equal(totals.RecordsIn, DuckDbQueries.WindowTotals(dir.File("iot.duckdb")).Records);
    }
}
