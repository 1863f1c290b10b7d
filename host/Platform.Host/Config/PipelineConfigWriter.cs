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
        OpsSections(yaml, config);
        return yaml.ToString();
    }

    private static void OpsSections(StringBuilder yaml, PipelineConfig config)
    {
        if (config.Parser != ParserConfig.Default)
        {
            yaml.AppendLine("parser:");
            Fields(yaml, "  ", [ConfigYaml.Pair("skip-prefix", config.Parser.SkipPrefix ? "true" : "false")]);
        }
        if (config.Tracing is { } t)
        {
            yaml.AppendLine("tracing:");
            Fields(yaml, "  ",
            [
                ConfigYaml.Pair("endpoint", ConfigYaml.Text(t.Endpoint)),
                ConfigYaml.Pair("protocol", ConfigYaml.Enum(t.Protocol)),
                ConfigYaml.Pair("service-name", ConfigYaml.Text(t.ServiceName)),
                ConfigYaml.Pair("sample-ratio", ConfigYaml.Number(t.SampleRatio)),
            ]);
        }
        if (config.RunReport is { } r)
        {
            yaml.AppendLine("run-report:");
            var fields = new List<KeyValuePair<string, string>> { ConfigYaml.Pair("url", ConfigYaml.Text(r.Url)), ConfigYaml.Pair("namespace", ConfigYaml.Text(r.Namespace)) };
            if (r.Id is not null) fields.Add(ConfigYaml.Pair("id", ConfigYaml.Text(r.Id)));
            if (r.Token is not null) fields.Add(ConfigYaml.Pair("token", ConfigYaml.Text(r.Token)));
            if (r.Organization is not null) fields.Add(ConfigYaml.Pair("organization", ConfigYaml.Text(r.Organization)));
            Fields(yaml, "  ", fields);
        }
        if (config.Alerts is { } a)
        {
            yaml.AppendLine("alerts:");
            Fields(yaml, "  ",
            [
                ConfigYaml.Pair("min-severity", ConfigYaml.Enum(a.MinSeverity)),
                ConfigYaml.Pair("template", ConfigYaml.Text(a.Template)),
                ConfigYaml.Pair("burst", ConfigYaml.Number(a.Burst)),
                ConfigYaml.Pair("refill", ConfigYaml.Duration(a.Refill)),
                ConfigYaml.Pair("dedup", ConfigYaml.Duration(a.Dedup)),
                ConfigYaml.Pair("quiet", ConfigYaml.Duration(a.Quiet)),
            ]);
            yaml.AppendLine(a.Sinks.Count == 0 ? "  sinks: []" : "  sinks:");
            foreach (var sink in a.Sinks)
            {
                yaml.Append("    - type: ").AppendLine(sink.Type);
                var fields = sink switch
                {
                    WebhookAlertConfig w => [ConfigYaml.Pair("url", ConfigYaml.Text(w.Url)), ConfigYaml.Pair("secret", ConfigYaml.Text(w.Secret))],
                    TwilioAlertConfig tw => new List<KeyValuePair<string, string>>
                    {
                        ConfigYaml.Pair("account-sid", ConfigYaml.Text(tw.AccountSid)), ConfigYaml.Pair("token", ConfigYaml.Text(tw.Token)),
                        ConfigYaml.Pair("from", ConfigYaml.Text(tw.From)), ConfigYaml.Pair("to", ConfigYaml.List(tw.To)),
                    }.Concat(tw.BaseUrl is null ? [] : [ConfigYaml.Pair("base-url", ConfigYaml.Text(tw.BaseUrl))]).ToList(),
                    SendGridAlertConfig sg => new List<KeyValuePair<string, string>>
                    {
                        ConfigYaml.Pair("api-key", ConfigYaml.Text(sg.ApiKey)), ConfigYaml.Pair("from", ConfigYaml.Text(sg.From)),
                        ConfigYaml.Pair("to", ConfigYaml.List(sg.To)), ConfigYaml.Pair("subject", ConfigYaml.Text(sg.Subject)),
                    }.Concat(sg.BaseUrl is null ? [] : [ConfigYaml.Pair("base-url", ConfigYaml.Text(sg.BaseUrl))]).ToList(),
                    _ => [],
                };
                Fields(yaml, "      ", fields);
            }
            if (a.Record.Count > 0) yaml.AppendLine("  record:");
            foreach (var target in a.Record)
            {
                yaml.Append("    - type: ").AppendLine(target.Type);
                Fields(yaml, "      ", target.Fields());
            }
        }
    }

    private static void Fields(StringBuilder yaml, string indent, IEnumerable<KeyValuePair<string, string>> fields)
    {
        foreach (var (key, value) in fields)
        {
            yaml.Append(indent).Append(key).Append(": ").AppendLine(value);
        }
    }
}
