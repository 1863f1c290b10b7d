using Platform.Engine.Runtime;

namespace Platform.Connectors.Kafka;

/// <summary>Sums of the pipeline statistics of a consumer-group member's partition tasks.</summary>
/// <param name="Records">Records parsed.</param>
/// <param name="Rejected">Records the parser rejected (dead letters).</param>
/// <param name="Output">Results written to the sinks.</param>
/// <param name="Late">Records behind the watermark.</param>
/// <param name="Bytes">Input bytes.</param>
/// <param name="Checkpoints">Checkpoints completed, over all partitions.</param>
public readonly record struct KafkaGroupTotals(long Records, long Rejected, long Output, long Late, long Bytes, long Checkpoints)
{
    /// <summary>These totals plus one pipeline's.</summary>
    public KafkaGroupTotals Add(PipelineStats s) =>
        new(Records + s.Records, Rejected + s.Rejected, Output + s.Output, Late + s.Late, Bytes + s.Bytes, Checkpoints + s.CheckpointsCompleted);
}
