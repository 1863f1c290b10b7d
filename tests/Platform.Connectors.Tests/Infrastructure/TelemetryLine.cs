using System.Globalization;
using System.Text.Json;
using System.Text.Unicode;

namespace Platform.Connectors.Tests.Infrastructure;

/// <summary>A telemetry line as System.Text.Json sees it: the reference the generator is checked against.</summary>
public sealed record TelemetryLine(string DeviceId, long Timestamp, bool EpochTimestamp, string SensorType, double? Value, double[]? Vector, string Unit)
{
    /// <summary>Parses a line (without its newline); null with a reason when it is not a complete, well-typed record.</summary>
    public static TelemetryLine? TryParse(ReadOnlySpan<byte> line, out string reason)
    {
        reason = "";
        if (!Utf8.IsValid(line)) { reason = "invalid UTF-8"; return null; }
        JsonDocument doc;
        try { doc = JsonDocument.Parse(line.ToArray()); }
        catch (JsonException e) { reason = "json: " + e.Message; return null; }
        using (doc)
        {
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object) { reason = "not an object"; return null; }
            if (!root.TryGetProperty("deviceId", out var device) || device.ValueKind != JsonValueKind.String) { reason = "deviceId"; return null; }
            if (!root.TryGetProperty("sensorType", out var sensor) || sensor.ValueKind != JsonValueKind.String) { reason = "sensorType"; return null; }
            if (!root.TryGetProperty("timestamp", out var ts)) { reason = "timestamp missing"; return null; }
            long time;
            bool epoch;
            if (ts.ValueKind == JsonValueKind.Number && ts.TryGetInt64(out time)) epoch = true;
            else if (ts.ValueKind == JsonValueKind.String && DateTimeOffset.TryParse(ts.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var dto))
            {
                time = dto.ToUnixTimeMilliseconds();
                epoch = false;
            }
            else { reason = "timestamp type"; return null; }
            if (!root.TryGetProperty("payload", out var payload) || payload.ValueKind != JsonValueKind.Object) { reason = "payload"; return null; }
            if (!payload.TryGetProperty("unit", out var unit) || unit.ValueKind != JsonValueKind.String) { reason = "unit"; return null; }
            double? value = null;
            double[]? vector = null;
            if (payload.TryGetProperty("value", out var v))
            {
                if (v.ValueKind != JsonValueKind.Number) { reason = "value type"; return null; }
                value = v.GetDouble();
            }
            else
            {
                vector = new double[3];
                var names = new[] { "x", "y", "z" };
                for (var i = 0; i < 3; i++)
                {
                    if (!payload.TryGetProperty(names[i], out var c) || c.ValueKind != JsonValueKind.Number) { reason = "vector " + names[i]; return null; }
                    vector[i] = c.GetDouble();
                }
            }
            if (!root.TryGetProperty("correlationId", out var corr) || corr.ValueKind != JsonValueKind.String || !Guid.TryParse(corr.GetString(), out _)) { reason = "correlationId"; return null; }
            if (!root.TryGetProperty("location", out var loc) || loc.ValueKind != JsonValueKind.Object
                || !loc.TryGetProperty("lat", out var lat) || lat.ValueKind != JsonValueKind.Number || Math.Abs(lat.GetDouble()) > 90
                || !loc.TryGetProperty("lon", out var lon) || lon.ValueKind != JsonValueKind.Number || Math.Abs(lon.GetDouble()) > 180) { reason = "location"; return null; }
            return new TelemetryLine(device.GetString()!, time, epoch, sensor.GetString()!, value, vector, unit.GetString()!);
        }
    }

    /// <summary>Splits NDJSON into lines (without newlines); a final line without newline is included.</summary>
    public static List<ReadOnlyMemory<byte>> Split(ReadOnlyMemory<byte> data)
    {
        var lines = new List<ReadOnlyMemory<byte>>();
        var rest = data;
        while (!rest.IsEmpty)
        {
            var i = rest.Span.IndexOf((byte)'\n');
            if (i < 0) { lines.Add(rest); break; }
            lines.Add(rest[..i]);
            rest = rest[(i + 1)..];
        }
        return lines;
    }
}
