using System.Globalization;
using System.IO.Hashing;
using System.Text;
using Avro;
using Avro.Generic;
using Platform.Engine.Records;
using Platform.Engine.Symbols;

namespace Platform.Connectors.SchemaRegistry;

/// <summary>
/// Maps the Avro <c>platform.iot.Telemetry</c> record (any version) to and from the engine's
/// <see cref="Telemetry"/> struct. Strings are interned into the pipeline's <see cref="SymbolTable"/>.
/// </summary>
public static class TelemetryAvro
{
    /// <summary>Builds an Avro record of <paramref name="schema"/> (v1 or v2) from <paramref name="reading"/>.</summary>
    public static GenericRecord ToAvro(in Telemetry reading, SymbolTable symbols, RecordSchema schema)
    {
        var record = new GenericRecord(schema);
        record.Add("deviceId", symbols.NameOf(reading.Device));
        record.Add("timestamp", DateTimeOffset.FromUnixTimeMilliseconds(reading.Timestamp).UtcDateTime);
        record.Add("sensorType", symbols.NameOf(reading.Sensor));
        record.Add("value", reading.Value);
        record.Add("vector", reading.IsVector ? Nested(schema, "vector", ("x", reading.X), ("y", reading.Y), ("z", reading.Z)) : null);
        record.Add("location", (reading.Flags & TelemetryFlags.Location) != 0
            ? Nested(schema, "location", ("latitude", reading.Latitude), ("longitude", reading.Longitude))
            : null);
        record.Add("correlationId", (reading.Flags & TelemetryFlags.Correlation) != 0 ? FormatCorrelation(reading.CorrelationId) : null);
        if (schema.Contains("unit")) record.Add("unit", reading.Unit.IsNone ? "" : symbols.NameOf(reading.Unit));
        return record;
    }

    /// <summary>
    /// Reads a decoded Avro telemetry record into <paramref name="reading"/>. Returns null on success or
    /// the reason the record does not fit (a required field of the wrong type).
    /// </summary>
    public static string? TryRead(GenericRecord record, SymbolTable symbols, out Telemetry reading)
    {
        reading = default;
        if (!record.TryGetValue("deviceId", out var device) || device is not string deviceId || deviceId.Length == 0)
            return "deviceId missing or empty";
        if (!record.TryGetValue("sensorType", out var sensor) || sensor is not string sensorType || sensorType.Length == 0)
            return "sensorType missing or empty";
        if (!record.TryGetValue("timestamp", out var time)) return "timestamp missing";
        switch (time)
        {
            case DateTime dt: reading.Timestamp = new DateTimeOffset(DateTime.SpecifyKind(dt, DateTimeKind.Utc)).ToUnixTimeMilliseconds(); break;
            case long ms: reading.Timestamp = ms; break;
            default: return $"timestamp has type {time?.GetType().Name ?? "null"}";
        }
        if (!record.TryGetValue("value", out var value) || value is not double v) return "value missing or not a double";
        reading.Device = symbols.Intern(deviceId);
        reading.Sensor = symbols.Intern(sensorType);
        reading.Value = v;
        if (record.TryGetValue("vector", out var vec) && vec is GenericRecord vector)
        {
            reading.X = (double)vector["x"];
            reading.Y = (double)vector["y"];
            reading.Z = (double)vector["z"];
            reading.Flags |= TelemetryFlags.Vector;
        }
        if (record.TryGetValue("location", out var loc) && loc is GenericRecord location)
        {
            reading.Latitude = (double)location["latitude"];
            reading.Longitude = (double)location["longitude"];
            reading.Flags |= TelemetryFlags.Location;
        }
        if (record.TryGetValue("correlationId", out var corr) && corr is string correlation)
        {
            reading.CorrelationId = ParseCorrelation(correlation);
            reading.Flags |= TelemetryFlags.Correlation;
        }
        if (record.TryGetValue("unit", out var unit) && unit is string { Length: > 0 } unitText) reading.Unit = symbols.Intern(unitText);
        return null;
    }

    /// <summary>A canonical UUID as the 128-bit number its digits spell (as the NDJSON parser does); any other text hashed.</summary>
    public static UInt128 ParseCorrelation(string text)
    {
        if (text.Length == 36 && text[8] == '-' && text[13] == '-' && text[18] == '-' && text[23] == '-'
            && UInt128.TryParse(text.Replace("-", "", StringComparison.Ordinal), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var uuid))
            return uuid;
        return XxHash128.HashToUInt128(Encoding.UTF8.GetBytes(text));
    }

    private static string FormatCorrelation(UInt128 id)
    {
        var hex = id.ToString("x32", CultureInfo.InvariantCulture);
        return $"{hex[..8]}-{hex[8..12]}-{hex[12..16]}-{hex[16..20]}-{hex[20..]}";
    }

    private static GenericRecord Nested(RecordSchema schema, string field, params (string Name, double Value)[] values)
    {
        var union = (UnionSchema)schema[field].Schema;
        var inner = (RecordSchema)union.Schemas.First(s => s.Tag == Schema.Type.Record);
        var record = new GenericRecord(inner);
        foreach (var (name, value) in values) record.Add(name, value);
        return record;
    }
}
