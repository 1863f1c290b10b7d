using System.Globalization;
using Platform.Engine.Records;
using Platform.Engine.Symbols;
using Platform.Host.Benchmarks;

namespace Platform.Bench.Workloads;

/// <summary>
/// <c>scaling</c>: Platform's iot-anomaly throughput vs workers (1, 2) and vs batch size (256, 2048, 8192) on the standard
/// input; and the keyed stage (windows + z-score, one thread) vs number of keys (1 k … 10 M; 1 M at most with --quick)
/// with the heap bytes of state per key. For the key sweep the records are synthesised as structs (two readings per
/// key, all inside one 10 s window, so every key's state is live at once); state per key = managed heap growth while
/// every window is still open ÷ keys (slots, sketches, maps, z-score history).
/// </summary>
public sealed class ScalingWorkload : IBenchWorkload
{
    private static readonly CultureInfo Ic = CultureInfo.InvariantCulture;

    /// <inheritdoc />
    public string Name => "scaling";

    /// <inheritdoc />
    public async Task<IReadOnlyList<BenchResult>> RunAsync(BenchSettings settings, Action<string> log, CancellationToken cancellationToken)
    {
        var results = new List<BenchResult>();
        var input = BenchInput.Generate(BenchInput.StandardOptions(settings.Events > 0 ? settings.Events : settings.Quick ? 300_000 : 3_000_000, settings.Seed));
        var job = IotJobSettings.Default;
        async Task Run(string name, int workers, int batch)
        {
            var engine = new PlatformIotEngine { BatchSize = batch };
            await engine.RunAsync([.. input.Blocks.Take(50)], job, workers, false, cancellationToken);
            var (_, cost) = await Measure.RunAsync(() => engine.RunAsync(input.Blocks, job, workers, false, cancellationToken));
            var r = new BenchResult
            {
                Engine = "platform",
                Workload = name,
                RecordsPerSecond = input.Lines / cost.Elapsed.TotalSeconds,
                MegabytesPerSecond = input.Bytes / 1e6 / cost.Elapsed.TotalSeconds,
                BytesAllocatedPerRecord = cost.AllocatedBytes / (double)input.Lines,
                PeakWorkingSetMb = cost.PeakWorkingSetMb,
                CoresUsed = cost.CoresUsed,
                Records = input.Lines,
                Elapsed = cost.Elapsed,
                Note = $"{workers} workers, batch {batch}",
            };
            log(string.Create(Ic, $"  {name,-22} {r.RecordsPerSecond / 1e6,6:N2} M rec/s  cores {r.CoresUsed:N2}"));
            results.Add(r);
        }
        await Run("scaling-workers-1", 1, settings.BatchSize);
        await Run("scaling-workers-2", 2, settings.BatchSize);
        foreach (var b in new[] { 256, 2048, 8192 }) await Run($"scaling-batch-{b}", settings.EffectiveWorkers, b);

        long[] keyCounts = settings.Quick ? [1_000, 100_000, 1_000_000] : [1_000, 100_000, 1_000_000, 10_000_000];
        foreach (var keys in keyCounts)
        {
            cancellationToken.ThrowIfCancellationRequested();
            results.Add(KeySweep(keys, job, log));
        }
        return results;
    }

    private static BenchResult KeySweep(long keys, IotJobSettings job, Action<string> log)
    {
        var n = checked((int)(keys * 2));
        var records = new Telemetry[n];
        var t0 = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero).ToUnixTimeMilliseconds();
        var random = new Random(42);
        for (var i = 0; i < n; i++)
        {
            var k = i % keys;
            records[i] = new Telemetry
            {
                Device = new Symbol((int)(k / 4) + 1),
                Sensor = new Symbol((int)(k % 4) + 1),
                Timestamp = t0 + (long)(i * (job.WindowMs - 1) / (double)n),
                Value = 20 + random.NextDouble() * 10,
            };
        }
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, true, true);
        var before = GC.GetTotalMemory(true);
        var op = new WindowZScoreOperator(job);
        var sink = new CountingOutput<ScoredWindow>();
        var (_, cost) = Measure.RunOnThisThread(() =>
        {
            for (var i = 0; i < n; i += 2048) op.OnRecords(records.AsSpan(i, Math.Min(2048, n - i)), sink);
            return 0;
        });
        var stateBytes = GC.GetTotalMemory(true) - before;
        var estimate = op.StateBytes;
        op.OnWatermark(long.MaxValue, sink);
        GC.KeepAlive(op);
        var label = keys >= 1_000_000 ? $"{keys / 1_000_000}M" : $"{keys / 1_000}k";
        var note = string.Create(Ic, $"{keys:N0} keys, 2 readings each in one open window: {stateBytes / (double)keys:N0} heap bytes of state per key (operator's own estimate {estimate / (double)keys:N0}); one thread; {sink.Count:N0} windows fired at end");
        log($"  scaling-keys-{label,-6} {n / cost.Elapsed.TotalSeconds / 1e6,6:N2} M rec/s  {note}");
        return new BenchResult
        {
            Engine = "platform",
            Workload = "scaling-keys-" + label,
            RecordsPerSecond = n / cost.Elapsed.TotalSeconds,
            BytesAllocatedPerRecord = cost.AllocatedBytes / (double)n,
            PeakWorkingSetMb = cost.PeakWorkingSetMb,
            CoresUsed = cost.CoresUsed,
            Records = n,
            Elapsed = cost.Elapsed,
            Note = note,
        };
    }
}
