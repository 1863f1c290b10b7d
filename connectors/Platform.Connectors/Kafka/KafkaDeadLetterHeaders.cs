namespace Platform.Connectors.Kafka;

/// <summary>Headers of a message in a Kafka dead-letter topic (values UTF-8 text); the value is the original bytes.</summary>
public static class KafkaDeadLetterHeaders
{
    /// <summary>Why the message was rejected.</summary>
    public const string Error = "error";
    /// <summary>The topic it came from.</summary>
    public const string Topic = "topic";
    /// <summary>Its partition there, decimal.</summary>
    public const string Partition = "partition";
    /// <summary>Its offset there, decimal.</summary>
    public const string Offset = "offset";
}
