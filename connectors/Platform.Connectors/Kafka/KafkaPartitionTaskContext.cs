using Confluent.Kafka;
using Platform.Engine.Contracts;
using Platform.Engine.Runtime;
using Platform.Engine.Symbols;

namespace Platform.Connectors.Kafka;

/// <summary>
/// What a pipeline factory gets for one assigned partition: build the job from <see cref="Source"/> with
/// <see cref="Options"/> (its checkpoint folder, its dead-letter routing) and parse with <see cref="Symbols"/>.
/// </summary>
public sealed class KafkaPartitionTaskContext
{
    private readonly KafkaPartitionSource _source;
    private readonly List<IAsyncDisposable> _owned = [];

    internal KafkaPartitionTaskContext(KafkaPartitionSource source, SymbolTable symbols, PipelineOptions options, IConsumerGroupMetadata? groupMetadata)
    {
        _source = source;
        Symbols = symbols;
        Options = options;
        GroupMetadata = groupMetadata;
    }

    /// <summary>The topic.</summary>
    public string Topic => _source.Topic;

    /// <summary>The Kafka partition this task owns.</summary>
    public int Partition => _source.KafkaPartition;

    /// <summary>The partition as a pipeline source (one pipeline partition).</summary>
    public IChunkSource Source => _source;

    /// <summary>This partition's own symbol table, saved with its checkpoints (ids in its state mean the same after a move).</summary>
    public SymbolTable Symbols { get; }

    /// <summary>The pipeline options to use: checkpoints in this partition's folder, dead letters with Kafka coordinates, fixed workers.</summary>
    public PipelineOptions Options { get; }

    /// <summary>The consumer group's metadata (for a transactional sink's <c>SendOffsetsToTransaction</c>, KIP-447).</summary>
    public IConsumerGroupMetadata? GroupMetadata { get; }

    /// <summary>The offset the partition resumes from after what the pipeline took so far (what the next checkpoint records).</summary>
    public long NextOffset => _source.NextOffset;

    /// <summary>
    /// The offset the checkpoint in progress records (set when its barrier enters the pipeline; -1 before the first):
    /// the input offset an exactly-once sink commits with that checkpoint's transaction (KIP-447).
    /// </summary>
    public long BarrierOffset => _source.BarrierOffset;

    /// <summary>Disposes <paramref name="resource"/> (a sink, say) when the task ends.</summary>
    public void Own(IAsyncDisposable resource) => _owned.Add(resource);

    internal IReadOnlyList<IAsyncDisposable> Owned => _owned;
}
