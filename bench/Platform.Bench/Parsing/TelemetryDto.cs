using System.Text.Json;
using System.Text.Json.Serialization;

namespace Platform.Bench.Parsing;

/// <summary>The System.Text.Json peer's model of a telemetry line (what a typical service would deserialize into).</summary>
public sealed class TelemetryDto
{
    public string? DeviceId { get; set; }

    [JsonConverter(typeof(UnixMillisConverter))]
    public long Timestamp { get; set; }

    public string? SensorType { get; set; }

    public PayloadDto? Payload { get; set; }

    public string? CorrelationId { get; set; }

    public LocationDto? Location { get; set; }
}

/// <summary>Payload: a value with a unit, or an x/y/z vector.</summary>
public sealed class PayloadDto
{
    public double? Value { get; set; }

    public string? Unit { get; set; }

    public double? X { get; set; }

    public double? Y { get; set; }

    public double? Z { get; set; }
}

/// <summary>Position.</summary>
public sealed class LocationDto
{
    public double Lat { get; set; }

    public double Lon { get; set; }
}

/// <summary>ISO-8601 string or epoch milliseconds to Unix milliseconds.</summary>
public sealed class UnixMillisConverter : JsonConverter<long>
{
    public override long Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        reader.TokenType == JsonTokenType.Number ? reader.GetInt64() : reader.GetDateTimeOffset().ToUnixTimeMilliseconds();

    public override void Write(Utf8JsonWriter writer, long value, JsonSerializerOptions options) => writer.WriteNumberValue(value);
}

/// <summary>Source-generated metadata: the fast System.Text.Json path.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, GenerationMode = JsonSourceGenerationMode.Metadata)]
[JsonSerializable(typeof(TelemetryDto))]
public sealed partial class TelemetryJsonContext : JsonSerializerContext;
