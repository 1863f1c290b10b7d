using System.Buffers;
using System.Diagnostics;
using System.Globalization;
using HdrHistogram;
using Platform.Connectors.Generator;
using Platform.Engine.Batching;
using Platform.Engine.Contracts;
using Platform.Engine.Records;
using Platform.Engine.Runtime;
using Platform.Engine.Symbols;
using Platform.Engine.Windows;
using Platform.Formats;
using Platform.Host.Benchmarks;

namespace Platform.Bench.Workloads;

/// <summary>
/// <c>latency</c>: Platform's iot-anomaly job fed open-loop at 25/50/75/100% of its measured peak, end-to-end latency in
/// an HdrHistogram. The input is pre-generated with event time advancing exactly 1/rate per line, and a paced source
/// releases each small chunk (~1 ms of lines) at the scheduled time of its last line. A probe operator next to the
/// windows+z-score stage emits every 8th record; the sink records now − scheduled time of that record, where the
/// schedule is derived from its event time (so waiting behind a slow pipeline counts: coordinated omission is
/// corrected by construction; event time has ms resolution, so latencies are overstated by up to 1 ms). The first
/// second (half second with --quick) of each run is warm-up and not recorded.
/// </summary>
public sealed class LatencyWorkload : IBenchWorkload
{
    private static readonly CultureInfo Ic = CultureInfo.InvariantCulture;

    /// <inheritdoc />
    public string Name => "latency";

    /// <inheritdoc />
    public async Task<IReadOnlyList<BenchResult>> RunAsync(BenchSettings settings, Action<string> log, CancellationToken cancellationToken)
    {
        // Peak: a closed-loop run of the same job first.
        var peakInput = BenchInput.Generate(BenchInput.StandardOptions(settings.Quick ? 300_000 : 3_000_000, settings.Seed));
        var platform = new PlatformIotEngine { BatchSize = settings.BatchSize };
        await platform.RunAsync([.. peakInput.Blocks.Take(50)], IotJobSettings.Default, settings.EffectiveWorkers, false, cancellationToken);
        var (_, peakCost) = await Measure.RunAsync(() => platform.RunAsync(peakInput.Blocks, IotJobSettings.Default, settings.EffectiveWorkers, false, cancellationToken));
        var peak = peakInput.Lines / peakCost.Elapsed.TotalSeconds;
        log(string.Create(Ic, $"latency: peak (closed loop) {peak / 1e6:N2} M rec/s"));
        var seconds = settings.Quick ? 2.0 : 10.0;
        var results = new List<BenchResult>();
        foreach (var share in new[] { 0.25, 0.5, 0.75, 1.0 })
        {
            var rate = Math.Max(1000, peak * share);
            var r = await RunAtRateAsync(rate, seconds, settings, cancellationToken);
            var h = r.Histogram;
            double Ms(double pct) => h.GetValueAtPercentile(pct) / 1000.0;
            var note = string.Create(Ic, $"target {rate / 1e6:N3} M rec/s ({share:P0} of peak {peak / 1e6:N2} M); p50 {Ms(50):N2} ms, p99 {Ms(99):N2} ms, p99.9 {Ms(99.9):N2} ms, max {h.GetMaxValue() / 1000.0:N2} ms over {h.TotalCount:N0} probes");
            log("  latency-" + share.ToString("P0", Ic).Replace(" ", "", StringComparison.Ordinal) + ": " + note);
            results.Add(new BenchResult
            {
                Engine = "platform",
                Workload = "latency-" + share.ToString("P0", Ic).Replace(" ", "", StringComparison.Ordinal),
                RecordsPerSecond = r.Lines / r.Cost.Elapsed.TotalSeconds,
                BytesAllocatedPerRecord = r.Cost.AllocatedBytes / (double)r.Lines,
                P99Ms = Ms(99),
                PeakWorkingSetMb = r.Cost.PeakWorkingSetMb,
                CoresUsed = r.Cost.CoresUsed,
                Records = r.Lines,
                Elapsed = r.Cost.Elapsed,
                Note = note,
            });
        }
        return results;
    }

