using System.Diagnostics.Metrics;
using Platform.Connectors.Aws;

namespace Platform.Aws.Tests.Infrastructure;

/// <summary>
/// A private meter for one test's AWS clients, counting whole-call retries by operation and error
/// type, so a failure can say whether the client retried calls whose outcome was unknown.
/// </summary>
internal sealed class RetryLog : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly Dictionary<string, long> _retries = [];

    public RetryLog()
    {
        Meter = new Meter("test.aws.retries." + Guid.NewGuid().ToString("N"));
        _listener.InstrumentPublished = (i, l) =>
        {
            if (ReferenceEquals(i.Meter, Meter) && i.Name == "retries") l.EnableMeasurementEvents(i);
        };
        _listener.SetMeasurementEventCallback<long>((_, v, tags, _) =>
        {
            string? op = null, type = null;
            foreach (var t in tags)
            {
                if (t.Key == "operation") op = t.Value as string;
                else if (t.Key == "error_type") type = t.Value as string;
            }
            lock (_retries) _retries[$"{op}:{type}"] = _retries.GetValueOrDefault($"{op}:{type}") + v;
        });
        _listener.Start();
    }

    public Meter Meter { get; }

    /// <summary>Client options that report to this log.</summary>
    public AwsClientOptions With(AwsClientOptions options) => options with { Meter = Meter };

    public override string ToString()
    {
        lock (_retries) return _retries.Count == 0 ? "no whole-call retries" : "whole-call retries: " + string.Join(", ", _retries.Select(r => $"{r.Key}={r.Value}"));
    }

    public void Dispose()
    {
        _listener.Dispose();
        Meter.Dispose();
    }
}
