using System.Diagnostics;
using System.Globalization;
using Confluent.Kafka;

namespace Platform.Bench.Kafka;

/// <summary>
/// <c>dotnet run -c Release --project bench/Platform.Bench -- kafka [--records N] [--devices N] [--warmup N]
/// [--engines raw,platform,streamiz] [--quick]</c>: on librdkafka's mock cluster (3 brokers in-process), side by side
/// in one run, one telemetry topic of 6 partitions read by
/// (1) <see cref="KafkaRawLoop"/>: consume → produce every message as it is (one output per input; the floor of Kafka I/O);
/// (2) <see cref="KafkaPlatformJob"/>: Kafka → parse → key by device × sensor → 10 s tumbling windows → Kafka (one output per closed window);
/// (3) <see cref="KafkaStreamizJob"/>: the same job in Streamiz.Kafka.Net (one output per window update flushed).
/// All use the same consumer (read_committed, manual commits) and producer settings (acks=all, idempotence, snappy,
/// linger 5 ms, 1 MiB batches). First a warm-up round of every engine on a topic of its own (JIT tiering: the code
/// of a short run would otherwise be timed half unoptimized), then the measured round. Every output is checked
/// against the input. Prints records/s, process CPU seconds, and the ratios to raw by wall time and per CPU second.
/// </summary>
public static class KafkaBench
{
    private const int Partitions = 6;

    /// <summary>Entry point of the <c>kafka</c> command.</summary>
    public static async Task<int> RunAsync(string[] args)
    {
        var settings = KafkaBenchSettings.Parse(args);
        var rounds = await MeasureAsync(settings, Console.Out);
        Console.WriteLine();
        Console.WriteLine(Table(settings, rounds));
        return rounds.SelectMany(r => r).All(r => r.Problem is null) ? 0 : 1;
    }

    /// <summary>
    /// The table of one run: per engine the median of its measured rounds (time and CPU time each), the ratios to raw
    /// of those medians, and the ratio of every round on its own.
    /// </summary>
    public static string Table(KafkaBenchSettings settings, IReadOnlyList<IReadOnlyList<KafkaEngineResult>> rounds)
    {
        var lines = new List<string>
        {
            "| engine | what it does | records/s | ratio to raw | records per CPU s | ratio to raw (CPU) | seconds | CPU s | ratio per round (wall / CPU) | output messages | output check |",
            "|---|---|---:|---:|---:|---:|---:|---:|---|---:|---|",
        };
        var engines = rounds[0].Select(r => r.Engine).ToList();
        var raw = Median(rounds, "raw");
        foreach (var engine in engines)
        {
            var (seconds, cpu) = Median(rounds, engine);
            var runs = rounds.Select(r => r.First(e => e.Engine == engine)).ToList();
            var perRound = raw.Seconds > 0
                ? string.Join(", ", rounds.Select(r => string.Create(CultureInfo.InvariantCulture,
                    $"{r.First(e => e.Engine == "raw").Elapsed.TotalSeconds / r.First(e => e.Engine == engine).Elapsed.TotalSeconds:0.00} / {r.First(e => e.Engine == "raw").CpuSeconds / r.First(e => e.Engine == engine).CpuSeconds:0.00}")))
                : "–";
            var problems = runs.Select(r => r.Problem).Where(p => p is not null).Distinct().ToList();
            lines.Add(string.Create(CultureInfo.InvariantCulture,
                $"| {engine} | {runs[0].Description} | {settings.Records / seconds:N0} | {Ratio(raw.Seconds, seconds)} | {settings.Records / cpu:N0} | {Ratio(raw.Cpu, cpu)} | {seconds:0.00} | {cpu:0.00} | {perRound} | {runs[0].Output:N0} | {(problems.Count == 0 ? "correct" : string.Join("; ", problems))} |"));
        }
        return string.Join(Environment.NewLine, lines);

        static string Ratio(double baseline, double value) => baseline > 0 ? (baseline / value).ToString("0.00", CultureInfo.InvariantCulture) : "–";
    }

    private static (double Seconds, double Cpu) Median(IReadOnlyList<IReadOnlyList<KafkaEngineResult>> rounds, string engine)
    {
        var runs = rounds.Select(r => r.FirstOrDefault(e => e.Engine == engine)).OfType<KafkaEngineResult>().ToList();
        if (runs.Count == 0) return (0, 0);
        static double Mid(IEnumerable<double> values)
        {
            var sorted = values.Order().ToList();
            return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;
        }
        return (Mid(runs.Select(r => r.Elapsed.TotalSeconds)), Mid(runs.Select(r => r.CpuSeconds)));
    }

