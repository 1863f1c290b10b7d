using System.CommandLine;
using System.Globalization;
using Spectre.Console;

namespace Platform.Host.Dlq;

/// <summary><c>platform dlq inspect &lt;file&gt;</c>: dead letters by reason, with counts and samples.</summary>
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
        return dlq;
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
