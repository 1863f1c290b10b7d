using Platform.Host.Running;
using Platform.Sinks.Alerts;

namespace Platform.Integration.Tests;

/// <summary>
/// The enrich, geofence and location-fraud steps from YAML on hand-made tracks: each finding reaches the alert feed
/// (the dashboard and the alert sinks) with its source, and unknown devices follow on-missing.
/// </summary>
public sealed class DeviceAlertsTests
{
    private const string Fences = """
        { "type": "FeatureCollection", "features": [
          { "type": "Feature", "properties": { "name": "depot", "site": "north" },
            "geometry": { "type": "Polygon", "coordinates": [[[0,0],[0.1,0],[0.1,0.1],[0,0.1],[0,0]]] } } ] }
        """;

    private const string Regions = """
        { "type": "FeatureCollection", "features": [
          { "type": "Feature", "properties": { "name": "north-region", "site": "north" },
            "geometry": { "type": "Polygon", "coordinates": [[[-1,-1],[3,-1],[3,3],[-1,3],[-1,-1]]] } } ] }
        """;

    private static string Line(string device, int minute, double value, double lat, double lon) =>
        "{\"deviceId\":\"" + device + "\",\"timestamp\":" + (1_767_225_600_000L + minute * 60_000L).ToString(System.Globalization.CultureInfo.InvariantCulture)
        + ",\"sensorType\":\"temperature\",\"payload\":{\"value\":" + Num(value) + ",\"unit\":\"Celsius\"},\"location\":{\"lat\":" + Num(lat) + ",\"lon\":" + Num(lon) + "}}";

    private static string Num(double v) => v.ToString("0.0###", System.Globalization.CultureInfo.InvariantCulture);

    [Fact]
    public async Task Run_HandMadeTracks_GeofenceTravelRegionAndLimitAlerts()
    {
        using var dir = new TempDir();
        File.WriteAllText(dir.File("devices.csv"), "device,owner,site,model,threshold_low,threshold_high\nwalker,acme,north,TX,0,40\nflyer,acme,north,TX,0,40\nhot,acme,north,TX,0,40\n");
        File.WriteAllText(dir.File("fences.geojson"), Fences);
        File.WriteAllText(dir.File("regions.geojson"), Regions);
        var lines = new List<string>();
        // walker: outside the depot, then five fixes inside over 10 minutes (debounce 3, dwell 5 min), then out again.
        lines.Add(Line("walker", 0, 20, 0.12, 0.12));
        for (var m = 1; m <= 5; m++) lines.Add(Line("walker", m * 2, 20, 0.05, 0.05));
        for (var m = 0; m < 3; m++) lines.Add(Line("walker", 12 + m, 20, 0.12, 0.12));
        // flyer: 1,000 km in ten minutes (impossible), and that fix is outside its site's region.
        lines.Add(Line("flyer", 0, 20, 0.5, 0.5));
        lines.Add(Line("flyer", 10, 20, 9.5, 0.5));
        // hot: above its own limit of 40 twice in a row (one alert), back, above again (a second alert).
        foreach (var (m, v) in new[] { (0, 20.0), (1, 41.0), (2, 45.0), (3, 20.0), (4, 50.0) }) lines.Add(Line("hot", m, v, 0.5, 0.5));
        // ghost is not in the registry: on-missing dlq.
        lines.Add(Line("ghost", 0, 20, 0.5, 0.5));
        File.WriteAllText(dir.File("tracks.ndjson"), string.Join("\n", lines) + "\n");
        File.WriteAllText(dir.File("pipeline.yaml"), $"""
            name: device-alerts
            source:
              type: file
              path: tracks.ndjson
            steps:
              - op: enrich
                file: devices.csv
                on-missing: dlq
              - op: key-by
                fields: [deviceId]
              - op: window
                size: 1m
              - op: aggregate
                functions: [count]
              - op: geofence
                fences: fences.geojson
                debounce: 3
                dwell: 5m
              - op: location-fraud
                max-speed-kmh: 900
                regions: regions.geojson
            sinks:
              - type: null
            dead-letter:
              path: {dir.File("dlq.ndjson")}
            runtime:
              workers: 1
            """);
        var feed = new AlertFeed(1000);

        var exit = await RunCommand.RunAsync(new RunCommand.RunRequest(dir.File("pipeline.yaml"), null, null, 1, 0, null) { Watch = false, AlertFeed = feed });

        Assert.Equal(0, exit);
        var alerts = feed.Recent().Reverse().ToList();
        var walker = alerts.Where(a => a.Key == "walker").Select(a => (a.Source, a.Message.Split(' ')[..3])).Select(p => p.Source + " " + string.Join(' ', p.Item2)).ToList();
        Assert.Equal(["geofence-enter entered geofence depot", "geofence-dwell dwells in geofence", "geofence-exit left geofence depot"], walker);
        var flyer = alerts.Where(a => a.Key == "flyer").ToList();
        Assert.Equal(["impossible-travel", "outside-region"], flyer.Select(a => a.Source));
        Assert.Equal(AlertSeverity.Critical, flyer[0].Severity);
        Assert.InRange(flyer[0].Value, 5_000, 7_000); // ~1,000 km in 10 min = ~6,000 km/h
        var hot = alerts.Where(a => a.Key == "hot/temperature").ToList();
        Assert.Equal([41.0, 50.0], hot.Select(a => a.Value));
        Assert.All(hot, a => Assert.Contains("owner acme, site north, model TX", a.Message, StringComparison.Ordinal));
        Assert.DoesNotContain(alerts, a => a.Key.StartsWith("ghost", StringComparison.Ordinal));
        var deadLetter = Assert.Single(File.ReadAllLines(dir.File("dlq.ndjson")));
        Assert.Contains("unknown device", deadLetter, StringComparison.Ordinal);
    }
}
