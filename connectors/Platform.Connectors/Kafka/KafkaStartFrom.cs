namespace Platform.Connectors.Kafka;

/// <summary>
/// Where a partition starts when neither a checkpoint nor a committed group offset says where to resume
/// (those two always win: a restarted group never re-reads what its checkpoints cover).
/// </summary>
public enum KafkaStartFrom
{
    /// <summary>The oldest message still kept.</summary>
    Earliest,
    /// <summary>Only messages produced after the partition is assigned.</summary>
    Latest,
    /// <summary>The first message at or after <see cref="KafkaSourceOptions.StartTimestamp"/>.</summary>
    Timestamp,
}
