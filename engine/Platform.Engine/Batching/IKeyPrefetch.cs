namespace Platform.Engine.Batching;

/// <summary>
/// An output that keeps per-key state of its own (a keyed operator wrapping another, say) and can start loading a
/// key's state before records of that key arrive: an operator that knows its next outputs' keys (firing windows in
/// bulk) hints them a few records ahead, so the receiver's cache misses overlap instead of queueing.
/// </summary>
public interface IKeyPrefetch
{
    /// <summary>A hint only: the state of <paramref name="key"/> will be needed soon.</summary>
    void Prefetch(long key);
}
