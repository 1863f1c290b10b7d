using System.Diagnostics;
using System.Globalization;
using Platform.Connectors.Generator;
using Platform.Engine.Checkpoints;
using Platform.Engine.Records;
using Platform.Engine.Runtime;
using Platform.Engine.Symbols;
using Platform.Engine.Windows;
using Platform.Formats;
using Platform.Sinks.Null;

namespace Platform.Bench.Checkpoints;

/// <summary>
/// <c>dotnet run -c Release --project bench/Platform.Bench -- checkpoints [--keys 1000000] [--seconds 30] [--interval 10s] [--workers 0]</c>:
/// the iot-anomaly job (generator → parse → key by device×sensor → windows → aggregate → null sink) with 1-hour
/// windows, so every key's window stays open and the state holds <c>--keys</c> keys; run for the same time without
/// and with checkpoints every <c>--interval</c> (side by side, one process), then restarted from the last
/// checkpoint. Prints records/s of both, their ratio (baseline measured before and after, averaged), checkpoint sizes and durations, and the restart time.
/// </summary>
internal static class CheckpointBench
{
    public static async Task<int> RunAsync(string[] args)
    {
        var keys = Arg(args, "--keys", 1_000_000);
        var seconds = Arg(args, "--seconds", 30);
        var intervalSeconds = Arg(args, "--interval", 10);
        var workers = (int)Arg(args, "--workers", 0);
        var dir = Path.Combine(Path.GetTempPath(), "platform-chk-bench-" + Environment.ProcessId.ToString(CultureInfo.InvariantCulture));
        try
        {
            Console.WriteLine(FormattableString.Invariant($"checkpoint benchmark: {keys:N0} keys, {seconds} s per run, checkpoint every {intervalSeconds} s, workers {(workers == 0 ? Environment.ProcessorCount : workers)}, load avg {LoadAverage()}"));
            var without = await RunJobAsync(keys, seconds, workers, null);
            Console.WriteLine(FormattableString.Invariant($"  without checkpoints: {without.Rate,12:N0} records/s ({without.Records:N0} records)"));
            var options = new CheckpointOptions { Directory = dir, Interval = TimeSpan.FromSeconds(intervalSeconds), Retain = 2 };
            var with = await RunJobAsync(keys, seconds, workers, options);
            Console.WriteLine(FormattableString.Invariant($"  with checkpoints:    {with.Rate,12:N0} records/s ({with.Records:N0} records, {with.Stats.CheckpointsCompleted} checkpoints incl. the final one)"));
            Console.WriteLine(FormattableString.Invariant($"  last checkpoint: {with.Stats.LastCheckpointBytes / 1048576.0:N1} MiB, took {with.Stats.LastCheckpointDuration.TotalMilliseconds:N0} ms (alignment {with.Stats.LastAlignmentTime.TotalMilliseconds:N1} ms)"));
            // A/B/A: the machine is shared, so the baseline is measured before and after and averaged.
            var after = await RunJobAsync(keys, seconds, workers, null);
            Console.WriteLine(FormattableString.Invariant($"  without (again):     {after.Rate,12:N0} records/s ({after.Records:N0} records)"));
            var baseline = (without.Rate + after.Rate) / 2;
            var stalled = with.Stats.LastCheckpointDuration.TotalSeconds * (with.Stats.CheckpointsCompleted - 1) / seconds;
            Console.WriteLine(FormattableString.Invariant($"  time inside checkpoints: {stalled:P1} of the run (upper bound of their cost)"));
            var cost = 1 - with.Rate / baseline;
            Console.WriteLine(FormattableString.Invariant($"  throughput cost of checkpoints: {cost:P1} (target < 10%)"));
            var restart = await RestartAsync(keys, workers, options);
            Console.WriteLine(FormattableString.Invariant($"  restart with {keys:N0} keys of state: {restart.TotalMilliseconds:N0} ms to verify, restore and resume (target < 2 s)"));
            Console.WriteLine(FormattableString.Invariant($"  load avg after: {LoadAverage()}"));
            return 0;
        }
        finally
        {
            try { Directory.Delete(dir, recursive: true); } catch (IOException) { }
        }
    }

    private sealed record JobRun(long Records, double Rate, PipelineStats Stats);

    private static (PipelineDefinition Definition, ResumableGenerator Source) Build(long keys, int workers, CheckpointOptions? checkpoint, bool endAfterFirstRead = false)
    {
        var symbols = new SymbolTable();
        var generator = new TelemetryGeneratorSource(new TelemetryGeneratorOptions
        {
            Events = 0,
            Devices = (int)Math.Max(1, keys / 4),
            MalformedShare = 0,
            VectorShare = 0,
            AnomalyShare = 0,
        });
        var source = new ResumableGenerator(generator) { EndAfterFirstRead = endAfterFirstRead };
        var options = new PipelineOptions
        {
            Workers = workers,
            Checkpoint = checkpoint is null ? null : checkpoint with { Participants = [new SymbolTableCheckpoint(symbols)] },
        };
        var definition = Pipeline.Create("checkpoint-bench", options)
            .From(source)
            .Parse(new TelemetryNdjsonParser(symbols))
            .KeyBy(default(TelemetrySensorKey))
            .Window(WindowSpec.Tumbling(TimeSpan.FromHours(1)))
            .Aggregate(default(TelemetryValue))
            .To(new NullSink<WindowResult>());
        return (definition, source);
    }

    private static async Task<JobRun> RunJobAsync(long keys, long seconds, int workers, CheckpointOptions? checkpoint)
    {
        var (definition, _) = Build(keys, workers, checkpoint);
        using var stop = new CancellationTokenSource();
        var running = definition.Start(stop.Token);
        var clock = Stopwatch.StartNew();
        await Task.Delay(TimeSpan.FromSeconds(seconds));
        var records = running.Stats.Records;
        var elapsed = clock.Elapsed.TotalSeconds;
        await stop.CancelAsync();
        await running.Completion;
        return new JobRun(records, records / elapsed, running.Stats);
    }

    private static async Task<TimeSpan> RestartAsync(long keys, int workers, CheckpointOptions checkpoint)
    {
        GC.Collect();
        var (definition, source) = Build(keys, workers, checkpoint with { Interval = TimeSpan.FromHours(1) }, endAfterFirstRead: true);
        var start = Stopwatch.GetTimestamp();
        using var stop = new CancellationTokenSource();
        var running = definition.Start(stop.Token);
        while (source.FirstRead == 0 && !running.Completion.IsCompleted) await Task.Delay(1);
        var ready = Stopwatch.GetElapsedTime(start, source.FirstRead);
        await stop.CancelAsync();
        await running.Completion;
        if (running.Stats.RestoredCheckpointId == 0) throw new InvalidOperationException("the restart did not restore a checkpoint");
        return ready;
    }

    /// <summary>A whole number; a trailing <c>s</c> (seconds) is allowed.</summary>
    private static long Arg(string[] args, string name, long fallback) =>
        long.Parse(BenchArgs.Value(args, name, fallback.ToString(CultureInfo.InvariantCulture)).TrimEnd('s'), CultureInfo.InvariantCulture);

    private static string LoadAverage()
    {
        try { return File.ReadAllText("/proc/loadavg").Split(' ')[0]; } catch (IOException) { return "?"; }
    }
}
