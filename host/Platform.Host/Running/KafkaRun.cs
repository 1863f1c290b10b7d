using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Platform.Host.Config;
using Platform.Host.Config.Sources;
using Platform.Host.Http;
using Platform.Operators.Quality;
using Platform.Sinks.Alerts;
using Spectre.Console;

namespace Platform.Host.Running;

/// <summary>
/// <c>platform run</c> for a pipeline whose source is Kafka: joins the consumer group and runs one pipeline per
/// partition assigned to this instance until a signal, <c>--duration</c> or <c>--max-events</c> stops it; then it
/// leaves the group gracefully (every partition takes a final checkpoint, commits its offset and, with an
/// exactly-once sink, its transaction). Start the same YAML on several machines sharing the checkpoint folder and
/// they split the partitions; when one dies, the others restore its partitions from their checkpoints.
/// </summary>
internal static class KafkaRun
{
    private static readonly TimeSpan ProgressEvery = TimeSpan.FromSeconds(5);

    public static async Task<int> RunAsync(PipelineConfig config, RunCommand.RunRequest request, ShutdownSignals signals, AlertHub alerts, QualityMonitorSet monitors)
    {
        var console = AnsiConsole.Console;
        var source = (KafkaSourceConfig)config.Source;
        var overrides = new RunOverrides(request.MaxEvents, request.Workers, request.CheckpointDir, line => Console.Out.WriteLine(line))
        { Alerts = alerts, Monitors = monitors };
        var startedAt = DateTimeOffset.UtcNow;
        KafkaGroupAssembly assembly;
        try
        {
            assembly = KafkaGroupFactory.Build(config, overrides);
        }
        catch (Exception e) when (e is InvalidOperationException or NotSupportedException or ArgumentException or IOException)
        {
            console.MarkupLine($"[red]cannot build the pipeline:[/] {Markup.Escape(e.Message)}");
            return RunCommand.ExitFailed;
        }
        await using var owned = assembly;
        var group = assembly.Group;
        var http = await RunCommand.StartHealthEndpointsAsync(request.HttpPort ?? config.Http.Port, console);
        await using var httpLifetime = http;
        using var timer = request.Duration is { } limit ? new Timer(_ => signals.RequestStop(), null, limit, Timeout.InfiniteTimeSpan) : null;
        using var abort = signals.Abort.Register(() => _ = group.KillAsync());
        var clock = Stopwatch.StartNew();
        console.MarkupLine($"[grey]{Markup.Escape(config.Name)}: joining group '{Markup.Escape(source.GroupId ?? config.Name)}' on topic '{Markup.Escape(source.Topic)}' ({source.Format.ToString().ToLowerInvariant()}); one pipeline per assigned partition[/]");
        group.Start();
        http?.SetReady();
        var nextProgress = ProgressEvery;
        while (!signals.Stop.IsCancellationRequested && !group.Completion.IsCompleted)
        {
            if (request.MaxEvents is { } max && group.RecordsIn >= max) break;
            await Task.WhenAny(group.Completion, Task.Delay(100, signals.Stop)).ContinueWith(_ => { }, TaskScheduler.Default);
            if (clock.Elapsed >= nextProgress)
            {
                nextProgress += ProgressEvery;
                var t = group.Totals;
                console.MarkupLine(string.Create(CultureInfo.InvariantCulture,
                    $"[grey]{clock.Elapsed.TotalSeconds:0}s: partitions [[{string.Join(',', group.AssignedPartitions)}]], {t.Records:N0} records, {t.Output:N0} results, {t.Rejected:N0} dead letters, {group.CommitsDone:N0} offset commits[/]"));
            }
        }
        http?.SetNotReady("stopping");
        try
        {
            // Graceful unless it already failed or was killed: final checkpoints, offset commits and transactions.
            if (!group.Completion.IsCompleted) await group.StopAsync();
            await group.Completion;
        }
        catch (Exception e)
        {
            console.MarkupLine($"[red]pipeline failed:[/] {Markup.Escape(e.Message)}");
            await Console.Error.WriteLineAsync(e.ToString());
            return RunCommand.ExitFailed;
        }
        await assembly.DeadLetters.FlushAsync();
        var totals = group.Totals;
        var seconds = Math.Max(1e-9, clock.Elapsed.TotalSeconds);
        var run = new RunTotals(config.Name, totals.Records, totals.Rejected, totals.Output, totals.Late, null, totals.Bytes, clock.Elapsed.TotalSeconds,
            totals.Records / seconds, Process.GetCurrentProcess().PeakWorkingSet64, signals.Received?.ToString(),
            new CheckpointTotals(totals.Checkpoints, 0, 0)) { Alerts = alerts.Published };
        var table = new Table().Border(TableBorder.Rounded).Title($"[bold]{Markup.Escape(config.Name)}[/] left the group{(run.StoppedBy is null ? "" : $" (stopped by {run.StoppedBy})")}");
        table.AddColumn("metric").AddColumn(new TableColumn("value").RightAligned());
        var inv = CultureInfo.InvariantCulture;
        table.AddRow("records parsed", totals.Records.ToString("N0", inv));
        table.AddRow("dead letters", totals.Rejected.ToString("N0", inv));
        table.AddRow("late records", totals.Late.ToString("N0", inv));
        table.AddRow("results written", totals.Output.ToString("N0", inv));
        table.AddRow("partitions assigned", group.Assignments.ToString("N0", inv));
        table.AddRow("checkpoints / offset commits", $"{totals.Checkpoints:N0} / {group.CommitsDone:N0}");
        table.AddRow("elapsed", clock.Elapsed.TotalSeconds.ToString("N2", inv) + " s");
        table.AddRow("dead-letter file", Markup.Escape(config.DeadLetter.Path));
        console.Write(table);
        if (request.SummaryJson is { } path)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
            await File.WriteAllTextAsync(path, JsonSerializer.Serialize(run, RunTotalsJson.Default.RunTotals));
        }
        if (config.RunReport is { } target)
        {
            using var reportHttp = new HttpClient();
            var report = RunReporter.Build(config, run, startedAt, DateTimeOffset.UtcNow, RunStatus.Success, assembly.SourceName);
            var error = await RunReporter.PostAsync(target, report, reportHttp);
            if (error is not null) console.MarkupLine($"[yellow]run report not accepted by {Markup.Escape(target.Url)}: {Markup.Escape(error)}[/]");
        }
        return RunCommand.ExitOk;
    }
}
