using System.Collections.Concurrent;
using System.Diagnostics;
using Platform.Connectors.Kafka;
using Platform.Engine.DeadLetters;
using Platform.Engine.Records;
using Platform.Engine.Runtime;
using Platform.Engine.Windows;
using Platform.Formats;
using Platform.Sinks.Kafka;

namespace Platform.Bench.Kafka;

/// <summary>
/// Platform's job: Kafka → parse (telemetry NDJSON) → key by device × sensor → 10 s tumbling windows (count, sum,
/// mean, min, max, variance, quantiles) → Kafka, one pipeline task per assigned partition, checkpoints every 10 s (the
/// default) and a final one per partition on stop; offsets committed when checkpoints complete. Closed windows are
/// written as they fire; open ones stay in the final checkpoint (a restart goes on with them).
/// </summary>
internal static class KafkaPlatformJob
{
    public static async Task<(TimeSpan Elapsed, long Output, string Diagnostics)> RunAsync(string bootstrap, KafkaBenchTopics topics, int records, string checkpointRoot)
    {
        var sinkOptions = new KafkaSinkOptions { BootstrapServers = bootstrap, Topic = topics.PlatformOutput };
        using var session = new KafkaProducerSession(sinkOptions);
        var failures = new CountingDeadLetterSink();
        var sinks = new ConcurrentBag<KafkaSink<WindowResult, KafkaWindowResultEncoder>>();
        var group = new KafkaPipelineGroup(
            new KafkaSourceOptions
            {
                BootstrapServers = bootstrap, Topic = topics.Input, GroupId = topics.Prefix + "-platform",
                CheckpointDirectory = Path.Combine(checkpointRoot, topics.Prefix),
            },
            new PipelineOptions(),
            ctx =>
            {
                var sink = sinkOptions.CreateSink<WindowResult, KafkaWindowResultEncoder>(new KafkaWindowResultEncoder(new SymbolUtf8Cache(ctx.Symbols)), failures, session);
                ctx.Own(sink);
                sinks.Add((KafkaSink<WindowResult, KafkaWindowResultEncoder>)sink);
                return Pipeline.Create("kafka-bench", ctx.Options)
                    .From(ctx.Source)
                    .Parse(new TelemetryNdjsonParser(ctx.Symbols))
                    .KeyBy(new TelemetrySensorKey())
                    .Window(WindowSpec.Tumbling(KafkaBenchWorkload.Window))
                    .Aggregate(new TelemetryValue())
                    .To(sink);
            });
        var clock = Stopwatch.StartNew();
        group.Start();
        var assigned = TimeSpan.Zero;
        while (group.RecordsIn < records)
        {
            if (group.Completion.IsFaulted) await group.Completion;
            if (assigned == TimeSpan.Zero && group.AssignedPartitions.Count > 0) assigned = clock.Elapsed;
            await Task.Delay(2);
        }
        var parsed = clock.Elapsed;
        await group.StopAsync(); // final checkpoint per partition: sinks flushed, offsets committed
        clock.Stop();
        var diagnostics = $"poll thread: {group.MessagesPolled:N0} messages in {group.ChunksHandedOff:N0} chunks, {group.EmptyPolls:N0} polls with no message, " +
            $"{(double)group.HandOffWaitTicks / Stopwatch.Frequency:0.00} s waiting for tasks; first partition at {assigned.TotalSeconds:0.00} s, " +
            $"every record parsed at {parsed.TotalSeconds:0.00} s, stopped (final checkpoints, flush, commit) at {clock.Elapsed.TotalSeconds:0.00} s";
        var output = sinks.Sum(s => s.Delivered);
        await group.DisposeAsync();
        if (failures.Count > 0) throw new InvalidOperationException($"platform job: {failures.Count} results refused");
        return (clock.Elapsed, output, diagnostics);
    }
}
