using System.Globalization;
using System.Runtime.InteropServices;
using Platform.Engine.Batching;
using Platform.Engine.Contracts;
using Platform.Engine.DeadLetters;
using Platform.Engine.Records;
using Platform.Engine.Runtime;
using Platform.Engine.Symbols;
using Platform.Engine.Time;
using Platform.Engine.Windows;
using Platform.Formats;
using Platform.Host.Benchmarks;
using Platform.Sinks.Null;

namespace Platform.Bench.Workloads;

/// <summary>
/// <c>stages</c>: where Platform's iot-anomaly time goes, on the same input: parse alone (one thread); the window
/// operator alone and windows + z-score over the already-parsed records (one thread, 2048-record batches with a
/// watermark after each, as the runtime does), measured in the steady state: the records go through once unmeasured
/// (warm-up: slots, map and heap grow to their peak; then all its windows fire), then again, measured, shifted by
/// whole windows (the same keys in later windows); and everything after parsing through the real runtime
/// (<c>engine</c>: pre-parsed records as the source's bytes → pooled chunks → a struct-copy "parser" → exchange
/// between the workers → windows + z-score → a counting sink; the third of three passes is measured), whose per-core
/// figure is the engine's share of the iot-anomaly job.
/// </summary>
public sealed class StagesWorkload : IBenchWorkload
{
    private static readonly CultureInfo Ic = CultureInfo.InvariantCulture;

    /// <inheritdoc />
    public string Name => "stages";

