using System.CommandLine;
using System.Diagnostics;
using System.Text.Json;
using Platform.Engine.Runtime;
using Platform.Host.Cli;
using Platform.Host.Config;
using Platform.Host.Config.Binding;
using Platform.Host.Http;
using Spectre.Console;

namespace Platform.Host.Running;

/// <summary>
/// <c>platform run &lt;pipeline.yaml&gt;</c>: the daemon. Validates, builds the pipeline, serves
/// health and metrics, shows a live summary, and on SIGINT/SIGTERM drains and flushes before
/// exiting 0.
/// </summary>
internal static class RunCommand
{
    public const int ExitOk = 0;
    public const int ExitFailed = 1;

    public static Command Create()
    {
        var file = new Argument<string>("pipeline") { Description = "The pipeline YAML file." };
        var maxEvents = new Option<long?>("--max-events") { Description = "Stop after this many source records (the generator makes exactly this many)." };
        var duration = new Option<string?>("--duration") { Description = "Stop gracefully after this long, e.g. 30s or 5m." };
        var workers = new Option<int?>("--workers") { Description = "Worker threads (overrides runtime.workers; 0 = one per core)." };
        var httpPort = new Option<int?>("--http-port") { Description = "Port for /health and /metrics on 127.0.0.1 (overrides http.port; 0 = off)." };
        var summaryJson = new Option<string?>("--summary-json") { Description = "Write the final totals to this JSON file." };
        var checkpointDir = new Option<string?>("--checkpoint-dir") { Description = "Checkpoint folder: resume from its newest complete checkpoint and write new ones (overrides checkpoint.dir; turns checkpoints on)." };
        var command = new Command("run", "Run a pipeline until its source ends or a signal stops it.");
        command.Arguments.Add(file);
        foreach (var o in new Option[] { maxEvents, duration, workers, httpPort, summaryJson, checkpointDir }) command.Options.Add(o);
        command.SetAction(async (ParseResult pr, CancellationToken _) =>
        {
            TimeSpan? limit = null;
            if (pr.GetValue(duration) is { } d)
            {
                if (!ValueParsers.TryParseDuration(d, out var parsed) || parsed <= TimeSpan.Zero)
                {
                    await Console.Error.WriteLineAsync($"--duration: expected a duration like 30s or 5m, got '{d}'.");
                    return ValidateCommand.ExitInvalid;
                }
                limit = parsed;
            }
            return await RunAsync(new RunRequest(pr.GetValue(file) ?? "", pr.GetValue(maxEvents), limit,
                pr.GetValue(workers), pr.GetValue(httpPort), pr.GetValue(summaryJson), pr.GetValue(checkpointDir)));
        });
        return command;
    }

    internal sealed record RunRequest(string Path, long? MaxEvents, TimeSpan? Duration, int? Workers, int? HttpPort, string? SummaryJson, string? CheckpointDir = null);

