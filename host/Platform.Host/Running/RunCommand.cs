using System.CommandLine;
using System.Diagnostics;
using System.Text.Json;
using Platform.Engine.Runtime;
using Platform.Host.Cli;
using Platform.Host.Config;
using Platform.Host.Config.Binding;
using Platform.Host.Config.Steps;
using Platform.Host.Http;
using Platform.Operators.Quality;
using Platform.Sinks.Alerts;
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
        var noWatch = new Option<bool>("--no-watch") { Description = "Do not watch the YAML for changes (by default valid changes are applied while running)." };
        var command = new Command("run", "Run a pipeline until its source ends or a signal stops it.");
        command.Arguments.Add(file);
        foreach (var o in new Option[] { maxEvents, duration, workers, httpPort, summaryJson, checkpointDir, noWatch }) command.Options.Add(o);
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
                pr.GetValue(workers), pr.GetValue(httpPort), pr.GetValue(summaryJson), pr.GetValue(checkpointDir)) { Watch = !pr.GetValue(noWatch) });
        });
        return command;
    }

    internal sealed record RunRequest(string Path, long? MaxEvents, TimeSpan? Duration, int? Workers, int? HttpPort, string? SummaryJson, string? CheckpointDir = null)
    {
        /// <summary>Watch the YAML and apply valid changes (default on).</summary>
        public bool Watch { get; init; } = true;

        /// <summary>How often the YAML is read for changes.</summary>
        public TimeSpan? WatchInterval { get; init; }

        /// <summary>Told about every reload decision (applied, rejected) — logs and tests.</summary>
        public Action<ReloadEvent>? OnReload { get; init; }

        /// <summary>The alert feed the dashboard shows (tests read it); null = a new one.</summary>
        public Platform.Sinks.Alerts.AlertFeed? AlertFeed { get; init; }

        /// <summary>Stops the run gracefully when cancelled, as a signal would (in-process runs: tests).</summary>
        public CancellationToken Stop { get; init; }
    }

    /// <summary>One reload decision: what was done and why; <paramref name="Reloads"/> counts applied ones.</summary>
    internal sealed record ReloadEvent(ReloadKind Kind, string Message, int Reloads);

    internal static async Task<int> RunAsync(RunRequest request)
    {
        var console = AnsiConsole.Console;
        var loaded = PipelineConfigLoader.Load(request.Path);
        if (loaded.Config is not { } config)
        {
            return ValidateCommand.Run(request.Path, Console.Error);
        }

        using var signals = new ShutdownSignals();
        using var stopRequested = request.Stop.Register(signals.RequestStop);
        using var alertHttp = new HttpClient { Timeout = Timeout.InfiniteTimeSpan }; // each notifier bounds its own attempts
        await using var alerts = new AlertHub(request.AlertFeed ?? new AlertFeed());
        await using var monitors = new QualityMonitorSet(alerts, checkEvery: PipelineFactory.CheckInterval(config));
        if (config.Source is Config.Sources.KafkaSourceConfig)
        {
            // A consumer-group member: one pipeline per assigned partition, not one pipeline (no hot reload).
            alerts.Replace(AlertSinks.Create(config.Alerts, alertHttp));
            return await KafkaRun.RunAsync(config, request, signals, alerts, monitors);
        }
        var checkpointsOn = config.Checkpoint is not null || request.CheckpointDir is not null;
        var overrides = new RunOverrides(request.MaxEvents, request.Workers, request.CheckpointDir,
            line => Console.Out.WriteLine("checkpoint: " + line)) // unwrapped: log lines name whole paths
        { Alerts = alerts, Monitors = monitors };
        var startedAt = DateTimeOffset.UtcNow;
        PipelineAssembly assembly;
        try
        {
            alerts.Replace(AlertSinks.Create(config.Alerts, alertHttp));
            assembly = PipelineFactory.Build(config, overrides);
        }
        catch (Exception e) when (e is InvalidOperationException or NotSupportedException or ArgumentException or IOException)
        {
            console.MarkupLine($"[red]cannot build the pipeline:[/] {Markup.Escape(e.Message)}");
            return ExitFailed;
        }
        // Only with a tracing section is OpenTelemetry loaded at all.
        using var tracing = config.Tracing is null ? null : (IDisposable?)TracingSetup.Start(config.Tracing);
        if (tracing is not null) console.MarkupLine($"[grey]tracing to {Markup.Escape(config.Tracing!.Endpoint)} ({config.Tracing.Protocol})[/]");
        var http = await StartHealthEndpointsAsync(request.HttpPort ?? config.Http.Port, console);

        await using var httpLifetime = http;
        Dashboard.DashboardEndpoints? dashboard = null;
        using var timer = request.Duration is { } limit ? new Timer(_ => signals.RequestStop(), null, limit, Timeout.InfiniteTimeSpan) : null;
        var clock = Stopwatch.StartNew();
        var carried = Dashboard.CarriedTotals.None;
        long checkpointsCompleted = 0, restoredFrom = -1;
        var reloads = 0;
        var watcher = new ConfigWatcher(request.Path, request.WatchInterval);
        RunningPipeline running;
        try
        {
            while (true)
            {
                using var generationStop = CancellationTokenSource.CreateLinkedTokenSource(signals.Stop);
                running = assembly.Definition.Start(generationStop.Token);
                if (http is not null)
                {
                    if (dashboard is null)
                    {
                        dashboard = Dashboard.DashboardEndpoints.Mount(http, new Dashboard.DashboardSource(assembly.Definition, running.Stats, alerts.Feed));
                    }
                    else
                    {
                        dashboard.Source.Attach(assembly.Definition, running.Stats, carried);
                    }
                    dashboard.Source.SideStages = SideStages(config);
                    dashboard.Source.Reloads = reloads;
                    if (assembly.Definition.Options.Checkpoint is not null)
                    {
                        var stats = running.Stats;
                        dashboard.Source.Checkpoints = () => new Dashboard.DashboardCheckpoint(
                            stats.LastCheckpointId > 0 ? "ok" : "waiting", stats.LastCheckpointId > 0 ? stats.LastCheckpointId : null, null, stats.LastCheckpointDuration);
                    }
                }
                http?.SetReady();
                using var abortRegistration = signals.Abort.Register(running.Abort);
                using var watchStop = new CancellationTokenSource();
                var current = config;
                var reload = request.Watch
                    ? WatchAsync(request, watcher, () => current, c => current = c, checkpointsOn, alerts, alertHttp, monitors, assembly.Source.Name, reloads, watchStop.Token)
                    : Task.FromResult<PipelineConfig?>(null);
                var summary = new LiveSummary(console, config.Name, assembly.Definition.Graph.ToString());
                var shown = summary.ShowAsync(running.Stats, running.Completion);
                // The watcher completes with a config only for a change that needs a rebuild (null once cancelled).
                var first = await Task.WhenAny(running.Completion, reload);
                config = current; // live changes applied while it ran
                if (first == reload && reload.IsCompletedSuccessfully && reload.Result is { } next && !running.Completion.IsCompleted)
                {
                    // Restart reload: a graceful stop with checkpoints takes a final checkpoint at a barrier and keeps
                    // open windows; the rebuilt pipeline restores from it and goes on from its source positions.
                    console.MarkupLine("[grey]reload: stopping at a checkpoint barrier, then rebuilding[/]");
                    await generationStop.CancelAsync();
                    await running.Completion;
                    await shown;
                    carried = carried.Add(running.Stats);
                    checkpointsCompleted += running.Stats.CheckpointsCompleted;
                    if (restoredFrom < 0) restoredFrom = running.Stats.RestoredCheckpointId;
                    await assembly.DeadLetters.FlushAsync();
                    await assembly.DisposeAsync();
                    try
                    {
                        assembly = PipelineFactory.Build(next, overrides);
                    }
                    catch (Exception e) when (e is InvalidOperationException or NotSupportedException or ArgumentException or IOException)
                    {
                        console.MarkupLine($"[red]reload: cannot build the changed pipeline; its state is in the last checkpoint:[/] {Markup.Escape(e.Message)}");
                        return ExitFailed;
                    }
                    config = next;
                    reloads++;
                    request.OnReload?.Invoke(new ReloadEvent(ReloadKind.Restart, "applied: pipeline rebuilt and restored from its checkpoint", reloads));
                    continue;
                }
                await watchStop.CancelAsync();
                await shown;
                break;
            }

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
                await ReportAsync(config, Totals(config, carried, running.Stats, clock.Elapsed, null, signals, null), startedAt, RunStatus.Failure, assembly.Source.Name, e.Message, alertHttp, console);
                return ExitFailed;
            }
            catch (OperationCanceledException)
            {
                console.MarkupLine("[yellow]aborted by a second signal; in-flight batches were discarded[/]");
                return ExitFailed;
            }
            http?.SetNotReady("stopped");
            if (dashboard is not null) dashboard.Source.Status = "stopped";
            await assembly.DeadLetters.FlushAsync();
            _ = result;

            checkpointsCompleted += running.Stats.CheckpointsCompleted;
            if (restoredFrom < 0) restoredFrom = running.Stats.RestoredCheckpointId;
            var totals = Totals(config, carried, running.Stats, clock.Elapsed, assembly.SourceValidRecords?.Invoke(), signals,
                assembly.Definition.Options.Checkpoint is null ? null : new CheckpointTotals(checkpointsCompleted, running.Stats.LastCheckpointId, Math.Max(0, restoredFrom))) with
            { Reloads = reloads, Alerts = alerts.Published };
            PrintFinal(console, totals, config);
            if (request.SummaryJson is { } path)
            {
                Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
                await File.WriteAllTextAsync(path, JsonSerializer.Serialize(totals, RunTotalsJson.Default.RunTotals));
            }
            await ReportAsync(config, totals, startedAt, RunStatus.Success, assembly.Source.Name, null, alertHttp, console);
            return ExitOk;
        }
        finally
        {
            if (dashboard is not null) await dashboard.DisposeAsync();
            await assembly.DisposeAsync();
        }
    }

    private static RunTotals Totals(PipelineConfig config, Dashboard.CarriedTotals carried, PipelineStats last, TimeSpan elapsed, long? validRecords, ShutdownSignals signals, CheckpointTotals? checkpoints)
    {
        var all = carried.Add(last);
        var seconds = Math.Max(1e-9, elapsed.TotalSeconds);
        return new RunTotals(config.Name, all.RecordsIn, all.DeadLetters, all.RecordsOut, all.Late, validRecords, all.Bytes, elapsed.TotalSeconds,
            all.RecordsIn / seconds, Process.GetCurrentProcess().PeakWorkingSet64, signals.Received?.ToString(), checkpoints);
    }

    /// <summary>Posts the run report when the YAML has <c>run-report</c>; a failure is reported, never fatal.</summary>
    /// <summary>Starts /health and /metrics on the loopback port (0 = off); null when off or the port is busy.</summary>
    internal static async Task<PlatformHttpServer?> StartHealthEndpointsAsync(int port, IAnsiConsole console)
    {
        if (port == 0) return null;
        var http = new PlatformHttpServer(new PlatformHttpServerOptions { Port = port });
        try
        {
            await http.StartAsync();
            console.MarkupLine($"[grey]health and metrics on {Markup.Escape(http.Address.ToString())}[/]");
            return http;
        }
        catch (IOException e)
        {
            // A busy port must not stop the pipeline: run without the endpoints and say so.
            console.MarkupLine($"[yellow]health and metrics are off: port {port} is not available ({Markup.Escape(e.Message)})[/]");
            await http.DisposeAsync();
            return null;
        }
    }

    private static async Task ReportAsync(PipelineConfig config, RunTotals totals, DateTimeOffset start, RunStatus status, string sourceName, string? message, HttpClient http, IAnsiConsole console)
    {
        if (config.RunReport is not { } target) return;
        try
        {
            var report = RunReporter.Build(config, totals, start, DateTimeOffset.UtcNow, status, sourceName, message);
            var error = await RunReporter.PostAsync(target, report, http);
            console.MarkupLine(error is null ? $"[grey]run report sent to {Markup.Escape(target.Url)}[/]" : $"[yellow]run report not accepted by {Markup.Escape(target.Url)}: {Markup.Escape(error)}[/]");
        }
        catch (InvalidOperationException e)
        {
            console.MarkupLine($"[yellow]run report not sent: {Markup.Escape(e.Message)}[/]");
        }
    }

    /// <summary>The monitors and side operators the dashboard draws next to the graph.</summary>
    internal static IReadOnlyList<string> SideStages(PipelineConfig config) =>
    [
        .. config.Steps.Select(s => s switch
        {
            AnomalyStepConfig a => FormattableString.Invariant($"anomaly {string.Join("+", a.Detectors)} ≥ {a.Threshold}"),
            FreshnessStepConfig f => $"freshness {ValueParsers.FormatDuration(f.MaxSilence)}" + (f.KeySilence > TimeSpan.Zero ? $", per key {ValueParsers.FormatDuration(f.KeySilence)}" : ""),
            VolumeStepConfig v => FormattableString.Invariant($"volume per {ValueParsers.FormatDuration(v.Window)} ±{v.Tolerance}σ"),
            SchemaDriftStepConfig => "schema drift",
            _ => null,
        }).OfType<string>(),
    ];

    /// <summary>
    /// Watches the YAML while a pipeline runs. An invalid edit is rejected with <c>platform validate</c>'s
    /// messages; a live change (alerts, monitor thresholds) is applied in place; a change that needs a rebuild
    /// completes the task with the new config (the caller stops at a checkpoint and rebuilds).
    /// </summary>
    private static async Task<PipelineConfig?> WatchAsync(RunRequest request, ConfigWatcher watcher, Func<PipelineConfig> current, Action<PipelineConfig> setCurrent,
        bool checkpointsOn, AlertHub alerts, HttpClient alertHttp, QualityMonitorSet monitors, string sourceName, int reloads, CancellationToken stop)
    {
        var console = AnsiConsole.Console;
        while (await watcher.NextChangeAsync(stop) is not null)
        {
            var loaded = PipelineConfigLoader.Load(request.Path);
            if (loaded.Config is not { } next)
            {
                var messages = new StringWriter();
                ValidateCommand.Run(request.Path, messages);
                console.MarkupLine("[yellow]reload rejected: the file is invalid; the pipeline runs on unchanged[/]");
                await Console.Error.WriteAsync(messages.ToString());
                request.OnReload?.Invoke(new ReloadEvent(ReloadKind.Rejected, messages.ToString(), reloads));
                continue;
            }
            var decision = ReloadPlan.Decide(current(), next, checkpointsOn);
            switch (decision.Kind)
            {
                case ReloadKind.None:
                    continue;
                case ReloadKind.Rejected:
                    console.MarkupLine($"[yellow]reload rejected:[/] {Markup.Escape(decision.Reason)}");
                    request.OnReload?.Invoke(new ReloadEvent(ReloadKind.Rejected, decision.Reason, reloads));
                    continue;
            }
            Platform.Sinks.Alerts.AlertNotificationSink? sink;
            try
            {
                sink = AlertSinks.Create(next.Alerts, alertHttp);
            }
            catch (Exception e) when (e is InvalidOperationException or ArgumentException)
            {
                console.MarkupLine($"[yellow]reload rejected:[/] {Markup.Escape(e.Message)}");
                request.OnReload?.Invoke(new ReloadEvent(ReloadKind.Rejected, e.Message, reloads));
                continue;
            }
            alerts.Replace(sink)?.Dispose();
            if (decision.Kind == ReloadKind.Restart) return next;
            monitors.Apply(next, sourceName);
            setCurrent(next);
            console.MarkupLine($"[grey]reload: {Markup.Escape(decision.Reason)}[/]");
            request.OnReload?.Invoke(new ReloadEvent(ReloadKind.Live, decision.Reason, reloads));
        }
        return null;
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
    CheckpointTotals? Checkpoints = null)
{
    /// <summary>Hot reloads applied during the run.</summary>
    public int Reloads { get; init; }

    /// <summary>Alerts raised during the run (anomalies, monitors).</summary>
    public long Alerts { get; init; }
}

/// <summary>Checkpoints of a run: completed by it, the newest id, and the one it resumed from (0 = none).</summary>
internal sealed record CheckpointTotals(long Completed, long LastId, long RestoredFrom);

[System.Text.Json.Serialization.JsonSourceGenerationOptions(WriteIndented = true, PropertyNamingPolicy = System.Text.Json.Serialization.JsonKnownNamingPolicy.CamelCase)]
[System.Text.Json.Serialization.JsonSerializable(typeof(RunTotals))]
internal sealed partial class RunTotalsJson : System.Text.Json.Serialization.JsonSerializerContext;