    /// <summary>Warm-up rounds (when asked), then the measured rounds, every output checked.</summary>
    public static async Task<IReadOnlyList<IReadOnlyList<KafkaEngineResult>>> MeasureAsync(KafkaBenchSettings settings, TextWriter log)
    {
        var root = Path.Combine(Path.GetTempPath(), "platform-kafka-bench-" + Guid.NewGuid().ToString("N"));
        try
        {
            using var cluster = new KafkaMockCluster();
            for (var round = 1; round <= settings.WarmupRounds && settings.WarmupRecords > 0; round++)
            {
                var warm = new KafkaBenchWorkload(settings.WarmupRecords, settings.Devices);
                log.WriteLine($"warm-up round {round}: {warm.Records:N0} records through every engine …");
                await RoundAsync(cluster, new KafkaBenchTopics($"warm{round}"), warm, settings, root, check: false, TextWriter.Null);
                WaitForQuietJit(log);
            }
            var workload = new KafkaBenchWorkload(settings.Records, settings.Devices);
            var rounds = new List<IReadOnlyList<KafkaEngineResult>>();
            for (var round = 1; round <= settings.Rounds; round++)
            {
                log.WriteLine($"measured round {round}: {workload.Records:N0} records of {workload.Devices:N0} devices on a {Partitions}-partition topic …");
                rounds.Add(await RoundAsync(cluster, new KafkaBenchTopics($"bench{round}"), workload, settings, root, check: true, log));
            }
            return rounds;
        }
        finally
        {
            try
            {
                Directory.Delete(root, recursive: true);
            }
            catch (IOException)
            {
            }
            catch (UnauthorizedAccessException)
            {
            }
        }
    }

    private static async Task<List<KafkaEngineResult>> RoundAsync(KafkaMockCluster cluster, KafkaBenchTopics topics, KafkaBenchWorkload workload,
        KafkaBenchSettings settings, string root, bool check, TextWriter log)
    {
        foreach (var t in new[] { topics.Input, topics.RawOutput, topics.PlatformOutput, topics.StreamizOutput }) cluster.CreateTopic(t, Partitions);
        Produce(cluster.BootstrapServers, topics.Input, workload);
        var results = new List<KafkaEngineResult>();
        var expected = check ? workload.ExpectedWindows() : null;
        foreach (var engine in settings.Engines)
        {
            var jit = System.Runtime.JitInfo.GetCompilationTime();
            var methods = System.Runtime.JitInfo.GetCompiledMethodCount();
            var cpu = CpuSeconds();
            var (description, elapsed, output, outputTopic) = engine switch
            {
                "raw" => Raw(KafkaRawLoop.Run(cluster.BootstrapServers, topics, workload.Records, root)),
                "platform" => Platform(await KafkaPlatformJob.RunAsync(cluster.BootstrapServers, topics, workload.Records, root)),
                "streamiz" => Streamiz(await KafkaStreamizJob.RunAsync(cluster, topics, Partitions, workload.Records, root)),
                _ => throw new ArgumentException($"unknown engine '{engine}' (raw, platform, streamiz)"),
            };
            var spent = CpuSeconds() - cpu;
            var compiling = System.Runtime.JitInfo.GetCompilationTime() - jit;
            var compiled = System.Runtime.JitInfo.GetCompiledMethodCount() - methods;
            string? problem = null;
            if (check)
            {
                var written = KafkaTopicReader.ReadAll(cluster.BootstrapServers, outputTopic, Partitions);
                problem = engine switch
                {
                    "raw" => KafkaBenchCheck.Raw(written, workload),
                    "platform" => KafkaBenchCheck.ClosedWindows(written, workload, expected!),
                    _ => KafkaBenchCheck.WindowUpdates(written, expected!),
                };
            }
            var r = new KafkaEngineResult(engine, description, elapsed, spent, output, problem) { JitTime = compiling };
            results.Add(r);
            log.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{r.Engine}: {r.Elapsed.TotalSeconds:0.00} s, {r.CpuSeconds:0.00} CPU s ({compiled:N0} methods compiled, {r.JitTime.TotalSeconds:0.00} s), {r.Output:N0} output messages, {r.Problem ?? (check ? "output correct" : "not checked")}"));
        }

        (string, TimeSpan, long, string) Raw((TimeSpan Elapsed, long Output) run) =>
            ("consume → produce each message as it is", run.Elapsed, run.Output, topics.RawOutput);

        (string, TimeSpan, long, string) Platform((TimeSpan Elapsed, long Output, string Diagnostics) run)
        {
            log.WriteLine("platform " + run.Diagnostics);
            return ("Kafka → parse → window → Kafka, one row per closed window", run.Elapsed, run.Output, topics.PlatformOutput);
        }

        (string, TimeSpan, long, string) Streamiz((TimeSpan Elapsed, long Output) run) =>
            ("Streamiz.Kafka.Net, same job, a row per window update", run.Elapsed, run.Output, topics.StreamizOutput);

        return results;
    }

