using System.Buffers;
using Platform.Engine.Records;
using Platform.Sinks.Kinesis;

namespace Platform.Sinks.Kafka;

/// <summary>Telemetry as the JSON the telemetry parser reads back; key by <see cref="KafkaKeyField"/>; timestamp = event time.</summary>
public readonly struct KafkaTelemetryEncoder(SymbolUtf8Cache names, KafkaKeyField key = KafkaKeyField.DeviceId) : IKafkaRecordEncoder<Telemetry>
{
    private readonly TelemetryJsonEncoder _json = new(names.Symbols);

    /// <inheritdoc />
    public byte[]? KeyOf(in Telemetry record) => key switch
    {
        KafkaKeyField.DeviceId => names.Of(record.Device),
        KafkaKeyField.SensorType => names.Of(record.Sensor),
        KafkaKeyField.DeviceAndSensor => names.Pair(record.Device, record.Sensor),
        _ => null,
    };

    /// <inheritdoc />
    public byte[] SensorTypeOf(in Telemetry record) => names.Of(record.Sensor);

    /// <inheritdoc />
    public long TimestampOf(in Telemetry record) => record.Timestamp;

    /// <inheritdoc />
    public void WriteValue(in Telemetry record, IBufferWriter<byte> value) => _json.WriteData(record, value);
}