    internal static async Task<int> RunAsync(RunRequest request)
    {
        var console = AnsiConsole.Console;
        var loaded = PipelineConfigLoader.Load(request.Path);
        if (loaded.Config is not { } config)
        {
            return ValidateCommand.Run(request.Path, Console.Error);
        }

        using var signals = new ShutdownSignals();
        PipelineAssembly assemblyBuilt;
        try
        {
            assemblyBuilt = PipelineFactory.Build(config, new RunOverrides(request.MaxEvents, request.Workers, request.CheckpointDir,
                line => Console.Out.WriteLine("checkpoint: " + line))); // unwrapped: log lines name whole paths
        }
        catch (Exception e) when (e is InvalidOperationException or NotSupportedException or ArgumentException or IOException)
        {
            console.MarkupLine($"[red]cannot build the pipeline:[/] {Markup.Escape(e.Message)}");
            return ExitFailed;
        }
        await using var assembly = assemblyBuilt;
        var port = request.HttpPort ?? config.Http.Port;
        var http = port != 0 ? new PlatformHttpServer(new PlatformHttpServerOptions { Port = port }) : null;
        if (http is not null)
        {
            try
            {
                await http.StartAsync();
                console.MarkupLine($"[grey]health and metrics on {Markup.Escape(http.Address.ToString())}[/]");
            }
            catch (IOException e)
            {
                // A busy port must not stop the pipeline: run without the endpoints and say so.
                console.MarkupLine($"[yellow]health and metrics are off: port {port} is not available ({Markup.Escape(e.Message)})[/]");
                await http.DisposeAsync();
                http = null;
            }
        }

        await using var httpLifetime = http;
        var running = assembly.Definition.Start(signals.Stop);
        await using var dashboard = http is null ? null
            : Dashboard.DashboardEndpoints.Mount(http, new Dashboard.DashboardSource(assembly.Definition, running.Stats, new Platform.Sinks.Alerts.AlertFeed()));
        http?.SetReady();
        using var timer = request.Duration is { } limit ? new Timer(_ => signals.RequestStop(), null, limit, Timeout.InfiniteTimeSpan) : null;
        using var abortRegistration = signals.Abort.Register(running.Abort);
        var summary = new LiveSummary(console, config.Name, assembly.Definition.Graph.ToString());
        await summary.ShowAsync(running.Stats, running.Completion);

        PipelineResult result;
        try
        {
            result = await running.Completion;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            http?.SetNotReady("failed: " + e.Message);
            console.MarkupLine($"[red]pipeline failed:[/] {Markup.Escape(e.Message)}");
            await Console.Error.WriteLineAsync(e.ToString());
            return ExitFailed;
        }
        catch (OperationCanceledException)
        {
            console.MarkupLine("[yellow]aborted by a second signal; in-flight batches were discarded[/]");
            return ExitFailed;
        }
        http?.SetNotReady("stopped");
        await assembly.DeadLetters.FlushAsync();

        var totals = new RunTotals(config.Name, result.RecordsIn, result.Rejected, result.RecordsOut, result.Late,
            assembly.SourceValidRecords?.Invoke(), result.Bytes, result.Elapsed.TotalSeconds, result.RecordsPerSecond,
            Process.GetCurrentProcess().PeakWorkingSet64, signals.Received?.ToString(),
            assembly.Definition.Options.Checkpoint is null ? null
                : new CheckpointTotals(running.Stats.CheckpointsCompleted, running.Stats.LastCheckpointId, running.Stats.RestoredCheckpointId));
        PrintFinal(console, totals, config);
        if (request.SummaryJson is { } path)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
            await File.WriteAllTextAsync(path, JsonSerializer.Serialize(totals, RunTotalsJson.Default.RunTotals));
        }
        return ExitOk;
    }

    private static void PrintFinal(IAnsiConsole console, RunTotals t, PipelineConfig config)
    {
        var table = new Table().Border(TableBorder.Rounded).Title($"[bold]{Markup.Escape(t.Pipeline)}[/] finished{(t.StoppedBy is null ? "" : $" (stopped by {t.StoppedBy})")}");
        table.AddColumn("metric").AddColumn(new TableColumn("value").RightAligned());
        var inv = System.Globalization.CultureInfo.InvariantCulture;
        table.AddRow("records parsed", t.RecordsIn.ToString("N0", inv));
        table.AddRow("dead letters", t.DeadLetters.ToString("N0", inv));
        table.AddRow("late records", t.LateRecords.ToString("N0", inv));
        table.AddRow("results written", t.RecordsOut.ToString("N0", inv));
        table.AddRow("input", Format.Mebibytes(t.Bytes));
        table.AddRow("elapsed", t.ElapsedSeconds.ToString("N2", inv) + " s");
        table.AddRow("records/s", t.RecordsPerSecond.ToString("N0", inv));
        table.AddRow("peak memory", Format.Mebibytes(t.PeakWorkingSetBytes));
        if (t.Checkpoints is { } c)
        {
            table.AddRow("checkpoints", $"{c.Completed:N0} this run, newest {c.LastId}{(c.RestoredFrom > 0 ? $", resumed from {c.RestoredFrom}" : "")}");
        }
        foreach (var sink in config.Sinks.OfType<DuckDbSinkConfig>())
        {
            table.AddRow("output", $"{Markup.Escape(sink.Path)} (table {Markup.Escape(sink.Table)})");
        }
        table.AddRow("dead-letter file", Markup.Escape(config.DeadLetter.Path));
        console.Write(table);
    }
}

/// <summary>The final totals of a run (also written by <c>--summary-json</c>).</summary>
internal sealed record RunTotals(
    string Pipeline, long RecordsIn, long DeadLetters, long RecordsOut, long LateRecords, long? SourceValidRecords,
    long Bytes, double ElapsedSeconds, double RecordsPerSecond, long PeakWorkingSetBytes, string? StoppedBy,
    CheckpointTotals? Checkpoints = null);

/// <summary>Checkpoints of a run: completed by it, the newest id, and the one it resumed from (0 = none).</summary>
internal sealed record CheckpointTotals(long Completed, long LastId, long RestoredFrom);

[System.Text.Json.Serialization.JsonSourceGenerationOptions(WriteIndented = true, PropertyNamingPolicy = System.Text.Json.Serialization.JsonKnownNamingPolicy.CamelCase)]
[System.Text.Json.Serialization.JsonSerializable(typeof(RunTotals))]
internal sealed partial class RunTotalsJson : System.Text.Json.Serialization.JsonSerializerContext;
