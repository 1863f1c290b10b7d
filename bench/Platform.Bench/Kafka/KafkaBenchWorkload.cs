using System.Globalization;
using System.Text;

namespace Platform.Bench.Kafka;

/// <summary>
/// The Kafka benchmark's input and the windows it must give: record <c>i</c> is device <c>i mod devices</c> at second
/// <c>i / devices</c> (every device reports once a second, sensors alternate by second), a value in quarter steps (so
/// sums are exact in binary floating point), keyed by device id and stamped with its event time.
/// </summary>
internal sealed class KafkaBenchWorkload(int records, int devices)
{
    /// <summary>2026-01-01T00:00:00Z, Unix ms: event time of the first second.</summary>
    public const long StartMs = 1_767_225_600_000L;

    /// <summary>The tumbling window of the job.</summary>
    public static readonly TimeSpan Window = TimeSpan.FromSeconds(10);

    public int Records => records;

    public int Devices => devices;

    /// <summary>Event time of the last record.</summary>
    public long LastEventMs => TimeOf(records - 1);

    public static string DeviceName(int device) => $"dev-{device:D5}";

    public long TimeOf(int i) => StartMs + (long)(i / devices) * 1000;

    public string SensorOf(int i) => (i / devices) % 2 == 0 ? "temperature" : "humidity";

    public static double ValueOf(int i) => (i * 37 % 1000) * 0.25;

    public byte[] KeyOf(int i) => Encoding.UTF8.GetBytes(DeviceName(i % devices));

    public byte[] LineOf(int i) => Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture,
        $"{{\"deviceId\":\"{DeviceName(i % devices)}\",\"timestamp\":{TimeOf(i)},\"sensorType\":\"{SensorOf(i)}\",\"payload\":{{\"value\":{ValueOf(i):0.00},\"unit\":\"u\"}}}}"));

    /// <summary>Every (device, sensor, window start) of the input with its count, sum, min and max.</summary>
    public Dictionary<KafkaWindowKey, KafkaWindowAggregate> ExpectedWindows()
    {
        var size = (long)Window.TotalMilliseconds;
        var windows = new Dictionary<KafkaWindowKey, KafkaWindowAggregate>();
        for (var i = 0; i < records; i++)
        {
            var time = TimeOf(i);
            var key = new KafkaWindowKey(DeviceName(i % devices), SensorOf(i), time - (time % size));
            windows[key] = windows.TryGetValue(key, out var a) ? a.Add(ValueOf(i)) : KafkaWindowAggregate.Of(ValueOf(i));
        }
        return windows;
    }
}

/// <summary>One window of one device × sensor.</summary>
internal readonly record struct KafkaWindowKey(string Device, string Sensor, long Start);

/// <summary>What the benchmark checks of a window: count, sum, min and max.</summary>
internal readonly record struct KafkaWindowAggregate(long Count, double Sum, double Min, double Max)
{
    public static KafkaWindowAggregate Of(double value) => new(1, value, value, value);

    public KafkaWindowAggregate Add(double value) => new(Count + 1, Sum + value, Math.Min(Min, value), Math.Max(Max, value));
}
