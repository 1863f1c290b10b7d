using System.Globalization;
using Platform.Connectors.Generator.Customers;
using Platform.Connectors.Memory;
using Platform.Engine.Records;
using Platform.Engine.Runtime;
using Platform.Engine.Symbols;
using Platform.Formats.Segment;
using Platform.Host.Benchmarks;
using Platform.Operators.Churn;
using Platform.Sinks.Null;

namespace Platform.Bench.Churn;

/// <summary>
/// <c>cdp-churn</c>: the DESIGN's cdp-churn job on generated customers held in memory — Segment parse → identity
/// resolution → key by customer → features in keyed state → score → trait updates (to a null sink) — in events/s,
/// once with the seed's rules and once with a FastTree model trained on a separate small set, in the same run.
/// <c>dotnet run -c Release --project bench/Platform.Bench -- cdp-churn [--quick]</c>.
/// </summary>
public sealed class CdpChurnWorkload : IBenchWorkload
{
    private static readonly CultureInfo Ic = CultureInfo.InvariantCulture;

    /// <inheritdoc />
    public string Name => "cdp-churn";

    /// <inheritdoc />
    public async Task<IReadOnlyList<BenchResult>> RunAsync(BenchSettings settings, Action<string> log, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(log);
        var users = settings.Quick ? 5_000 : 30_000;
        var blocks = Generate(new CustomerGeneratorOptions { Users = users, Seed = settings.Seed, BatchShare = 0.05, MalformedShare = 0.001 }, out var messages, out var bytes);
        log(string.Create(Ic, $"  cdp-churn input: {users:N0} customers, {messages:N0} messages, {bytes / 1e6:F0} MB"));
        var modelPath = TrainModel(settings.Seed + 1, log);
        var results = new List<BenchResult>();
        try
        {
            foreach (var (name, path) in new[] { ("cdp-churn-rules", (string?)null), ("cdp-churn-model", modelPath) })
            {
                cancellationToken.ThrowIfCancellationRequested();
                using var models = new ChurnModelSource(path, TimeSpan.Zero);
                var sink = new NullSink<CustomerProfileUpdate>();
                await RunOnce(blocks, settings, models, sink, cancellationToken); // warm-up: JIT, ML.NET engines
                sink = new NullSink<CustomerProfileUpdate>();
                var (result, cost) = await Measure.RunAsync(() => RunOnce(blocks, settings, models, sink, cancellationToken));
                var r = new BenchResult
                {
                    Engine = "platform",
                    Workload = name,
                    RecordsPerSecond = result.RecordsIn / cost.Elapsed.TotalSeconds,
                    MegabytesPerSecond = bytes / 1e6 / cost.Elapsed.TotalSeconds,
                    BytesAllocatedPerRecord = cost.AllocatedBytes / (double)result.RecordsIn,
                    PeakWorkingSetMb = cost.PeakWorkingSetMb,
                    CoresUsed = cost.CoresUsed,
                    Records = result.RecordsIn,
                    Elapsed = cost.Elapsed,
                    Note = string.Create(Ic, $"{settings.EffectiveWorkers} workers, {sink.Count:N0} trait updates, {(path is null ? "rules" : "FastTree")}"),
                };
                log(string.Create(Ic, $"  {name,-22} {r.RecordsPerSecond / 1e6,6:N2} M events/s  {sink.Count:N0} updates  cores {r.CoresUsed:N2}"));
                results.Add(r);
            }
        }
        finally
        {
            File.Delete(modelPath);
        }
        return results;
    }

    private static Task<PipelineResult> RunOnce(IReadOnlyList<byte[]> blocks, BenchSettings settings, ChurnModelSource models, NullSink<CustomerProfileUpdate> sink, CancellationToken cancellationToken)
    {
        var symbols = new SymbolTable();
        var identities = new IdentityGraph();
        var options = new PipelineOptions
        {
            Workers = settings.EffectiveWorkers,
            BatchSize = settings.BatchSize,
            EventTime = new Engine.Time.EventTimeOptions { AllowedLateness = TimeSpan.FromMinutes(5) },
        };
        return Pipeline.Create("cdp-churn", options)
            .From(new MemoryChunkSource(blocks, "bench-memory"))
            .Parse(new SegmentNdjsonParser<CdpProjection>(symbols), default(CustomerEventTime))
            .Apply(new ResolveIdentities(identities), "resolve identities")
            .KeyBy(default(CustomerProfileKey))
            .Process(() => new ChurnScoringOperator(symbols, models, identities), "churn")
            .To(sink)
            .RunAsync(cancellationToken);
    }

    private static List<byte[]> Generate(CustomerGeneratorOptions options, out long messages, out long bytes)
    {
        using var generator = new CustomerGenerator(options);
        var blocks = new List<byte[]>();
        var buffer = new byte[256 * 1024];
        while (!generator.IsComplete)
        {
            var n = generator.Fill(buffer);
            blocks.Add(buffer.AsSpan(0, n).ToArray());
        }
        messages = generator.Messages;
        bytes = generator.Bytes;
        return blocks;
    }

    private static string TrainModel(long seed, Action<string> log)
    {
        var folder = Directory.CreateTempSubdirectory("cdp-churn-bench-").FullName;
        try
        {
            var events = Path.Combine(folder, "events.ndjson");
            Dictionary<string, bool> labels;
            using (var generator = new CustomerGenerator(new CustomerGeneratorOptions { Users = 3_000, Seed = seed }))
            {
                using (var stream = File.Create(events)) generator.WriteToAsync(stream, CancellationToken.None).GetAwaiter().GetResult();
                labels = generator.Labels.ToDictionary(l => l.UserId, l => l.Churned);
            }
            var trained = ChurnTrainer.Train(ChurnDataset.FromEvents(events).Join(labels, out _), new ChurnTrainingOptions { Trees = 100 });
            var path = Path.Combine(Path.GetTempPath(), $"cdp-churn-bench-{Environment.ProcessId}.zip");
            ChurnModelFile.Save(new Microsoft.ML.MLContext(1), trained.Model.Model, trained.Schema, trained.Model.Info, path);
            log(string.Create(Ic, $"  cdp-churn model: FastTree, 100 trees, AUC {trained.Auc:F3} on 3,000 customers"));
            return path;
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
