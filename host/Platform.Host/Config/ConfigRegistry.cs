using Platform.Host.Config.Binding;
using Platform.Host.Config.Sinks;
using Platform.Host.Config.Sources;
using Platform.Host.Config.Steps;

namespace Platform.Host.Config;

/// <summary>Binds one step's mapping (its <c>op</c> already read) to its typed config; null when it has errors.</summary>
internal delegate StepConfig? StepBinder(MappingReader reader);

/// <summary>Binds one source's mapping (its <c>type</c> already read); null when it has errors.</summary>
internal delegate SourceConfig? SourceBinder(MappingReader reader);

/// <summary>Binds one sink's mapping (its <c>type</c> already read); null when it has errors.</summary>
internal delegate SinkConfig? SinkBinder(MappingReader reader);

/// <summary>
/// Writes a component's fields (all but <c>op</c>/<c>type</c>) as YAML keys and scalar or flow-list
/// values, in canonical form, so that binding them gives the same config back.
/// </summary>
internal delegate IEnumerable<KeyValuePair<string, string>> ConfigWriter<in T>(T config);

/// <summary>An operator the YAML can name.</summary>
/// <param name="Op">Its <c>op</c> value.</param>
/// <param name="RequiresBefore">Ops that must appear earlier in <c>steps</c> (e.g. window needs key-by).</param>
/// <param name="Bind">Its binder.</param>
/// <param name="Write">Its writer (the inverse of <paramref name="Bind"/>).</param>
internal sealed record StepKind(string Op, IReadOnlyList<string> RequiresBefore, StepBinder Bind, ConfigWriter<StepConfig> Write);

/// <summary>A source type the YAML can name.</summary>
internal sealed record SourceKind(string Type, SourceBinder Bind, ConfigWriter<SourceConfig> Write);

/// <summary>A sink type the YAML can name.</summary>
internal sealed record SinkKind(string Type, SinkBinder Bind, ConfigWriter<SinkConfig> Write);

/// <summary>
/// What the YAML can name: operators, sources, sinks. A new operator adds its file under
/// <c>Config/Steps/</c> (its config record and its <see cref="StepKind"/>) and one line to
/// <see cref="Default"/>; nothing else changes. Immutable, so loaders in one process never
/// share mutable state.
/// </summary>
internal sealed class ConfigRegistry
{
    public ConfigRegistry(IEnumerable<StepKind> steps, IEnumerable<SourceKind> sources, IEnumerable<SinkKind> sinks)
    {
        Steps = steps.ToDictionary(s => s.Op, StringComparer.Ordinal);
        Sources = sources.ToDictionary(s => s.Type, StringComparer.Ordinal);
        Sinks = sinks.ToDictionary(s => s.Type, StringComparer.Ordinal);
    }

    /// <summary>The built-in operators, sources and sinks.</summary>
    public static ConfigRegistry Default { get; } = new(
        steps:
        [
            KeyByStep.Kind,
            WindowStep.Kind,
            AggregateStep.Kind,
            AnomalyStep.Kind,
            QualitySteps.Freshness,
            QualitySteps.Volume,
            QualitySteps.SchemaDrift,
            ChurnFeaturesStep.Kind,
            ChurnScoreStep.Kind,
            EnrichStep.Kind,
            GeoSteps.Geofence,
            GeoSteps.LocationFraud,
        ],
        sources:
        [
            GeneratorSource.Kind,
            FileSource.Kind,
            HttpSource.Kind,
            MqttSource.Kind,
            KafkaSource.Kind,
            KinesisSource.Kind,
            CustomersSource.Kind,
        ],
        sinks:
        [
            DuckDbSink.Kind,
            ConsoleSink.Kind,
            NullSink.Kind,
            PostgresSink.Kind,
            KafkaSink.Kind,
            KinesisSink.Kind,
            EventBridgeSink.Kind,
            ParquetSink.Kind,
        ]);

    /// <summary>Operators by <c>op</c>.</summary>
    public IReadOnlyDictionary<string, StepKind> Steps { get; }

    /// <summary>Sources by <c>type</c>.</summary>
    public IReadOnlyDictionary<string, SourceKind> Sources { get; }

    /// <summary>Sinks by <c>type</c>.</summary>
    public IReadOnlyDictionary<string, SinkKind> Sinks { get; }
}
