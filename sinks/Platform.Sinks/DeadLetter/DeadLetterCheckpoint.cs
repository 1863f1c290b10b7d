using System.Buffers;
using System.Buffers.Binary;
using Platform.Engine.Contracts;

namespace Platform.Sinks.DeadLetter;

/// <summary>
/// Puts a <see cref="DeadLetterFileSink"/>'s lines on disk with every checkpoint. A checkpoint moves the source past
/// the records it rejected, so their dead letters must be durable by then: a crash after it would otherwise lose
/// the raw bytes of records no replay reads again. (Lines written after the checkpoint may appear twice after a
/// restart, when the replayed records are rejected again.) The snapshot holds only the count, for inspection.
/// </summary>
public sealed class DeadLetterCheckpoint(DeadLetterFileSink sink) : ICheckpointParticipant
{
    /// <summary>"PDLQ", little-endian.</summary>
    public const uint Magic = 0x514C4450;

    /// <inheritdoc />
    public string Name => "dead-letters";

    /// <inheritdoc />
    public void Snapshot(IBufferWriter<byte> writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        sink.Flush(toDisk: true);
        var span = writer.GetSpan(12);
        BinaryPrimitives.WriteUInt32LittleEndian(span, Magic);
        BinaryPrimitives.WriteInt64LittleEndian(span[4..], sink.Count);
        writer.Advance(12);
    }

    /// <inheritdoc />
    public bool HoldsNoState => true;

    /// <inheritdoc />
    public void Restore(ReadOnlySequence<byte> snapshot)
    {
        var reader = new SequenceReader<byte>(snapshot);
        if (!reader.TryReadLittleEndian(out int magic) || (uint)magic != Magic)
            throw new InvalidDataException("Not a dead-letter checkpoint (bad magic).");
    }
}
