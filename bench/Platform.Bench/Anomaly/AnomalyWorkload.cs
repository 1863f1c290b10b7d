using System.Collections.Concurrent;
using System.Globalization;
using Platform.Connectors.Memory;
using Platform.Engine.Batching;
using Platform.Engine.Contracts;
using Platform.Engine.DeadLetters;
using Platform.Engine.Records;
using Platform.Engine.Runtime;
using Platform.Engine.Symbols;
using Platform.Engine.Windows;
using Platform.Formats;
using Platform.Host.Benchmarks;
using Platform.Bench.Workloads;
using Platform.Operators.Anomaly;
using Platform.Sinks.Null;

namespace Platform.Bench.Anomaly;

/// <summary>
/// <c>anomaly</c>: what anomaly detection costs, in one run on one input (the standard telemetry with
/// 250 devices × 4 sensors = 1 000 keys, so every key sees ~1 000 readings and every detector is past
/// its warm-up; 1 M lines, 200 k with <c>--quick</c>):
/// <list type="number">
/// <item>per detector, one thread: parsed readings through <see cref="AnomalyDetectorOperator{T,TKey,TTime,TValue}"/>
/// keyed by device × sensor (2 048-record batches, a watermark after each, as the runtime feeds it), records/s and
/// managed heap per key; "off" is the same loop with a keyed counter instead of detectors;</item>
/// <item>the iot-anomaly job through the engine (parse → key → windows + z-score → sink) with the ensemble off and
/// on (<see cref="EnsembleWindowOperator"/>: every reading also scored by the ensemble), records/s and their ratio.</item>
/// </list>
/// </summary>
public sealed class AnomalyWorkload : IBenchWorkload
{
    private const int Devices = 250;
    private static readonly CultureInfo Ic = CultureInfo.InvariantCulture;

    /// <inheritdoc />
    public string Name => "anomaly";

    /// <inheritdoc />
    public async Task<IReadOnlyList<BenchResult>> RunAsync(BenchSettings settings, Action<string> log, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(log);
        var events = settings.Events > 0 ? settings.Events : settings.Quick ? 200_000 : 1_000_000;
        var input = BenchInput.Generate(BenchInput.StandardOptions(events, settings.Seed) with { Devices = Devices });
        var records = Parse(input);
        var results = new List<BenchResult>();
        var job = IotJobSettings.Default;

        var off = PerDetector("off", records, () => new KeyCountOperator());
        results.Add(off);
        foreach (var (name, detectors) in AnomalyDetectorNames.All)
        {
            cancellationToken.ThrowIfCancellationRequested();
            results.Add(PerDetector(name, records, () => new AnomalyDetectorOperator<Telemetry, TelemetrySensorKey, TelemetryEventTime, TelemetryValue>(
                new AnomalyDetectorOptions { Detectors = detectors })));
        }

        var workers = settings.EffectiveWorkers;
        var jobOff = await RunJob(input, job, workers, () => new WindowZScoreOperator(job), cancellationToken);
        var created = new ConcurrentBag<EnsembleWindowOperator>();
        var jobOn = await RunJob(input, job, workers, () =>
        {
            var op = new EnsembleWindowOperator(job, new AnomalyDetectorOptions());
            created.Add(op);
            return op;
        }, cancellationToken);
        var scored = created.Sum(o => o.Scored);
        var alerts = created.Sum(o => o.Alerts);
        var ratio = jobOn.Rate / jobOff.Rate;
        results.Add(JobRow("anomaly-job-off", $"{workers} workers, windows + z-score only, {jobOff.Rows:N0} window rows", jobOff));
        results.Add(JobRow("anomaly-job-ensemble", string.Create(Ic,
            $"{workers} workers, windows + z-score + ensemble per reading ({scored:N0} scored, {alerts:N0} alerts), {ratio:F2}× the job without it"), jobOn));

        foreach (var r in results)
            log(string.Create(Ic, $"  {r.Workload,-24} {r.RecordsPerSecond / 1e3,9:N1} k rec/s  {r.Note}"));
        return results;
    }

    private static Telemetry[] Parse(BenchInput input)
    {
        var parser = new TelemetryNdjsonParser(new SymbolTable());
        var all = new BatchPool<Telemetry>(checked((int)input.Lines)).Rent();
        long pos = 0;
        foreach (var b in input.Blocks)
        {
            parser.Parse(b, "anomaly", 0, pos, all, new CountingDeadLetterSink());
            pos += b.Length;
        }
        return all.Items.ToArray();
    }

