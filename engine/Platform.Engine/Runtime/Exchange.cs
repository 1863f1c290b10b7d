using Platform.Engine.Batching;
using Platform.Engine.Contracts;

namespace Platform.Engine.Runtime;

/// <summary>
/// A message between workers: records of keys the receiver owns, plus the sender's watermark
/// promise (every record it sends later is at or after it). <see cref="Done"/>: the sender sends no more.
/// <see cref="Barrier"/> ≠ 0: checkpoint barrier n (its batch is empty) — everything the sender sent
/// before it belongs to checkpoint n, everything after to later ones.
/// </summary>
internal readonly record struct Exchange<T>(Batch<T> Batch, int Sender, bool Done, long Barrier = 0);

/// <summary>What the source task hands to the workers: a chunk, or checkpoint barrier n (one per worker).</summary>
internal readonly record struct SourceItem(Chunk? Chunk, long Barrier);

/// <summary>What workers hand to the sink task: a batch of results, or worker <see cref="Worker"/>'s barrier n.</summary>
internal readonly record struct SinkItem<T>(Batch<T>? Batch, long Barrier, int Worker);
