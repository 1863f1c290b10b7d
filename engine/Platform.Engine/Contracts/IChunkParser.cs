using Platform.Engine.Batching;
using Platform.Engine.DeadLetters;

namespace Platform.Engine.Contracts;

/// <summary>
/// Turns a chunk of whole records into structs. Called concurrently on different chunks, so an
/// implementation keeps no per-call mutable state of its own (or keeps it per thread).
/// </summary>
public interface IChunkParser<T>
{
    /// <summary>
    /// Parses every record of <paramref name="chunk"/> into <paramref name="output"/>. A record that
    /// fails goes to <paramref name="deadLetters"/> with its reason, raw bytes and position; parsing goes on.
    /// Returns the number of records rejected.
    /// </summary>
    int Parse(Chunk chunk, string sourceName, Batch<T> output, IDeadLetterSink deadLetters);
}
