using System.Buffers.Binary;

namespace Platform.Sinks.Kafka;

/// <summary>
/// The sequence number of the last transaction a <see cref="TransactionalKafkaProducerSession"/> committed, kept in
/// one small file written temp → fsync → rename after every commit. Recovery compares it with the transaction
/// pending in the restored checkpoint to decide whether that transaction still has to be committed.
/// </summary>
public sealed class TransactionalCommitJournal
{
    private const int Magic = 0x544A4E4C; // "TJNL"

    /// <summary>A journal in <paramref name="path"/> (created on the first commit).</summary>
    public TransactionalCommitJournal(string path)
    {
        Path = path;
        LastCommitted = Read(path);
    }

    /// <summary>The journal file.</summary>
    public string Path { get; }

    /// <summary>The last committed transaction's sequence number; 0 before the first commit.</summary>
    public long LastCommitted { get; private set; }

    /// <summary>Records that transaction <paramref name="sequence"/> committed (durable when this returns).</summary>
    public void RecordCommitted(long sequence)
    {
        if (sequence <= LastCommitted) return;
        Span<byte> bytes = stackalloc byte[12];
        BinaryPrimitives.WriteInt32LittleEndian(bytes, Magic);
        BinaryPrimitives.WriteInt64LittleEndian(bytes[4..], sequence);
        var temp = Path + ".tmp";
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(Path))!);
        using (var file = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            file.Write(bytes);
            file.Flush(flushToDisk: true);
        }
        File.Move(temp, Path, overwrite: true);
        LastCommitted = sequence;
    }

    private static long Read(string path)
    {
        if (!File.Exists(path)) return 0;
        var bytes = File.ReadAllBytes(path);
        if (bytes.Length != 12 || BinaryPrimitives.ReadInt32LittleEndian(bytes) != Magic)
            throw new InvalidDataException($"{path}: not a transaction journal (expected 12 bytes starting with TJNL); delete it only if no transaction of this sink can be pending.");
        return BinaryPrimitives.ReadInt64LittleEndian(bytes.AsSpan(4));
    }
}