    /// <summary>One thread, one operator: 2 048-record batches with a watermark after each; heap per key kept alive at the end.</summary>
    private static BenchResult PerDetector(string name, Telemetry[] records, Func<IKeyedOperator<Telemetry, AnomalyScore>> create)
    {
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
        var heap0 = GC.GetTotalMemory(forceFullCollection: true);
        var op = create();
        var output = new CountingOutput<AnomalyScore>();
        var (_, cost) = Measure.RunOnThisThread(() =>
        {
            var max = long.MinValue;
            for (var i = 0; i < records.Length; i += 2048)
            {
                var n = Math.Min(2048, records.Length - i);
                for (var j = i; j < i + n; j++) max = Math.Max(max, records[j].Timestamp);
                op.OnRecords(records.AsSpan(i, n), output);
                op.OnWatermark(max, output);
            }
            op.OnWatermark(long.MaxValue, output);
            return output.Count;
        });
        var heap = GC.GetTotalMemory(forceFullCollection: true) - heap0;
        var keys = op is AnomalyDetectorOperator<Telemetry, TelemetrySensorKey, TelemetryEventTime, TelemetryValue> d ? d.KeyCount : ((KeyCountOperator)op).Keys;
        GC.KeepAlive(op);
        return new BenchResult
        {
            Engine = "platform",
            Workload = "anomaly-" + name,
            Note = string.Create(Ic, $"1 thread, {keys:N0} keys, {output.Count:N0} scores, {heap / Math.Max(1, keys):N0} B heap per key"),
            RecordsPerSecond = records.Length / cost.Elapsed.TotalSeconds,
            BytesAllocatedPerRecord = cost.AllocatedBytes / (double)records.Length,
            PeakWorkingSetMb = cost.PeakWorkingSetMb,
            CoresUsed = cost.CoresUsed,
            Records = records.Length,
            Elapsed = cost.Elapsed,
        };
    }

    private static async Task<JobRun> RunJob(BenchInput input, IotJobSettings job, int workers, Func<IKeyedOperator<Telemetry, ScoredWindow>> create, CancellationToken ct)
    {
        var sink = new NullSink<ScoredWindow>("count");
        var options = new PipelineOptions
        {
            Workers = workers,
            EventTime = new Engine.Time.EventTimeOptions { AllowedLateness = TimeSpan.FromMilliseconds(job.AllowedLatenessMs) },
        };
        var (result, cost) = await Measure.RunAsync(() => Pipeline.Create("iot-anomaly-ensemble", options)
            .From(new MemoryChunkSource(input.Blocks, "bench-memory"))
            .Parse(new TelemetryNdjsonParser(new SymbolTable()))
            .KeyBy(default(TelemetrySensorKey))
            .Process(create, "keyed")
            .To(sink)
            .RunAsync(ct));
        return new JobRun(result.RecordsIn, sink.Count, cost);
    }

    private static BenchResult JobRow(string workload, string note, JobRun run) => new()
    {
        Engine = "platform",
        Workload = workload,
        Note = note,
        RecordsPerSecond = run.Rate,
        BytesAllocatedPerRecord = run.Cost.AllocatedBytes / (double)Math.Max(1, run.Records),
        PeakWorkingSetMb = run.Cost.PeakWorkingSetMb,
        CoresUsed = run.Cost.CoresUsed,
        Records = run.Records,
        Elapsed = run.Cost.Elapsed,
    };

    private readonly record struct JobRun(long Records, long Rows, Measurement Cost)
    {
        public double Rate => Records / Cost.Elapsed.TotalSeconds;
    }

    /// <summary>Detection off: the same keyed loop (a dictionary lookup per reading) emitting a zero score.</summary>
    private sealed class KeyCountOperator : IKeyedOperator<Telemetry, AnomalyScore>
    {
        private readonly Dictionary<long, long> _seen = [];

        public int Keys => _seen.Count;

        public void OnRecords(ReadOnlySpan<Telemetry> input, IBatchOutput<AnomalyScore> output)
        {
            var key = default(TelemetrySensorKey);
            foreach (ref readonly var r in input)
            {
                var k = key.KeyOf(r);
                ref var n = ref System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(_seen, k, out _);
                n++;
                output.Emit(new AnomalyScore { Key = k, Timestamp = r.Timestamp, Value = r.Value });
            }
        }

        public void OnWatermark(long watermark, IBatchOutput<AnomalyScore> output) { }

        public void Snapshot(System.Buffers.IBufferWriter<byte> writer) { }

        public void Restore(System.Buffers.ReadOnlySequence<byte> snapshot) { }
    }
}
