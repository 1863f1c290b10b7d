using System.Diagnostics.Metrics;

namespace Platform.Connectors.Aws;

/// <summary>
/// Per-call AWS metrics on meter <see cref="MeterName"/>: call latency, calls, throttles, retries,
/// bytes sent and received, each tagged with <c>operation</c> (and <c>outcome</c>/<c>error_type</c>).
/// </summary>
internal sealed class AwsInstruments : IDisposable
{
    public const string MeterName = "Platform.Aws";

    private readonly Meter? _owned;
    private readonly Histogram<double> _duration;
    private readonly Counter<long> _calls;
    private readonly Counter<long> _throttles;
    private readonly Counter<long> _retries;
    private readonly Counter<long> _bytesSent;
    private readonly Counter<long> _bytesReceived;

    public AwsInstruments(Meter? meter)
    {
        _owned = meter is null ? new Meter(MeterName) : null;
        var m = meter ?? _owned!;
        _duration = m.CreateHistogram<double>("call.duration", "ms", "Latency of one AWS call attempt.");
        _calls = m.CreateCounter<long>("calls", "{call}", "AWS call attempts, by outcome.");
        _throttles = m.CreateCounter<long>("throttles", "{call}", "AWS call attempts answered with a throttling error.");
        _retries = m.CreateCounter<long>("retries", "{call}", "AWS calls retried as a whole.");
        _bytesSent = m.CreateCounter<long>("bytes.sent", "By", "Request body bytes sent.");
        _bytesReceived = m.CreateCounter<long>("bytes.received", "By", "Response body bytes received.");
    }

    public Meter Meter => _owned!;

    public void Attempt(string operation, double milliseconds, string outcome, int sent, int received)
    {
        var op = new KeyValuePair<string, object?>("operation", operation);
        _duration.Record(milliseconds, op, new("outcome", outcome));
        _calls.Add(1, op, new("outcome", outcome));
        _bytesSent.Add(sent, op);
        if (received > 0) _bytesReceived.Add(received, op);
    }

    public void Throttled(string operation) => _throttles.Add(1, new KeyValuePair<string, object?>("operation", operation));

    public void Retried(string operation, string errorType) =>
        _retries.Add(1, new KeyValuePair<string, object?>("operation", operation), new("error_type", errorType));

    public void Dispose() => _owned?.Dispose();
}
