namespace Platform.Connectors.Kafka;

/// <summary>
/// Thrown by <see cref="IKafkaValueTranscoder.TryTranscodeWithoutWaiting"/> when a value cannot be judged yet — its schema is not
/// fetched, or the Schema Registry is down — which is no fault of the message. The source holds the partition at that
/// message (nothing from it on is processed or committed), prepares it in the background with backoff
/// (<see cref="IKafkaValueTranscoder.PrepareAsync"/>), then reads the partition again from that message.
/// </summary>
public sealed class KafkaValueNotReadyException : Exception
{
    /// <summary>Creates the exception.</summary>
    public KafkaValueNotReadyException() : this("The value cannot be transcoded yet.") { }

    /// <summary>Creates the exception with a reason.</summary>
    public KafkaValueNotReadyException(string message) : base(message) { }

    /// <summary>Creates the exception with a reason and cause.</summary>
    public KafkaValueNotReadyException(string message, Exception inner) : base(message, inner) { }
}
