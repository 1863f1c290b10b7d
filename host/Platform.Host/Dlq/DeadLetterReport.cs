using System.Text;
using System.Text.Json;

namespace Platform.Host.Dlq;

/// <summary>One raw record kept as an example of a reason.</summary>
/// <param name="Source">The source it came from.</param>
/// <param name="Partition">Its partition.</param>
/// <param name="Position">Its position (offset) in the partition.</param>
/// <param name="Time">When it was dead-lettered.</param>
/// <param name="Raw">The raw bytes.</param>
internal sealed record DeadLetterSample(string Source, int Partition, long Position, DateTimeOffset? Time, byte[] Raw)
{
    /// <summary>The raw bytes as printable text: UTF-8 with control characters escaped, cut to <paramref name="max"/> characters.</summary>
    public string Preview(int max = 80)
    {
        var text = Encoding.UTF8.GetString(Raw);
        var sb = new StringBuilder(Math.Min(text.Length, max) + 8);
        foreach (var c in text)
        {
            if (sb.Length >= max) { sb.Append('…'); break; }
            sb.Append(c switch { '\n' => "\\n", '\r' => "\\r", '\t' => "\\t", _ when char.IsControl(c) => "\\u" + ((int)c).ToString("x4"), _ => c.ToString() });
        }
        return sb.ToString();
    }
}

/// <summary>Everything dead-lettered for one reason.</summary>
internal sealed class DeadLetterReason
{
    public required string Reason { get; init; }
    public long Count { get; set; }
    public DateTimeOffset? First { get; set; }
    public DateTimeOffset? Last { get; set; }
    public SortedSet<string> Sources { get; } = new(StringComparer.Ordinal);
    public List<DeadLetterSample> Samples { get; } = [];
}

/// <summary>A dead-letter NDJSON file summarised by reason (most frequent first).</summary>
internal sealed class DeadLetterReport
{
    /// <summary>Samples kept per reason when not told otherwise.</summary>
    public const int DefaultSamples = 3;

    public required string Path { get; init; }
    public required IReadOnlyList<DeadLetterReason> Reasons { get; init; }
    /// <summary>Lines read as dead letters.</summary>
    public long Total { get; init; }
    /// <summary>Lines that were not a dead-letter object (reported, never fatal).</summary>
    public long Unreadable { get; init; }
    /// <summary>Line numbers (1-based) of the first unreadable lines.</summary>
    public IReadOnlyList<long> UnreadableLines { get; init; } = [];

    /// <summary>Reads the file line by line (streaming: a large file is not loaded whole).</summary>
    public static DeadLetterReport Read(string path, int samplesPerReason = DefaultSamples)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(samplesPerReason);
        var reasons = new Dictionary<string, DeadLetterReason>(StringComparer.Ordinal);
        long total = 0, unreadable = 0, lineNo = 0;
        var badLines = new List<long>();
        foreach (var line in File.ReadLines(path))
        {
            lineNo++;
            if (string.IsNullOrWhiteSpace(line)) continue;
            if (!TryParse(line, out var reason, out var sample))
            {
                unreadable++;
                if (badLines.Count < 10) badLines.Add(lineNo);
                continue;
            }
            total++;
            if (!reasons.TryGetValue(reason, out var entry))
            {
                reasons[reason] = entry = new DeadLetterReason { Reason = reason };
            }
            entry.Count++;
            entry.Sources.Add(sample.Source);
            if (sample.Time is { } t)
            {
                if (entry.First is null || t < entry.First) entry.First = t;
                if (entry.Last is null || t > entry.Last) entry.Last = t;
            }
            if (entry.Samples.Count < samplesPerReason) entry.Samples.Add(sample);
        }
        return new DeadLetterReport
        {
            Path = path,
            Reasons = [.. reasons.Values.OrderByDescending(r => r.Count).ThenBy(r => r.Reason, StringComparer.Ordinal)],
            Total = total,
            Unreadable = unreadable,
            UnreadableLines = badLines,
        };
    }

    private static bool TryParse(string line, out string reason, out DeadLetterSample sample)
    {
        reason = "";
        sample = null!;
        try
        {
            using var doc = JsonDocument.Parse(line);
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("reason", out var r) || r.ValueKind != JsonValueKind.String)
            {
                return false;
            }
            reason = r.GetString() ?? "";
            var source = root.TryGetProperty("source", out var s) && s.ValueKind == JsonValueKind.String ? s.GetString() ?? "" : "";
            var partition = root.TryGetProperty("partition", out var p) && p.TryGetInt32(out var pv) ? pv : 0;
            var position = root.TryGetProperty("position", out var o) && o.TryGetInt64(out var ov) ? ov : -1;
            DateTimeOffset? time = root.TryGetProperty("time", out var t) && t.TryGetDateTimeOffset(out var tv) ? tv : null;
            var raw = root.TryGetProperty("raw", out var b) && b.ValueKind == JsonValueKind.String && b.TryGetBytesFromBase64(out var bytes) ? bytes : [];
            sample = new DeadLetterSample(source, partition, position, time, raw);
            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }
}
