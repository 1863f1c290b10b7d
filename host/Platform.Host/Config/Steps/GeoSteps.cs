using Platform.Engine.Symbols;
using Platform.Host.Config.Binding;
using Platform.Operators.Geo;

namespace Platform.Host.Config.Steps;

/// <summary>
/// Geofences (<c>op: geofence</c>, needs key-by): debounced <c>enter</c>/<c>exit</c> and one <c>dwell</c> per visit,
/// per device and fence, from the records' locations; each event is an alert (info).
/// </summary>
/// <param name="Fences">GeoJSON FeatureCollection of polygons (<c>fences</c>; properties name, site or tenant), relative to the pipeline file.</param>
/// <param name="FullPath">That file resolved.</param>
/// <param name="Debounce">Consecutive fixes on the new side before enter/exit (<c>debounce</c>, default 3).</param>
/// <param name="Dwell">Time inside after which one dwell event is emitted (<c>dwell</c>, default 5m; 0s = none).</param>
/// <param name="Sensor">Only this sensor's records carry the fixes (<c>sensor</c>); required when key-by includes sensorType.</param>
internal sealed record GeofenceStepConfig(string Fences, string FullPath, int Debounce, TimeSpan Dwell, string? Sensor) : StepConfig
{
    /// <summary>The YAML <c>op</c>.</summary>
    public const string OpName = "geofence";

    /// <inheritdoc/>
    public override string Op => OpName;

    /// <summary>The operator's options.</summary>
    public GeofenceOptions Options => new() { Debounce = Debounce, DwellMilliseconds = (long)Dwell.TotalMilliseconds };
}

/// <summary>
/// Location fraud (<c>op: location-fraud</c>, needs key-by): impossible travel between consecutive fixes and fixes
/// outside the device's allowed region (the fences of its registry site); each is an alert.
/// </summary>
/// <param name="MaxSpeedKmh">Implied speed above which travel is impossible (<c>max-speed-kmh</c>, default 300; 0 = off).</param>
/// <param name="MinDistanceMetres">Shorter jumps never count (<c>min-distance-m</c>, default 1000).</param>
/// <param name="Regions">GeoJSON of allowed regions per site (<c>regions</c>; needs enrich before it for the sites); null = speed only.</param>
/// <param name="RegionsFullPath">That file resolved.</param>
/// <param name="Sensor">Only this sensor's records carry the fixes (<c>sensor</c>); required when key-by includes sensorType.</param>
internal sealed record LocationFraudStepConfig(double MaxSpeedKmh, double MinDistanceMetres, string? Regions, string? RegionsFullPath, string? Sensor) : StepConfig
{
    /// <summary>The YAML <c>op</c>.</summary>
    public const string OpName = "location-fraud";

    /// <inheritdoc/>
    public override string Op => OpName;

    /// <summary>The operator's options.</summary>
    public LocationFraudOptions Options => new() { MaxSpeedKmh = MaxSpeedKmh, MinDistanceMetres = MinDistanceMetres, CheckRegion = Regions is not null };
}

/// <summary>Binds <c>op: geofence</c> and <c>op: location-fraud</c>.</summary>
internal static class GeoSteps
{
    /// <summary>The geofence registry entry.</summary>
    public static StepKind Geofence { get; } = new(GeofenceStepConfig.OpName, [KeyByStepConfig.OpName], BindGeofence, c =>
    {
        var g = (GeofenceStepConfig)c;
        var pairs = new List<KeyValuePair<string, string>>
        {
            ConfigYaml.Pair("fences", ConfigYaml.Text(g.Fences)),
            ConfigYaml.Pair("debounce", ConfigYaml.Number(g.Debounce)),
            ConfigYaml.Pair("dwell", ConfigYaml.Duration(g.Dwell)),
        };
        if (g.Sensor is not null) pairs.Add(ConfigYaml.Pair("sensor", ConfigYaml.Text(g.Sensor)));
        return pairs;
    });

    /// <summary>The location-fraud registry entry.</summary>
    public static StepKind LocationFraud { get; } = new(LocationFraudStepConfig.OpName, [KeyByStepConfig.OpName], BindLocationFraud, c =>
    {
        var f = (LocationFraudStepConfig)c;
        var pairs = new List<KeyValuePair<string, string>>
        {
            ConfigYaml.Pair("max-speed-kmh", ConfigYaml.Number(f.MaxSpeedKmh)),
            ConfigYaml.Pair("min-distance-m", ConfigYaml.Number(f.MinDistanceMetres)),
        };
        if (f.Regions is not null) pairs.Add(ConfigYaml.Pair("regions", ConfigYaml.Text(f.Regions)));
        if (f.Sensor is not null) pairs.Add(ConfigYaml.Pair("sensor", ConfigYaml.Text(f.Sensor)));
        return pairs;
    });

