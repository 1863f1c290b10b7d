using System.Text.Json;
using NetTopologySuite.Features;
using NetTopologySuite.Geometries;
using NetTopologySuite.Geometries.Prepared;
using NetTopologySuite.Index.Strtree;
using NetTopologySuite.IO.Converters;
using Platform.Engine.Symbols;

namespace Platform.Operators.Geo;

/// <summary>
/// Geofence polygons from a GeoJSON FeatureCollection (properties <c>name</c> and <c>site</c>, or <c>tenant</c>),
/// indexed in an STR-tree so a fix is tested only against polygons whose bounding box holds it.
/// Coordinates are GeoJSON order: x = longitude, y = latitude.
/// </summary>
public sealed class GeofenceSet
{
    private static readonly JsonSerializerOptions GeoJsonOptions = new() { Converters = { new GeoJsonConverterFactory() } };
    private readonly STRtree<Fence> _index = new();
    private readonly Fence[] _fences;
    private readonly GeometryFactory _factory = new();

    private GeofenceSet(List<Fence> fences)
    {
        _fences = [.. fences];
        foreach (var f in _fences) _index.Insert(f.Shape.Geometry.EnvelopeInternal, f);
        _index.Build();
    }

    /// <summary>The fences, by index.</summary>
    public IReadOnlyList<Fence> Fences => _fences;

    /// <summary>Parses GeoJSON text.</summary>
    public static GeofenceSet Parse(string geoJson, SymbolTable symbols)
    {
        var collection = JsonSerializer.Deserialize<FeatureCollection>(geoJson, GeoJsonOptions)
            ?? throw new InvalidDataException("Geofences: the GeoJSON is empty.");
        var fences = new List<Fence>();
        foreach (var feature in collection)
        {
            if (feature.Geometry is not (Polygon or MultiPolygon))
            {
                throw new InvalidDataException($"Geofences: feature {fences.Count} is a {feature.Geometry?.GeometryType ?? "null"}, not a Polygon or MultiPolygon.");
            }
            var name = Property(feature, "name") ?? $"fence-{fences.Count}";
            var site = Property(feature, "site") ?? Property(feature, "tenant") ?? "";
            fences.Add(new Fence(fences.Count, symbols.Intern(name), site.Length == 0 ? Symbol.None : symbols.Intern(site), PreparedGeometryFactory.Prepare(feature.Geometry)));
        }
        return new GeofenceSet(fences);
    }

    /// <summary>Reads a GeoJSON file.</summary>
    public static GeofenceSet Load(string path, SymbolTable symbols) => Parse(File.ReadAllText(path), symbols);

    private static string? Property(IFeature feature, string name) =>
        feature.Attributes is { } a && a.Exists(name) ? a[name]?.ToString() : null;

    /// <summary>Adds the indexes of every fence containing (latitude, longitude) to <paramref name="into"/> (cleared first).</summary>
    public void Containing(double latitude, double longitude, List<int> into)
    {
        into.Clear();
        var envelope = new Envelope(longitude, longitude, latitude, latitude);
        var candidates = _index.Query(envelope);
        if (candidates.Count == 0) return;
        var point = _factory.CreatePoint(new Coordinate(longitude, latitude));
        foreach (var f in candidates)
        {
            if (f.Shape.Covers(point)) into.Add(f.Index);
        }
    }

    /// <summary>True when some fence of <paramref name="site"/> covers the point.</summary>
    public bool InsideSite(double latitude, double longitude, Symbol site, List<int> scratch)
    {
        Containing(latitude, longitude, scratch);
        foreach (var i in scratch) if (_fences[i].Site == site) return true;
        return false;
    }

    /// <summary>True when <paramref name="site"/> has at least one fence.</summary>
    public bool HasSite(Symbol site) => Array.Exists(_fences, f => f.Site == site);
}
