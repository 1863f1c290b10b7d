using System.Text.RegularExpressions;
using Platform.Host.Config.Binding;
using Platform.Sinks.Alerts.Recording;
using YamlDotNet.RepresentationModel;

namespace Platform.Host.Config;

/// <summary>One place of <c>alerts.record</c>: every alert is kept there, unthrottled, whatever <c>min-severity</c> says.</summary>
internal abstract record AlertRecordConfig
{
    /// <summary>The YAML <c>type</c>.</summary>
    public abstract string Type { get; }

    /// <summary>The YAML fields but <c>type</c>, canonical.</summary>
    public abstract IEnumerable<KeyValuePair<string, string>> Fields();

    /// <summary>Opens the recorder.</summary>
    public abstract AlertRecorder Create();
}

/// <summary>A DuckDB table (<c>type: duckdb</c>): <c>path</c> (an output, resolved against the working directory), <c>table</c> (default alerts).</summary>
internal sealed record DuckDbAlertRecordConfig(string Path, string FullPath, string Table) : AlertRecordConfig
{
    public override string Type => "duckdb";

    public override IEnumerable<KeyValuePair<string, string>> Fields() =>
        [ConfigYaml.Pair("path", ConfigYaml.Text(Path)), ConfigYaml.Pair("table", ConfigYaml.Text(Table))];

    public override AlertRecorder Create() => new DuckDbAlertRecorder(FullPath, Table);
}

/// <summary>
/// A Kafka topic (<c>type: kafka</c>): <c>topic</c>, <c>bootstrap-servers</c> (absent: librdkafka's in-process
/// mock cluster, for samples on a machine without a broker).
/// </summary>
internal sealed record KafkaAlertRecordConfig(string Topic, string? BootstrapServers) : AlertRecordConfig
{
    public override string Type => "kafka";

    public override IEnumerable<KeyValuePair<string, string>> Fields() =>
        BootstrapServers is null
            ? [ConfigYaml.Pair("topic", ConfigYaml.Text(Topic))]
            : [ConfigYaml.Pair("topic", ConfigYaml.Text(Topic)), ConfigYaml.Pair("bootstrap-servers", ConfigYaml.Text(BootstrapServers))];

    public override AlertRecorder Create() => new KafkaAlertRecorder(BootstrapServers, Topic);
}

/// <summary>Binds <c>alerts.record</c>.</summary>
internal static partial class AlertRecordBinder
{
    private static readonly string[] Types = ["duckdb", "kafka"];

    public static EquatableList<AlertRecordConfig> Bind(MappingReader alerts)
    {
        var records = new List<AlertRecordConfig>();
        foreach (var item in alerts.Sequence("record")?.Children ?? [])
        {
            if (item is not YamlMappingNode mapping)
            {
                alerts.Context.Error(item, $"an alert record target must be a mapping with 'type', got {MappingReader.Describe(item)}", "write '- type: duckdb' and its fields below it");
                continue;
            }
            var reader = new MappingReader(mapping, "alert record target", alerts.Context);
            var type = reader.String("type", requiredExample: string.Join(" | ", Types));
            if (type is null) continue;
            if (!Types.Contains(type, StringComparer.Ordinal))
            {
                alerts.Context.Error(reader.Get("type"), $"unknown alert record type '{type}'", DidYouMean.Hint(type, Types, "alert record types"));
                continue;
            }
            reader.What = $"{type} alert record";
            AlertRecordConfig? bound = type == "duckdb" ? BindDuckDb(reader) : BindKafka(reader);
            reader.ReportUnknownKeys();
            if (bound is not null) records.Add(bound);
        }
        return new EquatableList<AlertRecordConfig>(records);
    }

    private static DuckDbAlertRecordConfig? BindDuckDb(MappingReader reader)
    {
        var path = reader.String("path", requiredExample: "out/alerts.duckdb");
        var table = reader.String("table") ?? "alerts";
        if (!Identifier().IsMatch(table))
        {
            reader.Context.Error(reader.Get("table"), $"'table' must be an SQL identifier, got '{table}'", "use letters, digits and '_', e.g. 'table: alerts'");
            return null;
        }
        return path is null ? null : new DuckDbAlertRecordConfig(path, reader.Context.ResolveOutput(path), table);
    }

    private static KafkaAlertRecordConfig? BindKafka(MappingReader reader)
    {
        var topic = reader.String("topic", requiredExample: "iot-alerts");
        var servers = reader.String("bootstrap-servers");
        return topic is null ? null : new KafkaAlertRecordConfig(topic, servers);
    }

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]{0,62}$")]
    private static partial Regex Identifier();
}
