using System.Buffers;
using System.Text.Json;
using Platform.Engine.Records;

namespace Platform.Sinks.Kafka;

/// <summary>
/// A window result as one JSON object (device and sensor by name); key by <see cref="KafkaKeyField"/>;
/// timestamp = window end.
/// </summary>
public readonly struct KafkaWindowResultEncoder(SymbolUtf8Cache names, KafkaKeyField key = KafkaKeyField.DeviceId) : IKafkaRecordEncoder<WindowResult>
{
    // One writer per thread, reset onto each record's buffer: no writer allocated per record.
    [ThreadStatic]
    private static Utf8JsonWriter? t_writer;

    /// <inheritdoc />
    public byte[]? KeyOf(in WindowResult record)
    {
        var k = SensorKey.FromPacked(record.Key);
        return key switch
        {
            KafkaKeyField.DeviceId => names.Of(k.Device),
            KafkaKeyField.SensorType => names.Of(k.Sensor),
            KafkaKeyField.DeviceAndSensor => names.Pair(k.Device, k.Sensor),
            _ => null,
        };
    }

    /// <inheritdoc />
    public byte[] SensorTypeOf(in WindowResult record) => names.Of(SensorKey.FromPacked(record.Key).Sensor);

    /// <inheritdoc />
    public long TimestampOf(in WindowResult record) => record.WindowEnd;

    /// <inheritdoc />
    public void WriteValue(in WindowResult record, IBufferWriter<byte> value)
    {
        var k = SensorKey.FromPacked(record.Key);
        var w = t_writer ??= new Utf8JsonWriter(Stream.Null);
        w.Reset(value);
        w.WriteStartObject();
        w.WriteString("deviceId"u8, names.Of(k.Device));
        w.WriteString("sensorType"u8, names.Of(k.Sensor));
        w.WriteNumber("windowStart"u8, record.WindowStart);
        w.WriteNumber("windowEnd"u8, record.WindowEnd);
        w.WriteNumber("count"u8, record.Count);
        w.WriteNumber("sum"u8, record.Sum);
        w.WriteNumber("mean"u8, record.Mean);
        w.WriteNumber("min"u8, record.Min);
        w.WriteNumber("max"u8, record.Max);
        w.WriteNumber("variance"u8, record.Variance);
        w.WriteNumber("p50"u8, record.P50);
        w.WriteNumber("p95"u8, record.P95);
        w.WriteNumber("p99"u8, record.P99);
        w.WriteBoolean("isUpdate"u8, record.IsUpdate);
        w.WriteEndObject();
        w.Flush();
        w.Reset(Stream.Null);
    }
}
