using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Text.Encodings.Web;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Platform.Connectors.Aws;
using Platform.Engine.Batching;
using Platform.Engine.Contracts;
using Platform.Engine.DeadLetters;

namespace Platform.Sinks.EventBridge;

/// <summary>
/// Publishes records as EventBridge events with PutEvents: ≤ 10 entries and ≤ 256 KiB (AWS's entry
/// size) per call, up to <see cref="EventBridgeSinkOptions.Concurrency"/> calls in flight. After a
/// partial failure (<c>FailedEntryCount</c> &gt; 0) only the entries with a retryable ErrorCode are
/// sent again, with exponential backoff and full jitter; an entry that fails for good, or is larger
/// than 256 KiB, goes to the dead-letter queue with the reason.
/// </summary>
internal sealed class EventBridgeSink<T, TWriter> : ISink<T>
    where TWriter : struct, IEventDetailWriter<T>
{
    private const string Target = "AWSEvents.PutEvents";

    private readonly EventBridgeSinkOptions _options;
    private readonly AwsJsonClient _client;
    private readonly TWriter _writer;
    private readonly IDeadLetterSink _deadLetters;
    private readonly ILogger _logger;
    private readonly int _fixedSize;
    private readonly PooledBufferWriter _detail = new(4096);
    private readonly Utf8JsonWriter _detailWriter;
    private readonly ConcurrentBag<PutEventsBatch> _spare = [];
    private readonly List<Task> _inFlight = [];
    private readonly SinkInstruments _instruments;
    private readonly Meter _meter = new("Platform.Sinks.EventBridge");
    private readonly Counter<long> _retriedEntries;
    private readonly KeyValuePair<string, object?> _tag;
    private PutEventsBatch _building = new();
    private long _ordinal;
    private long _retried;

    public EventBridgeSink(EventBridgeSinkOptions options, AwsJsonClient client, TWriter writer, IDeadLetterSink deadLetters, ILogger? logger)
    {
        _options = options;
        _client = client;
        _writer = writer;
        _deadLetters = deadLetters;
        _logger = logger ?? NullLogger.Instance;
        Name = options.Name ?? "eventbridge:" + options.EventBusName;
        _fixedSize = PutEventsEntrySize.Fixed(false, options.Source, options.DetailType, options.Resources);
        _detailWriter = new Utf8JsonWriter(_detail, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
        _instruments = new SinkInstruments(Name, null);
        _tag = new("sink", Name);
        _retriedEntries = _meter.CreateCounter<long>("platform.eventbridge.sink.entries.retried", "{event}", "Entries sent again after a partial failure.");
    }

    public string Name { get; }

    /// <summary>Entries sent again after partial failures (for tests).</summary>
    public long RetriedEntries => Interlocked.Read(ref _retried);

    public ValueTask OpenAsync(CancellationToken cancellationToken) => ValueTask.CompletedTask;

    public async ValueTask WriteAsync(Batch<T> batch, CancellationToken cancellationToken)
    {
        var start = System.Diagnostics.Stopwatch.GetTimestamp();
        for (var i = 0; i < batch.Count; i++)
        {
            var ordinal = _ordinal++;
            _detail.Reset();
            _detailWriter.Reset(_detail);
            _writer.WriteDetail(batch.Items[i], _detailWriter);
            _detailWriter.Flush();
            var time = _options.IncludeTime ? _writer.TimeOf(batch.Items[i]) : null;
            var size = PutEventsEntrySize.Of(_fixedSize + (time.HasValue ? 14 : 0), _detail.WrittenCount);
            if (size > PutEventsEntrySize.MaxRequestBytes)
            {
                DeadLetter(ordinal, $"event entry is {size} bytes as AWS counts it; PutEvents allows {PutEventsEntrySize.MaxRequestBytes}", _detail.WrittenSpan);
                continue;
            }
            if (!_building.CanTake(size)) await DispatchAsync(cancellationToken);
            _building.Add(_detail.WrittenSpan, time, size, ordinal);
        }
        _inFlight.RemoveAll(t => t.IsCompletedSuccessfully);
        if (_building.Count > 0 && _inFlight.Count < _options.Concurrency) await DispatchAsync(cancellationToken);
        _instruments.Written(batch.Count, start);
    }

    private async ValueTask DispatchAsync(CancellationToken cancellationToken)
    {
        _inFlight.RemoveAll(t => t.IsCompletedSuccessfully);
        while (_inFlight.Count >= _options.Concurrency)
        {
            var done = await Task.WhenAny(_inFlight);
            await done; // surfaces a failure
            _inFlight.Remove(done);
        }
        var full = _building;
        _building = _spare.TryTake(out var b) ? b : new PutEventsBatch();
        _inFlight.Add(SendAsync(full, cancellationToken));
    }

    public async ValueTask FlushAsync(CancellationToken cancellationToken)
    {
        if (_building.Count > 0) await DispatchAsync(cancellationToken);
        await Task.WhenAll(_inFlight);
        _inFlight.Clear();
    }

    private async Task SendAsync(PutEventsBatch batch, CancellationToken cancellationToken)
    {
        await Task.Yield();
        var pending = new List<int>(PutEventsEntrySize.MaxEntries);
        var failed = new List<int>(PutEventsEntrySize.MaxEntries);
        var failures = new List<AwsEntryFailure>();
        for (var i = 0; i < batch.Count; i++) pending.Add(i);
        using var body = new PooledBufferWriter(batch.Size + 1024);
        using var writer = new Utf8JsonWriter(body);
        try
        {
            for (var attempt = 1; pending.Count > 0; attempt++)
            {
                body.Reset();
                writer.Reset(body);
                batch.WriteRequest(writer, _options, pending);
                PooledBufferWriter response;
                try
                {
                    response = await _client.SendAsync(Target, body.WrittenMemory, cancellationToken);
                }
                catch (Exception e) when (AwsJsonClient.IsTransient(e) && attempt < _options.MaxAttempts)
                {
                    await Task.Delay(Backoff.FullJitter(attempt - 1, _options.RetryBaseDelay, _options.RetryMaxDelay), cancellationToken);
                    continue;
                }
                string? firstError;
                using (response) firstError = ReadResponse(response.WrittenSpan, batch, pending, failed, failures, attempt);
                (pending, failed) = (failed, pending);
                failed.Clear();
                if (pending.Count == 0) break;
                var wait = Backoff.FullJitter(attempt - 1, _options.RetryBaseDelay, _options.RetryMaxDelay);
                Interlocked.Add(ref _retried, pending.Count);
                _retriedEntries.Add(pending.Count, _tag);
                EventBridgeSinkLog.PartialFailure(_logger, Name, pending.Count, batch.Count, firstError ?? "?", attempt, wait.TotalMilliseconds);
                await Task.Delay(wait, cancellationToken);
            }
        }
        finally
        {
            batch.Clear();
            _spare.Add(batch);
        }
    }

    /// <summary>Reads a PutEvents answer: retryable failures go to <paramref name="failed"/>, the rest to the DLQ when their attempts are spent.</summary>
    private string? ReadResponse(ReadOnlySpan<byte> json, PutEventsBatch batch, List<int> sent, List<int> failed, List<AwsEntryFailure> failures, int attempt)
    {
        failures.Clear();
        AwsBatchResults.ReadFailures(json, "Entries"u8, Target, sent.Count, failures);
        foreach (var f in failures)
        {
            var entry = sent[f.Index];
            var (retryable, _) = AwsServiceException.Classify(f.Code, 200);
            if (retryable && attempt < _options.MaxAttempts) failed.Add(entry);
            else DeadLetter(batch[entry].Ordinal, $"PutEvents entry failed after {attempt} attempt(s): {f.Code}: {f.Message}", batch.DetailOf(entry));
        }
        return failures.Count > 0 ? failures[0].Code : null;
    }

    private void DeadLetter(long ordinal, string reason, ReadOnlySpan<byte> raw)
    {
        EventBridgeSinkLog.DeadLettered(_logger, Name, ordinal, reason);
        _deadLetters.Write(Name, 0, ordinal, reason, raw);
    }

    public async ValueTask DisposeAsync()
    {
        try { await Task.WhenAll(_inFlight); } catch (Exception) { /* reported by FlushAsync */ }
        _building.Dispose();
        while (_spare.TryTake(out var b)) b.Dispose();
        _detailWriter.Dispose();
        _detail.Dispose();
        _client.Dispose();
        _instruments.Dispose();
        _meter.Dispose();
    }
}
