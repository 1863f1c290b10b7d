using System.Runtime.CompilerServices;

namespace Platform.Host.Benchmarks;

/// <summary>
/// The iot-anomaly job every engine runs: key by device × sensor, 10 s tumbling event-time windows
/// (count/min/max/mean/variance/p99), then a z-score alert per key: each fired window's mean is scored
/// against the running mean and standard deviation (Welford) of that key's earlier window means; an
/// alert when at least <see cref="MinHistory"/> earlier windows exist and |z| &gt; <see cref="ZThreshold"/>.
/// </summary>
public sealed record IotJobSettings
{
    /// <summary>Window size (ms).</summary>
    public long WindowMs { get; init; } = 10_000;

    /// <summary>Watermark = max event time seen − this (ms); the engine's default.</summary>
    public long AllowedLatenessMs { get; init; } = 5_000;

    /// <summary>|z| above this alerts.</summary>
    public double ZThreshold { get; init; } = 3.0;

    /// <summary>Earlier windows a key needs before it is scored.</summary>
    public int MinHistory { get; init; } = 3;

    /// <summary>The job as every benchmark runs it.</summary>
    public static IotJobSettings Default { get; } = new();
}

/// <summary>Welford's running mean/variance of a key's window means, and the z-score rule. Shared by every engine so the rule is one.</summary>
public struct ZScoreState
{
    /// <summary>Windows seen.</summary>
    public long N;
    /// <summary>Running mean of window means.</summary>
    public double Mean;
    /// <summary>Sum of squared deviations.</summary>
    public double M2;

    /// <summary>Scores <paramref name="windowMean"/> against the history (NaN when the history is too short or flat), then adds it.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public double ScoreAndAdd(double windowMean, int minHistory)
    {
        var z = double.NaN;
        if (N >= minHistory)
        {
            var sd = Math.Sqrt(M2 / N);
            if (sd > 0) z = (windowMean - Mean) / sd;
        }

        var n = ++N;
        var delta = windowMean - Mean;
        Mean += delta / n;
        M2 += delta * (windowMean - Mean);
        return z;
    }

    /// <summary>True when <paramref name="z"/> alerts.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool IsAlert(double z, double threshold) => Math.Abs(z) > threshold;
}

/// <summary>One window result, engine-neutral (strings for the key), for row-by-row comparison in tests.</summary>
public readonly record struct WindowRow(string Device, string Sensor, long WindowStart, long Count, double Min, double Max, double Mean, double P99, double Z, bool Alert);

/// <summary>
/// An order-independent digest of every window row an engine emitted, computed in its sink, so a full
/// run checks each peer against Platform without keeping millions of rows. Exact fields (key, window,
/// count, min, max, alert) are hashed; mean and p99 are summed and compared within tolerances.
/// </summary>
public sealed class ResultDigest
{
    /// <summary>Window rows.</summary>
    public long Rows;
    /// <summary>Sum of the rows' counts (= records windowed).</summary>
    public long Records;
    /// <summary>Sum of per-row hashes of (device, sensor, window start, count, min bits, max bits).</summary>
    public ulong RowHash;
    /// <summary>Alerts.</summary>
    public long Alerts;
    /// <summary>Sum of per-alert hashes of (device, sensor, window start).</summary>
    public ulong AlertHash;
    /// <summary>Sum of means.</summary>
    public double MeanSum;
    /// <summary>Sum of p99s.</summary>
    public double P99Sum;

    /// <summary>Adds one row; <paramref name="deviceHash"/>/<paramref name="sensorHash"/> from <see cref="HashOf(string)"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Add(ulong deviceHash, ulong sensorHash, long windowStart, long count, double min, double max, double mean, double p99, bool alert)
    {
        Rows++;
        Records += count;
        var keyHash = Mix(Mix(deviceHash ^ 0x9E3779B97F4A7C15UL, sensorHash), (ulong)windowStart);
        RowHash += Mix(Mix(Mix(keyHash, (ulong)count), (ulong)BitConverter.DoubleToInt64Bits(min)), (ulong)BitConverter.DoubleToInt64Bits(max));
        MeanSum += mean;
        P99Sum += p99;
        if (alert)
        {
            Alerts++;
            AlertHash += Mix(keyHash, 0xA1E27UL);
        }
    }

