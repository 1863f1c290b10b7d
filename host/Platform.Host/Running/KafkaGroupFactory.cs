using Confluent.Kafka;
using Platform.Connectors.Kafka;
using Platform.Connectors.SchemaRegistry;
using Platform.Engine.Contracts;
using Platform.Engine.Records;
using Platform.Engine.Runtime;
using Platform.Host.Config;
using Platform.Host.Config.Sinks;
using Platform.Host.Config.Sources;
using Platform.Sinks.Alerts;
using Platform.Sinks.DeadLetter;
using Platform.Sinks.Kafka;

namespace Platform.Host.Running;

/// <summary>
/// Everything a run with a Kafka source owns: the consumer-group member (one pipeline per assigned partition), the
/// dead-letter file its pipelines share, the producers its at-least-once sinks share, and the Avro decoder.
/// </summary>
internal sealed class KafkaGroupAssembly : IAsyncDisposable
{
    private readonly List<IAsyncDisposable> _owned = [];
    private readonly List<IDisposable> _ownedSync = [];

    public required KafkaPipelineGroup Group { get; init; }
    public required DeadLetterFileSink DeadLetters { get; init; }
    public required string SourceName { get; init; }

    internal void Own(IAsyncDisposable d) => _owned.Add(d);
    internal void Own(IDisposable d) => _ownedSync.Add(d);

    public async ValueTask DisposeAsync()
    {
        await Group.DisposeAsync(); // leaves the group: final checkpoints and commits, then every partition's sinks are released
        for (var i = _ownedSync.Count - 1; i >= 0; i--) _ownedSync[i].Dispose();
        for (var i = _owned.Count - 1; i >= 0; i--) await _owned[i].DisposeAsync();
    }
}

/// <summary>
/// Compiles a YAML pipeline with <c>source: {type: kafka}</c>: a <see cref="KafkaPipelineGroup"/> whose factory builds,
/// for every partition assigned to this instance, the same parse → key-by → window → sinks graph
/// <see cref="PipelineFactory"/> builds for any source — with the partition's own symbol table and checkpoint folder
/// under the shared checkpoint store. At-least-once Kafka sinks share one idempotent producer; an exactly-once Kafka
/// sink gets one transactional producer per partition (<c>transactional-id</c> + "-" + partition, the Kafka Streams
/// layout: the partition's next owner fences the previous one), registered as a checkpoint participant of that
/// partition's pipeline, so each checkpoint's results commit in one transaction with the partition's offset (KIP-447).
/// </summary>
internal static class KafkaGroupFactory
{
    public static KafkaGroupAssembly Build(PipelineConfig config, RunOverrides overrides)
    {
        var source = (KafkaSourceConfig)config.Source;
        if (ChurnPipelineFactory.Handles(config))
            throw new NotSupportedException("A kafka source reads telemetry (format json or avro) in this build; churn pipelines read files, http or mqtt.");
        if (config.Sinks.OfType<DuckDbSinkConfig>().FirstOrDefault() is { } duck)
            throw new NotSupportedException($"A kafka source runs one pipeline per partition, and the duckdb file {duck.Path} takes one writer; write the results to Kafka (or console, null) instead.");
        var checkpoint = overrides.CheckpointDir is { } dir
            ? (config.Checkpoint ?? CheckpointConfig.At(dir, Environment.CurrentDirectory)) with { Dir = dir, FullPath = Path.GetFullPath(dir) }
            : config.Checkpoint ?? throw new InvalidOperationException("A kafka source needs a 'checkpoint' section: each partition's state and offset are checkpointed together there.");
        var deadLetters = new DeadLetterFileSink(new DeadLetterFileOptions { Path = overrides.DeadLetterPath ?? config.DeadLetter.FullPath });
        var owned = new List<object> { deadLetters };
        try
        {
            var ownedHub = overrides.Alerts is null ? new AlertHub(new AlertFeed()) : null;
            if (ownedHub is not null) owned.Add(ownedHub);
            var partitionOverrides = overrides with { Alerts = overrides.Alerts ?? ownedHub };
            var shared = new Dictionary<KafkaSinkConfig, KafkaProducerSession>(ReferenceEqualityComparer.Instance);
            foreach (var k in config.Sinks.OfType<KafkaSinkConfig>().Where(k => k.DeliveryGuarantee == KafkaDeliveryGuarantee.AtLeastOnce))
            {
                var session = new KafkaProducerSession(k.ToOptions());
                owned.Add(session);
                shared[k] = session;
            }
            IKafkaValueTranscoder? values = null;
            if (source.SchemaRegistry is { } registry)
            {
                var client = registry.CreateClient();
                owned.Add(client);
                var transcoder = new AvroTelemetryNdjsonTranscoder(new AvroValueDecoder(client, PlatformAvroSchemas.TelemetryReader));
                owned.Add(transcoder);
                values = transcoder;
            }
            // Per partition; a checkpoint restores only into as many workers as took it, so "one per core" means 1 here.
            var workers = overrides.Workers is > 0 ? overrides.Workers.Value : config.Runtime.Workers > 0 ? config.Runtime.Workers : 1;
            var group = new KafkaPipelineGroup(
                source.ToOptions(config.Name, checkpoint),
                new PipelineOptions { Workers = workers },
                ctx => BuildPartition(config, partitionOverrides, ctx, deadLetters, shared),
                deadLetters,
                overrides.Log,
                values);
            var assembly = new KafkaGroupAssembly { Group = group, DeadLetters = deadLetters, SourceName = "kafka:" + source.Topic };
            foreach (var o in owned)
            {
                if (o is IAsyncDisposable a) assembly.Own(a);
                else assembly.Own((IDisposable)o);
            }
            return assembly;
        }
        catch
        {
            foreach (var o in owned)
            {
                if (o is IDisposable d) d.Dispose();
                else if (o is IAsyncDisposable a) a.DisposeAsync().AsTask().GetAwaiter().GetResult();
            }
            throw;
        }
    }

