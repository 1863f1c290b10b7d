using Platform.Engine.Batching;

namespace Platform.Engine.Runtime;

/// <summary>
/// A message between workers: records of keys the receiver owns, plus the sender's watermark
/// promise (every record it sends later is at or after it). <see cref="Done"/>: the sender sends no more.
/// </summary>
internal readonly record struct Exchange<T>(Batch<T> Batch, int Sender, bool Done);
