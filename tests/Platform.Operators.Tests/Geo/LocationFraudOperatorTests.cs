using Platform.Engine.Records;
using Platform.Engine.Symbols;
using Platform.Operators.Enrichment;
using Platform.Operators.Geo;
using static Platform.Operators.Tests.Geo.Track;

namespace Platform.Operators.Tests.Geo;

public sealed class LocationFraudOperatorTests
{
    private readonly SymbolTable _symbols = new();

    private EnrichedTelemetry At(Telemetry fix, string site) =>
        new() { Record = fix, Device = new DeviceInfo { Site = _symbols.Intern(site) }, Matched = true };

    [Fact]
    public void Haversine_OneDegreeOfLatitude_Is111Kilometres()
    {
        Assert.InRange(Haversine.Metres(0, 0, 1, 0), 111_100, 111_300);
        Assert.InRange(Haversine.Metres(51.5074, -0.1278, 48.8566, 2.3522), 342_000, 345_000); // London–Paris
    }

    [Fact]
    public void OnRecords_HundredKilometresInOneMinute_ImpossibleTravel()
    {
        var op = new LocationFraudOperator(null, new LocationFraudOptions { MaxSpeedKmh = 300 });
        var dev = _symbols.Intern("card-7");
        var output = new Collect<LocationAlert>();
        // 0.9° latitude ≈ 100 km in 1 minute = 6 000 km/h; then 1 km in 10 minutes = 6 km/h.
        op.OnRecords([At(Fix(dev, 0, 10, 10), "x"), At(Fix(dev, 1, 10.9, 10), "x"), At(Fix(dev, 11, 10.909, 10), "x")], output);
        var alert = Assert.Single(output.Items);
        Assert.Equal(LocationAlertKind.ImpossibleTravel, alert.Kind);
        Assert.Equal(1 * Minute, alert.Timestamp);
        Assert.InRange(alert.SpeedKmh, 5_900, 6_100);
        Assert.InRange(alert.DistanceMetres, 99_000, 101_000);
    }

    [Fact]
    public void OnRecords_FastButShortJump_NotAlerted()
    {
        var op = new LocationFraudOperator(null, new LocationFraudOptions { MaxSpeedKmh = 100, MinDistanceMetres = 1_000 });
        var dev = _symbols.Intern("card-8");
        var output = new Collect<LocationAlert>();
        // 500 m in 1 second is 1 800 km/h but shorter than the noise floor.
        op.OnRecords([At(Fix(dev, 0, 10, 10), "x"), At(new Telemetry { Device = dev, Timestamp = 1_000, Latitude = 10.0045, Longitude = 10, Flags = TelemetryFlags.Location }, "x")], output);
        Assert.Empty(output.Items);
    }

    [Fact]
    public void OnRecords_LeavesSiteRegion_OneAlertUntilBackInside()
    {
        var fences = GeofenceSet.Parse(Fences, _symbols);
        var op = new LocationFraudOperator(fences, new LocationFraudOptions { MaxSpeedKmh = 0 });
        var dev = _symbols.Intern("truck-3");
        var output = new Collect<LocationAlert>();
        op.OnRecords(
        [
            At(Fix(dev, 0, InLat, InLon), "north"),
            At(Fix(dev, 1, OutLat, OutLon), "north"),   // alert
            At(Fix(dev, 2, OutLat, OutLon), "north"),   // still outside: no second alert
            At(Fix(dev, 3, 0.005, 1.005), "north"),     // inside the other fence of the same site
            At(Fix(dev, 4, OutLat, OutLon), "north"),   // alert again
            At(Fix(dev, 5, OutLat, OutLon), "nowhere"), // site without fences: not checked
        ], output);
        Assert.Equal([1 * Minute, 4 * Minute], output.Items.Select(a => a.Timestamp));
        Assert.All(output.Items, a => Assert.Equal(LocationAlertKind.OutsideRegion, a.Kind));
    }
}
