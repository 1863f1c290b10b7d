using System.Buffers.Binary;
using System.Numerics;

namespace Platform.Connectors.DurableLog;

/// <summary>What <see cref="LogRecordFormat.TryRead"/> found at an offset.</summary>
internal enum RecordRead
{
    /// <summary>A whole record with a valid checksum.</summary>
    Ok,

    /// <summary>The bytes end inside the record (a torn tail, or read more).</summary>
    Incomplete,

    /// <summary>Bad magic, impossible length or checksum mismatch.</summary>
    Corrupt,
}

/// <summary>
/// On-disk framing. A segment file starts with an 8-byte header (<c>PLOG</c>, version u32); each
/// record is <c>magic u32 | length u32 | crc32c u32 | payload</c>, the CRC-32C covering the length
/// and the payload, all little-endian. The magic lets a reader resynchronise after a corrupt length.
/// </summary>
internal static class LogRecordFormat
{
    public const int SegmentHeaderSize = 8;
    public const int RecordHeaderSize = 12;
    public const uint RecordMagic = 0x52_47_4F_4C; // "LOGR"
    public const uint SegmentMagic = 0x47_4F_4C_50; // "PLOG"
    public const uint Version = 1;
    public const string Extension = ".seg";

    public static string SegmentFileName(int id) => id.ToString("D10", System.Globalization.CultureInfo.InvariantCulture) + Extension;

    public static void WriteSegmentHeader(Span<byte> destination)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(destination, SegmentMagic);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[4..], Version);
    }

    public static bool IsSegmentHeader(ReadOnlySpan<byte> source) =>
        source.Length >= SegmentHeaderSize &&
        BinaryPrimitives.ReadUInt32LittleEndian(source) == SegmentMagic &&
        BinaryPrimitives.ReadUInt32LittleEndian(source[4..]) == Version;

    /// <summary>Writes a framed record; <paramref name="destination"/> has RecordHeaderSize + payload bytes.</summary>
    public static void Write(Span<byte> destination, ReadOnlySpan<byte> payload)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(destination, RecordMagic);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[4..], (uint)payload.Length);
        payload.CopyTo(destination[RecordHeaderSize..]);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[8..], Checksum(destination.Slice(4, 4), payload));
    }

    /// <summary>Reads the record at the start of <paramref name="data"/>; on Ok, <paramref name="payloadLength"/> is its payload size.</summary>
    public static RecordRead TryRead(ReadOnlySpan<byte> data, int maxPayload, out int payloadLength)
    {
        payloadLength = 0;
        if (data.Length < 4) return MagicPrefixMatches(data) ? RecordRead.Incomplete : RecordRead.Corrupt;
        if (BinaryPrimitives.ReadUInt32LittleEndian(data) != RecordMagic) return RecordRead.Corrupt;
        if (data.Length < RecordHeaderSize) return RecordRead.Incomplete;
        var length = BinaryPrimitives.ReadUInt32LittleEndian(data[4..]);
        if (length > (uint)maxPayload) return RecordRead.Corrupt;
        payloadLength = (int)length;
        if (data.Length < RecordHeaderSize + payloadLength) return RecordRead.Incomplete;
        var crc = BinaryPrimitives.ReadUInt32LittleEndian(data[8..]);
        return crc == Checksum(data.Slice(4, 4), data.Slice(RecordHeaderSize, payloadLength)) ? RecordRead.Ok : RecordRead.Corrupt;
    }

    /// <summary>Offset of the next plausible record start after a corrupt one (a valid record follows), or -1 when none is in <paramref name="data"/>.</summary>
    public static int Resync(ReadOnlySpan<byte> data, int maxPayload)
    {
        Span<byte> magic = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(magic, RecordMagic);
        var from = 1;
        while (from < data.Length)
        {
            var i = data[from..].IndexOf(magic);
            if (i < 0) return -1;
            var at = from + i;
            if (TryRead(data[at..], maxPayload, out _) != RecordRead.Corrupt) return at;
            from = at + 1;
        }
        return -1;
    }

    private static bool MagicPrefixMatches(ReadOnlySpan<byte> data)
    {
        Span<byte> magic = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(magic, RecordMagic);
        return magic.StartsWith(data);
    }

    /// <summary>CRC-32C (Castagnoli) of the length field and the payload, hardware-accelerated where the CPU has it.</summary>
    public static uint Checksum(ReadOnlySpan<byte> lengthField, ReadOnlySpan<byte> payload)
    {
        var crc = Update(0xFFFF_FFFFu, lengthField);
        return ~Update(crc, payload);
    }

    private static uint Update(uint crc, ReadOnlySpan<byte> data)
    {
        while (data.Length >= 8)
        {
            crc = BitOperations.Crc32C(crc, BinaryPrimitives.ReadUInt64LittleEndian(data));
            data = data[8..];
        }
        foreach (var b in data) crc = BitOperations.Crc32C(crc, b);
        return crc;
    }
}
