using System.Diagnostics;
using System.Globalization;
using DuckDB.NET.Data;

namespace Platform.Integration.Tests;

/// <summary>
/// Checkpoints end to end: the NDJSON file → windows → DuckDB pipeline as a child process, killed with
/// SIGKILL at random moments and restarted, ends with exactly the table of an uninterrupted run.
/// </summary>
public sealed class CrashRecoveryTests : IDisposable
{
    private const int Events = 400_000;
    private const int RecordsPerSecond = 50_000; // ~8 s of input per run, so kills land mid-run
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private static async Task<(int Exit, string Out, string Err)> RunToEndAsync(TimeSpan timeout, params string[] args)
    {
        using var process = Start(args);
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        finally
        {
            if (!process.HasExited) process.Kill(entireProcessTree: true);
        }
        return (process.ExitCode, await stdout, await stderr);
    }

    private static Process Start(string[] args) =>
        Process.Start(new ProcessStartInfo("dotnet", [RepoPaths.PlatformDll, .. args])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        })!;

    private string Input()
    {
        var input = _dir.File("input.ndjson");
        var (exit, stdout, stderr) = RunToEndAsync(TimeSpan.FromSeconds(60), "generate", "telemetry", "--events", Events.ToString(CultureInfo.InvariantCulture),
            "--seed", "7", "--devices", "500", "--time-step", "1ms", "--out-of-order", "1s", "--out", input).GetAwaiter().GetResult();
        Assert.True(exit == 0, stdout + stderr);
        return input;
    }

    private string Yaml(string name, string input, string duckdb, double rate)
    {
        var path = _dir.File(name + ".yaml");
        File.WriteAllText(path, FormattableString.Invariant($"""
            name: {name}
            source:
              type: file
              path: {input}
              rate: {rate}
              chunk-size: 64KiB
            event-time:
              allowed-lateness: 5s
            steps:
              - op: key-by
                fields: [deviceId, sensorType]
              - op: window
                kind: tumbling
                size: 10s
              - op: aggregate
                functions: [count, sum, min, max, mean, variance, p50, p95, p99]
            sinks:
              - type: duckdb
                path: {duckdb}
                mode: upsert
            dead-letter:
              path: {_dir.File(name + ".dlq.ndjson")}
            runtime:
              workers: 2
            http:
              port: 0
            checkpoint:
              dir: {_dir.File(name + "-checkpoints")}
              interval: 250ms
              retain: 3
            """));
        return path;
    }

    [Fact]
    public async Task Run_KilledWithSigkillAtRandomMomentsAndRestarted_TableEqualsAnUninterruptedRun()
    {
        var total = Stopwatch.StartNew();
        var input = Input();
        var reference = _dir.File("reference.duckdb");
        var (exit, stdout, stderr) = await RunToEndAsync(TimeSpan.FromSeconds(60), "run", Yaml("reference", input, reference, rate: 0));
        Assert.True(exit == 0, stdout + stderr);

        var crashed = _dir.File("crashed.duckdb");
        var yaml = Yaml("crashed", input, crashed, RecordsPerSecond);
        var checkpoints = _dir.File("crashed-checkpoints");
        var random = new Random(Environment.TickCount);
        var kills = 0;
        var log = new List<string>();
        for (var attempt = 0; kills < 5 && attempt < 12; attempt++)
        {
            using var process = Start(["run", yaml]);
            var stdoutTask = process.StandardOutput.ReadToEndAsync();
            var stderrTask = process.StandardError.ReadToEndAsync();
            // Kill at a random moment after this run completed a checkpoint of its own (start-up time varies with the
            // machine's load), so every run makes progress and the kills land between checkpoints (every 250 ms).
            await Task.WhenAny(process.WaitForExitAsync(), WaitForCheckpointAfterAsync(checkpoints, NewestCompleted(checkpoints)));
            var after = TimeSpan.FromMilliseconds(random.Next(0, 400));
            await Task.WhenAny(process.WaitForExitAsync(), Task.Delay(after));
            if (!process.HasExited)
            {
                process.Kill(); // SIGKILL
                kills++;
            }
            await process.WaitForExitAsync();
            log.Add($"run {attempt}: {(process.ExitCode == 0 ? "finished" : $"killed after {after.TotalMilliseconds:N0} ms")}\n{await stdoutTask}{await stderrTask}");
            if (process.ExitCode == 0) break;
        }
        Assert.True(kills >= 5, $"only {kills} kills landed mid-run:\n" + string.Join("\n", log));

        (exit, stdout, stderr) = await RunToEndAsync(TimeSpan.FromSeconds(60), "run", yaml);
        Assert.True(exit == 0, stdout + stderr);
        Assert.Contains("restored checkpoint", stdout);

        var expected = Rows(reference);
        var actual = Rows(crashed);
        Assert.True(expected.Count > 10_000, $"{expected.Count} rows");
        Assert.Equal(expected.Sum(r => r.Count), actual.Sum(r => r.Count));
        Assert.Equal(expected.Count, actual.Count);
        for (var i = 0; i < expected.Count; i++)
        {
            Assert.True(expected[i].Matches(actual[i]), $"row {i}: expected {expected[i]}, got {actual[i]}");
        }
        Assert.True(total.Elapsed < TimeSpan.FromMinutes(2), $"took {total.Elapsed}");
    }

    /// <summary>The id of the newest checkpoint whose manifest is written, or -1.</summary>
    private static long NewestCompleted(string checkpoints) =>
        !Directory.Exists(checkpoints)
            ? -1
            : Directory.EnumerateDirectories(checkpoints, "chk-*")
                .Where(d => File.Exists(Path.Combine(d, "_checkpoint")))
                .Select(d => long.TryParse(Path.GetFileName(d)["chk-".Length..], out var id) ? id : -1)
                .DefaultIfEmpty(-1)
                .Max();

    private static async Task WaitForCheckpointAfterAsync(string checkpoints, long newest)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (NewestCompleted(checkpoints) <= newest && DateTime.UtcNow < deadline) await Task.Delay(20);
    }

    [Fact]
    public async Task Run_NewestCheckpointCorrupt_ResumesFromThePreviousOneAndSaysSo()
    {
        var input = Input();
        var db = _dir.File("corrupt.duckdb");
        var yaml = Yaml("corrupt", input, db, RecordsPerSecond);
        using (var process = Start(["run", yaml]))
        {
            var stdoutTask = process.StandardOutput.ReadToEndAsync();
            await Task.Delay(TimeSpan.FromSeconds(3));
            Assert.False(process.HasExited, await stdoutTask);
            process.Kill();
            await process.WaitForExitAsync();
        }
        var checkpoints = _dir.File("corrupt-checkpoints");
        var newest = Directory.GetDirectories(checkpoints, "chk-*")
            .Where(d => File.Exists(Path.Combine(d, "_checkpoint")))
            .OrderByDescending(d => long.Parse(Path.GetFileName(d)[4..], CultureInfo.InvariantCulture)).ToList();
        Assert.True(newest.Count >= 2, "at least two complete checkpoints");
        var victim = Path.Combine(newest[0], "worker-0.bin");
        var bytes = await File.ReadAllBytesAsync(victim);
        bytes[bytes.Length / 2] ^= 0xFF;
        await File.WriteAllBytesAsync(victim, bytes);

        var (exit, stdout, stderr) = await RunToEndAsync(TimeSpan.FromSeconds(60), "run", yaml);
        Assert.True(exit == 0, stdout + stderr);
        var flat = stdout.Replace("\n", " ", StringComparison.Ordinal);
        Assert.Contains($"checkpoint {Path.GetFileName(newest[0])[4..]} skipped (corrupt)", flat);
        Assert.Contains("checksum mismatch", flat);
        Assert.Contains($"restored checkpoint {Path.GetFileName(newest[1])[4..]}", flat);

        var (_, listing, _) = await RunToEndAsync(TimeSpan.FromSeconds(30), "checkpoints", checkpoints);
        Assert.Contains("complete", listing);
    }

    private sealed record Row(string Device, string Sensor, DateTime Start, long Count, double Sum, double Min, double Max, double Mean, double Variance, double P50, double P95, double P99)
    {
        public bool Matches(Row o) =>
            Device == o.Device && Sensor == o.Sensor && Start == o.Start && Count == o.Count && Min == o.Min && Max == o.Max
            && P50 == o.P50 && P95 == o.P95 && P99 == o.P99 && Close(Sum, o.Sum) && Close(Mean, o.Mean) && Close(Variance, o.Variance);

        // Sums depend on the order records reach a worker (its own parse vs. other workers' hand-offs), even between two uninterrupted runs.
        private static bool Close(double a, double b) => Math.Abs(a - b) <= 1e-9 * Math.Max(1, Math.Max(Math.Abs(a), Math.Abs(b)));
    }

    private static List<Row> Rows(string path)
    {
        using var connection = new DuckDBConnection($"Data Source={path};ACCESS_MODE=READ_ONLY");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT device_id, sensor_type, window_start, count, sum, min, max, mean, variance, p50, p95, p99 FROM window_stats ORDER BY 1, 2, 3";
        using var reader = command.ExecuteReader();
        var rows = new List<Row>();
        while (reader.Read())
        {
            rows.Add(new Row(reader.GetString(0), reader.GetString(1), reader.GetDateTime(2), reader.GetInt64(3), reader.GetDouble(4), reader.GetDouble(5),
                reader.GetDouble(6), reader.GetDouble(7), reader.GetDouble(8), reader.GetDouble(9), reader.GetDouble(10), reader.GetDouble(11)));
        }
        return rows;
    }
}
