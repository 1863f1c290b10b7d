namespace Platform.Sinks.Kafka;

/// <summary>Which field of a record becomes the Kafka message key (and so picks the partition).</summary>
public enum KafkaKeyField
{
    /// <summary>The device id (the default: one device's results stay in order in one partition).</summary>
    DeviceId,
    /// <summary>The sensor type.</summary>
    SensorType,
    /// <summary>"deviceId/sensorType".</summary>
    DeviceAndSensor,
    /// <summary>No key: the producer spreads records over partitions.</summary>
    None,
}
