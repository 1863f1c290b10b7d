using Platform.Engine.Records;
using Platform.Engine.Symbols;
using Platform.Operators.Anomaly;
using Platform.Operators.Enrichment;
using Platform.Operators.Geo;
using Platform.Operators.Quality;
using Platform.Sinks.Alerts;

namespace Platform.Host.Running;

/// <summary>Turns operator findings into the alerts the dashboard and the notification sinks take.</summary>
internal static class AlertConversions
{
    public static Alert From(QualityAlert q) => new(q.Subject, q.Time, q.Observed, 1, q.ExpectedLow, q.ExpectedHigh, q.Message,
        (AlertSeverity)(int)q.Severity, q.Monitor);

    /// <summary>An anomaly score at or above the threshold; critical when the value is far outside the expected range.</summary>
    public static Alert From(in AnomalyScore s, string key)
    {
        var width = Math.Max(1e-9, s.ExpectedHigh - s.ExpectedLow);
        var outside = s.Value > s.ExpectedHigh ? (s.Value - s.ExpectedHigh) / width : s.Value < s.ExpectedLow ? (s.ExpectedLow - s.Value) / width : 0;
        var severity = outside >= 1 ? AlertSeverity.Critical : AlertSeverity.Warning;
        var where = s.Value > s.ExpectedHigh ? "above" : s.Value < s.ExpectedLow ? "below" : "within";
        var message = FormattableString.Invariant($"anomaly score {s.Score:0.####}: value {s.Value:0.###}, {where} the expected {s.ExpectedLow:0.###}–{s.ExpectedHigh:0.###}");
        return new Alert(key, DateTimeOffset.FromUnixTimeMilliseconds(s.Timestamp), s.Value, s.Score, s.ExpectedLow, s.ExpectedHigh, message, severity, "anomaly");
    }

    /// <summary>A geofence transition (info): key = the device, value = 0, message = what, which fence and where.</summary>
    public static Alert From(in GeofenceEvent e, SymbolTable symbols)
    {
        var what = e.Transition switch
        {
            GeofenceTransition.Enter => "entered",
            GeofenceTransition.Exit => "left",
            _ => "dwells in",
        };
        var site = e.Site.IsNone ? "" : $" (site {symbols.NameOf(e.Site)})";
        var message = FormattableString.Invariant($"{what} geofence {symbols.NameOf(e.Fence)}{site} at {e.Latitude:0.#####},{e.Longitude:0.#####}");
        return new Alert(symbols.NameOf(e.Device), DateTimeOffset.FromUnixTimeMilliseconds(e.Timestamp), 0, 1, 0, 0, message, AlertSeverity.Info,
            "geofence-" + e.Transition.ToString().ToLowerInvariant());
    }

    /// <summary>Location fraud: impossible travel (critical; value = implied km/h, expected up to the limit) or outside the allowed region (warning).</summary>
    public static Alert From(in LocationAlert a, double maxSpeedKmh, SymbolTable symbols)
    {
        var time = DateTimeOffset.FromUnixTimeMilliseconds(a.Timestamp);
        var device = symbols.NameOf(a.Device);
        if (a.Kind == LocationAlertKind.ImpossibleTravel)
        {
            var speed = double.IsFinite(a.SpeedKmh) ? FormattableString.Invariant($"{a.SpeedKmh:0} km/h") : "two places at once";
            var message = FormattableString.Invariant($"impossible travel: {a.DistanceMetres / 1000:0.#} km to {a.Latitude:0.#####},{a.Longitude:0.#####} implies {speed} (limit {maxSpeedKmh:0} km/h)");
            return new Alert(device, time, double.IsFinite(a.SpeedKmh) ? a.SpeedKmh : double.MaxValue, 1, 0, maxSpeedKmh, message, AlertSeverity.Critical, "impossible-travel");
        }
        var region = FormattableString.Invariant($"fix {a.Latitude:0.#####},{a.Longitude:0.#####} is outside the allowed region of site {symbols.NameOf(a.Site)}");
        return new Alert(device, time, 0, 1, 0, 0, region, AlertSeverity.Warning, "outside-region");
    }

    /// <summary>A value outside the device's own limits from the registry (warning; key = device/sensor).</summary>
    public static Alert FromLimits(in Telemetry r, in DeviceInfo device, SymbolTable symbols)
    {
        var where = r.Value > device.ThresholdHigh ? "above" : "below";
        var message = FormattableString.Invariant(
            $"value {r.Value:0.###} {where} the device's limits {device.ThresholdLow:0.###}–{device.ThresholdHigh:0.###} (owner {symbols.NameOf(device.Owner)}, site {symbols.NameOf(device.Site)}, model {symbols.NameOf(device.Model)})");
        return new Alert(symbols.NameOf(r.Device) + "/" + symbols.NameOf(r.Sensor), DateTimeOffset.FromUnixTimeMilliseconds(r.Timestamp), r.Value, 1,
            double.IsNaN(device.ThresholdLow) ? double.MinValue : device.ThresholdLow,
            double.IsNaN(device.ThresholdHigh) ? double.MaxValue : device.ThresholdHigh, message, AlertSeverity.Warning, "device-limits");
    }
}
