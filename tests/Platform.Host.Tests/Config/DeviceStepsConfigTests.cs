using Platform.Host.Config;
using Platform.Host.Config.Steps;
using Platform.Operators.Enrichment;

namespace Platform.Host.Tests.Config;

/// <summary>The enrich, geofence and location-fraud steps and alerts.record: binding, defaults and validate errors with line, column and hint.</summary>
public sealed class DeviceStepsConfigTests : IDisposable
{
    private const string Fences = """
        { "type": "FeatureCollection", "features": [
          { "type": "Feature", "properties": { "name": "depot", "site": "north" },
            "geometry": { "type": "Polygon", "coordinates": [[[0,0],[1,0],[1,1],[0,1],[0,0]]] } } ] }
        """;

    private readonly string _dir = Directory.CreateTempSubdirectory("platform-device-steps-").FullName;

    public DeviceStepsConfigTests()
    {
        File.WriteAllText(Path.Combine(_dir, "devices.csv"), "device,owner,site,model,threshold_low,threshold_high\ndev-1,acme,north,TX,0,40\n");
        File.WriteAllText(Path.Combine(_dir, "devices.json"), """[{"device":"dev-1","owner":"acme","site":"north","model":"TX","threshold_high":40}]""");
        File.WriteAllText(Path.Combine(_dir, "bad.csv"), "device,owner,site,model,threshold_low\ndev-1,acme,north,TX,hot\n");
        File.WriteAllText(Path.Combine(_dir, "fences.geojson"), Fences);
        File.WriteAllText(Path.Combine(_dir, "broken.geojson"), """{ "type": "FeatureCollection", "features": [ { "type": "Feature", "properties": {}, "geometry": { "type": "Point", "coordinates": [0, 0] } } ] }""");
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private ConfigLoadResult Load(string steps, string extra = "")
    {
        var yaml = $"""
            name: devices
            source:
              type: generator
            steps:
            {steps}
            sinks:
              - type: null
            {extra}
            """;
        var path = Path.Combine(_dir, "pipeline.yaml");
        File.WriteAllText(path, yaml);
        return PipelineConfigLoader.Load(path, _dir);
    }

    private static ConfigError Single(ConfigLoadResult result)
    {
        Assert.Null(result.Config);
        return Assert.Single(result.Errors);
    }

    [Fact]
    public void Load_AllThreeSteps_BindsFilesPoliciesAndDefaults()
    {
        var result = Load("""
              - op: enrich
                file: devices.csv
                on-missing: default
                default-owner: unassigned
                limits-sensor: temperature
              - op: key-by
                fields: [deviceId]
              - op: window
                size: 10s
              - op: geofence
                fences: fences.geojson
                dwell: 30s
              - op: location-fraud
                max-speed-kmh: 900
                regions: fences.geojson
            """);

        Assert.True(result.IsValid, string.Join("\n", result.Errors));
        var enrich = result.Config!.Steps.OfType<EnrichStepConfig>().Single();
        Assert.Equal((Path.Combine(_dir, "devices.csv"), RegistryRefresh.OnChange, MissingKeyPolicy.DefaultRow, "unassigned", "temperature"),
            (enrich.FullPath, enrich.Refresh, enrich.Policy, enrich.DefaultOwner, enrich.LimitsSensor));
        var geofence = result.Config.Steps.OfType<GeofenceStepConfig>().Single();
        Assert.Equal((3, 30_000L, (string?)null), (geofence.Options.Debounce, geofence.Options.DwellMilliseconds, geofence.Sensor));
        var fraud = result.Config.Steps.OfType<LocationFraudStepConfig>().Single();
        Assert.Equal((900.0, 1000.0, true), (fraud.Options.MaxSpeedKmh, fraud.Options.MinDistanceMetres, fraud.Options.CheckRegion));
    }

    [Fact]
    public void Load_PostgresTable_PollsEveryMinuteByDefault()
    {
        var result = Load("""
              - op: enrich
                table: devices
                connection-string: Host=127.0.0.1;Username=fleet;Database=fleet
                on-missing: dlq
            """);

        Assert.True(result.IsValid, string.Join("\n", result.Errors));
        var enrich = result.Config!.Steps.OfType<EnrichStepConfig>().Single();
        Assert.Equal((RegistryRefresh.Interval, TimeSpan.FromMinutes(1), MissingKeyPolicy.DeadLetter, "public"), (enrich.Refresh, enrich.Interval, enrich.Policy, enrich.Schema));
    }

    [Fact]
    public void Load_JsonRegistryWithInterval_Binds()
    {
        var result = Load("""
              - op: enrich
                file: devices.json
                refresh: 30s
            """);

        Assert.True(result.IsValid, string.Join("\n", result.Errors));
        Assert.Equal((RegistryRefresh.Interval, TimeSpan.FromSeconds(30)), (result.Config!.Steps.OfType<EnrichStepConfig>().Single().Refresh, result.Config.Steps.OfType<EnrichStepConfig>().Single().Interval));
    }

    [Theory]
    [InlineData("file: nowhere.csv", 6, 11, "registry file 'nowhere.csv' does not exist", "relative path")]
    [InlineData("file: devices.txt", 6, 11, "the registry file must be .csv or .json", "header device,owner,site,model")]
    [InlineData("file: bad.csv", 6, 11, "registry file 'bad.csv' cannot be read", "numbers for thresholds")]
    [InlineData("table: devices", 5, 5, "enrich is missing required field 'connection-string'", "add 'connection-string:")]
    [InlineData("table: \"dev;drop\"\n    connection-string: Host=x", 6, 12, "must be an SQL identifier", "letters, digits and '_'")]
    [InlineData("file: devices.csv\n    refresh: sometimes", 7, 14, "'refresh' must be on-change, none or an interval", "refresh: on-change")]
    [InlineData("table: devices\n    connection-string: Host=x\n    refresh: on-change", 8, 14, "'refresh: on-change' needs a registry file", "refresh: 30s")]
    [InlineData("file: devices.csv\n    on-missing: drop", 7, 17, "'on-missing' must be one of pass, dlq, default", null)]
    [InlineData("file: devices.csv\n    default-owner: nobody", 7, 20, "'default-owner' is used only with 'on-missing: default'", "on-missing: default")]
    [InlineData("refresh: 10s", 5, 5, "enrich needs a registry", "file: devices.csv")]
    public void Load_BadEnrich_OneErrorWithPositionAndHint(string fields, int line, int column, string message, string? hint)
    {
        var error = Single(Load("  - op: enrich\n    " + fields));

        Assert.Equal((line, column), (error.Line, error.Column));
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
        if (hint is not null) Assert.Contains(hint, error.Hint, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_GeofenceWithSensorKeyButNoSensor_ExplainsWhyASensorIsNeeded()
    {
        var error = Single(Load("""
              - op: key-by
                fields: [deviceId, sensorType]
              - op: geofence
                fences: fences.geojson
            """));

        Assert.Equal((7, 9), (error.Line, error.Column));
        Assert.Equal("geofence needs 'sensor' because key-by includes sensorType", error.Message);
        Assert.Contains("sensor: temperature", error.Hint, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("fences: nowhere.geojson", "GeoJSON file 'nowhere.geojson' does not exist")]
    [InlineData("fences: broken.geojson", "GeoJSON file 'broken.geojson' cannot be read: Geofences: feature 0 is a Point")]
    public void Load_BadFences_ErrorAtTheFencesKey(string fields, string message)
    {
        var error = Single(Load("  - op: key-by\n    fields: [deviceId]\n  - op: geofence\n    " + fields));

        Assert.Equal((8, 13), (error.Line, error.Column));
        Assert.StartsWith(message, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_RegionsWithoutEnrich_NeedsTheRegistryForSites()
    {
        var error = Single(Load("""
              - op: key-by
                fields: [deviceId]
              - op: location-fraud
                regions: fences.geojson
            """));

        Assert.Equal((8, 14), (error.Line, error.Column));
        Assert.Contains("needs an 'enrich' step before it", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_GeofenceWithoutKeyBy_NeedsKeyBy()
    {
        var result = Load("  - op: geofence\n    fences: fences.geojson");

        var error = Assert.Single(result.Errors);
        Assert.Equal("geofence needs a 'key-by' step before it", error.Message);
    }

    [Fact]
    public void Load_AlertRecordTargets_BindAndRoundTrip()
    {
        var result = Load("  - op: enrich\n    file: devices.csv", """
            alerts:
              record:
                - type: duckdb
                  path: out/alerts.duckdb
                - type: kafka
                  topic: iot-alerts
            """);

        Assert.True(result.IsValid, string.Join("\n", result.Errors));
        var record = result.Config!.Alerts!.Record;
        Assert.Equal(2, record.Count);
        Assert.Equal(("alerts", Path.Combine(_dir, "out/alerts.duckdb")), (((DuckDbAlertRecordConfig)record[0]).Table, ((DuckDbAlertRecordConfig)record[0]).FullPath));
        Assert.Null(((KafkaAlertRecordConfig)record[1]).BootstrapServers);
        var written = PipelineConfigWriter.ToYaml(result.Config);
        var again = PipelineConfigLoader.Parse(written, Path.Combine(_dir, "again.yaml"), _dir);
        Assert.True(again.IsValid, written + "\n" + string.Join("\n", again.Errors));
        Assert.Equal(result.Config, again.Config);
    }

    [Fact]
    public void Load_UnknownAlertRecordType_SuggestsClosest()
    {
        var error = Single(Load("  - op: enrich\n    file: devices.csv", "alerts:\n  record:\n    - type: duckbd\n      path: x.duckdb"));

        Assert.Equal("unknown alert record type 'duckbd'", error.Message);
        Assert.Contains("duckdb", error.Hint, StringComparison.Ordinal);
    }
}
