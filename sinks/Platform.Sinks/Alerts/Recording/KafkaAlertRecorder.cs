using System.Text.Json;
using Confluent.Kafka;

namespace Platform.Sinks.Alerts.Recording;

/// <summary>
/// Produces every alert to a Kafka topic as one JSON object (key = the alert's key), idempotent with acks=all.
/// With no bootstrap servers it starts librdkafka's in-process mock cluster (<c>test.mock.num.brokers=3</c>),
/// so a sample runs on a machine without a broker; the cluster lives as long as the recorder.
/// A batch waits for its delivery reports; refused alerts count as failed.
/// </summary>
public sealed class KafkaAlertRecorder : AlertRecorder
{
    private readonly IProducer<string, byte[]> _producer;
    private readonly string _topic;

    /// <summary>Connects to <paramref name="bootstrapServers"/>, or to a fresh mock cluster when it is null or empty.</summary>
    public KafkaAlertRecorder(string? bootstrapServers, string topic)
    {
        ArgumentException.ThrowIfNullOrEmpty(topic);
        _topic = topic;
        var mock = string.IsNullOrEmpty(bootstrapServers);
        var config = new ProducerConfig
        {
            BootstrapServers = mock ? "mock-bootstrap:9092" : bootstrapServers,
            Acks = Acks.All,
            EnableIdempotence = true,
            LingerMs = 20,
            ClientId = "platform-alerts",
        };
        if (mock) config.Set("test.mock.num.brokers", "3");
        Name = mock ? $"kafka topic {topic} (in-process mock cluster)" : $"kafka topic {topic} at {bootstrapServers}";
        _producer = new ProducerBuilder<string, byte[]>(config)
            .SetLogHandler((_, _) => { }) // the mock cluster's start-up lines are not for the console
            .Build();
    }

    /// <inheritdoc />
    public override string Name { get; }

    /// <summary>The producer, e.g. to read the mock cluster's metadata.</summary>
    public IClient Client => _producer;

    /// <inheritdoc />
    protected override async Task WriteAsync(IReadOnlyList<Alert> batch)
    {
        var deliveries = new Task<DeliveryResult<string, byte[]>>[batch.Count];
        for (var i = 0; i < batch.Count; i++)
        {
            deliveries[i] = _producer.ProduceAsync(_topic, new Message<string, byte[]> { Key = batch[i].Key, Value = Encode(batch[i]) });
        }
        await Task.WhenAll(deliveries).ConfigureAwait(false);
    }

    /// <summary>The JSON value of one alert.</summary>
    public static byte[] Encode(Alert alert)
    {
        ArgumentNullException.ThrowIfNull(alert);
        using var buffer = new MemoryStream(256);
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("key"u8, alert.Key);
            json.WriteString("time"u8, alert.Time.UtcDateTime);
            Number(json, "value"u8, alert.Value);
            Number(json, "score"u8, alert.Score);
            Number(json, "expectedLow"u8, alert.ExpectedLow);
            Number(json, "expectedHigh"u8, alert.ExpectedHigh);
            json.WriteString("message"u8, alert.Message);
            json.WriteString("severity"u8, alert.Severity.ToString().ToLowerInvariant());
            json.WriteString("source"u8, alert.Source);
            json.WriteEndObject();
        }
        return buffer.ToArray();
    }

    private static void Number(Utf8JsonWriter json, ReadOnlySpan<byte> name, double value)
    {
        if (double.IsFinite(value)) json.WriteNumber(name, value);
        else json.WriteNull(name);
    }

    /// <inheritdoc />
    protected override void Close()
    {
        _producer.Flush(TimeSpan.FromSeconds(30));
        _producer.Dispose();
    }
}
