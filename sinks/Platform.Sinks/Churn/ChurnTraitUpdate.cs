using System.Buffers;
using System.Text.Json;
using Platform.Engine.Records;
using Platform.Engine.Symbols;
using Platform.Sinks.EventBridge;
using Platform.Sinks.Kafka;

namespace Platform.Sinks.Churn;

/// <summary>
/// A changed churn score as a Segment <c>identify</c> call: <c>userId</c> and the traits
/// <c>churn_risk_score</c>, <c>churn_risk_category</c>, <c>churn_model_version</c>, <c>churn_scored_at</c>
/// (ISO-8601), plus <c>churn_model</c> = false when the seed's rules scored. What the Kafka and EventBridge
/// sinks send.
/// </summary>
public static class ChurnTraitUpdate
{
    /// <summary>Writes the identify call as one JSON object.</summary>
    public static void Write(in CustomerProfileUpdate update, SymbolUtf8Cache names, Utf8JsonWriter writer)
    {
        ArgumentNullException.ThrowIfNull(names);
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteStartObject();
        writer.WriteString("type"u8, "identify"u8);
        writer.WriteString("userId"u8, names.Of(update.CustomerId));
        writer.WriteString("timestamp"u8, DateTimeOffset.FromUnixTimeMilliseconds(update.ScoredAt).UtcDateTime);
        writer.WriteStartObject("traits"u8);
        writer.WriteNumber("churn_risk_score"u8, Math.Round(update.Score, 4));
        writer.WriteString("churn_risk_category"u8, CustomerProfileUpdate.NameOf(update.Category));
        writer.WriteString("churn_model_version"u8, names.Of(update.ModelVersion));
        writer.WriteString("churn_scored_at"u8, DateTimeOffset.FromUnixTimeMilliseconds(update.ScoredAt).UtcDateTime);
        writer.WriteBoolean("churn_model"u8, update.FromModel);
        writer.WriteEndObject();
        writer.WriteEndObject();
    }
}

/// <summary>Trait updates to Kafka: key = user id, value = the identify call, header sensorType = "churn_risk".</summary>
public readonly struct KafkaChurnTraitEncoder(SymbolUtf8Cache names) : IKafkaRecordEncoder<CustomerProfileUpdate>
{
    private static readonly byte[] Kind = "churn_risk"u8.ToArray();

    [ThreadStatic]
    private static Utf8JsonWriter? t_writer;

    /// <inheritdoc />
    public byte[]? KeyOf(in CustomerProfileUpdate record) => names.Of(record.CustomerId);

    /// <inheritdoc />
    public byte[] SensorTypeOf(in CustomerProfileUpdate record) => Kind;

    /// <inheritdoc />
    public long TimestampOf(in CustomerProfileUpdate record) => record.ScoredAt;

    /// <inheritdoc />
    public void WriteValue(in CustomerProfileUpdate record, IBufferWriter<byte> value)
    {
        var w = t_writer ??= new Utf8JsonWriter(Stream.Null);
        w.Reset(value);
        ChurnTraitUpdate.Write(record, names, w);
        w.Flush();
        w.Reset(Stream.Null);
    }
}

/// <summary>Trait updates to EventBridge: Detail = the identify call, Time = when it was scored.</summary>
public readonly struct ChurnTraitDetailWriter(SymbolUtf8Cache names) : IEventDetailWriter<CustomerProfileUpdate>
{
    /// <inheritdoc />
    public void WriteDetail(in CustomerProfileUpdate record, Utf8JsonWriter writer) => ChurnTraitUpdate.Write(record, names, writer);

    /// <inheritdoc />
    public long? TimeOf(in CustomerProfileUpdate record) => record.ScoredAt;
}
