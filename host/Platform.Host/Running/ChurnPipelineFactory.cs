using Platform.Engine.Checkpoints;
using Platform.Engine.Contracts;
using Platform.Engine.Records;
using Platform.Engine.Runtime;
using Platform.Engine.Symbols;
using Platform.Formats.Segment;
using Platform.Host.Config;
using Platform.Host.Config.Steps;
using Platform.Operators.Churn;
using Platform.Sinks.Churn;
using Platform.Sinks.DeadLetter;
using Platform.Host.Config.Sinks;
using Platform.Sinks.Alerts;
using Platform.Sinks.DuckDb;
using Platform.Sinks.Null;
using Platform.Sinks.Parquet;
using Platform.Sinks.Postgres;

namespace Platform.Host.Running;

/// <summary>
/// Compiles a churn pipeline (format segment-json, steps churn-features → churn-score): Segment parse → identity
/// resolution (fused) → key by customer → features and scores in one keyed operator → profile updates to the sinks.
/// </summary>
internal static class ChurnPipelineFactory
{
    /// <summary>True when <paramref name="config"/> describes a churn pipeline.</summary>
    public static bool Handles(PipelineConfig config) =>
        config.Format == RecordFormat.SegmentJson || config.Steps.Any(s => s is ChurnFeaturesStepConfig or ChurnScoreStepConfig);

    public static PipelineAssembly Build(PipelineConfig config, RunOverrides overrides)
    {
        if (config.Format != RecordFormat.SegmentJson)
        {
            throw new NotSupportedException("churn-features and churn-score read customer events: set 'format: segment-json'.");
        }
        var features = config.Steps.OfType<ChurnFeaturesStepConfig>().SingleOrDefault()
            ?? throw new NotSupportedException("A segment-json pipeline runs churn-features (then churn-score): add '- op: churn-features' to steps.");
        if (config.Steps.Any(s => s is not (ChurnFeaturesStepConfig or ChurnScoreStepConfig)))
        {
            throw new NotSupportedException($"A churn pipeline takes only churn-features and churn-score steps, not {string.Join(", ", config.Steps.Where(s => s is not (ChurnFeaturesStepConfig or ChurnScoreStepConfig)).Select(s => s.Op))}.");
        }
        if (config.Source is GeneratorSourceConfig)
        {
            throw new NotSupportedException("The 'generator' source writes telemetry; customer events come from 'type: customers' (or a file, http or mqtt source of Segment lines).");
        }
        var score = config.Steps.OfType<ChurnScoreStepConfig>().SingleOrDefault();
        var symbols = new SymbolTable();
        var identities = new IdentityGraph();
        var deadLetters = new DeadLetterFileSink(new DeadLetterFileOptions { Path = overrides.DeadLetterPath ?? config.DeadLetter.FullPath });
        var ownedHub = overrides.Alerts is null ? new AlertHub(new AlertFeed()) : null;
        var hub = overrides.Alerts ?? ownedHub!;
        var checkpoint = PipelineFactory.ResolveCheckpoint(config, overrides);
        var (source, validRecords) = config.Source is Config.Sources.CustomersSourceConfig c
            ? CreateGenerator(c, config)
            : PipelineFactory.CreateSource(config, overrides);
        var options = PipelineFactory.BaseOptions(config, overrides, deadLetters, checkpoint, [new SymbolTableCheckpoint(symbols), new DeadLetterCheckpoint(deadLetters), identities]);
        var log = overrides.Log ?? (line => Console.Error.WriteLine(line));
        var models = new ChurnModelSource(score?.FullModelPath, score?.Poll ?? TimeSpan.Zero, log);
        var scoring = new ChurnScoringOptions
        {
            ScoreChangedEvery = features.ScoreChangedEvery,
            RescoreEvery = features.RescoreEvery,
            MinChange = score?.MinChange ?? 0.01,
        };
        var sinks = config.Sinks.Select(s => CreateSink(s, symbols)).ToArray();
        var definition = Pipeline.Create(config.Name, options)
            .From(source, source.Name)
            .Parse(new SegmentNdjsonParser<CdpProjection>(symbols), default(CustomerEventTime), "parse segment")
            .Apply(new ResolveIdentities(identities), "resolve identities")
            .KeyBy(default(CustomerProfileKey), "key-by customer")
            .Process(() => new ChurnScoringOperator(symbols, models, identities, scoring), "churn features → score")
            .To(sinks);
        var assembly = new PipelineAssembly
        {
            Definition = definition,
            Symbols = symbols,
            Source = source,
            DeadLetters = deadLetters,
            Alerts = hub,
            SourceValidRecords = validRecords,
        };
        if (ownedHub is not null) assembly.Own(ownedHub);
        assembly.Own(deadLetters);
        assembly.Own(source);
        assembly.Own(new DisposeAction(models.Dispose));
        foreach (var s in sinks) assembly.Own(s);
        return assembly;
    }

    private static (IChunkSource, Func<long>?) CreateGenerator(Config.Sources.CustomersSourceConfig c, PipelineConfig config)
    {
        var generator = new Platform.Connectors.Generator.Customers.CustomerGeneratorSource(c.ToOptions(), (int)config.Runtime.ChunkSize, c.Rate);
        return (generator, () => generator.MessagesEmitted); // malformed lines are not counted as messages
    }

    private static ISink<CustomerProfileUpdate> CreateSink(SinkConfig config, SymbolTable symbols) => config switch
    {
        DuckDbSinkConfig { Mode: SinkWriteMode.Upsert } d => new DuckDbUpsertSink<CustomerProfileUpdate, CustomerProfilesMapping>(new DuckDbTableSinkOptions
        {
            Path = d.FullPath,
            // The duckdb sink's default table is the window table; profiles go to their own unless one is named.
            Table = d.Table == ConfigDefaults.DuckDbTable ? null : d.Table,
        }, new CustomerProfilesMapping(symbols)),
        DuckDbSinkConfig d => throw new NotSupportedException($"CUSTOMER_PROFILES is upserted by customer id: set 'mode: upsert' on the duckdb sink writing {d.Path}."),
        PostgresSinkConfig p => new PostgresUpsertSink<CustomerProfileUpdate, CustomerProfilesMapping>(p.ToOptions(), new CustomerProfilesMapping(symbols)),
        ParquetSinkConfig q => new ParquetPartitionedSink<CustomerProfileUpdate, CustomerProfilesMapping>(q.ToOptions(), new CustomerProfilesMapping(symbols)),
        ConsoleSinkConfig => new ChurnConsoleSink(Console.Out, symbols),
        NullSinkConfig => new NullSink<CustomerProfileUpdate>(),
        _ => throw new NotSupportedException($"Sink type '{config.Type}' does not take churn profile updates; use duckdb, postgres, parquet, console or null."),
    };

    private sealed class DisposeAction(Action dispose) : IAsyncDisposable
    {
        public ValueTask DisposeAsync()
        {
            dispose();
            return ValueTask.CompletedTask;
        }
    }
}
