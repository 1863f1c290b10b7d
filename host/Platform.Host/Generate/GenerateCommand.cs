using System.CommandLine;
using System.CommandLine.Parsing;
using System.Diagnostics;
using System.Globalization;
using Platform.Connectors.Generator;

namespace Platform.Host.Generate;

/// <summary><c>platform generate telemetry</c>: writes seeded telemetry NDJSON (and the labels of its injected anomalies).</summary>
internal static class GenerateCommand
{
    public static Command Create()
    {
        var command = new Command("generate", "Generate reproducible input data.");
        command.Subcommands.Add(CreateTelemetry());
        command.Subcommands.Add(GenerateCustomersCommand.Create());
        return command;
    }

    private static Command CreateTelemetry()
    {
        var events = new Option<long>("--events") { Description = "Lines to write (valid + malformed).", DefaultValueFactory = _ => TelemetryGeneratorOptions.DefaultEvents };
        var seed = new Option<long>("--seed") { Description = "Seed; the same seed and options give the same bytes.", DefaultValueFactory = _ => TelemetryGeneratorOptions.DefaultSeed };
        var output = new Option<FileInfo>("--out") { Description = "NDJSON file to write (its directory is created).", Required = true };
        var labels = new Option<FileInfo?>("--labels") { Description = "CSV file for the injected anomalies (deviceId,sensorType,timestamp,kind)." };
        var devices = new Option<int>("--devices") { Description = "Distinct devices.", DefaultValueFactory = _ => TelemetryGeneratorOptions.DefaultDevices };
        var malformed = new Option<double>("--malformed-share") { Description = "Share of malformed lines, 0–1.", DefaultValueFactory = _ => TelemetryGeneratorOptions.DefaultMalformedShare };
        var anomalies = new Option<double>("--anomaly-share") { Description = "Share of records that start an anomaly, 0–1.", DefaultValueFactory = _ => TelemetryGeneratorOptions.DefaultAnomalyShare };
        var vectors = new Option<double>("--vector-share") { Description = "Share of x/y/z (vibration) records, 0–1.", DefaultValueFactory = _ => TelemetryGeneratorOptions.DefaultVectorShare };
        var outOfOrder = new Option<TimeSpan>("--out-of-order") { Description = "Move each record's event time back by up to this (e.g. 2s, 500ms, 1m).", CustomParser = ParseDuration };
        var lateShare = new Option<double>("--late-share") { Description = "Share of records later than --out-of-order allows, 0–1." };
        var timeStep = new Option<TimeSpan>("--time-step") { Description = "Event time between consecutive lines (e.g. 10us, 1ms).", CustomParser = ParseDuration, DefaultValueFactory = _ => TelemetryGeneratorOptions.DefaultTimeStep };

        var command = new Command("telemetry", "Write seeded IoT telemetry as NDJSON (seed schema 002 §3), with malformed lines and labelled anomalies.");
        foreach (var option in new Option[] { events, seed, output, labels, devices, malformed, anomalies, vectors, outOfOrder, lateShare, timeStep }) command.Options.Add(option);

        command.SetAction(async (ParseResult pr, CancellationToken ct) =>
        {
            var options = new TelemetryGeneratorOptions
            {
                Events = pr.GetValue(events),
                Seed = pr.GetValue(seed),
                Devices = pr.GetValue(devices),
                MalformedShare = pr.GetValue(malformed),
                AnomalyShare = pr.GetValue(anomalies),
                VectorShare = pr.GetValue(vectors),
                MaxOutOfOrder = pr.GetValue(outOfOrder),
                LateShare = pr.GetValue(lateShare),
                TimeStep = pr.GetValue(timeStep),
            };
            var outFile = pr.GetValue(output)!;
            var labelsFile = pr.GetValue(labels);
            try
            {
                if (options.Events <= 0) throw new ArgumentException("--events must be > 0.");
                options.Validate();
            }
            catch (ArgumentException e)
            {
                await Console.Error.WriteLineAsync("error: " + e.Message);
                return 2;
            }
            return await RunAsync(options, outFile, labelsFile, ct);
        });
        return command;
    }

    private static async Task<int> RunAsync(TelemetryGeneratorOptions options, FileInfo outFile, FileInfo? labelsFile, CancellationToken ct)
    {
        var generator = new TelemetryGenerator(options);
        outFile.Directory?.Create();
        var watch = Stopwatch.StartNew();
        await using (var stream = new FileStream(outFile.FullName, FileMode.Create, FileAccess.Write, FileShare.Read, 1 << 20, FileOptions.Asynchronous))
        {
            await generator.WriteToAsync(stream, ct);
        }
        var seconds = watch.Elapsed.TotalSeconds;
        if (labelsFile is not null) generator.WriteLabels(labelsFile.FullName);
        var ic = CultureInfo.InvariantCulture;
        Console.Out.WriteLine(string.Create(ic,
            $"wrote {generator.Lines:N0} lines to {outFile.FullName}: {generator.ValidRecords:N0} valid, {generator.MalformedLines:N0} malformed, {generator.Anomalies:N0} anomalies, {generator.LateRecords:N0} late"));
        Console.Out.WriteLine(string.Create(ic,
            $"{generator.Bytes / 1e6:F1} MB in {seconds:F2} s ({generator.Bytes / 1e6 / Math.Max(seconds, 1e-9):F0} MB/s, {generator.Lines / 1e6 / Math.Max(seconds, 1e-9):F2} M lines/s), seed {options.Seed}"));
        if (labelsFile is not null) Console.Out.WriteLine($"labels: {generator.Labels.Count:N0} rows to {labelsFile.FullName}");
        return 0;
    }

    /// <summary>Parses "2s", "500ms", "10us", "1.5m", "1h" or a TimeSpan ("00:00:02").</summary>
    internal static TimeSpan ParseDuration(ArgumentResult result)
    {
        var text = result.Tokens.Count == 1 ? result.Tokens[0].Value.Trim() : "";
        if (TryParseDuration(text, out var value)) return value;
        result.AddError($"'{text}' is not a duration: write a number and a unit (us, ms, s, m, h), e.g. 2s or 500ms.");
        return TimeSpan.Zero;
    }

    internal static bool TryParseDuration(string text, out TimeSpan value)
    {
        value = TimeSpan.Zero;
        (string Suffix, double Ticks)[] units = [("us", 10), ("ms", TimeSpan.TicksPerMillisecond), ("s", TimeSpan.TicksPerSecond), ("m", TimeSpan.TicksPerMinute), ("h", TimeSpan.TicksPerHour)];
        foreach (var (suffix, ticks) in units)
        {
            if (text.Length > suffix.Length && text.EndsWith(suffix, StringComparison.OrdinalIgnoreCase)
                && double.TryParse(text.AsSpan(0, text.Length - suffix.Length), NumberStyles.Float, CultureInfo.InvariantCulture, out var n)
                && n >= 0 && n * ticks < TimeSpan.MaxValue.Ticks)
            {
                // "ms" also ends in "s": only accept when the number before the suffix parses.
                value = TimeSpan.FromTicks((long)Math.Round(n * ticks));
                return true;
            }
        }
        return TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out value) && value >= TimeSpan.Zero;
    }
}
