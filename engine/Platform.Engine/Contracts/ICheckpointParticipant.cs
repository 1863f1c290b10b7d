using System.Buffers;

namespace Platform.Engine.Contracts;

/// <summary>
/// State shared by a whole pipeline rather than by one worker (an interning table, say), saved with
/// every checkpoint after all workers have snapshotted and restored before any worker starts.
/// A snapshot may hold more than the workers' states refer to, never less.
/// </summary>
public interface ICheckpointParticipant
{
    /// <summary>A file-name-safe name, unique in a pipeline.</summary>
    string Name { get; }

    /// <summary>Writes the state (versioned binary).</summary>
    void Snapshot(IBufferWriter<byte> writer);

    /// <summary>Restores a snapshot; throws <see cref="InvalidDataException"/> with the reason when it cannot.</summary>
    void Restore(ReadOnlySequence<byte> snapshot);

    /// <summary>
    /// True when the snapshot only acts (flushes) and holds nothing to restore, so a checkpoint taken before this
    /// participant existed still restores.
    /// </summary>
    bool HoldsNoState => false;
}