    /// <summary>A stable 64-bit hash of a key string (FNV-1a over UTF-16 code units).</summary>
    public static ulong HashOf(string s)
    {
        var h = 14695981039346656037UL;
        foreach (var c in s) h = (h ^ c) * 1099511628211UL;
        return h;
    }

    /// <summary>
    /// Compares with the reference (Platform's): rows, records, row hash and alerts exactly; the mean sum
    /// within 1e-9 relative (summation order differs), the p99 sum within 1% (Platform's p99 comes from a
    /// DDSketch with 1% relative accuracy; peers compute it exactly). Returns null when equal, else why not.
    /// </summary>
    public string? Differences(ResultDigest reference)
    {
        var why = new List<string>();
        if (Rows != reference.Rows) why.Add($"rows {Rows} vs {reference.Rows}");
        if (Records != reference.Records) why.Add($"records {Records} vs {reference.Records}");
        if (RowHash != reference.RowHash) why.Add("row hash differs (key/window/count/min/max)");
        if (Alerts != reference.Alerts || AlertHash != reference.AlertHash) why.Add($"alerts {Alerts} vs {reference.Alerts} (or different keys)");
        if (!Close(MeanSum, reference.MeanSum, 1e-9)) why.Add($"mean sum {MeanSum:R} vs {reference.MeanSum:R}");
        if (!Close(P99Sum, reference.P99Sum, 0.01)) why.Add($"p99 sum {P99Sum:R} vs {reference.P99Sum:R}");
        return why.Count == 0 ? null : string.Join("; ", why);
    }

    private static bool Close(double a, double b, double rel) => Math.Abs(a - b) <= rel * Math.Max(Math.Abs(a), Math.Abs(b)) + 1e-9;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong Mix(ulong h, ulong v)
    {
        h ^= v + 0x9E3779B97F4A7C15UL + (h << 6) + (h >> 2);
        h ^= h >> 33;
        h *= 0xFF51AFD7ED558CCDUL;
        h ^= h >> 33;
        return h;
    }
}

/// <summary>What one engine's iot-anomaly run produced.</summary>
public sealed class IotRunOutput
{
    /// <summary>Lines that parsed.</summary>
    public long RecordsIn { get; set; }
    /// <summary>Lines rejected as malformed.</summary>
    public long Rejected { get; set; }
    /// <summary>Digest of every row.</summary>
    public ResultDigest Digest { get; } = new();
    /// <summary>Every row, when collection was asked for (tests).</summary>
    public List<WindowRow>? Rows { get; set; }
}

/// <summary>An engine that runs the iot-anomaly job on NDJSON blocks (whole lines each).</summary>
public interface IIotEngine
{
    /// <summary>Engine id as in the JSON (<c>platform</c>, <c>rx</c>, <c>tpl-dataflow</c>, <c>akka-streams</c>).</summary>
    string Name { get; }

    /// <summary>Runs the job over <paramref name="blocks"/> with <paramref name="workers"/> threads where the engine has a knob.</summary>
    Task<IotRunOutput> RunAsync(IReadOnlyList<byte[]> blocks, IotJobSettings job, int workers, bool collectRows, CancellationToken cancellationToken);
}

/// <summary>One engine's parser for the parse-only workload (single thread, every line of every block).</summary>
public interface IParseEngine
{
    /// <summary>Engine id (<c>platform</c>, <c>system-text-json</c>).</summary>
    string Name { get; }

    /// <summary>Warms up (interning, JIT) on the data.</summary>
    void Prepare(IReadOnlyList<byte[]> blocks);

    /// <summary>Parses every line on the calling thread; returns the valid records.</summary>
    long Parse(IReadOnlyList<byte[]> blocks);
}
