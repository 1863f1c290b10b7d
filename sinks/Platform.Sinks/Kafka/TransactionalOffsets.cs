using Confluent.Kafka;

namespace Platform.Sinks.Kafka;

/// <summary>
/// Consumer offsets to commit inside a sink's transaction (KIP-447): the positions the source had consumed up to the
/// checkpoint's barrier, and the consumer group's metadata (generation, member id), so a consumer that was fenced by
/// a rebalance cannot commit. A Kafka source implements it; a transaction then commits its results and its input
/// offsets atomically.
/// </summary>
public interface ITransactionalOffsetSource
{
    /// <summary>Offsets to send with the transaction being pre-committed, or null when there are none yet.</summary>
    TransactionalOffsets? OffsetsForPreCommit();
}

/// <summary>The input offsets of one transaction and the group they belong to.</summary>
/// <param name="Offsets">The next offset to read per partition (last consumed + 1).</param>
/// <param name="Group">The consumer's <see cref="IConsumer{TKey, TValue}.ConsumerGroupMetadata"/>.</param>
public sealed record TransactionalOffsets(IReadOnlyList<TopicPartitionOffset> Offsets, IConsumerGroupMetadata Group);
