using Platform.Engine.Batching;
using Platform.Engine.Contracts;
using Platform.Engine.Records;
using Platform.Engine.Runtime;
using Platform.Engine.Symbols;
using Platform.Engine.Windows;
using Platform.Formats;

namespace Platform.Host.Benchmarks;

/// <summary>The iot-anomaly job on Platform: block source (memory or page cache) → parse → key by device×sensor → windows + z-score → digest sink.</summary>
public sealed class PlatformIotEngine : IIotEngine
{
    /// <summary>Records per batch.</summary>
    public int BatchSize { get; init; } = PipelineOptions.DefaultBatchSize;

    /// <inheritdoc />
    public string Name => "platform";

    /// <summary>Totals of the last run (the runtime's own counters).</summary>
    public PipelineResult? LastResult { get; private set; }

    /// <inheritdoc />
    public async Task<IotRunOutput> RunAsync(IReadOnlyList<byte[]> blocks, IotJobSettings job, int workers, bool collectRows, CancellationToken cancellationToken)
    {
        var symbols = new SymbolTable();
        var output = new IotRunOutput { Rows = collectRows ? [] : null };
        var sink = new DigestSink(symbols, output);
        var options = new PipelineOptions
        {
            Workers = workers,
            BatchSize = BatchSize,
            EventTime = new Engine.Time.EventTimeOptions { AllowedLateness = TimeSpan.FromMilliseconds(job.AllowedLatenessMs) },
        };
        var result = await Pipeline.Create("iot-anomaly", options)
            .From(new BenchBlockSource(blocks, "bench-memory"))
            .Parse(new TelemetryNdjsonParser(symbols))
            .KeyBy(default(TelemetrySensorKey))
            .Process(() => new WindowZScoreOperator(job), "windows+zscore")
            .To(sink)
            .RunAsync(cancellationToken);
        LastResult = result;
        output.RecordsIn = result.RecordsIn;
        output.Rejected = result.Rejected;
        return output;
    }

    /// <summary>Folds every result row into the digest (and keeps it when asked); symbol hashes are cached by id.</summary>
    private sealed class DigestSink(SymbolTable symbols, IotRunOutput output) : ISink<ScoredWindow>
    {
        private ulong[] _hashes = new ulong[1024];
        private bool[] _known = new bool[1024];

        public string Name => "digest";

        public ValueTask OpenAsync(CancellationToken cancellationToken) => ValueTask.CompletedTask;

        public ValueTask WriteAsync(Batch<ScoredWindow> batch, CancellationToken cancellationToken)
        {
            var digest = output.Digest;
            foreach (ref readonly var r in batch.Items)
            {
                ref readonly var w = ref r.Window;
                var key = SensorKey.FromPacked(w.Key);
                digest.Add(HashOf(key.Device), HashOf(key.Sensor), w.WindowStart, w.Count, w.Min, w.Max, w.Mean, w.P99, r.Alert);
                output.Rows?.Add(new WindowRow(symbols.NameOf(key.Device), symbols.NameOf(key.Sensor), w.WindowStart, w.Count, w.Min, w.Max, w.Mean, w.P99, r.Z, r.Alert));
            }
            return ValueTask.CompletedTask;
        }

        public ValueTask FlushAsync(CancellationToken cancellationToken) => ValueTask.CompletedTask;

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;

        private ulong HashOf(Symbol s)
        {
            var id = s.Id;
            if ((uint)id >= (uint)_known.Length)
            {
                var n = Math.Max(id + 1, _known.Length * 2);
                Array.Resize(ref _hashes, n);
                Array.Resize(ref _known, n);
            }
            if (!_known[id])
            {
                _hashes[id] = ResultDigest.HashOf(symbols.NameOf(s));
                _known[id] = true;
            }
            return _hashes[id];
        }
    }
}
