using System.Diagnostics;
using System.Globalization;
using Platform.Connectors.DurableLog;

namespace Platform.Bench.Ingest;

/// <summary>
/// The disk's own fdatasync latency, measured beside the ingest benchmark so its p99 can be read against it: a 1 KiB
/// write then fdatasync, repeated, (a) appending to a growing file (each sync also commits the new size to the
/// filesystem journal) and (b) overwriting a zero-filled, synced file (data only: what the log's preallocation buys).
/// </summary>
internal static class DiskSyncProbe
{
    public readonly record struct Result(string Case, double P50, double P99, double Max);

    public static IReadOnlyList<Result> Measure(string directory, int rounds)
    {
        Directory.CreateDirectory(directory);
        var path = Path.Combine(directory, "fsync-probe-" + Guid.NewGuid().ToString("N"));
        try
        {
            return [Run("append (file grows)", path, rounds, preallocate: false), Run("overwrite (zero-filled ahead)", path, rounds, preallocate: true)];
        }
        finally
        {
            File.Delete(path);
        }
    }

    private static Result Run(string name, string path, int rounds, bool preallocate)
    {
        var block = new byte[1024];
        Array.Fill(block, (byte)'x');
        using var file = File.OpenHandle(path, FileMode.Create, FileAccess.Write);
        if (preallocate)
        {
            var zeros = new byte[rounds * block.Length];
            RandomAccess.Write(file, zeros, 0);
            RandomAccess.FlushToDisk(file);
        }
        var samples = new double[rounds];
        for (var i = 0; i < rounds; i++)
        {
            RandomAccess.Write(file, block, (long)i * block.Length);
            var t = Stopwatch.GetTimestamp();
            DataSync.Flush(file);
            samples[i] = Stopwatch.GetElapsedTime(t).TotalMilliseconds;
        }
        Array.Sort(samples);
        return new Result(name, samples[rounds / 2], samples[Math.Min(rounds - 1, (int)(rounds * 0.99))], samples[^1]);
    }

    public static void Print(IReadOnlyList<Result> results, string directory)
    {
        Console.WriteLine($"disk: 1 KiB write + fdatasync on the log's filesystem ({directory})");
        foreach (var r in results)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {r.Case,-30} p50 {r.P50:F2} ms  p99 {r.P99:F2} ms  max {r.Max:F2} ms"));
        }
    }
}
