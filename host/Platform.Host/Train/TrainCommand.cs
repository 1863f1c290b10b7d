using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using nietras.SeparatedValues;
using Platform.Operators.Churn;

namespace Platform.Host.Train;

/// <summary><c>platform train churn</c>: features from Segment events, labels from CSV, an ML.NET classifier, its held-out metrics.</summary>
internal static class TrainCommand
{
    public static Command Create()
    {
        var command = new Command("train", "Train models from recorded events.");
        command.Subcommands.Add(CreateChurn());
        return command;
    }

    private static Command CreateChurn()
    {
        var events = new Option<FileInfo>("--events") { Description = "Segment NDJSON events (e.g. from 'platform generate customers').", Required = true };
        var labels = new Option<FileInfo>("--labels") { Description = "CSV with a header: userId,churned (1/0 or true/false).", Required = true };
        var output = new Option<FileInfo>("--out") { Description = "Model file to write (a zip; replaced atomically, so a running pipeline picks it up).", Required = true };
        var learner = new Option<ChurnLearner>("--trainer") { Description = "FastTree or LightGbm.", DefaultValueFactory = _ => ChurnLearner.FastTree };
        var trees = new Option<int>("--trees") { Description = "Boosted trees.", DefaultValueFactory = _ => 150 };
        var testFraction = new Option<double>("--test-fraction") { Description = "Share of customers held out for the metrics.", DefaultValueFactory = _ => 0.2 };
        var seed = new Option<int>("--seed") { Description = "Seed of the split and the learner.", DefaultValueFactory = _ => 1 };
        var command = new Command("churn", "Train the churn classifier and print AUC, precision/recall at 0.4 and 0.7, and feature importances.");
        foreach (var o in new Option[] { events, labels, output, learner, trees, testFraction, seed }) command.Options.Add(o);
        command.SetAction((ParseResult pr) =>
        {
            var options = new ChurnTrainingOptions
            {
                Learner = pr.GetValue(learner),
                Trees = pr.GetValue(trees),
                TestFraction = pr.GetValue(testFraction),
                Seed = pr.GetValue(seed),
            };
            return Run(pr.GetValue(events)!, pr.GetValue(labels)!, pr.GetValue(output)!, options);
        });
        return command;
    }

    private static int Run(FileInfo events, FileInfo labelsFile, FileInfo output, ChurnTrainingOptions options)
    {
        var ic = CultureInfo.InvariantCulture;
        if (!events.Exists || !labelsFile.Exists)
        {
            Console.Error.WriteLine($"error: {(!events.Exists ? events.FullName : labelsFile.FullName)} does not exist.");
            return 2;
        }
        if (options.Trees < 1 || !(options.TestFraction > 0 && options.TestFraction < 1))
        {
            Console.Error.WriteLine("error: --trees must be ≥ 1 and --test-fraction within (0, 1).");
            return 2;
        }
        var watch = Stopwatch.StartNew();
        Dictionary<string, bool> labels;
        try
        {
            labels = ReadLabels(labelsFile.FullName);
        }
        catch (FormatException e)
        {
            Console.Error.WriteLine($"error: {labelsFile.FullName}: {e.Message}");
            return 2;
        }
        var dataset = ChurnDataset.FromEvents(events.FullName);
        var rows = dataset.Join(labels, out var unmatched);
        Console.Out.WriteLine(string.Create(ic, $"features: {dataset.Features.Count:N0} customers from {dataset.Messages:N0} messages ({dataset.Rejected:N0} rejected) at {DateTimeOffset.FromUnixTimeMilliseconds(dataset.EndTime):u} in {watch.Elapsed.TotalSeconds:F1} s"));
        Console.Out.WriteLine(string.Create(ic, $"labels: {labels.Count:N0} ({labels.Values.Count(v => v):N0} churned); {rows.Count:N0} matched, {unmatched:N0} without events"));
        ChurnTrainingResult result;
        try
        {
            result = ChurnTrainer.Train(rows, options);
        }
        catch (ArgumentException e)
        {
            Console.Error.WriteLine("error: " + e.Message);
            return 2;
        }
        ChurnModelFile.Save(new Microsoft.ML.MLContext(options.Seed), result.Model.Model, result.Schema, result.Model.Info, output.FullName);
        Console.Out.WriteLine(string.Create(ic, $"trained {result.Model.Info.Trainer} on {result.TrainRows:N0} customers, evaluated on {result.TestRows:N0} held out, in {watch.Elapsed.TotalSeconds:F1} s"));
        Console.Out.WriteLine(string.Create(ic, $"AUC: {result.Auc:F4}"));
        foreach (var c in result.Cutoffs) Console.Out.WriteLine(string.Create(ic, $"cut-off {c.Cutoff:F1}: precision {c.Precision:F3}, recall {c.Recall:F3}"));
        Console.Out.WriteLine("feature importances (share of gain):");
        foreach (var (feature, importance) in result.Importances) Console.Out.WriteLine(string.Create(ic, $"  {feature,-26} {importance:F3}"));
        Console.Out.WriteLine($"model {result.Model.Info.Version} written to {output.FullName}");
        return 0;
    }

    /// <summary>Reads <c>userId,churned</c>; churned is 1/0 or true/false.</summary>
    internal static Dictionary<string, bool> ReadLabels(string path)
    {
        var labels = new Dictionary<string, bool>(StringComparer.Ordinal);
        using var reader = Sep.Reader(o => o with { Sep = new Sep(',') }).FromFile(path);
        if (!reader.Header.ColNames.Contains("userId") || !reader.Header.ColNames.Contains("churned"))
        {
            throw new FormatException("the header must name the columns userId and churned");
        }
        foreach (var row in reader)
        {
            var value = row["churned"].Span.Trim();
            labels[row["userId"].ToString()] = value switch
            {
                "1" or "true" or "True" or "TRUE" => true,
                "0" or "false" or "False" or "FALSE" => false,
                _ => throw new FormatException($"line {row.LineNumberFrom}: churned must be 1/0 or true/false, got '{value}'"),
            };
        }
        return labels;
    }
}
