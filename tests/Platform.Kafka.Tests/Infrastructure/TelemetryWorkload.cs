using System.Text;

namespace Platform.Kafka.Tests.Infrastructure;

/// <summary>
/// Deterministic telemetry for Kafka tests: record i is device i % devices, one reading per device per second
/// (so each device's records are in event-time order within its partition), sensors alternating. The expected
/// 10 s tumbling-window counts follow from the same arithmetic.
/// </summary>
public sealed class TelemetryWorkload(int records, int devices, long startMs = 1_767_225_600_000)
{
    public const long WindowMs = 10_000;
    private static readonly string[] Sensors = ["temperature", "humidity"];

    public int Records => records;

    public string DeviceOf(int i) => $"dev-{i % devices:D4}";
    public long TimeOf(int i) => startMs + (long)(i / devices) * 1000;
    public string SensorOf(int i) => Sensors[(i / devices) % Sensors.Length];

    public byte[] Line(int i) => Encoding.UTF8.GetBytes(
        $"{{\"deviceId\":\"{DeviceOf(i)}\",\"timestamp\":{TimeOf(i)},\"sensorType\":\"{SensorOf(i)}\",\"payload\":{{\"value\":{i % 100}.5,\"unit\":\"u\"}}}}");

    /// <summary>Messages [from, to) keyed by device id.</summary>
    public IEnumerable<(string? Key, byte[] Value, int? Partition)> Messages(int from, int to)
    {
        for (var i = from; i < to; i++) yield return (DeviceOf(i), Line(i), null);
    }

    /// <summary>One record per partition far ahead in event time, so every window of the real data fires.</summary>
    public IEnumerable<(string? Key, byte[] Value, int? Partition)> WatermarkPushers(int partitions)
    {
        var far = TimeOf(records) + 3_600_000;
        for (var p = 0; p < partitions; p++)
            yield return ("sentinel", Encoding.UTF8.GetBytes($"{{\"deviceId\":\"sentinel-{p}\",\"timestamp\":{far},\"sensorType\":\"none\",\"payload\":{{\"value\":0,\"unit\":\"u\"}}}}"), p);
    }

    /// <summary>(device, sensor, window start) → count, for the records whose index passes <paramref name="include"/>.</summary>
    public Dictionary<(string Device, string Sensor, long WindowStart), long> ExpectedWindows(Func<int, bool>? include = null)
    {
        var expected = new Dictionary<(string, string, long), long>();
        for (var i = 0; i < records; i++)
        {
            if (include is not null && !include(i)) continue;
            var t = TimeOf(i);
            var key = (DeviceOf(i), SensorOf(i), t - t % WindowMs);
            expected[key] = expected.GetValueOrDefault(key) + 1;
        }
        return expected;
    }
}
