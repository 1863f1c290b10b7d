using Platform.Operators.Anomaly;
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
}
