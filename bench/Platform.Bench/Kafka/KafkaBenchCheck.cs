using System.Text.Json;

namespace Platform.Bench.Kafka;

/// <summary>Checks an engine's output topic against the input; each check returns what is wrong, or null.</summary>
internal static class KafkaBenchCheck
{
    /// <summary>The raw loop: every input message once, key and value as they were.</summary>
    public static string? Raw(List<(byte[]? Key, byte[] Value)> output, KafkaBenchWorkload workload)
    {
        if (output.Count != workload.Records) return $"{output.Count:N0} messages, expected {workload.Records:N0}";
        var seen = new HashSet<string>(output.Count);
        foreach (var (key, value) in output)
        {
            var line = System.Text.Encoding.UTF8.GetString(value);
            if (!seen.Add(line)) return "a message written twice";
            var device = JsonDocument.Parse(value).RootElement.GetProperty("deviceId").GetString();
            if (key is null || System.Text.Encoding.UTF8.GetString(key) != device) return "a key that is not the message's device";
        }
        return null;
    }

    /// <summary>
    /// Platform: one row per closed window, each equal to the input's (count, sum, min, max); every window that closed
    /// before the last watermark (last event time − 5 s allowed lateness) is there, none twice.
    /// </summary>
    public static string? ClosedWindows(List<(byte[]? Key, byte[] Value)> output, KafkaBenchWorkload workload, Dictionary<KafkaWindowKey, KafkaWindowAggregate> expected)
    {
        var rows = new Dictionary<KafkaWindowKey, KafkaWindowAggregate>();
        foreach (var (key, value) in output)
        {
            var (window, aggregate) = Read(value);
            if (!rows.TryAdd(window, aggregate)) return $"window {window} written twice";
            if (!expected.TryGetValue(window, out var want)) return $"window {window} is not in the input";
            if (want != aggregate) return $"window {window}: {aggregate}, expected {want}";
            if (key is null || System.Text.Encoding.UTF8.GetString(key) != window.Device) return $"window {window}: key is not the device";
        }
        var size = (long)KafkaBenchWorkload.Window.TotalMilliseconds;
        var watermark = workload.LastEventMs - 5_000;
        var closed = expected.Keys.Count(k => k.Start + size < watermark);
        var missing = expected.Keys.Where(k => k.Start + size < watermark).Count(k => !rows.ContainsKey(k));
        return missing > 0 ? $"{missing:N0} of {closed:N0} closed windows missing" : null;
    }

    /// <summary>Streamiz: window updates; the last update of every window equals the input's aggregate.</summary>
    public static string? WindowUpdates(List<(byte[]? Key, byte[] Value)> output, Dictionary<KafkaWindowKey, KafkaWindowAggregate> expected)
    {
        var last = new Dictionary<KafkaWindowKey, KafkaWindowAggregate>();
        foreach (var (_, value) in output)
        {
            var (window, aggregate) = Read(value);
            last[window] = aggregate;
        }
        foreach (var (window, want) in expected)
        {
            if (!last.TryGetValue(window, out var got)) return $"window {window} missing";
            if (got != want) return $"window {window}: last update {got}, expected {want}";
        }
        return last.Count == expected.Count ? null : $"{last.Count - expected.Count:N0} windows not in the input";
    }

    private static (KafkaWindowKey Window, KafkaWindowAggregate Aggregate) Read(byte[] value)
    {
        var row = JsonDocument.Parse(value).RootElement;
        return (new KafkaWindowKey(row.GetProperty("deviceId").GetString()!, row.GetProperty("sensorType").GetString()!, row.GetProperty("windowStart").GetInt64()),
            new KafkaWindowAggregate(row.GetProperty("count").GetInt64(), row.GetProperty("sum").GetDouble(), row.GetProperty("min").GetDouble(), row.GetProperty("max").GetDouble()));
    }
}
