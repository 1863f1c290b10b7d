using System.Collections.Concurrent;
using System.Net;
using System.Text;
using Platform.Connectors.DurableLog;
using Platform.Ingest.Tests.DurableLog;
using Log = Platform.Connectors.DurableLog.DurableLog;

namespace Platform.Ingest.Tests.Daemon;

/// <summary>The daemon (<see cref="PlatformDaemon"/>) with an HTTP ingest source, killed with SIGKILL under load.</summary>
public sealed class DaemonKillTests(ITestOutputHelper output)
{
    internal static string WriteYaml(TempDir dir, int port) => WriteFile(dir, $"""
        name: ingest-kill
        source:
          type: http
          port: {port}
          log: {Path.Combine(dir.Path, "log")}
          fsync: interval
        {YamlSteps.CountPerSensorToNull("count, mean")}
        dead-letter:
          path: {Path.Combine(dir.Path, "dlq.ndjson")}
        http:
          port: 0
        """);

    private static string WriteFile(TempDir dir, string yaml)
    {
        var path = Path.Combine(dir.Path, "pipeline.yaml");
        File.WriteAllText(path, yaml);
        return path;
    }

    /// <summary>Runs the same source into a DuckDB sink until <paramref name="records"/> are parsed, stops it with SIGTERM, sums the window counts.</summary>
    private static async Task<long> ReplayIntoDuckDbAsync(TempDir dir, int port, int records)
    {
        var metricsPort = LoopbackPort.Free();
        var database = Path.Combine(dir.Path, "replay.duckdb");
        var yaml = Path.Combine(dir.Path, "replay.yaml");
        File.WriteAllText(yaml, $"""
            name: ingest-replay
            source:
              type: http
              port: {port}
              log: {Path.Combine(dir.Path, "log")}
              fsync: interval
            {YamlSteps.CountPerSensorToDuckDb(database)}
            dead-letter:
              path: {Path.Combine(dir.Path, "replay-dlq.ndjson")}
            http:
              port: {metricsPort}
            """);
        using (var daemon = new PlatformDaemon(yaml))
        {
            await daemon.WaitListeningAsync();
            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{metricsPort}/"), Timeout = TimeSpan.FromSeconds(10) };
            var parsed = 0L;
            for (var i = 0; i < 1200 && parsed < records; i++)
            {
                await Task.Delay(100);
                var metrics = await http.GetStringAsync("metrics");
                parsed = metrics.Split('\n').Where(l => l.StartsWith("platform_engine_records_in ", StringComparison.Ordinal))
                    .Select(l => long.Parse(l[(l.LastIndexOf(' ') + 1)..], System.Globalization.CultureInfo.InvariantCulture)).DefaultIfEmpty(0).Sum();
            }
            Assert.Equal(records, parsed);
            using (var term = System.Diagnostics.Process.Start("kill", ["-TERM", daemon.Process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
            {
                await term.WaitForExitAsync();
            }
            await daemon.Process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
            Assert.Equal(0, daemon.Process.ExitCode);
        }
        return WindowStatsDb.CountSum(database);
    }

    internal static string Line(int id) =>
        $$"""{"deviceId":"dev-{{id % 50}}","timestamp":"2026-05-01T12:00:00.000Z","sensorType":"temperature","payload":{"value":{{id}},"unit":"Celsius"},"correlationId":"c{{id}}"}""" + "\n";

    [Fact]
    public async Task Sigkill_UnderLoad_EveryAcknowledgedRequestIsInTheLog_AndDamageIsReportedOnRestart()
    {
        using var dir = new TempDir();
        var port = LoopbackPort.Free();
        var yaml = WriteYaml(dir, port);
        var acked = new ConcurrentBag<int>();
        using (var daemon = new PlatformDaemon(yaml))
        {
            await daemon.WaitListeningAsync();
            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}/"), Timeout = TimeSpan.FromSeconds(5) };
            using var stop = new CancellationTokenSource();
            var next = 0;
            var load = Enumerable.Range(0, 8).Select(_ => Task.Run(async () =>
            {
                while (!stop.IsCancellationRequested)
                {
                    var id = Interlocked.Increment(ref next);
                    try
                    {
                        using var r = await http.PostAsync("v1/telemetry", new StringContent(Line(id), Encoding.UTF8, "application/x-ndjson"), stop.Token);
                        if (r.StatusCode == HttpStatusCode.OK) acked.Add(id);
                    }
                    catch (Exception e) when (e is HttpRequestException or TaskCanceledException or IOException)
                    {
                        if (daemon.Process.HasExited) return;
                    }
                }
            })).ToArray();
            await Task.Delay(TimeSpan.FromSeconds(3));
            daemon.Process.Kill(); // SIGKILL, mid-load
            await daemon.Process.WaitForExitAsync();
            await stop.CancelAsync();
            await Task.WhenAll(load).WaitAsync(TimeSpan.FromSeconds(30));
        }
        Assert.True(acked.Count > 100, $"the load got through before the kill: {acked.Count}");

        var telemetryDir = Path.Combine(dir.Path, "log", "telemetry");
        var logged = new HashSet<int>();
        await using (var log = Log.Open(new DurableLogOptions { Directory = telemetryDir }))
        {
            await using var reader = log.OpenReader(new DurableLogReaderOptions { Follow = false });
            while (await reader.ReadAsync(TestContext.Current.CancellationToken) is { } chunk)
            {
                using (chunk)
                {
                    foreach (var l in Encoding.UTF8.GetString(chunk.Span).Split('\n', StringSplitOptions.RemoveEmptyEntries))
                    {
                        var at = l.IndexOf("\"correlationId\":\"c", StringComparison.Ordinal) + 18;
                        logged.Add(int.Parse(l.AsSpan(at, l.IndexOf('"', at) - at), System.Globalization.CultureInfo.InvariantCulture));
                    }
                }
            }
        }
        var missing = acked.Where(a => !logged.Contains(a)).ToList();
        output.WriteLine($"acknowledged {acked.Count}, in the log {logged.Count}, acknowledged but missing {missing.Count}");
        Assert.Empty(missing);

        // And in the sink: the restarted daemon replays the log (no checkpoint: from its start) into DuckDB; once it has
        // parsed every logged record, a graceful stop flushes the windows. Their counts add up to every logged record,
        // of which the acknowledged ones are a subset (the rest were stored but their 200 was cut off by the kill).
        var counted = await ReplayIntoDuckDbAsync(dir, port, logged.Count);
        output.WriteLine($"counted in the DuckDB sink after the restart: {counted}");
        Assert.Equal(logged.Count, counted);

        // Damage the log the way a crash and a bad disk would: a torn last record and one flipped bit.
        var segment = Directory.GetFiles(telemetryDir, "*.seg").Order().Last();
        var bytes = File.ReadAllBytes(segment);
        bytes[8 + 12 + 10] ^= 0x04; // a payload byte of the first record
        var torn = new byte[12 + 100];
        LogRecordFormatAccess.WriteRecord(torn, new byte[100]);
        File.WriteAllBytes(segment, [.. bytes, .. torn.AsSpan(0, 60)]);
        using (var restarted = new PlatformDaemon(yaml))
        {
            await restarted.WaitListeningAsync();
            var stderr = restarted.Stderr;
            output.WriteLine(stderr);
            Assert.Contains("torn last record", stderr, StringComparison.Ordinal);
            Assert.Contains("fails its length/CRC-32C check", stderr, StringComparison.Ordinal);
            Assert.Contains("torn tail 1 record(s)", stderr, StringComparison.Ordinal);
            Assert.Contains("corrupt 1 record(s)", stderr, StringComparison.Ordinal);
            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}/") };
            using var r = await http.PostAsync("v1/telemetry", new StringContent(Line(1_000_000), Encoding.UTF8, "application/x-ndjson"), TestContext.Current.CancellationToken);
            Assert.Equal(HttpStatusCode.OK, r.StatusCode); // no crash loop: it serves after reporting
        }
    }
}

/// <summary>Writes a framed record the way the log does (the framing is internal to the connector).</summary>
internal static class LogRecordFormatAccess
{
    public static void WriteRecord(Span<byte> destination, ReadOnlySpan<byte> payload) =>
        Platform.Connectors.DurableLog.LogRecordFormat.Write(destination, payload);
}