    /// <summary>One assigned partition's pipeline: the YAML's graph over the partition's source, symbols and checkpoint folder.</summary>
    private static PipelineDefinition BuildPartition(PipelineConfig config, RunOverrides overrides, KafkaPartitionTaskContext ctx,
        DeadLetterFileSink deadLetters, IReadOnlyDictionary<KafkaSinkConfig, KafkaProducerSession> shared)
    {
        var checkpointDir = ctx.Options.Checkpoint!.Directory;
        var transactional = new List<ExactlyOnceSink>();
        var sinks = new List<ISink<WindowResult>>();
        try
        {
            foreach (var s in config.Sinks)
            {
                sinks.Add(s switch
                {
                    KafkaSinkConfig { DeliveryGuarantee: KafkaDeliveryGuarantee.ExactlyOnce } k => Add(transactional,
                        KafkaSinks.ExactlyOnce(k, $"{k.TransactionalId}-{ctx.Partition}", checkpointDir, ctx.Symbols, deadLetters, new PartitionOffsets(ctx))),
                    KafkaSinkConfig k => KafkaSinks.AtLeastOnce(k, shared[k], ctx.Symbols, deadLetters),
                    _ => PipelineFactory.CreateSink(s, ctx.Symbols, deadLetters),
                });
            }
        }
        catch
        {
            foreach (var sink in sinks) sink.DisposeAsync().AsTask().GetAwaiter().GetResult();
            foreach (var t in transactional) t.Session.Dispose();
            throw;
        }
        var options = ctx.Options;
        if (options.Checkpoint is { } checkpoint)
            options = options with { Checkpoint = checkpoint with { Participants = [.. checkpoint.Participants, new DeadLetterCheckpoint(deadLetters), .. transactional.Select(t => t.Session)] } };
        var log = overrides.Log;
        var assembly = PipelineFactory.Build(config, overrides with
        {
            Log = log is null ? null : line => log($"{ctx.Source.Name}: {line}"),
            Partition = new PartitionBinding(ctx.Source, ctx.Symbols, options, deadLetters, sinks),
        });
        ctx.Own(assembly); // released in this order: the assembly (its sinks), then the sessions (aborting what is still open)
        foreach (var t in transactional) ctx.Own(t.SessionLifetime);
        return assembly.Definition;
    }

    private static ISink<WindowResult> Add(List<ExactlyOnceSink> all, ExactlyOnceSink sink)
    {
        all.Add(sink);
        return sink.Sink;
    }

    /// <summary>
    /// The partition's input offset for a transaction (KIP-447): the offset the checkpoint being completed records, with
    /// the consumer group's metadata, so a member fenced by a rebalance cannot commit it.
    /// </summary>
    private sealed class PartitionOffsets(KafkaPartitionTaskContext ctx) : ITransactionalOffsetSource
    {
        public TransactionalOffsets? OffsetsForPreCommit() =>
            ctx.BarrierOffset is var offset and >= 0 && ctx.GroupMetadata is { } group
                ? new TransactionalOffsets([new TopicPartitionOffset(ctx.Topic, ctx.Partition, offset)], group)
                : null;
    }
}
