using System.Diagnostics.Metrics;
using Platform.Connectors.Aws;
using Platform.Engine.DeadLetters;

namespace Platform.Sinks.Aws;

/// <summary>
/// Sends one batch call of an AWS sink until every entry is delivered or dead-lettered: a transient
/// failure of the whole call is retried, after a partial failure only the entries with a retryable
/// error code are sent again (in their original order), each wait with exponential backoff and full
/// jitter; an entry whose attempts are spent, or whose error is final, goes to the dead-letter queue
/// with the reason. Counts retried and dead-lettered entries. Shared by the Kinesis and EventBridge sinks,
/// which differ only in how they size and group entries into calls.
/// </summary>
internal sealed class AwsBatchSender<TCall>
    where TCall : IAwsBatchCall
{
    private readonly AwsBatchSenderOptions _options;
    private readonly Func<ReadOnlyMemory<byte>, CancellationToken, ValueTask<PooledBufferWriter>> _call;
    private readonly IAwsBatchSinkEvents _events;
    private readonly IDeadLetterSink _deadLetters;
    private readonly Counter<long> _retriedEntries;
    private readonly Counter<long> _deadLettered;
    private readonly KeyValuePair<string, object?> _tag;
    private long _retried;

    /// <param name="options">Sink name, operation, retry settings and metric names.</param>
    /// <param name="call">Sends a request body and returns the response body (the caller disposes it).</param>
    /// <param name="events">The sink's log events.</param>
    /// <param name="deadLetters">Where entries that fail for good go.</param>
    /// <param name="meter">The sink's meter, for the retried and dead-lettered counters.</param>
    public AwsBatchSender(
        AwsBatchSenderOptions options,
        Func<ReadOnlyMemory<byte>, CancellationToken, ValueTask<PooledBufferWriter>> call,
        IAwsBatchSinkEvents events,
        IDeadLetterSink deadLetters,
        Meter meter)
    {
        _options = options;
        _call = call;
        _events = events;
        _deadLetters = deadLetters;
        _tag = new("sink", options.Sink);
        _retriedEntries = meter.CreateCounter<long>(options.MetricPrefix + ".entries.retried", options.EntryUnit, "Entries sent again after a partial failure.");
        _deadLettered = meter.CreateCounter<long>(options.MetricPrefix + ".dead_lettered", options.EntryUnit, "Records sent to the dead-letter queue.");
    }

    /// <summary>Entries sent again after partial failures.</summary>
    public long RetriedEntries => Interlocked.Read(ref _retried);

    /// <summary>Sends every entry of <paramref name="call"/>; returns when each is delivered or dead-lettered.</summary>
    public async Task SendAsync(TCall call, AwsCallBuffers buffers, CancellationToken cancellationToken)
    {
        var pending = buffers.Pending;
        var failed = buffers.Failed;
        pending.Clear();
        failed.Clear();
        for (var i = 0; i < call.Count; i++) pending.Add(i);
        try
        {
            for (var attempt = 1; pending.Count > 0; attempt++)
            {
                call.WriteRequest(buffers.StartBody(), pending);
                PooledBufferWriter response;
                try
                {
                    response = await _call(buffers.Body.WrittenMemory, cancellationToken);
                }
                catch (Exception e) when (AwsJsonClient.IsTransient(e) && attempt < _options.MaxAttempts)
                {
                    var delay = Backoff.FullJitter(attempt - 1, _options.RetryBaseDelay, _options.RetryMaxDelay);
                    _events.CallFailed((e as AwsServiceException)?.ErrorType ?? e.GetType().Name, attempt, delay.TotalMilliseconds);
                    await Task.Delay(delay, cancellationToken);
                    continue;
                }
                string? firstError;
                using (response) firstError = ReadResponse(response.WrittenSpan, call, pending, failed, buffers.Failures, attempt);
                (pending, failed) = (failed, pending);
                failed.Clear();
                if (pending.Count == 0) break;
                var wait = Backoff.FullJitter(attempt - 1, _options.RetryBaseDelay, _options.RetryMaxDelay);
                Interlocked.Add(ref _retried, pending.Count);
                _retriedEntries.Add(pending.Count, _tag);
                _events.PartialFailure(pending.Count, call.Count, firstError ?? "?", attempt, wait.TotalMilliseconds);
                await Task.Delay(wait, cancellationToken);
            }
        }
        finally
        {
            // The lists may have swapped roles; hand them back so the next send finds both.
            (buffers.Pending, buffers.Failed) = (pending, failed);
        }
    }

    /// <summary>Reads a batch answer: retryable failures go to <paramref name="failed"/>, the rest to the DLQ when their attempts are spent.</summary>
    private string? ReadResponse(ReadOnlySpan<byte> json, TCall call, List<int> sent, List<int> failed, List<AwsEntryFailure> failures, int attempt)
    {
        failures.Clear();
        AwsBatchResults.ReadFailures(json, _options.ResultsArray, _options.Operation, sent.Count, failures);
        foreach (var f in failures)
        {
            var entry = sent[f.Index];
            var (retryable, _) = AwsServiceException.Classify(f.Code, 200);
            if (retryable && attempt < _options.MaxAttempts) failed.Add(entry);
            else DeadLetter(call.OrdinalOf(entry), $"{_options.Operation} entry failed after {attempt} attempt(s): {f.Code}: {f.Message}", call.PayloadOf(entry));
        }
        return failures.Count > 0 ? failures[0].Code : null;
    }

    /// <summary>Sends record <paramref name="ordinal"/> to the dead-letter queue with <paramref name="reason"/>, logged and counted.</summary>
    public void DeadLetter(long ordinal, string reason, ReadOnlySpan<byte> raw)
    {
        _deadLettered.Add(1, _tag);
        _events.DeadLettered(ordinal, reason);
        _deadLetters.Write(_options.Sink, 0, ordinal, reason, raw);
    }
}
