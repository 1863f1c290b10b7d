using System.CommandLine;
using BenchmarkDotNet.Running;
using Platform.Bench.Peers;
using Platform.Host.Benchmarks;

namespace Platform.Bench;

/// <summary>
/// <c>dotnet run -c Release --project bench/Platform.Bench -- &lt;workload&gt; [options]</c>: the end-to-end harness with
/// every peer (iot-anomaly, parse, nexmark, latency, scaling, all); <c>-- micro --filter '*'</c> runs the BenchmarkDotNet
/// suites; <c>-- parse --bdn</c> runs the parse BenchmarkDotNet class.
/// </summary>
public static class Program
{
    public static async Task<int> Main(string[] args)
    {
        ArgumentNullException.ThrowIfNull(args);
        if (args.Length > 0 && args[0] == "micro")
        {
            BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args[1..]);
            return 0;
        }
        if (args.Length > 0 && args[0] == "parse" && args.Contains("--bdn"))
        {
            // The parser engineer's TelemetryParseBenchmarks (bench/Platform.Bench/Parsing), found by name.
            BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(["--filter", "*TelemetryParseBenchmarks*", .. args[1..].Where(a => a != "--bdn")]);
            return 0;
        }
        if (args.Length > 0 && args[0] == "checkpoints") return await Checkpoints.CheckpointBench.RunAsync(args[1..]);
        if (args.Length > 0 && args[0] == "kafka") return await Kafka.KafkaBench.RunAsync(args[1..]);
        if (args.Length > 0 && args[0] == "warehouse") return await Warehouse.WarehouseBench.RunAsync(args[1..]);
        if (args.Length > 0 && args[0] == "ingest") return await Ingest.IngestBench.RunAsync(args[1..]);
        if (args.Length > 0 && args[0] == "kinesis-sink") return await Aws.KinesisSinkCost.RunAsync(args[1..]);
        var root = new RootCommand("Platform benchmarks: end-to-end harness with peers, and BenchmarkDotNet micro suites (`micro`).");
        var bench = BenchCommand.Create(Registry);
        foreach (var o in bench.Options) root.Options.Add(o);
        foreach (var a in bench.Arguments) root.Arguments.Add(a);
        root.Action = bench.Action;
        return await root.Parse(args).InvokeAsync();
    }

    /// <summary>Platform's engines plus every peer, Nexmark and the plotter.</summary>
    public static BenchRegistry Registry(BenchSettings settings)
    {
        var r = BenchRegistry.PlatformOnly(settings);
        r.IotEngines.Add(new RxIotEngine());
        r.IotEngines.Add(new TplDataflowIotEngine());
        r.IotEngines.Add(new AkkaStreamsIotEngine());
        r.ParseEngines.Add(new SystemTextJsonParseEngine());
        r.Workloads.Add(new Workloads.StagesWorkload());
        r.Workloads.Add(new Nexmark.NexmarkWorkload());
        r.Workloads.Add(new Workloads.LatencyWorkload());
        r.Workloads.Add(new Workloads.ScalingWorkload());
        r.Workloads.Add(new Anomaly.AnomalyWorkload());
        r.Workloads.Add(new Churn.CdpChurnWorkload());
        r.Workloads.Add(new Enrichment.EnrichmentWorkload());
        r.Plotter = new Output.ScottPlotPlotter();
        return r;
    }
}
