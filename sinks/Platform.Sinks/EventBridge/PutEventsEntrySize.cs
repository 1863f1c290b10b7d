using System.Text;

namespace Platform.Sinks.EventBridge;

/// <summary>
/// The size of a PutEvents entry as AWS documents it ("Calculating PutEvents event entry size"):
/// 14 bytes for Time when set, plus the UTF-8 bytes of Source, DetailType, Detail and each Resource.
/// The request's entries together must stay within <see cref="MaxRequestBytes"/>.
/// </summary>
public static class PutEventsEntrySize
{
    /// <summary>256 KiB: the limit of one entry and of the entries of one request.</summary>
    public const int MaxRequestBytes = 256 * 1024;

    /// <summary>Most entries one PutEvents call takes.</summary>
    public const int MaxEntries = 10;

    /// <summary>The fixed part (Time, Source, DetailType, Resources) of every entry of a sink.</summary>
    public static int Fixed(bool hasTime, string source, string detailType, IReadOnlyList<string> resources)
    {
        var size = hasTime ? 14 : 0;
        size += Encoding.UTF8.GetByteCount(source);
        size += Encoding.UTF8.GetByteCount(detailType);
        foreach (var r in resources) size += Encoding.UTF8.GetByteCount(r);
        return size;
    }

    /// <summary>The whole entry's size: the fixed part plus the Detail's UTF-8 bytes.</summary>
    public static int Of(int fixedPart, int detailUtf8Bytes) => fixedPart + detailUtf8Bytes;
}
