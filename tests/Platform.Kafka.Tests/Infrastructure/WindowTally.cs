using Confluent.Kafka;

namespace Platform.Kafka.Tests.Infrastructure;

/// <summary>Tallies window results read from an output topic against the expected ones, as they arrive.</summary>
public sealed class WindowTally(Dictionary<(string Device, string Sensor, long WindowStart), long> expected)
{
    private int _seen;

    /// <summary>Copies per (device, sensor, window start).</summary>
    public Dictionary<(string Device, string Sensor, long WindowStart), List<long>> Copies { get; } = [];

    /// <summary>Expected windows seen at least once.</summary>
    public int Covered { get; private set; }

    /// <summary>For <c>ReadAll</c>: takes the new messages; true once every expected window is there.</summary>
    public bool Take(IReadOnlyList<ConsumeResult<byte[], byte[]>> messages)
    {
        for (; _seen < messages.Count; _seen++)
        {
            var (device, sensor, start, count) = WindowJob.Read(messages[_seen]);
            var key = (device, sensor, start);
            if (!Copies.TryGetValue(key, out var list)) Copies[key] = list = [];
            if (list.Count == 0 && expected.ContainsKey(key)) Covered++;
            list.Add(count);
        }
        return Covered == expected.Count;
    }

    /// <summary>Expected windows never seen.</summary>
    public List<(string, string, long)> Missing() => [.. expected.Keys.Where(k => !Copies.ContainsKey(k))];

    /// <summary>Results whose count differs from the expected one (or that were not expected at all).</summary>
    public List<string> Wrong() =>
        [.. Copies.Where(c => !c.Key.Device.StartsWith("sentinel", StringComparison.Ordinal))
            .SelectMany(c => c.Value.Where(n => n != expected.GetValueOrDefault(c.Key, -1)).Select(n => $"{c.Key}: count {n}, expected {expected.GetValueOrDefault(c.Key, -1)}"))];

    /// <summary>Results written more than once (the cost of at-least-once after a crash).</summary>
    public int Duplicates => Copies.Values.Sum(l => l.Count - 1);
}
