using System.CommandLine;
using System.Globalization;
using Platform.Operators.Anomaly;
using Spectre.Console;

namespace Platform.Host.Nab;

/// <summary><c>platform nab run|score</c>: the Numenta Anomaly Benchmark through the engine, and its scoring.</summary>
internal static class NabCommand
{
    public static Command Create()
    {
        var nab = new Command("nab", "Numenta Anomaly Benchmark: score a detector on the corpus and evaluate it with NAB's rules.");
        nab.Subcommands.Add(CreateRun());
        nab.Subcommands.Add(CreateScore());
        return nab;
    }

    private static Command CreateRun()
    {
        var data = new Option<string>("--data") { Description = "NAB folder (with data/, combined_windows.json) or its data/ folder.", Required = true };
        var output = new Option<string>("--out") { Description = "Results folder: <out>/<detector>/<category>/<detector>_<file>.csv.", Required = true };
        var detector = new Option<string>("--detector") { Description = $"Detector: {string.Join(", ", AnomalyDetectorNames.All.Select(d => d.Name))}, or all.", DefaultValueFactory = _ => "ensemble" };
        var workers = new Option<int>("--workers") { Description = "Engine workers (0 = one per core).", DefaultValueFactory = _ => 2 };
        var set = new Option<string[]>("--set") { Description = "Override a detector option for every file, e.g. --set RobustWindow=64 (repeatable).", AllowMultipleArgumentsPerToken = true };
        var command = new Command("run", "Feeds every NAB CSV through the engine and the anomaly operator; writes NAB result files.");
        command.Options.Add(data);
        command.Options.Add(output);
        command.Options.Add(detector);
        command.Options.Add(workers);
        command.Options.Add(set);
        command.SetAction(async (parse, ct) =>
        {
            var corpus = NabCorpus.Load(parse.GetValue(data)!);
            var overrides = parse.GetValue(set) ?? [];
            var name = parse.GetValue(detector)!;
            string[] names = name.Equals("all", StringComparison.OrdinalIgnoreCase) ? [.. AnomalyDetectorNames.All.Select(d => d.Name)] : [name];
            foreach (var d in names)
            {
                var options = NabOptionOverrides.Apply(NabRunner.OptionsFor(d), overrides);
                var (result, files) = await NabRunner.RunAsync(corpus, parse.GetValue(output)!, d.ToLowerInvariant(), options, parse.GetValue(workers), ct);
                AnsiConsole.MarkupLineInterpolated(CultureInfo.InvariantCulture,
                    $"[green]{d}[/]: {result.RecordsIn:N0} rows, {files.Count} files, {result.Rejected} rejected, {result.Late} late, {result.Elapsed.TotalSeconds:F2} s ({result.RecordsPerSecond:N0} rows/s)");
            }
            return 0;
        });
        return command;
    }

    private static Command CreateScore()
    {
        var results = new Option<string>("--results") { Description = "Results folder written by 'nab run'.", Required = true };
        var data = new Option<string>("--data") { Description = "NAB folder with data/, combined_windows.json and profiles.json.", Required = true };
        var detector = new Option<string?>("--detector") { Description = "Score only this detector (default: every detector folder in --results)." };
        var perFile = new Option<bool>("--per-file") { Description = "Print the per-file table (standard profile).", DefaultValueFactory = _ => true };
        var command = new Command("score", "Scores result files with NAB's rules: standard, reward_low_FP_rate, reward_low_FN_rate.");
        command.Options.Add(results);
        command.Options.Add(data);
        command.Options.Add(detector);
        command.Options.Add(perFile);
        command.SetAction(parse =>
        {
            if (Console.IsOutputRedirected) AnsiConsole.Profile.Width = 160;
            var corpus = NabCorpus.Load(parse.GetValue(data)!);
            if (corpus.Profiles.Count == 0) throw new InvalidOperationException("profiles.json not found next to the data folder.");
            var root = parse.GetValue(results)!;
            var only = parse.GetValue(detector);
            var detectors = only is not null ? [only] : Directory.GetDirectories(root).Select(Path.GetFileName).OfType<string>().Order(StringComparer.Ordinal).ToArray();
            var summary = new Table().Title("NAB scores (normalised; null = 0, perfect = 100)")
                .AddColumns("detector", "standard", "reward_low_FP_rate", "reward_low_FN_rate", "threshold (standard)");
            var perFileTables = new List<Table>();
            foreach (var d in detectors)
            {
                var series = NabResults.Load(corpus, root, d);
                var scores = corpus.Profiles.Select(p => NabScorer.Score(series, p)).ToList();
                string Col(string profile) => scores.FirstOrDefault(s => s.Profile == profile)?.Normalized.ToString("F1", CultureInfo.InvariantCulture) ?? "-";
                var standard = scores.FirstOrDefault(s => s.Profile == "standard") ?? scores[0];
                summary.AddRow(d, Col("standard"), Col("reward_low_FP_rate"), Col("reward_low_FN_rate"),
                    double.IsPositiveInfinity(standard.Threshold) ? "none" : standard.Threshold.ToString("G6", CultureInfo.InvariantCulture));
                if (parse.GetValue(perFile)) perFileTables.Add(PerFileTable(d, standard));
            }
            foreach (var t in perFileTables) AnsiConsole.Write(t);
            AnsiConsole.Write(summary);
            return 0;
        });
        return command;
    }

    private static Table PerFileTable(string detector, NabProfileScore score)
    {
        var table = new Table().Title($"{detector}: per file, {score.Profile}, threshold {score.Threshold.ToString("G6", CultureInfo.InvariantCulture)}")
            .AddColumns("file", "rows", "windows", "detected", "FP rows", "raw", "normalised");
        foreach (var f in score.Files)
        {
            table.AddRow(Markup.Escape(Path.GetFileNameWithoutExtension(f.Id)), f.Rows.ToString(CultureInfo.InvariantCulture), f.Windows.ToString(CultureInfo.InvariantCulture),
                f.Detected.ToString(CultureInfo.InvariantCulture), f.FalsePositives.ToString(CultureInfo.InvariantCulture),
                f.Raw.ToString("F3", CultureInfo.InvariantCulture), double.IsNaN(f.Normalized) ? "-" : f.Normalized.ToString("F1", CultureInfo.InvariantCulture));
        }
        table.AddRow("[bold]total[/]", score.Files.Sum(f => f.Rows).ToString(CultureInfo.InvariantCulture), score.Files.Sum(f => f.Windows).ToString(CultureInfo.InvariantCulture),
            score.Files.Sum(f => f.Detected).ToString(CultureInfo.InvariantCulture), score.Files.Sum(f => f.FalsePositives).ToString(CultureInfo.InvariantCulture),
            score.Raw.ToString("F3", CultureInfo.InvariantCulture), score.Normalized.ToString("F1", CultureInfo.InvariantCulture));
        return table;
    }
}
