namespace Platform.Sinks.Kafka;

/// <summary>Header names the Kafka sink writes on every record.</summary>
public static class KafkaHeaders
{
    /// <summary>The record's sensor type, UTF-8.</summary>
    public const string SensorType = "sensorType";

    /// <summary>The record's event time (a window result: its window end), Unix ms as UTF-8 decimal digits.</summary>
    public const string Timestamp = "timestamp";
}
