using System.Diagnostics;
using System.Globalization;
using Platform.Connectors.DurableLog;
using Platform.Connectors.Ingest;

namespace Platform.Bench.Ingest;

/// <summary>
/// Acknowledged HTTP events per second through <see cref="IngestServer"/> on loopback: closed-loop
/// clients post NDJSON telemetry to <c>/v1/telemetry</c>, each 200 comes after the group commit to
/// the durable log. Runs a concurrency ladder per fsync policy and prints events/s with p50/p99/max
/// latency; the headline is the best rate whose p99 stays ≤ 10 ms. Clients share the machine.
/// Arguments: <c>[--seconds 5] [--lines 10] [--fsync always,interval,never] [--clients 1,4,16,64]</c>;
/// <c>--open-loop</c> runs <see cref="IngestOpenLoopBench"/> instead (offered loads, latency from the due time).
/// </summary>
public static class IngestBench
{
    public static async Task<int> RunAsync(string[] args)
    {
        if (args.Contains("--open-loop")) return await IngestOpenLoopBench.RunAsync(args);
        var seconds = BenchArgs.Value(args, "--seconds", "5");
        var lines = int.Parse(BenchArgs.Value(args, "--lines", "10"), CultureInfo.InvariantCulture);
        var policies = BenchArgs.Value(args, "--fsync", "always,interval,never").Split(',').Select(p => Enum.Parse<FsyncPolicy>(p, ignoreCase: true)).ToArray();
        var ladder = BenchArgs.Value(args, "--clients", "1,4,16,64").Split(',').Select(c => int.Parse(c, CultureInfo.InvariantCulture)).ToArray();
        var duration = TimeSpan.FromSeconds(double.Parse(seconds, CultureInfo.InvariantCulture));
        Console.WriteLine($"ingest: POST /v1/telemetry, {lines} events per request, {duration.TotalSeconds:F0} s per step, loopback, {Environment.ProcessorCount} cores (clients included)");
        Console.WriteLine("| fsync | clients | events/s | requests/s | p50 ms | p99 ms | max ms | group size | fsyncs |");
        Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var policy in policies)
        {
            double best = 0;
            foreach (var clients in ladder)
            {
                var r = await RunStepAsync(policy, clients, lines, duration);
                Console.WriteLine(FormattableString.Invariant($"| {policy} | {clients} | {r.EventsPerSecond:F0} | {r.RequestsPerSecond:F0} | {r.P50:F2} | {r.P99:F2} | {r.Max:F2} | {r.GroupSize:F1} | {r.Fsyncs} |"));
                if (r.P99 <= 10) best = Math.Max(best, r.EventsPerSecond);
            }
            Console.WriteLine(FormattableString.Invariant($"fsync {policy}: {best:F0} acknowledged events/s at p99 ≤ 10 ms"));
        }
        return 0;
    }

    private readonly record struct StepResult(double EventsPerSecond, double RequestsPerSecond, double P50, double P99, double Max, double GroupSize, long Fsyncs);

    private static async Task<StepResult> RunStepAsync(FsyncPolicy policy, int clients, int lines, TimeSpan duration)
    {
        var dir = Path.Combine(Path.GetTempPath(), "platform-ingest-bench-" + Guid.NewGuid().ToString("N"));
        try
        {
            var (log, server) = await IngestRequests.StartServerAsync(new DurableLogOptions { Directory = dir, Fsync = policy, Name = "bench" });
            await using var _ = log;
            await using var __ = server;
            var payload = IngestRequests.Body(lines);
            using var handler = new SocketsHttpHandler { MaxConnectionsPerServer = clients, UseProxy = false };
            using var http = new HttpClient(handler) { BaseAddress = server.Address, Timeout = TimeSpan.FromSeconds(10) };
            // Warm up connections and the JIT.
            await Task.WhenAll(Enumerable.Range(0, clients).Select(_ => IngestRequests.PostAsync(http, payload)));
            var latencies = new List<double>[clients];
            var stop = Stopwatch.StartNew();
            var groupsBefore = log.GroupsCommitted;
            var recordsBefore = log.RecordsAppended;
            var fsyncsBefore = log.Fsyncs;
            await Task.WhenAll(Enumerable.Range(0, clients).Select(c => Task.Run(async () =>
            {
                var mine = latencies[c] = new List<double>(100_000);
                while (stop.Elapsed < duration)
                {
                    var t = Stopwatch.GetTimestamp();
                    if (!await IngestRequests.PostAsync(http, payload)) throw new InvalidOperationException("a request was not acknowledged");
                    mine.Add(Stopwatch.GetElapsedTime(t).TotalMilliseconds);
                }
            })));
            var elapsed = stop.Elapsed.TotalSeconds;
            var all = latencies.SelectMany(l => l).Order().ToArray();
            var groups = log.GroupsCommitted - groupsBefore;
            return new StepResult(all.Length * (double)lines / elapsed, all.Length / elapsed, IngestRequests.Percentile(all, 0.50), IngestRequests.Percentile(all, 0.99), all[^1],
                groups == 0 ? 0 : (log.RecordsAppended - recordsBefore) / (double)groups, log.Fsyncs - fsyncsBefore);
        }
        finally
        {
            try { Directory.Delete(dir, true); } catch (IOException) { }
        }
    }
}
