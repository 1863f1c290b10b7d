using System.Text.Json;
using System.Text.Json.Serialization;

namespace Platform.Bench.Peers;

/// <summary>
/// The peers' model of a telemetry line, as a typical service deserializes it with System.Text.Json (same shape as
/// the parse BenchmarkDotNet class's model, kept separate so the harness does not depend on that suite).
/// </summary>
public sealed class PeerTelemetryDto
{
    public string? DeviceId { get; set; }

    [JsonConverter(typeof(PeerUnixMillisConverter))]
    public long Timestamp { get; set; }

    public string? SensorType { get; set; }

    public PeerPayloadDto? Payload { get; set; }

    public string? CorrelationId { get; set; }

    public PeerLocationDto? Location { get; set; }
}

/// <summary>A value with a unit, or an x/y/z vector.</summary>
public sealed class PeerPayloadDto
{
    public double? Value { get; set; }

    public string? Unit { get; set; }

    public double? X { get; set; }

    public double? Y { get; set; }

    public double? Z { get; set; }
}

/// <summary>Position.</summary>
public sealed class PeerLocationDto
{
    public double Lat { get; set; }

    public double Lon { get; set; }
}

/// <summary>ISO-8601 string or epoch milliseconds → Unix milliseconds.</summary>
public sealed class PeerUnixMillisConverter : JsonConverter<long>
{
    public override long Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        reader.TokenType == JsonTokenType.Number ? reader.GetInt64() : reader.GetDateTimeOffset().ToUnixTimeMilliseconds();

    public override void Write(Utf8JsonWriter writer, long value, JsonSerializerOptions options) => writer.WriteNumberValue(value);
}

/// <summary>Source-generated metadata: System.Text.Json's fast path.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, GenerationMode = JsonSourceGenerationMode.Metadata)]
[JsonSerializable(typeof(PeerTelemetryDto))]
public sealed partial class PeerTelemetryJsonContext : JsonSerializerContext;
