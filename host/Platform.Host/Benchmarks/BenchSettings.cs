namespace Platform.Host.Benchmarks;

/// <summary>What a bench run does (from the command line).</summary>
public sealed record BenchSettings
{
    /// <summary>The workload: iot-anomaly, parse, or one a registry adds (nexmark, latency, scaling), or "all".</summary>
    public string Workload { get; init; } = "iot-anomaly";
    /// <summary>Lines of telemetry for iot-anomaly (0 = the mode's default).</summary>
    public long Events { get; init; }
    /// <summary>Smoke-check sizes: the whole run in under a minute.</summary>
    public bool Quick { get; init; }
    /// <summary>Worker threads per engine (0 = cores).</summary>
    public int Workers { get; init; }
    /// <summary>Engines to run (null = every registered one).</summary>
    public IReadOnlySet<string>? Engines { get; init; }
    /// <summary>Runs per engine; the best is reported.</summary>
    public int Repeat { get; init; } = 1;
    /// <summary>Check each peer's output against Platform's.</summary>
    public bool Verify { get; init; } = true;
    /// <summary>Generator seed.</summary>
    public long Seed { get; init; } = Platform.Connectors.Generator.TelemetryGeneratorOptions.DefaultSeed;
    /// <summary>Records per batch for Platform.</summary>
    public int BatchSize { get; init; } = Platform.Engine.Runtime.PipelineOptions.DefaultBatchSize;

    /// <summary>Worker count in effect.</summary>
    public int EffectiveWorkers => Workers > 0 ? Workers : Environment.ProcessorCount;

    /// <summary>iot-anomaly lines in effect.</summary>
    public long IotEvents => Events > 0 ? Events : Quick ? 500_000 : 10_000_000;

    /// <summary>parse lines in effect (single-threaded parse of one block set).</summary>
    public long ParseEvents => Events > 0 ? Math.Min(Events, 4_000_000) : Quick ? 200_000 : 2_000_000;

    /// <summary>True when <paramref name="engine"/> is selected.</summary>
    public bool Runs(string engine) => Engines is null || Engines.Contains(engine);
}

/// <summary>An extra workload contributed by the bench project (Nexmark, latency, scaling).</summary>
public interface IBenchWorkload
{
    /// <summary>Its name on the command line (a prefix of the JSON workload names).</summary>
    string Name { get; }

    /// <summary>Runs it; each result becomes a row.</summary>
    Task<IReadOnlyList<BenchResult>> RunAsync(BenchSettings settings, Action<string> log, CancellationToken cancellationToken);
}

/// <summary>Draws the results (the bench project supplies a ScottPlot one).</summary>
public interface IBenchPlotter
{
    /// <summary>Writes a bar chart of records/s per engine per workload to <paramref name="path"/>.</summary>
    void Write(IReadOnlyList<BenchResult> results, string path);
}

/// <summary>The engines and workloads a bench command knows. The host registers Platform's; the bench project adds peers.</summary>
public sealed class BenchRegistry
{
    /// <summary>iot-anomaly engines; Platform first (the reference).</summary>
    public List<IIotEngine> IotEngines { get; } = [];
    /// <summary>parse engines; Platform first.</summary>
    public List<IParseEngine> ParseEngines { get; } = [];
    /// <summary>Further workloads.</summary>
    public List<IBenchWorkload> Workloads { get; } = [];
    /// <summary>The plotter, when one is available.</summary>
    public IBenchPlotter? Plotter { get; set; }

    /// <summary>Platform's engines only (what <c>platform bench</c> has without the bench project).</summary>
    public static BenchRegistry PlatformOnly(BenchSettings settings)
    {
        var r = new BenchRegistry();
        r.IotEngines.Add(new PlatformIotEngine { BatchSize = settings.BatchSize });
        r.ParseEngines.Add(new PlatformParseEngine());
        return r;
    }
}
