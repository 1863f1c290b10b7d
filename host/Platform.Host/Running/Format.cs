using System.Globalization;

namespace Platform.Host.Running;

/// <summary>How the host prints engine values.</summary>
internal static class Format
{
    /// <summary>A watermark as ISO time, "—" before the first and "end" after the last.</summary>
    public static string Watermark(long unixMs) => unixMs switch
    {
        long.MinValue => "—",
        long.MaxValue => "end of input",
        _ => DateTimeOffset.FromUnixTimeMilliseconds(unixMs).ToString("yyyy-MM-dd HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture),
    };

    /// <summary>Bytes as MiB with one decimal.</summary>
    public static string Mebibytes(long bytes) => (bytes / 1024.0 / 1024.0).ToString("N1", CultureInfo.InvariantCulture) + " MiB";
}
