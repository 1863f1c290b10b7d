using System.Globalization;

namespace Platform.Host.Benchmarks;

/// <summary>
/// The end-to-end harness behind <c>platform bench</c> and <c>bench/Platform.Bench</c>: seeded input generated once,
/// every selected engine fed the same bytes, each measured (wall, CPU, allocations, peak working set) and, for peers,
/// checked against Platform's output.
/// </summary>
public sealed class BenchHarness(BenchRegistry registry, Action<string> log)
{
    private static readonly CultureInfo Ic = CultureInfo.InvariantCulture;

    /// <summary>Runs the workload(s) of <paramref name="settings"/>.</summary>
    public async Task<List<BenchResult>> RunAsync(BenchSettings settings, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var results = new List<BenchResult>();
        var all = settings.Workload == "all";
        var known = false;
        if (all || settings.Workload == "parse")
        {
            known = true;
            results.AddRange(RunParse(settings));
        }
        if (all || settings.Workload == "iot-anomaly")
        {
            known = true;
            results.AddRange(await RunIotAsync(settings, cancellationToken));
        }
        foreach (var w in registry.Workloads)
        {
            if (!all && settings.Workload != w.Name) continue;
            known = true;
            results.AddRange(await w.RunAsync(settings, log, cancellationToken));
        }
        if (!known)
            throw new ArgumentException($"Unknown workload '{settings.Workload}'. Known: {string.Join(", ", WorkloadNames())}, all.");
        return results;
    }

    /// <summary>Workload names this registry can run.</summary>
    public IEnumerable<string> WorkloadNames() => new[] { "iot-anomaly", "parse" }.Concat(registry.Workloads.Select(w => w.Name));

    /// <summary>iot-anomaly on every engine; Platform first as the reference.</summary>
    public async Task<List<BenchResult>> RunIotAsync(BenchSettings settings, CancellationToken cancellationToken)
    {
        // Streamed from a temporary file (page cache), so the peak working set is the engine's, not the input's.
        using var input = BenchInput.GenerateToFile(BenchInput.StandardOptions(settings.IotEvents, settings.Seed));
        log(string.Create(Ic, $"iot-anomaly input: {input.Lines:N0} lines ({input.ValidRecords:N0} valid, {input.MalformedLines:N0} malformed), {input.Bytes / 1e6:N0} MB in {input.Blocks.Count:N0} blocks, generated in {input.GenerationTime.TotalSeconds:N1} s, streamed from a temporary file (not held in memory)"));
        var job = IotJobSettings.Default;
        var results = new List<BenchResult>();
        ResultDigest? reference = null;
        foreach (var engine in registry.IotEngines)
        {
            if (!settings.Runs(engine.Name)) continue;
            cancellationToken.ThrowIfCancellationRequested();
            // Warm-up on the first ~100k lines: JIT tiers and thread pools settle before the measured run.
            var warm = input.Blocks.Take(Math.Min(input.Blocks.Count, 100)).ToList();
            await engine.RunAsync(warm, job, settings.EffectiveWorkers, false, cancellationToken);
            IotRunOutput? best = null;
            Measurement bestCost = default;
            for (var i = 0; i < Math.Max(1, settings.Repeat); i++)
            {
                var (output, cost) = await Measure.RunAsync(() => engine.RunAsync(input.Blocks, job, settings.EffectiveWorkers, false, cancellationToken));
                if (best is null || cost.Elapsed < bestCost.Elapsed)
                {
                    best = output;
                    bestCost = cost;
                }
            }
            string? verified = null;
            if (engine.Name == "platform")
            {
                reference = best!.Digest;
                verified = "reference";
            }
            else if (settings.Verify)
            {
                verified = reference is null ? "no reference (platform not run)" : best!.Digest.Differences(reference) ?? "ok";
            }
            var lines = best!.RecordsIn + best.Rejected;
            var result = new BenchResult
            {
                Engine = engine.Name,
                Workload = "iot-anomaly",
                RecordsPerSecond = lines / bestCost.Elapsed.TotalSeconds,
                MegabytesPerSecond = input.Bytes / 1e6 / bestCost.Elapsed.TotalSeconds,
                BytesAllocatedPerRecord = bestCost.AllocatedBytes / (double)Math.Max(1, lines),
                PeakWorkingSetMb = bestCost.PeakWorkingSetMb,
                CoresUsed = bestCost.CoresUsed,
                Records = lines,
                Elapsed = bestCost.Elapsed,
                Verified = verified,
                Note = string.Create(Ic, $"{best.RecordsIn:N0} parsed, {best.Rejected:N0} rejected, {best.Digest.Rows:N0} windows, {best.Digest.Alerts:N0} alerts; input {input.Bytes / 1e6:N0} MB"),
            };
            log(string.Create(Ic, $"  {engine.Name,-14} {result.RecordsPerSecond / 1e6,8:N2} M rec/s  {result.MegabytesPerSecond,8:N0} MB/s  {bestCost.Elapsed.TotalSeconds,7:N2} s  peak {result.PeakWorkingSetMb,7:N0} MB  cores {result.CoresUsed:N2}  {verified}"));
            results.Add(result);
        }
        return results;
    }

    /// <summary>The parse stage alone, one thread each, same bytes.</summary>
    public List<BenchResult> RunParse(BenchSettings settings)
    {
        var input = BenchInput.Generate(BenchInput.StandardOptions(settings.ParseEvents, settings.Seed));
        log(string.Create(Ic, $"parse input: {input.Lines:N0} lines, {input.Bytes / 1e6:N0} MB"));
        var results = new List<BenchResult>();
        long? referenceValid = null;
        foreach (var engine in registry.ParseEngines)
        {
            if (!settings.Runs(engine.Name)) continue;
            engine.Prepare(input.Blocks);
            long valid = 0;
            Measurement best = default;
            for (var i = 0; i < Math.Max(1, settings.Repeat) + (settings.Quick ? 0 : 1); i++)
            {
                var (v, cost) = Measure.RunOnThisThread(() => engine.Parse(input.Blocks));
                valid = v;
                if (best.Elapsed == TimeSpan.Zero || cost.Elapsed < best.Elapsed) best = cost;
            }
            string? verified = null;
            if (engine.Name == "platform")
            {
                referenceValid = valid;
                verified = "reference";
            }
            else if (settings.Verify && referenceValid is { } rv)
            {
                verified = valid == rv ? "ok (same valid count)" : $"valid {valid:N0} vs {rv:N0}";
            }
            var result = new BenchResult
            {
                Engine = engine.Name,
                Workload = "parse",
                RecordsPerSecond = input.Lines / best.Elapsed.TotalSeconds,
                MegabytesPerSecond = input.Bytes / 1e6 / best.Elapsed.TotalSeconds,
                BytesAllocatedPerRecord = best.AllocatedBytes / (double)input.Lines,
                PeakWorkingSetMb = best.PeakWorkingSetMb,
                CoresUsed = best.CoresUsed,
                Records = input.Lines,
                Elapsed = best.Elapsed,
                Verified = verified,
                Note = string.Create(Ic, $"{valid:N0} valid of {input.Lines:N0} lines, one thread"),
            };
            log(string.Create(Ic, $"  {engine.Name,-18} {result.MegabytesPerSecond,8:N0} MB/s  {result.RecordsPerSecond / 1e6,6:N2} M rec/s  {result.BytesAllocatedPerRecord,8:N1} B/rec  {verified}"));
            results.Add(result);
        }
        return results;
    }
}
