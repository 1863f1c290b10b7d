using System.Diagnostics;
using System.Globalization;
using Platform.Connectors.DurableLog;

namespace Platform.Bench.Ingest;

/// <summary>
/// Open loop: requests to <c>/v1/telemetry</c> are sent on a fixed schedule (offered load), whether or not earlier
/// ones were answered, and each latency runs from the moment its request was due — so a stall shows in the
/// percentiles instead of slowing the senders down (no coordinated omission). Every 200 comes after the group commit
/// (with <c>fsync: always</c>, after the fdatasync). Before the ladder it measures the disk's own fdatasync latency
/// on the same filesystem, which bounds what any fsync-before-ack policy can reach.
/// Arguments: <c>--open-loop [--rates 200,500,1000,2000] [--seconds 5] [--lines 10] [--fsync always] [--preallocate true,false] [--dir /tmp]</c>
/// (<c>--preallocate false</c> turns off the log's zero-filling ahead, for a side-by-side in one run).
/// </summary>
internal static class IngestOpenLoopBench
{
    public static async Task<int> RunAsync(string[] args)
    {
        var seconds = double.Parse(BenchArgs.Value(args, "--seconds", "5"), CultureInfo.InvariantCulture);
        var lines = int.Parse(BenchArgs.Value(args, "--lines", "10"), CultureInfo.InvariantCulture);
        var policy = Enum.Parse<FsyncPolicy>(BenchArgs.Value(args, "--fsync", "always"), ignoreCase: true);
        var rates = BenchArgs.Value(args, "--rates", "200,500,1000,2000").Split(',').Select(r => int.Parse(r, CultureInfo.InvariantCulture)).ToArray();
        var root = BenchArgs.Value(args, "--dir", Path.GetTempPath());
        var preallocate = BenchArgs.Value(args, "--preallocate", "true").Split(',').Select(bool.Parse).ToArray();
        DiskSyncProbe.Print(DiskSyncProbe.Measure(root, 300), root);
        Console.WriteLine($"ingest, open loop: POST /v1/telemetry, {lines} events per request, {seconds:F0} s per step, fsync: {policy}, loopback, {Environment.ProcessorCount} cores (clients included)");
        Console.WriteLine("| fsync | preallocate | offered req/s | answered req/s | events/s | p50 ms | p99 ms | max ms | requests per fsync | not 200 |");
        Console.WriteLine("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|");
        // Warm-up (JIT, thread pool, connections), not reported: otherwise whichever setting runs first pays for it.
        await StepAsync(root, policy, preallocate[0], rates[0], lines, TimeSpan.FromSeconds(2));
        var best = preallocate.ToDictionary(p => p, _ => 0.0);
        // Settings side by side at each rate, so the machine's load drifts across both alike.
        foreach (var rate in rates)
        {
            foreach (var zeroFill in preallocate)
            {
                var r = await StepAsync(root, policy, zeroFill, rate, lines, TimeSpan.FromSeconds(seconds));
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"| {policy} | {zeroFill} | {rate} | {r.Answered:F0} | {r.EventsPerSecond:F0} | {r.P50:F2} | {r.P99:F2} | {r.Max:F2} | {r.RequestsPerFsync:F1} | {r.Failed} |"));
                if (r.P99 <= 10 && r.Failed == 0) best[zeroFill] = Math.Max(best[zeroFill], r.EventsPerSecond);
            }
        }
        foreach (var (zeroFill, events) in best)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"fsync {policy}, preallocate {zeroFill}: {events:F0} acknowledged events/s at p99 ≤ 10 ms (open loop)"));
        }
        return 0;
    }

    private readonly record struct Step(double Answered, double EventsPerSecond, double P50, double P99, double Max, double RequestsPerFsync, int Failed);

    private static async Task<Step> StepAsync(string root, FsyncPolicy policy, bool preallocate, int rate, int lines, TimeSpan duration)
    {
        var dir = Path.Combine(root, "platform-ingest-openloop-" + Guid.NewGuid().ToString("N"));
        try
        {
            var (log, server) = await IngestRequests.StartServerAsync(new DurableLogOptions { Directory = dir, Fsync = policy, Preallocate = preallocate, Name = "bench" });
            await using var _ = log;
            await using var __ = server;
            var payload = IngestRequests.Body(lines);
            using var handler = new SocketsHttpHandler { MaxConnectionsPerServer = 512, UseProxy = false };
            using var http = new HttpClient(handler) { BaseAddress = server.Address, Timeout = TimeSpan.FromSeconds(30) };
            await Task.WhenAll(Enumerable.Range(0, 32).Select(_ => IngestRequests.PostAsync(http, payload))); // connections and JIT
            var total = (int)(rate * duration.TotalSeconds);
            var latencies = new double[total];
            var failed = 0;
            var requests = new Task[total];
            var fsyncsBefore = log.Fsyncs;
            var start = Stopwatch.GetTimestamp();
            var ticksPerRequest = Stopwatch.Frequency / (double)rate;
            for (var i = 0; i < total; i++)
            {
                var due = start + (long)(i * ticksPerRequest);
                while (Stopwatch.GetTimestamp() < due)
                {
                    if (due - Stopwatch.GetTimestamp() > Stopwatch.Frequency / 500) await Task.Delay(1);
                    else Thread.Yield();
                }
                var slot = i;
                requests[i] = Task.Run(async () =>
                {
                    var ok = await IngestRequests.PostAsync(http, payload);
                    latencies[slot] = Stopwatch.GetElapsedTime(due).TotalMilliseconds;
                    if (!ok) Interlocked.Increment(ref failed);
                });
            }
            await Task.WhenAll(requests);
            var elapsed = Stopwatch.GetElapsedTime(start).TotalSeconds;
            Array.Sort(latencies);
            var fsyncs = log.Fsyncs - fsyncsBefore;
            return new Step(total / elapsed, (total - failed) * (double)lines / elapsed, IngestRequests.Percentile(latencies, 0.50), IngestRequests.Percentile(latencies, 0.99), latencies[^1],
                fsyncs == 0 ? 0 : total / (double)fsyncs, failed);
        }
        finally
        {
            try { Directory.Delete(dir, true); } catch (IOException) { }
        }
    }
}