    private static async Task<(LongHistogram Histogram, long Lines, Measurement Cost)> RunAtRateAsync(double rate, double seconds, BenchSettings settings, CancellationToken ct)
    {
        var lines = (long)(rate * seconds);
        var linesPerChunk = Math.Max(1, (int)(rate / 1000)); // ~1 ms of input per chunk
        var options = BenchInput.StandardOptions(lines, settings.Seed) with { TimeStep = TimeSpan.FromTicks(Math.Max(1, (long)(TimeSpan.TicksPerSecond / rate))) };
        var generator = new TelemetryGenerator(options);
        var buffer = new byte[linesPerChunk * TelemetryGenerator.MaxLineBytes + TelemetryGenerator.MaxLineBytes];
        var chunks = new List<byte[]>();
        while (!generator.IsComplete)
        {
            var n = generator.Fill(buffer, linesPerChunk);
            if (n == 0) break;
            chunks.Add(buffer.AsSpan(0, n).ToArray());
        }
        var stepTicks = options.TimeStep.Ticks;
        var startMs = options.StartTime.ToUnixTimeMilliseconds();
        var histogram = new LongHistogram(60_000_000, 3); // µs, up to 60 s
        var source = new PacedSource(chunks, linesPerChunk, rate);
        var sink = new LatencySink(histogram, source, startMs, stepTicks, rate, warmUpMs: seconds < 5 ? 500 : 1000);
        var job = IotJobSettings.Default;
        var symbols = new SymbolTable();
        var (_, cost) = await Measure.RunAsync(async () =>
        {
            await Pipeline.Create("latency", new PipelineOptions { Workers = settings.Workers, BatchSize = settings.BatchSize })
                .From(source)
                .Parse(new TelemetryNdjsonParser(symbols))
                .KeyBy(default(TelemetrySensorKey))
                .Process(() => new LatencyProbeOperator(job, every: 8), "windows+zscore+probe")
                .To(sink)
                .RunAsync(ct);
            return 0;
        });
        return (histogram, generator.Lines, cost);
    }

    /// <summary>Releases chunk k at the scheduled time of its last line: t0 + ((k+1)·L − 1)/rate (open loop).</summary>
    private sealed class PacedSource(List<byte[]> chunks, int linesPerChunk, double rate) : IChunkSource
    {
        private readonly Stopwatch _clock = new();
        private int _next;
        private long _position;

        public string Name => "paced";

        public int Partitions => 1;

        /// <summary>Stopwatch ticks at t0 (first line's schedule).</summary>
        public long StartTicks { get; private set; }

        public Stopwatch Clock => _clock;

        public async ValueTask<Chunk?> ReadAsync(CancellationToken cancellationToken)
        {
            if (_next >= chunks.Count) return null;
            if (_next == 0)
            {
                _clock.Start();
                StartTicks = _clock.ElapsedTicks;
            }
            var due = ((_next + 1) * (double)linesPerChunk - 1) / rate;
            while (true)
            {
                var wait = due - _clock.Elapsed.TotalSeconds;
                if (wait <= 0) break;
                if (wait > 0.002) await Task.Delay(TimeSpan.FromSeconds(wait - 0.001), cancellationToken);
                else Thread.SpinWait(50);
            }
            var block = chunks[_next++];
            var chunk = new Chunk(block.Length) { Length = block.Length, Position = _position };
            block.CopyTo(chunk.Buffer, 0);
            _position += block.Length;
            return chunk;
        }

        public long PositionOf(int partition) => _position;

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }

    /// <summary>A probe row: the event time of a sampled record (0 for a window row).</summary>
    private struct Probe
    {
        public long EventTime;
    }

    /// <summary>The windows+z-score stage, plus a probe for every n-th record (window rows are counted, not sent).</summary>
    private sealed class LatencyProbeOperator(IotJobSettings job, int every) : IKeyedOperator<Telemetry, Probe>, IBatchOutput<ScoredWindow>
    {
        private readonly WindowZScoreOperator _inner = new(job);
        private long _seen;
        public long Windows;

        public void OnRecords(ReadOnlySpan<Telemetry> input, IBatchOutput<Probe> output)
        {
            _inner.OnRecords(input, this);
            foreach (ref readonly var r in input)
                if (_seen++ % every == 0) output.Emit(new Probe { EventTime = r.Timestamp });
        }

        public void OnWatermark(long watermark, IBatchOutput<Probe> output) => _inner.OnWatermark(watermark, this);

        public void Emit(in ScoredWindow record) => Windows++;

        public void Snapshot(IBufferWriter<byte> writer) => _inner.Snapshot(writer);

        public void Restore(ReadOnlySequence<byte> snapshot) => _inner.Restore(snapshot);
    }

    /// <summary>Records now − schedule(event time) in µs.</summary>
    private sealed class LatencySink(LongHistogram histogram, PacedSource source, long startMs, long stepTicks, double rate, long warmUpMs) : ISink<Probe>
    {
        public string Name => "latency";

        public ValueTask OpenAsync(CancellationToken cancellationToken) => ValueTask.CompletedTask;

        public ValueTask WriteAsync(Batch<Probe> batch, CancellationToken cancellationToken)
        {
            var nowUs = (source.Clock.ElapsedTicks - source.StartTicks) * 1e6 / Stopwatch.Frequency;
            foreach (ref readonly var p in batch.Items)
            {
                // Event time of line i is start + i·step (truncated to ms); its schedule is i / rate.
                var sinceStartMs = p.EventTime - startMs;
                if (sinceStartMs < warmUpMs) continue;
                var line = sinceStartMs * TimeSpan.TicksPerMillisecond / (double)stepTicks;
                var scheduledUs = line / rate * 1e6;
                histogram.RecordValue(Math.Max(0, (long)(nowUs - scheduledUs)));
            }
            return ValueTask.CompletedTask;
        }

        public ValueTask FlushAsync(CancellationToken cancellationToken) => ValueTask.CompletedTask;

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
