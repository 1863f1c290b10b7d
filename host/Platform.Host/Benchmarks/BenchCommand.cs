using System.CommandLine;
using System.Globalization;
using Spectre.Console;

namespace Platform.Host.Benchmarks;

/// <summary>
/// <c>platform bench &lt;workload&gt;</c>: the end-to-end harness. Here it runs Platform's engines; the bench project
/// (<c>dotnet run -c Release --project bench/Platform.Bench -- &lt;workload&gt;</c>) calls <see cref="Create(Func{BenchSettings, BenchRegistry})"/>
/// with the peers (Rx.NET, TPL Dataflow, Akka.Streams, System.Text.Json), Nexmark and the plotter added.
/// </summary>
internal static class BenchCommand
{
    public static Command Create() => Create(BenchRegistry.PlatformOnly);

    public static Command Create(Func<BenchSettings, BenchRegistry> registryFor)
    {
        var workload = new Argument<string>("workload") { Description = "iot-anomaly, parse, nexmark, latency, scaling, or all.", DefaultValueFactory = _ => "iot-anomaly" };
        var events = new Option<long>("--events") { Description = "Telemetry lines for iot-anomaly (default 10,000,000; 500,000 with --quick). The input (~245 B a line) is generated into a temporary file and streamed from it." };
        var quick = new Option<bool>("--quick") { Description = "Small inputs: the whole run in under a minute (smoke check)." };
        var json = new Option<FileInfo?>("--json") { Description = "Write {\"results\":[…]} to this file." };
        var plot = new Option<FileInfo?>("--plot") { Description = "Write a bar chart (PNG) of records/s per engine per workload (bench project only)." };
        var workers = new Option<int>("--workers") { Description = "Worker threads per engine (0 = one per core)." };
        var engines = new Option<string?>("--engines") { Description = "Comma-separated engines to run (platform, rx, tpl-dataflow, akka-streams, system-text-json); default all." };
        var repeat = new Option<int>("--repeat") { Description = "Runs per engine; the fastest is reported.", DefaultValueFactory = _ => 1 };
        var noVerify = new Option<bool>("--no-verify") { Description = "Skip checking peers' output against Platform's." };
        var seed = new Option<long>("--seed") { Description = "Generator seed.", DefaultValueFactory = _ => Platform.Connectors.Generator.TelemetryGeneratorOptions.DefaultSeed };
        var batch = new Option<int>("--batch-size") { Description = "Platform records per batch.", DefaultValueFactory = _ => Platform.Engine.Runtime.PipelineOptions.DefaultBatchSize };

        var command = new Command("bench", "Run a benchmark workload: prints records/s, MB/s, allocations, peak memory; optional JSON and plot.");
        command.Arguments.Add(workload);
        foreach (var o in new Option[] { events, quick, json, plot, workers, engines, repeat, noVerify, seed, batch }) command.Options.Add(o);

        command.SetAction(async (ParseResult pr, CancellationToken ct) =>
        {
            var engineList = pr.GetValue(engines);
            var settings = new BenchSettings
            {
                Workload = pr.GetValue(workload) ?? "iot-anomaly",
                Events = pr.GetValue(events),
                Quick = pr.GetValue(quick),
                Workers = pr.GetValue(workers),
                Engines = string.IsNullOrWhiteSpace(engineList)
                    ? null
                    : engineList.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToHashSet(StringComparer.Ordinal),
                Repeat = pr.GetValue(repeat),
                Verify = !pr.GetValue(noVerify),
                Seed = pr.GetValue(seed),
                BatchSize = pr.GetValue(batch),
            };
            if (settings.Events < 0 || settings.Workers < 0 || settings.Repeat < 1 || settings.BatchSize < 1)
            {
                await Console.Error.WriteLineAsync("error: --events, --workers must be ≥ 0; --repeat, --batch-size ≥ 1.");
                return 2;
            }
            var registry = registryFor(settings);
            var plotFile = pr.GetValue(plot);
            if (plotFile is not null && registry.Plotter is null)
            {
                await Console.Error.WriteLineAsync("error: --plot needs the bench project: dotnet run -c Release --project bench/Platform.Bench -- <workload> --plot <png>");
                return 2;
            }
            var console = AnsiConsole.Console;
            if (Console.IsOutputRedirected) console.Profile.Width = 200;
            var harness = new BenchHarness(registry, line => console.WriteLine(line));
            console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"platform bench {settings.Workload}: {Environment.ProcessorCount} cores, {settings.EffectiveWorkers} workers, {System.Runtime.InteropServices.RuntimeInformation.FrameworkDescription}, server GC {System.Runtime.GCSettings.IsServerGC}{(settings.Quick ? ", quick" : "")}"));
            List<BenchResult> results;
            try
            {
                results = await harness.RunAsync(settings, ct);
            }
            catch (ArgumentException e)
            {
                await Console.Error.WriteLineAsync("error: " + e.Message);
                return 2;
            }
            BenchOutput.WriteTable(console, results);
            if (pr.GetValue(json) is { } jsonFile)
            {
                BenchOutput.WriteJson(jsonFile.FullName, results);
                console.WriteLine("wrote " + jsonFile.FullName);
            }
            if (plotFile is not null)
            {
                registry.Plotter!.Write(results, plotFile.FullName);
                console.WriteLine("wrote " + plotFile.FullName);
            }
            var mismatched = results.Where(r => r.Verified is not null && r.Verified != "reference" && !r.Verified.StartsWith("ok", StringComparison.Ordinal)).ToList();
            foreach (var m in mismatched) await Console.Error.WriteLineAsync($"MISMATCH {m.Workload}/{m.Engine}: {m.Verified}");
            return mismatched.Count == 0 ? 0 : 3;
        });
        return command;
    }
}
