using System.Globalization;
using Platform.Engine.Batching;
using Platform.Engine.DeadLetters;
using Platform.Engine.Records;
using Platform.Engine.Symbols;
using Platform.Engine.Windows;
using Platform.Formats;
using Platform.Host.Benchmarks;

namespace Platform.Bench.Workloads;

/// <summary>
/// <c>stages</c>: where Platform's iot-anomaly time goes, one thread each on the same input: parse alone, then
/// the window operator alone and windows + z-score over the already-parsed records (fed in 2048-record batches
/// with a watermark after each, as the runtime does).
/// </summary>
public sealed class StagesWorkload : IBenchWorkload
{
    private static readonly CultureInfo Ic = CultureInfo.InvariantCulture;

    /// <inheritdoc />
    public string Name => "stages";

    /// <inheritdoc />
    public Task<IReadOnlyList<BenchResult>> RunAsync(BenchSettings settings, Action<string> log, CancellationToken cancellationToken)
    {
        var events = settings.Events > 0 ? settings.Events : settings.Quick ? 1_000_000 : 4_000_000;
        var input = BenchInput.Generate(BenchInput.StandardOptions(events, settings.Seed));
        var parser = new TelemetryNdjsonParser(new SymbolTable());
        var all = new BatchPool<Telemetry>(checked((int)input.Lines)).Rent();
        var dlq = new CountingDeadLetterSink();
        var (_, parseCost) = Measure.RunOnThisThread(() =>
        {
            long pos = 0;
            foreach (var b in input.Blocks)
            {
                parser.Parse(b, "stages", 0, pos, all, dlq);
                pos += b.Length;
            }
            return all.Count;
        });
        var records = all.Items.ToArray();
        var results = new List<BenchResult> { Row("parse", "1 thread, symbols interned during the run", records.Length, parseCost) };
        var job = IotJobSettings.Default;

        for (var pass = 0; pass < 2; pass++)
        {
            var windows = new WindowStatsOperator<Telemetry, TelemetrySensorKey, TelemetryEventTime, TelemetryValue>(
                new WindowOperatorOptions { Spec = WindowSpec.Tumbling(job.WindowMs) });
            var sinkW = new CountingOutput<WindowResult>();
            var (_, wCost) = Measure.RunOnThisThread(() => Drive(records, job, (mem, wm) =>
            {
                windows.OnRecords(mem.Span, sinkW);
                if (wm != long.MinValue) windows.OnWatermark(wm, sinkW);
            }, () => windows.OnWatermark(long.MaxValue, sinkW)));
            if (pass == 1)
                results.Add(Row("windows", $"1 thread, parsed records in 2048-record batches, {sinkW.Count:N0} windows", records.Length, wCost));

            var scored = new WindowZScoreOperator(job);
            var sinkZ = new CountingOutput<ScoredWindow>();
            var (_, zCost) = Measure.RunOnThisThread(() => Drive(records, job, (mem, wm) =>
            {
                scored.OnRecords(mem.Span, sinkZ);
                if (wm != long.MinValue) scored.OnWatermark(wm, sinkZ);
            }, () => scored.OnWatermark(long.MaxValue, sinkZ)));
            if (pass == 1) results.Add(Row("windows+zscore", $"1 thread, {sinkZ.Count:N0} rows, {scored.Keys:N0} keys", records.Length, zCost));
        }
        foreach (var r in results)
            log(string.Create(Ic, $"  {r.Workload,-22} {r.RecordsPerSecond / 1e6,6:N2} M rec/s  {r.RecordsPerSecond / Math.Max(1e-9, r.CoresUsed) / 1e6,6:N2} M rec/s per core used  {r.BytesAllocatedPerRecord,6:N1} B/rec"));
        return Task.FromResult<IReadOnlyList<BenchResult>>(results);

        BenchResult Row(string what, string note, long n, Measurement c) => new()
        {
            Engine = "platform",
            Workload = "stage-" + what,
            Note = note,
            RecordsPerSecond = n / c.Elapsed.TotalSeconds,
            BytesAllocatedPerRecord = c.AllocatedBytes / (double)n,
            PeakWorkingSetMb = c.PeakWorkingSetMb,
            CoresUsed = c.CoresUsed,
            Records = n,
            Elapsed = c.Elapsed,
        };
    }

    private static int Drive(Telemetry[] records, IotJobSettings job, Action<ReadOnlyMemory<Telemetry>, long> step, Action end)
    {
        long max = long.MinValue;
        for (var i = 0; i < records.Length; i += 2048)
        {
            var n = Math.Min(2048, records.Length - i);
            for (var j = i; j < i + n; j++) max = Math.Max(max, records[j].Timestamp);
            step(records.AsMemory(i, n), max - job.AllowedLatenessMs);
        }
        end();
        return records.Length;
    }
}

/// <summary>An output that counts.</summary>
public sealed class CountingOutput<T> : IBatchOutput<T>
{
    /// <summary>Records emitted.</summary>
    public long Count;

    /// <inheritdoc />
    public void Emit(in T record) => Count++;
}
