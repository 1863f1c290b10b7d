namespace Platform.Sinks.Aws;

/// <summary>What an <see cref="AwsBatchSender{TCall}"/> needs to know of its sink.</summary>
/// <param name="Sink">The sink's name (metric tag, dead-letter source).</param>
/// <param name="Operation">The API operation, e.g. <c>PutRecords</c>, for dead-letter reasons and protocol errors.</param>
/// <param name="ResultsArray">The response's per-entry result array, e.g. <c>Records</c>.</param>
/// <param name="MetricPrefix">Counter name prefix, e.g. <c>platform.kinesis.sink</c>.</param>
/// <param name="EntryUnit">The counters' unit, e.g. <c>{record}</c>.</param>
/// <param name="MaxAttempts">Attempts per entry, the first included.</param>
/// <param name="RetryBaseDelay">Backoff base (full jitter, doubling per attempt).</param>
/// <param name="RetryMaxDelay">Backoff cap.</param>
internal sealed record AwsBatchSenderOptions(
    string Sink, string Operation, byte[] ResultsArray, string MetricPrefix, string EntryUnit,
    int MaxAttempts, TimeSpan RetryBaseDelay, TimeSpan RetryMaxDelay);
