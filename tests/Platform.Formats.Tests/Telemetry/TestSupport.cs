using System.Buffers;
using System.Globalization;
using System.IO.Hashing;
using System.Text;
using System.Text.Json;
using Platform.Engine.DeadLetters;
using Platform.Engine.Records;
using Platform.Engine.Symbols;

namespace Platform.Formats.Tests.Telemetry;

/// <summary>One captured dead letter.</summary>
internal sealed record DeadLetter(string Source, int Partition, long Position, string Reason, byte[] Raw)
{
    public override string ToString() => $"@{Position} {Reason} [{Encoding.UTF8.GetString(Raw)}]";
}

/// <summary>A dead-letter sink that keeps everything, for comparing runs.</summary>
internal sealed class ListDeadLetterSink : IDeadLetterSink
{
    private readonly List<DeadLetter> _items = [];

    public IReadOnlyList<DeadLetter> Items => _items;

    public long Count => _items.Count;

    public void Write(string source, int partition, long position, string reason, ReadOnlySpan<byte> raw)
    {
        lock (_items) _items.Add(new DeadLetter(source, partition, position, reason, raw.ToArray()));
    }
}

/// <summary>What a record should hold, computed with System.Text.Json (JsonDocument) as the reference.</summary>
internal sealed record ExpectedTelemetry(
    string Device, long Timestamp, string Sensor, string Unit, double Value, double X, double Y, double Z,
    bool Vector, bool HasLocation, double Latitude, double Longitude, bool HasCorrelation, UInt128 Correlation)
{
    public static ExpectedTelemetry FromStj(byte[] line)
    {
        using var doc = JsonDocument.Parse(line);
        var root = doc.RootElement;
        var ts = root.GetProperty("timestamp");
        var timestamp = ts.ValueKind == JsonValueKind.Number
            ? ts.GetInt64()
            : DateTimeOffset.Parse(ts.GetString()!, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind).ToUnixTimeMilliseconds();
        var payload = root.GetProperty("payload");
        var unit = payload.TryGetProperty("unit", out var u) && u.ValueKind == JsonValueKind.String ? u.GetString()! : "";
        var vector = payload.TryGetProperty("x", out var x);
        double value = 0, vx = 0, vy = 0, vz = 0;
        if (vector)
        {
            vx = x.GetDouble();
            vy = payload.GetProperty("y").GetDouble();
            vz = payload.GetProperty("z").GetDouble();
            value = Math.Sqrt(vx * vx + vy * vy + vz * vz);
        }
        else
        {
            value = payload.GetProperty("value").GetDouble();
        }
        var hasLocation = root.TryGetProperty("location", out var loc) && loc.ValueKind == JsonValueKind.Object;
        double lat = 0, lon = 0;
        if (hasLocation)
        {
            lat = (loc.TryGetProperty("lat", out var a) ? a : loc.GetProperty("latitude")).GetDouble();
            lon = (loc.TryGetProperty("lon", out var b) ? b : loc.GetProperty("longitude")).GetDouble();
        }
        var hasCorrelation = root.TryGetProperty("correlationId", out var c) && c.ValueKind == JsonValueKind.String;
        UInt128 correlation = 0;
        if (hasCorrelation)
        {
            var text = c.GetString()!;
            correlation = IsCanonicalUuid(text)
                ? UInt128.Parse(text.Replace("-", "", StringComparison.Ordinal), NumberStyles.HexNumber, CultureInfo.InvariantCulture)
                : XxHash128.HashToUInt128(Encoding.UTF8.GetBytes(text));
        }
        return new ExpectedTelemetry(root.GetProperty("deviceId").GetString()!, timestamp, root.GetProperty("sensorType").GetString()!,
            unit, value, vx, vy, vz, vector, hasLocation, lat, lon, hasCorrelation, correlation);
    }

    public static ExpectedTelemetry FromRecord(in Platform.Engine.Records.Telemetry t, SymbolTable symbols) => new(
        symbols.NameOf(t.Device), t.Timestamp, symbols.NameOf(t.Sensor), symbols.NameOf(t.Unit), t.Value,
        t.IsVector ? t.X : 0, t.IsVector ? t.Y : 0, t.IsVector ? t.Z : 0, t.IsVector,
        (t.Flags & TelemetryFlags.Location) != 0,
        (t.Flags & TelemetryFlags.Location) != 0 ? t.Latitude : 0,
        (t.Flags & TelemetryFlags.Location) != 0 ? t.Longitude : 0,
        (t.Flags & TelemetryFlags.Correlation) != 0, t.CorrelationId);

    private static bool IsCanonicalUuid(string s) =>
        s.Length == 36 && s[8] == '-' && s[13] == '-' && s[18] == '-' && s[23] == '-'
        && s.Where((ch, i) => i is not (8 or 13 or 18 or 23)).All(Uri.IsHexDigit);
}

/// <summary>Builds multi-segment sequences.</summary>
internal sealed class Segment : ReadOnlySequenceSegment<byte>
{
    public Segment(ReadOnlyMemory<byte> memory, long runningIndex)
    {
        Memory = memory;
        RunningIndex = runningIndex;
    }

    public Segment Append(ReadOnlyMemory<byte> memory)
    {
        var next = new Segment(memory, RunningIndex + Memory.Length);
        Next = next;
        return next;
    }

    /// <summary>Splits <paramref name="data"/> at the given cut points (sorted, may repeat: empty segments).</summary>
    public static ReadOnlySequence<byte> Split(byte[] data, IEnumerable<int> cuts)
    {
        var points = cuts.Select(c => Math.Clamp(c, 0, data.Length)).Order().ToList();
        points.Add(data.Length);
        var first = new Segment(data.AsMemory(0, points[0]), 0);
        var last = first;
        var prev = points[0];
        foreach (var p in points.Skip(1))
        {
            // Copy each piece so a parser that read past a segment end would see different memory.
            last = last.Append(data.AsSpan(prev, p - prev).ToArray());
            prev = p;
        }
        return new ReadOnlySequence<byte>(first, 0, last, last.Memory.Length);
    }
}
