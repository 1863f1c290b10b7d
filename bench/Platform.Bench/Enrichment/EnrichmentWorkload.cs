using System.Globalization;
using System.Text;
using Platform.Connectors.Memory;
using Platform.Engine.Batching;
using Platform.Engine.Contracts;
using Platform.Engine.Records;
using Platform.Engine.Runtime;
using Platform.Engine.Symbols;
using Platform.Engine.Windows;
using Platform.Formats;
using Platform.Host.Benchmarks;
using Platform.Host.Running;
using Platform.Operators.Enrichment;
using Platform.Operators.Geo;
using Platform.Sinks.Alerts;
using Platform.Sinks.Null;

namespace Platform.Bench.Enrichment;

/// <summary>
/// <c>-- enrichment</c>: the YAML iot-anomaly job (parse → key by device×sensor → 10 s windows with every aggregate)
/// without and with the <c>enrich</c> step on a 1 M-row device registry (a lookup per record plus the per-device limit
/// check), records spread over all 1 M devices. Runs alternate off/on/off/on and the best of each is compared, in one
/// process, so the ratio is fair under load. Also reports the registry's load (= refresh) time from CSV.
/// </summary>
public sealed class EnrichmentWorkload : IBenchWorkload
{
    private const int RegistryRows = 1_000_000;
    private static readonly CultureInfo Ic = CultureInfo.InvariantCulture;

    /// <inheritdoc />
    public string Name => "enrichment";

    /// <inheritdoc />
    public async Task<IReadOnlyList<BenchResult>> RunAsync(BenchSettings settings, Action<string> log, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(log);
        var events = settings.Events > 0 ? settings.Events : settings.Quick ? 500_000 : 4_000_000;
        var input = BenchInput.Generate(BenchInput.StandardOptions(events, settings.Seed) with { Devices = RegistryRows });
        var csv = Path.Combine(Path.GetTempPath(), $"platform-bench-registry-{Environment.ProcessId}.csv");
        try
        {
            WriteRegistry(csv);
            var off = new List<Run>();
            var on = new List<Run>();
            for (var round = 0; round < Math.Max(2, settings.Repeat); round++)
            {
                off.Add(await RunJob(input, settings.EffectiveWorkers, registryCsv: null, cancellationToken));
                log($"  enrichment off: {off[^1].Rate:N0} records/s");
                on.Add(await RunJob(input, settings.EffectiveWorkers, csv, cancellationToken));
                log($"  enrichment on:  {on[^1].Rate:N0} records/s (registry of {RegistryRows:N0} rows loaded in {on[^1].LoadTime.TotalMilliseconds:N0} ms)");
            }
            var bestOff = off.MaxBy(r => r.Rate)!;
            var bestOn = on.MaxBy(r => r.Rate)!;
            var ratio = bestOn.Rate / bestOff.Rate;
            log(string.Create(Ic, $"  enrichment on / off = {ratio:0.00} (target >= 0.70); allocation {bestOn.BytesPerRecord - bestOff.BytesPerRecord:0.0} B/record more with enrichment"));
            return
            [
                Row("iot-anomaly", "enrich off", bestOff),
                Row("iot-anomaly+enrich", string.Create(Ic, $"1 M-row registry, ratio {ratio:0.00} of off; registry load {bestOn.LoadTime.TotalMilliseconds:N0} ms"), bestOn),
            ];
        }
        finally
        {
            File.Delete(csv);
        }
    }

    /// <summary>dev-000000 … dev-999999 (the generator's ids for 1 M devices), owners/sites/models from small sets, limits on every row.</summary>
    private static void WriteRegistry(string path)
    {
        using var writer = new StreamWriter(path, false, new UTF8Encoding(false), 1 << 20);
        writer.Write("device,owner,site,model,threshold_low,threshold_high\n");
        for (var d = 0; d < RegistryRows; d++)
        {
            writer.Write(string.Create(Ic, $"dev-{d:D6},owner-{d % 97},site-{d % 13},model-{d % 7},-1000,100000\n"));
        }
    }

    private static async Task<Run> RunJob(BenchInput input, int workers, string? registryCsv, CancellationToken ct)
    {
        var symbols = new SymbolTable();
        await using var alerts = new AlertHub(new AlertFeed());
        RegistryHandle? registry = null;
        var load = TimeSpan.Zero;
        if (registryCsv is not null)
        {
            var watch = System.Diagnostics.Stopwatch.StartNew();
            registry = new RegistryHandle(() => DeviceRegistry.LoadCsv(registryCsv, symbols));
            load = watch.Elapsed;
        }
        using var owned = registry;
        var devices = registry is null ? null : new DeviceSideSettings(registry, MissingKeyPolicy.PassThrough, default, Symbol.None,
            null, new GeofenceOptions(), Symbol.None, null, null, Symbol.None, symbols);
        var windows = new WindowOperatorOptions { Spec = WindowSpec.Tumbling(TimeSpan.FromSeconds(10)), LatePolicy = LatePolicy.Drop }.Validate();
        var sink = new NullSink<WindowResult>("count");
        var options = new PipelineOptions { Workers = workers, EventTime = new Engine.Time.EventTimeOptions { AllowedLateness = TimeSpan.FromSeconds(5) } };
        GC.Collect();
        var (result, cost) = await Measure.RunAsync(() => Pipeline.Create("iot-anomaly-enrich", options)
            .From(new MemoryChunkSource(input.Blocks, "bench-memory"))
            .Parse(new TelemetryNdjsonParser(symbols))
            .KeyBy(default(TelemetrySensorKey))
            .Process(() => new TelemetryKeyedStage<TelemetrySensorKey>(windows, null, null, TimeSpan.Zero, k => k.ToString(Ic), alerts, null, devices), "keyed")
            .To(sink)
            .RunAsync(ct));
        if (registry is not null && alerts.Published != 0) throw new InvalidOperationException($"{alerts.Published} limit alerts: the bench registry's limits should never fire.");
        return new Run(result.RecordsIn, cost, load);
    }

    private static BenchResult Row(string workload, string note, Run run) => new()
    {
        Engine = "platform",
        Workload = workload,
        Note = note,
        RecordsPerSecond = run.Rate,
        BytesAllocatedPerRecord = run.BytesPerRecord,
        PeakWorkingSetMb = run.Cost.PeakWorkingSetMb,
        CoresUsed = run.Cost.CoresUsed,
        Records = run.Records,
        Elapsed = run.Cost.Elapsed,
    };

    private sealed record Run(long Records, Measurement Cost, TimeSpan LoadTime)
    {
        public double Rate => Records / Cost.Elapsed.TotalSeconds;

        public double BytesPerRecord => Cost.AllocatedBytes / (double)Math.Max(1, Records);
    }
}
