using Platform.Host.Config.Binding;
using Platform.Host.Config.Sinks;
using Platform.Host.Config.Sources;
using Platform.Sinks.Kafka;

namespace Platform.Host.Config;

/// <summary>Checks that span sections: Kafka settings against the checkpoint section.</summary>
internal static class KafkaChecks
{
    /// <summary>
    /// A Kafka source keeps each partition's state and offset in the checkpoint store, so it needs one; an
    /// exactly-once Kafka sink keeps one transaction open per checkpoint interval, so its transaction timeout must be longer.
    /// </summary>
    public static void Check(MappingReader root, SourceConfig? source, IReadOnlyList<SinkConfig>? sinks, CheckpointConfig? checkpoint)
    {
        if (source is KafkaSourceConfig && checkpoint is null)
        {
            root.Context.Error(root.Get("source"), "a kafka source needs a 'checkpoint' section: each partition's state and offset are checkpointed together there, and the group's other instances restore from it",
                "add 'checkpoint:' with 'dir:' on storage every instance shares, e.g. 'dir: /shared/checkpoints' and 'interval: 10s'");
        }
        if (source is KafkaSourceConfig && sinks?.OfType<DuckDbSinkConfig>().FirstOrDefault() is { } duck)
        {
            root.Context.Error(root.Get("sinks"), $"a kafka source runs one pipeline per assigned partition, and the duckdb file '{duck.Path}' takes one writer",
                "write the results to a kafka sink (or console, null)");
        }
        foreach (var sink in sinks?.OfType<KafkaSinkConfig>() ?? [])
        {
            if (sink.DeliveryGuarantee != KafkaDeliveryGuarantee.ExactlyOnce) continue;
            if (checkpoint is null)
            {
                root.Context.Error(root.Get("sinks"), $"the kafka sink to '{sink.Topic}' is exactly-once, which commits its transaction when a checkpoint completes, but there is no 'checkpoint' section",
                    "add 'checkpoint:' with 'dir:' and 'interval:', or use 'delivery-guarantee: at-least-once'");
            }
            else if (sink.ToOptions().CheckAgainstCheckpointInterval(checkpoint.Interval) is { } problem)
            {
                root.Context.Error(root.Get("sinks"), $"the kafka sink to '{sink.Topic}': {problem}",
                    $"set 'transaction-timeout: {ConfigYaml.Duration(checkpoint.Interval * 6)}' (or shorten the checkpoint interval)");
            }
        }
    }
}