    private static GeofenceStepConfig? BindGeofence(MappingReader reader)
    {
        var errors = reader.Context.Errors.Count;
        var fences = reader.String("fences", requiredExample: "fences.geojson");
        var fullPath = fences is null ? null : CheckGeoJson(reader, "fences", fences);
        var debounce = reader.Int32("debounce", new GeofenceOptions().Debounce, 1, 1000);
        var dwell = reader.Duration("dwell", TimeSpan.FromMilliseconds(new GeofenceOptions().DwellMilliseconds), TimeSpan.Zero);
        var sensor = BindSensor(reader);
        return reader.Context.Errors.Count == errors && fences is not null && fullPath is not null
            ? new GeofenceStepConfig(fences, fullPath, debounce, dwell, sensor)
            : null;
    }

    private static LocationFraudStepConfig? BindLocationFraud(MappingReader reader)
    {
        var errors = reader.Context.Errors.Count;
        var defaults = new LocationFraudOptions();
        var speed = reader.Double("max-speed-kmh", defaults.MaxSpeedKmh, 0, 1e6);
        var distance = reader.Double("min-distance-m", defaults.MinDistanceMetres, 0, 1e8);
        var regions = reader.String("regions");
        var fullPath = regions is null ? null : CheckGeoJson(reader, "regions", regions);
        if (regions is not null && !reader.Context.StepsSoFar.OfType<EnrichStepConfig>().Any())
        {
            reader.Context.Error(reader.Get("regions"), "'regions' checks each device against its registry site, so it needs an 'enrich' step before it",
                "add '- op: enrich' with the device registry above this step, or drop 'regions' to check travel speed only");
        }
        if (speed == 0 && regions is null)
        {
            reader.Context.Error(reader.Get("max-speed-kmh") ?? reader.Node, "location-fraud checks nothing: 'max-speed-kmh' is 0 and there are no 'regions'",
                "set 'max-speed-kmh: 300' or add 'regions: regions.geojson'");
        }
        var sensor = BindSensor(reader);
        return reader.Context.Errors.Count == errors
            ? new LocationFraudStepConfig(speed, distance, regions, fullPath, sensor)
            : null;
    }

    /// <summary>
    /// Reads <c>sensor</c>. A device's fixes must all reach one worker; with key-by on sensorType each sensor of a
    /// device goes to its own worker, so the step must take its fixes from one sensor.
    /// </summary>
    private static string? BindSensor(MappingReader reader)
    {
        var sensor = reader.String("sensor");
        var keyBy = reader.Context.StepsSoFar.OfType<KeyByStepConfig>().LastOrDefault();
        if (sensor is null && keyBy is not null && keyBy.Fields.Contains("sensorType"))
        {
            reader.Context.Error(reader.Get("op"), $"{reader.What} needs 'sensor' because key-by includes sensorType",
                "each sensor of a device is keyed to its own worker; name the sensor whose records carry the device's fixes, e.g. 'sensor: temperature'");
        }
        return sensor;
    }

    private static string? CheckGeoJson(MappingReader reader, string key, string file)
    {
        var fullPath = reader.Context.ResolveInput(file);
        if (!File.Exists(fullPath))
        {
            reader.Context.Error(reader.Get(key), $"GeoJSON file '{file}' does not exist (looked at {fullPath})", "a relative path resolves against the folder of the pipeline file");
            return null;
        }
        try
        {
            // Parsed now, so a broken polygon is a validate error, not a failed start.
            if (GeofenceSet.Load(fullPath, new SymbolTable()).Fences.Count == 0)
            {
                reader.Context.Error(reader.Get(key), $"GeoJSON file '{file}' has no polygons", "add Polygon or MultiPolygon features with properties 'name' and 'site'");
                return null;
            }
        }
        catch (Exception e) when (e is InvalidDataException or IOException or System.Text.Json.JsonException or ArgumentException or NotSupportedException)
        {
            reader.Context.Error(reader.Get(key), $"GeoJSON file '{file}' cannot be read: {e.Message}", "a FeatureCollection of Polygon/MultiPolygon features, coordinates [longitude, latitude]");
            return null;
        }
        return fullPath;
    }
}
