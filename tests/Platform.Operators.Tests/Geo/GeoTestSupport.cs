using Platform.Engine.Batching;
using Platform.Engine.Records;
using Platform.Engine.Symbols;

namespace Platform.Operators.Tests.Geo;

/// <summary>Collects emitted records.</summary>
internal sealed class Collect<T> : IBatchOutput<T>
{
    public List<T> Items { get; } = [];

    public void Emit(in T record) => Items.Add(record);
}

internal static class Track
{
    public const long Minute = 60_000;

    /// <summary>Two 0.01° squares: "depot" (site north) at lon 0..0.01, lat 0..0.01; "yard" (site north) at lon 1..1.01, lat 0..0.01.</summary>
    public const string Fences = """
        { "type": "FeatureCollection", "features": [
          { "type": "Feature", "properties": { "name": "depot", "site": "north" },
            "geometry": { "type": "Polygon", "coordinates": [[[0,0],[0.01,0],[0.01,0.01],[0,0.01],[0,0]]] } },
          { "type": "Feature", "properties": { "name": "yard", "site": "north" },
            "geometry": { "type": "Polygon", "coordinates": [[[1,0],[1.01,0],[1.01,0.01],[1,0.01],[1,0]]] } }
        ] }
        """;

    public static Telemetry Fix(Symbol device, long minute, double lat, double lon) => new()
    {
        Device = device,
        Timestamp = minute * Minute,
        Latitude = lat,
        Longitude = lon,
        Flags = TelemetryFlags.Location,
    };

    public const double InLat = 0.005, InLon = 0.005, OutLat = 0.05, OutLon = 0.05;
}
