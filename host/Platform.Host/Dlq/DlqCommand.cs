using System.CommandLine;
using System.Globalization;
using Spectre.Console;

namespace Platform.Host.Dlq;

/// <summary>
/// <c>platform dlq inspect &lt;file&gt;</c>: dead letters by reason, with counts and samples;
/// <c>platform dlq replay &lt;file&gt; --to &lt;pipeline.yaml&gt;</c>: re-inject them after a fix, once each.
/// </summary>
internal static class DlqCommand
{
    public const int ExitOk = 0;
    public const int ExitMissing = 2;

    public static Command Create()
    {
        var file = new Argument<string>("file") { Description = "The dead-letter NDJSON file (the pipeline's dead-letter.path)." };
        var samples = new Option<int>("--samples") { Description = "Sample records shown per reason.", DefaultValueFactory = _ => DeadLetterReport.DefaultSamples };
        var inspect = new Command("inspect", "Summarise a dead-letter file: reasons, counts, sources, time range and sample records.");
        inspect.Arguments.Add(file);
        inspect.Options.Add(samples);
        inspect.SetAction((ParseResult pr) => Inspect(pr.GetValue(file) ?? "", Math.Max(0, pr.GetValue(samples)), AnsiConsole.Console));
        var dlq = new Command("dlq", "Dead-letter queue tools.");
        dlq.Subcommands.Add(inspect);
        dlq.Subcommands.Add(CreateReplay());
        return dlq;
    }

    private static Command CreateReplay()
    {
        var file = new Argument<string>("file") { Description = "The dead-letter NDJSON file." };
        var to = new Option<string>("--to") { Description = "The (fixed) pipeline YAML whose parser, steps and sinks take the records.", Required = true };
        var workers = new Option<int?>("--workers") { Description = "Worker threads (overrides runtime.workers)." };
        var replay = new Command("replay", "Re-inject dead letters into a pipeline after a fix, once each (de-duplicated by source position; landed ones are kept in <file>.replayed).");
        replay.Arguments.Add(file);
        replay.Options.Add(to);
        replay.Options.Add(workers);
        replay.SetAction(async (ParseResult pr, CancellationToken ct) =>
            await ReplayAsync(pr.GetValue(file) ?? "", pr.GetValue(to) ?? "", pr.GetValue(workers), AnsiConsole.Console, Console.Error, ct));
        return replay;
    }

    /// <summary>Runs a replay and prints what it did.</summary>
    internal static async Task<int> ReplayAsync(string path, string pipeline, int? workers, IAnsiConsole console, TextWriter errors, CancellationToken cancellationToken = default)
    {
        if (!File.Exists(path))
        {
            console.MarkupLine($"[red]no such dead-letter file:[/] {Markup.Escape(path)}");
            return ExitMissing;
        }
        var loaded = Config.PipelineConfigLoader.Load(pipeline);
        if (loaded.Config is not { } config)
        {
            return Cli.ValidateCommand.Run(pipeline, errors);
        }
        ReplayResult result;
        try
        {
            result = await DlqReplay.RunAsync(path, config, errors, workers, cancellationToken);
        }
        catch (Exception e) when (e is InvalidOperationException or NotSupportedException or ArgumentException or IOException)
        {
            console.MarkupLine($"[red]cannot replay:[/] {Markup.Escape(e.Message)}");
            return 1;
        }
        var inv = CultureInfo.InvariantCulture;
        var table = new Table().Border(TableBorder.Rounded).Title($"[bold]replay of {Markup.Escape(path)}[/] into {Markup.Escape(config.Name)}");
        table.AddColumn("dead letters").AddColumn(new TableColumn("count").RightAligned());
        table.AddRow("read", result.Entries.ToString("N0", inv));
        table.AddRow("duplicates (same source position)", result.Duplicates.ToString("N0", inv));
        table.AddRow("already replayed", result.AlreadyReplayed.ToString("N0", inv));
        table.AddRow("[green]replayed now[/]", result.Replayed.ToString("N0", inv));
        table.AddRow(result.FailedAgain > 0 ? "[yellow]failed again[/]" : "failed again", result.FailedAgain.ToString("N0", inv));
        table.AddRow("results written", result.RecordsOut.ToString("N0", inv));
        console.Write(table);
        if (result.FailedAgain > 0) console.MarkupLine($"records that failed again are in {Markup.Escape(result.FailedPath)}; fix and replay again");
        return ExitOk;
    }

    /// <summary>Prints the report of <paramref name="path"/> to <paramref name="console"/>.</summary>
    internal static int Inspect(string path, int samples, IAnsiConsole console)
    {
        if (!File.Exists(path))
        {
            console.MarkupLine($"[red]no such dead-letter file:[/] {Markup.Escape(path)}");
            return ExitMissing;
        }
        var report = DeadLetterReport.Read(path, samples);
        Render(report, console);
        return ExitOk;
    }

    internal static void Render(DeadLetterReport report, IAnsiConsole console)
    {
        var inv = CultureInfo.InvariantCulture;
        console.MarkupLine($"[bold]{Markup.Escape(report.Path)}[/]: {report.Total.ToString("N0", inv)} dead letter(s), {report.Reasons.Count} reason(s)");
        if (report.Unreadable > 0)
        {
            console.MarkupLine($"[yellow]{report.Unreadable.ToString("N0", inv)} unreadable line(s)[/] (first at line {string.Join(", ", report.UnreadableLines)})");
        }
        if (report.Reasons.Count == 0) return;

        var summary = new Table().Border(TableBorder.Rounded).Title("[bold]by reason[/]");
        summary.AddColumn("reason").AddColumn(new TableColumn("count").RightAligned()).AddColumn(new TableColumn("share").RightAligned())
            .AddColumn("sources").AddColumn("first").AddColumn("last");
        foreach (var r in report.Reasons)
        {
            summary.AddRow(Markup.Escape(r.Reason), r.Count.ToString("N0", inv),
                (100.0 * r.Count / Math.Max(1, report.Total)).ToString("0.0", inv) + " %",
                Markup.Escape(string.Join(", ", r.Sources)), Time(r.First), Time(r.Last));
        }
        console.Write(summary);

        if (report.Reasons.All(r => r.Samples.Count == 0)) return;
        var samples = new Table().Border(TableBorder.Rounded).Title("[bold]samples[/]");
        samples.AddColumn("reason").AddColumn("source").AddColumn(new TableColumn("partition").RightAligned())
            .AddColumn(new TableColumn("position").RightAligned()).AddColumn("raw");
        foreach (var r in report.Reasons)
        {
            foreach (var s in r.Samples)
            {
                samples.AddRow(Markup.Escape(r.Reason), Markup.Escape(s.Source), s.Partition.ToString(inv), s.Position.ToString(inv), Markup.Escape(s.Preview()));
            }
        }
        console.Write(samples);
    }

    private static string Time(DateTimeOffset? t) => t?.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture) ?? "–";
}
