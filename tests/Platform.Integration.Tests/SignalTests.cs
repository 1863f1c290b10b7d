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
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        try
        {
            await StopAndCheckAsync(process, dir, summary, stdout, stderr);
        }
        finally
        {
            if (!process.HasExited) process.Kill(entireProcessTree: true);
        }
    }

    private static async Task StopAndCheckAsync(Process process, TempDir dir, string summary, Task<string> stdout, Task<string> stderr)
    {
        // Let it run until records flow (the summary line shows them), then ask it to stop.
        await Task.Delay(TimeSpan.FromSeconds(4));
        if (process.HasExited) Assert.Fail("the unbounded pipeline stopped by itself: " + await stderr);
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
