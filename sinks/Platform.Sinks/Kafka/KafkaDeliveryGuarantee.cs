namespace Platform.Sinks.Kafka;

/// <summary>What a Kafka sink promises about each result across crashes.</summary>
public enum KafkaDeliveryGuarantee
{
    /// <summary>
    /// Idempotent producer, acks=all, every delivery report checked; results after the last checkpoint may be
    /// written again after a crash (replay), never lost. Readers dedupe by key and window if they must.
    /// </summary>
    AtLeastOnce,

    /// <summary>
    /// A transactional producer: the transaction holding a checkpoint's results commits when that checkpoint
    /// completes and aborts on failure, so read_committed readers see each result once.
    /// </summary>
    ExactlyOnce,
}