    /// <summary>
    /// Lets the tiering compiler finish what the warm-up queued (it competes for the same cores as the next round):
    /// waits until no method was compiled for half a second, at most 20 s.
    /// </summary>
    private static void WaitForQuietJit(TextWriter log)
    {
        var clock = Stopwatch.StartNew();
        var count = System.Runtime.JitInfo.GetCompiledMethodCount();
        while (clock.Elapsed < TimeSpan.FromSeconds(20))
        {
            Thread.Sleep(500);
            var now = System.Runtime.JitInfo.GetCompiledMethodCount();
            if (now == count) break;
            count = now;
        }
        log.WriteLine($"  JIT quiet after {clock.Elapsed.TotalSeconds:0.0} s ({count:N0} methods compiled so far)");
    }

    private static double CpuSeconds() => Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds;

    /// <summary>The input: keyed by device id, stamped with the event time, produced with the job's producer settings.</summary>
    private static void Produce(string bootstrap, string topic, KafkaBenchWorkload workload)
    {
        var config = new Platform.Sinks.Kafka.KafkaSinkOptions { BootstrapServers = bootstrap, Topic = topic, Name = "bench-input" }.ToProducerConfig();
        using var producer = new ProducerBuilder<byte[], byte[]>(config).Build();
        for (var i = 0; i < workload.Records; i++)
        {
            var message = new Message<byte[], byte[]>
            {
                Key = workload.KeyOf(i), Value = workload.LineOf(i), Timestamp = new Timestamp(workload.TimeOf(i), TimestampType.CreateTime),
            };
            while (true)
            {
                try
                {
                    producer.Produce(topic, message);
                    break;
                }
                catch (ProduceException<byte[], byte[]> e) when (e.Error.Code == ErrorCode.Local_QueueFull)
                {
                    producer.Poll(TimeSpan.FromMilliseconds(10));
                }
            }
        }
        if (producer.Flush(TimeSpan.FromMinutes(2)) > 0) throw new InvalidOperationException("The input was not delivered.");
    }
}

/// <summary>Options of the <c>kafka</c> command.</summary>
public sealed record KafkaBenchSettings
{
    /// <summary>Records of the measured round.</summary>
    public int Records { get; init; } = 150_000;

    /// <summary>Devices (each reports once a second).</summary>
    public int Devices { get; init; } = 2_000;

    /// <summary>Records of the warm-up round; 0 = none.</summary>
    public int WarmupRecords { get; init; } = 100_000;

    /// <summary>Measured rounds (each engine once per round, in turn); the table shows medians.</summary>
    public int Rounds { get; init; } = 3;

    /// <summary>Warm-up rounds, each followed by a wait for the tiering compiler to go quiet.</summary>
    public int WarmupRounds { get; init; } = 3;

    /// <summary>Engines, in the order they run.</summary>
    public IReadOnlyList<string> Engines { get; init; } = ["raw", "platform", "streamiz"];

    /// <summary>Parses the command line; <c>--quick</c> = one round of 20 000 records of 200 devices, no warm-up.</summary>
    public static KafkaBenchSettings Parse(string[] args)
    {
        var s = new KafkaBenchSettings();
        if (args.Contains("--quick")) s = s with { Records = 20_000, Devices = 200, WarmupRecords = 0, Rounds = 1 };
        for (var i = 0; i + 1 < args.Length; i++)
        {
            var value = args[i + 1];
            s = args[i] switch
            {
                "--records" => s with { Records = int.Parse(value, CultureInfo.InvariantCulture) },
                "--devices" => s with { Devices = int.Parse(value, CultureInfo.InvariantCulture) },
                "--rounds" => s with { Rounds = int.Parse(value, CultureInfo.InvariantCulture) },
                "--warmup-rounds" => s with { WarmupRounds = int.Parse(value, CultureInfo.InvariantCulture) },
                "--warmup" => s with { WarmupRecords = int.Parse(value, CultureInfo.InvariantCulture) },
                "--engines" => s with { Engines = value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) },
                _ => s,
            };
        }
        return s;
    }
}

/// <summary>One engine's measured round.</summary>
/// <param name="Engine">raw, platform or streamiz.</param>
/// <param name="Description">What it does, in a few words.</param>
/// <param name="Elapsed">From subscribing to the last output acknowledged and offsets committed.</param>
/// <param name="CpuSeconds">Process CPU time over the same span (the in-process mock brokers included).</param>
/// <param name="Output">Output messages acknowledged.</param>
/// <param name="Problem">What is wrong with the output, or null when it is correct (or was not checked).</param>
public sealed record KafkaEngineResult(string Engine, string Description, TimeSpan Elapsed, double CpuSeconds, long Output, string? Problem)
{
    /// <summary>Time the JIT spent compiling during the run (all threads; part of <see cref="CpuSeconds"/>).</summary>
    public TimeSpan JitTime { get; init; }
}