    /// <inheritdoc />
    public Task<IReadOnlyList<BenchResult>> RunAsync(BenchSettings settings, Action<string> log, CancellationToken cancellationToken)
    {
        var events = settings.Events > 0 ? settings.Events : settings.Quick ? 1_500_000 : 6_000_000;
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

        var replay = Shifted(records, job.WindowMs);
        var windows = new WindowStatsOperator<Telemetry, TelemetrySensorKey, TelemetryEventTime, TelemetryValue>(
            new WindowOperatorOptions { Spec = WindowSpec.Tumbling(job.WindowMs) });
        var sinkW = new CountingOutput<WindowResult>();
        var wCost = Steady(records, replay, job, (mem, wm) =>
        {
            windows.OnRecords(mem.Span, sinkW);
            if (wm != long.MinValue) windows.OnWatermark(wm, sinkW);
        }, () => windows.OnWatermark(long.MaxValue, sinkW));
        results.Add(Row("windows", $"1 thread, steady state (second pass), 2048-record batches, {sinkW.Count:N0} windows in both passes", records.Length, wCost));

        var scored = new WindowZScoreOperator(job);
        var sinkZ = new CountingOutput<ScoredWindow>();
        var zCost = Steady(records, replay, job, (mem, wm) =>
        {
            scored.OnRecords(mem.Span, sinkZ);
            if (wm != long.MinValue) scored.OnWatermark(wm, sinkZ);
        }, () => scored.OnWatermark(long.MaxValue, sinkZ));
        results.Add(Row("windows+zscore", $"1 thread, steady state, {sinkZ.Count:N0} rows in both passes, {scored.Keys:N0} keys", records.Length, zCost));

        var workers = settings.EffectiveWorkers;
        // Two passes warm up (the history table has every key, output batches have grown to a whole fire), the third is measured.
        var blocks = PreParsedBlocks(records);
        blocks.AddRange(PreParsedBlocks(replay));
        var warmBlocks = blocks.Count;
        blocks.AddRange(PreParsedBlocks(Shifted(replay, job.WindowMs)));
        RunEngine(blocks, job, workers, 0, out _); // a whole run first, so the tiering JIT is done with the measured one
        var rows = RunEngine(blocks, job, workers, warmBlocks, out var eCost);
        results.Add(Row("engine", $"{workers} workers, pre-parsed records through the runtime (source copy, exchange, windows + z-score, sink), steady state (the third of three passes, from its first chunk read to the end); {rows:N0} rows in both passes", replay.Length, eCost));
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

    /// <summary>The records again, shifted by whole windows to start about where they end (window starts stay aligned).</summary>
    private static Telemetry[] Shifted(Telemetry[] records, long windowMs)
    {
        long min = long.MaxValue, max = long.MinValue;
        foreach (ref readonly var r in records.AsSpan())
        {
            min = Math.Min(min, r.Timestamp);
            max = Math.Max(max, r.Timestamp);
        }
        var shift = ((max - min) / windowMs + 1) * windowMs; // the replay goes on about where the records end
        var replay = records.ToArray();
        foreach (ref var r in replay.AsSpan()) r.Timestamp += shift;
        return replay;
    }

    /// <summary>Drives <paramref name="step"/> over <paramref name="warm"/> unmeasured, then measures it over <paramref name="measured"/>.</summary>
    private static Measurement Steady(Telemetry[] warm, Telemetry[] measured, IotJobSettings job, Action<ReadOnlyMemory<Telemetry>, long> step, Action end)
    {
        var max = long.MinValue;
        Drive(warm, 0, warm.Length, job, ref max, step);
        // Fire the warm-up's windows (so every key has been seen) up to the replay's first window.
        step(ReadOnlyMemory<Telemetry>.Empty, measured.Min(r => r.Timestamp) / job.WindowMs * job.WindowMs);
        var (_, cost) = Measure.RunOnThisThread(() =>
        {
            var m = max;
            Drive(measured, 0, measured.Length, job, ref m, step);
            end();
            return 0;
        });
        return cost;
    }

    private static void Drive(Telemetry[] records, int from, int to, IotJobSettings job, ref long max, Action<ReadOnlyMemory<Telemetry>, long> step)
    {
        for (var i = from; i < to; i += 2048)
        {
            var n = Math.Min(2048, to - i);
            for (var j = i; j < i + n; j++) max = Math.Max(max, records[j].Timestamp);
            step(records.AsMemory(i, n), max - job.AllowedLatenessMs);
        }
    }

    /// <summary>The records' bytes, 2,048 records a block (what <see cref="PreParsed"/> reads back).</summary>
    private static List<byte[]> PreParsedBlocks(Telemetry[] records)
    {
        var blocks = new List<byte[]>();
        for (var i = 0; i < records.Length; i += 2048)
            blocks.Add(MemoryMarshal.AsBytes(records.AsSpan(i, Math.Min(2048, records.Length - i))).ToArray());
        return blocks;
    }

    /// <summary>
    /// The iot-anomaly job through the runtime, from pre-parsed records; returns the rows that reached the sink.
    /// <paramref name="cost"/> is from the read of block <paramref name="measureFrom"/> to the end of the run.
    /// </summary>
    private static long RunEngine(List<byte[]> blocks, IotJobSettings job, int workers, int measureFrom, out Measurement cost)
    {
        var sink = new NullSink<ScoredWindow>("count");
        var options = new PipelineOptions
        {
            Workers = workers,
            EventTime = new EventTimeOptions { AllowedLateness = TimeSpan.FromMilliseconds(job.AllowedLatenessMs) },
        };
        var source = new MarkingSource(new BenchBlockSource(blocks, "pre-parsed"), measureFrom);
        Pipeline.Create("stages-engine", options)
            .From(source)
            .Parse(new PreParsed())
            .KeyBy(default(TelemetrySensorKey))
            .Process(() => new WindowZScoreOperator(job), "windows+zscore")
            .To(sink)
            .RunAsync(CancellationToken.None).GetAwaiter().GetResult();
        var elapsed = System.Diagnostics.Stopwatch.GetElapsedTime(source.StartedAt);
        var process = System.Diagnostics.Process.GetCurrentProcess();
        cost = new Measurement(elapsed, process.TotalProcessorTime - source.CpuAtStart, GC.GetTotalAllocatedBytes(precise: true) - source.AllocatedAtStart, Environment.WorkingSet);
        return sink.Count;
    }

    /// <summary>A source that notes the process's CPU time, allocations and the time when block <paramref name="from"/> is read.</summary>
    private sealed class MarkingSource(BenchBlockSource inner, int from) : IChunkSource
    {
        private int _read;

        public long StartedAt { get; private set; }

        public TimeSpan CpuAtStart { get; private set; }

        public long AllocatedAtStart { get; private set; }

        public string Name => inner.Name;

        public int Partitions => inner.Partitions;

        public ValueTask<Chunk?> ReadAsync(CancellationToken cancellationToken)
        {
            if (_read++ == from)
            {
                CpuAtStart = System.Diagnostics.Process.GetCurrentProcess().TotalProcessorTime;
                AllocatedAtStart = GC.GetTotalAllocatedBytes(precise: true);
                StartedAt = System.Diagnostics.Stopwatch.GetTimestamp();
            }
            return inner.ReadAsync(cancellationToken);
        }

        public long PositionOf(int partition) => inner.PositionOf(partition);

        public ValueTask DisposeAsync() => inner.DisposeAsync();
    }

    /// <summary>A "parser" that copies records out of a chunk holding their bytes: the engine's cost without JSON.</summary>
    private sealed class PreParsed : IChunkParser<Telemetry>
    {
        public int Parse(Chunk chunk, string sourceName, Batch<Telemetry> output, IDeadLetterSink deadLetters)
        {
            foreach (ref readonly var r in MemoryMarshal.Cast<byte, Telemetry>(chunk.Span)) output.AddSlot() = r;
            return 0;
        }
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
