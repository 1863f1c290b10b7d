using System.Diagnostics.Metrics;

namespace Platform.Connectors.DurableLog;

/// <summary>The durable log's events: counters on the <c>Platform.Connectors.DurableLog</c> meter and the latest warning.</summary>
internal static class DurableLogLog
{
    public const string MeterName = "Platform.Connectors.DurableLog";

    private static readonly Meter Meter = new(MeterName);
    private static readonly Counter<long> Torn = Meter.CreateCounter<long>("torn_records", description: "Incomplete last records cut on open.");
    private static readonly Counter<long> Corrupt = Meter.CreateCounter<long>("corrupt_records", description: "Records that failed their CRC-32C/length check (sent to the DLQ).");
    private static readonly Counter<long> Failures = Meter.CreateCounter<long>("write_failures", description: "Failed writes (the log stops accepting).");

    private static void Warn(string message) => Console.Error.WriteLine(message);

    public static void Opened(string log, DurableLogRecovery recovery)
    {
        if (!recovery.IsClean) Warn($"durable log '{log}': opened with damage: {recovery}");
    }

    public static void TornTail(string log, int segment, long offset, int bytes)
    {
        Torn.Add(1, new KeyValuePair<string, object?>("log", log));
        Warn($"durable log '{log}': torn last record at segment {segment} offset {offset} ({bytes} bytes) cut");
    }

    public static void CorruptRecord(string log, string reason)
    {
        Corrupt.Add(1, new KeyValuePair<string, object?>("log", log));
        Warn($"durable log '{log}': {reason}");
    }

    public static void PreallocationFailed(string log, Exception e) =>
        Warn($"durable log '{log}': zero-filling ahead failed ({e.Message}); appends go on, each fsync now also commits the file's growth");

    public static void WriteFailed(string log, Exception e)
    {
        Failures.Add(1, new KeyValuePair<string, object?>("log", log));
        Warn($"durable log '{log}': write failed: {e.Message}");
    }
}
