using System.Text;
using Platform.Engine.Windows;

namespace Platform.Host.Config;

/// <summary>
/// Writes a <see cref="PipelineConfig"/> as canonical YAML (every key spelled out), the inverse of
/// <see cref="PipelineConfigLoader"/>: loading the output gives an equal config.
/// </summary>
internal static class PipelineConfigWriter
{
    public static string ToYaml(PipelineConfig config, ConfigRegistry? registry = null)
    {
        registry ??= ConfigRegistry.Default;
        var yaml = new StringBuilder();
        yaml.Append("name: ").AppendLine(ConfigYaml.Text(config.Name));
        yaml.AppendLine("source:");
        yaml.Append("  type: ").AppendLine(config.Source.Type);
        Fields(yaml, "  ", registry.Sources[config.Source.Type].Write(config.Source));
        yaml.Append("format: ").AppendLine(ConfigYaml.Enum(config.Format));
        yaml.AppendLine("event-time:");
        Fields(yaml, "  ",
        [
            ConfigYaml.Pair("allowed-lateness", ConfigYaml.Duration(config.EventTime.AllowedLateness)),
            ConfigYaml.Pair("idle-timeout", ConfigYaml.Duration(config.EventTime.IdleTimeout)),
            ConfigYaml.Pair("late-policy", ConfigYaml.Enum(config.EventTime.LatePolicy)),
        ]);
        yaml.AppendLine(config.Steps.Count == 0 ? "steps: []" : "steps:");
        foreach (var step in config.Steps)
        {
            yaml.Append("  - op: ").AppendLine(step.Op);
            Fields(yaml, "    ", registry.Steps[step.Op].Write(step));
        }
        yaml.AppendLine("sinks:");
        foreach (var sink in config.Sinks)
        {
            yaml.Append("  - type: ").AppendLine(sink.Type);
            Fields(yaml, "    ", registry.Sinks[sink.Type].Write(sink));
        }
        yaml.AppendLine("dead-letter:");
        Fields(yaml, "  ", [ConfigYaml.Pair("path", ConfigYaml.Text(config.DeadLetter.Path))]);
        yaml.AppendLine("runtime:");
        Fields(yaml, "  ",
        [
            ConfigYaml.Pair("workers", ConfigYaml.Number(config.Runtime.Workers)),
            ConfigYaml.Pair("batch-size", ConfigYaml.Number(config.Runtime.BatchSize)),
            ConfigYaml.Pair("channel-capacity", ConfigYaml.Number(config.Runtime.ChannelCapacity)),
            ConfigYaml.Pair("chunk-size", ConfigYaml.Size(config.Runtime.ChunkSize)),
        ]);
        yaml.AppendLine("http:");
        Fields(yaml, "  ", [ConfigYaml.Pair("port", ConfigYaml.Number(config.Http.Port))]);
        if (config.Checkpoint is { } checkpoint)
        {
            yaml.AppendLine("checkpoint:");
            Fields(yaml, "  ",
            [
                ConfigYaml.Pair("dir", ConfigYaml.Text(checkpoint.Dir)),
                ConfigYaml.Pair("interval", ConfigYaml.Duration(checkpoint.Interval)),
                ConfigYaml.Pair("retain", ConfigYaml.Number(checkpoint.Retain)),
            ]);
        }
        return yaml.ToString();
    }

    private static void Fields(StringBuilder yaml, string indent, IEnumerable<KeyValuePair<string, string>> fields)
    {
        foreach (var (key, value) in fields)
        {
            yaml.Append(indent).Append(key).Append(": ").AppendLine(value);
        }
    }
}
