using System.Buffers;
using System.Buffers.Binary;
using System.Text;
using Platform.Engine.Contracts;
using Platform.Engine.Symbols;

namespace Platform.Engine.Checkpoints;

/// <summary>
/// Saves a <see cref="SymbolTable"/> with each checkpoint, so keys packed from symbol ids in the workers'
/// state mean the same names after a restart. Format: magic "PSYM", version, count, then each name in id
/// order as a length-prefixed UTF-8 string. Restoring interns the names in order, which gives them their
/// old ids; the table must be empty or hold the same names as a prefix.
/// </summary>
public sealed class SymbolTableCheckpoint(SymbolTable symbols, string name = "symbols") : ICheckpointParticipant
{
    /// <summary>"PSYM", little-endian.</summary>
    public const uint Magic = 0x4D595350;
    /// <summary>The format this build writes and reads.</summary>
    public const int FormatVersion = 1;

    /// <inheritdoc />
    public string Name => name;

    /// <inheritdoc />
    public void Snapshot(IBufferWriter<byte> writer)
    {
        var count = symbols.Count;
        var h = writer.GetSpan(12);
        BinaryPrimitives.WriteUInt32LittleEndian(h, Magic);
        BinaryPrimitives.WriteInt32LittleEndian(h[4..], FormatVersion);
        BinaryPrimitives.WriteInt32LittleEndian(h[8..], count);
        writer.Advance(12);
        for (var id = 1; id <= count; id++)
        {
            var s = symbols.NameOf(new Symbol(id));
            var n = Encoding.UTF8.GetByteCount(s);
            var span = writer.GetSpan(4 + n);
            BinaryPrimitives.WriteInt32LittleEndian(span, n);
            Encoding.UTF8.GetBytes(s, span[4..]);
            writer.Advance(4 + n);
        }
    }

    /// <inheritdoc />
    public void Restore(ReadOnlySequence<byte> snapshot)
    {
        var r = new SequenceReader<byte>(snapshot);
        if (!r.TryReadLittleEndian(out int magic) || (uint)magic != Magic)
            throw new InvalidDataException("Not a symbol table snapshot (bad magic).");
        if (!r.TryReadLittleEndian(out int version) || version != FormatVersion)
            throw new InvalidDataException($"Symbol table snapshot format version {version} is not supported; this build reads version {FormatVersion}.");
        if (!r.TryReadLittleEndian(out int count) || count < 0) throw new InvalidDataException("Symbol table snapshot is truncated.");
        var buffer = new byte[SymbolTable.MaxSymbolBytes * 4];
        for (var id = 1; id <= count; id++)
        {
            if (!r.TryReadLittleEndian(out int n) || n < 0 || n > buffer.Length || !r.TryCopyTo(buffer.AsSpan(0, n)))
                throw new InvalidDataException($"Symbol table snapshot is truncated at symbol {id}.");
            r.Advance(n);
            var got = symbols.Intern(buffer.AsSpan(0, n));
            if (got.Id != id)
                throw new InvalidDataException($"Symbol '{Encoding.UTF8.GetString(buffer, 0, n)}' restores as id {got.Id}, the snapshot has {id}: the table was not empty.");
        }
    }
}
