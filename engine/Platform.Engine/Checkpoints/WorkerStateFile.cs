using System.Buffers;
using System.Buffers.Binary;

namespace Platform.Engine.Checkpoints;

/// <summary>
/// A worker's part of a checkpoint, <c>worker-&lt;i&gt;.bin</c>: a 28-byte little-endian header — magic "PCKW",
/// format version, checkpoint id, worker index, worker count, operator-state length — then the keyed
/// operator's own snapshot (which carries its own magic and version).
/// </summary>
internal static class WorkerStateFile
{
    public const uint Magic = 0x574B4350; // "PCKW"
    public const int FormatVersion = 1;
    public const int HeaderBytes = 24;

    public static string NameOf(int worker) => $"worker-{worker}.bin";

    /// <summary>Writes the header; the operator's snapshot follows it.</summary>
    public static void WriteHeader(IBufferWriter<byte> writer, long checkpointId, int worker, int workers)
    {
        var h = writer.GetSpan(HeaderBytes);
        BinaryPrimitives.WriteUInt32LittleEndian(h, Magic);
        BinaryPrimitives.WriteInt32LittleEndian(h[4..], FormatVersion);
        BinaryPrimitives.WriteInt64LittleEndian(h[8..], checkpointId);
        BinaryPrimitives.WriteInt32LittleEndian(h[16..], worker);
        BinaryPrimitives.WriteInt32LittleEndian(h[20..], workers);
        writer.Advance(HeaderBytes);
    }

    /// <summary>Checks the header and returns the operator's snapshot; throws <see cref="InvalidDataException"/> naming the file and the problem.</summary>
    public static ReadOnlyMemory<byte> Read(string path, ReadOnlyMemory<byte> file, long checkpointId, int worker, int workers)
    {
        var s = file.Span;
        if (s.Length < HeaderBytes) throw new InvalidDataException($"{path}: {s.Length} bytes is shorter than the {HeaderBytes}-byte header.");
        var magic = BinaryPrimitives.ReadUInt32LittleEndian(s);
        if (magic != Magic) throw new InvalidDataException($"{path}: not a worker state file (magic 0x{magic:X8}).");
        var version = BinaryPrimitives.ReadInt32LittleEndian(s[4..]);
        if (version != FormatVersion)
            throw new InvalidDataException($"{path}: worker state format version {version} is not supported; this build reads version {FormatVersion}.");
        var id = BinaryPrimitives.ReadInt64LittleEndian(s[8..]);
        var index = BinaryPrimitives.ReadInt32LittleEndian(s[16..]);
        var count = BinaryPrimitives.ReadInt32LittleEndian(s[20..]);
        if (id != checkpointId || index != worker || count != workers)
            throw new InvalidDataException($"{path}: header says checkpoint {id}, worker {index} of {count}; expected checkpoint {checkpointId}, worker {worker} of {workers}.");
        return file[HeaderBytes..];
    }
}
