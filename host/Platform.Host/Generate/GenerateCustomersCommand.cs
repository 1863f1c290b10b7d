using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Platform.Connectors.Generator.Customers;

namespace Platform.Host.Generate;

/// <summary><c>platform generate customers</c>: Segment NDJSON of synthetic customers plus their churn labels.</summary>
internal static class GenerateCustomersCommand
{
    public static Command Create()
    {
        var users = new Option<int>("--users") { Description = "Customers to simulate.", DefaultValueFactory = _ => CustomerGeneratorOptions.DefaultUsers };
        var seed = new Option<long>("--seed") { Description = "Seed; the same seed and options give the same bytes.", DefaultValueFactory = _ => CustomerGeneratorOptions.DefaultSeed };
        var output = new Option<DirectoryInfo>("--out") { Description = "Folder for events.ndjson and labels.csv (created).", Required = true };
        var days = new Option<int>("--days") { Description = "Days of events.", DefaultValueFactory = _ => 90 };
        var churnShare = new Option<double>("--churn-share") { Description = "Share of customers who churn, 0–1.", DefaultValueFactory = _ => 0.3 };
        var batchShare = new Option<double>("--batch-share") { Description = "Share of sessions written as one Segment batch line, 0–1." };
        var malformed = new Option<double>("--malformed-share") { Description = "Share of malformed lines, 0–1." };
        var command = new Command("customers", "Write synthetic CDP customers as Segment NDJSON (DIR/events.ndjson) and who churned (DIR/labels.csv: userId,churned).");
        foreach (var o in new Option[] { users, seed, output, days, churnShare, batchShare, malformed }) command.Options.Add(o);
        command.SetAction(async (ParseResult pr, CancellationToken ct) =>
        {
            CustomerGeneratorOptions options;
            try
            {
                options = new CustomerGeneratorOptions
                {
                    Users = pr.GetValue(users),
                    Seed = pr.GetValue(seed),
                    Days = pr.GetValue(days),
                    ChurnShare = pr.GetValue(churnShare),
                    BatchShare = pr.GetValue(batchShare),
                    MalformedShare = pr.GetValue(malformed),
                }.Validate();
            }
            catch (ArgumentException e)
            {
                await Console.Error.WriteLineAsync("error: " + e.Message);
                return 2;
            }
            var dir = pr.GetValue(output)!;
            dir.Create();
            var watch = Stopwatch.StartNew();
            using var generator = new CustomerGenerator(options);
            var eventsPath = Path.Combine(dir.FullName, "events.ndjson");
            await using (var stream = new FileStream(eventsPath, FileMode.Create, FileAccess.Write, FileShare.Read, 1 << 20, FileOptions.Asynchronous))
            {
                await generator.WriteToAsync(stream, ct);
            }
            var labelsPath = Path.Combine(dir.FullName, "labels.csv");
            generator.WriteLabels(labelsPath);
            var churned = generator.Labels.Count(l => l.Churned);
            Console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"wrote {generator.Lines:N0} lines ({generator.Messages:N0} messages, {generator.MalformedLines:N0} malformed, {generator.Bytes / 1e6:F1} MB) to {eventsPath} in {watch.Elapsed.TotalSeconds:F1} s"));
            Console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"labels: {options.Users:N0} customers, {churned:N0} churned, to {labelsPath}; seed {options.Seed}"));
            return 0;
        });
        return command;
    }
}
