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
using Platform.Sinks.Aws;

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
    private readonly int _fixedSize;
    private readonly PooledBufferWriter _detail = new(4096);
    private readonly Utf8JsonWriter _detailWriter;
    private readonly ConcurrentBag<PutEventsBatch> _spare = [];
    private readonly List<Task> _inFlight = [];
    private readonly SinkInstruments _instruments;
    private readonly Meter _meter = new("Platform.Sinks.EventBridge");
    private readonly AwsBatchSender<PutEventsBatch> _sender;
    private PutEventsBatch _building;
    private long _ordinal;

    public EventBridgeSink(EventBridgeSinkOptions options, AwsJsonClient client, TWriter writer, IDeadLetterSink deadLetters, ILogger? logger)
    {
        _options = options;
        _client = client;
        _writer = writer;
        Name = options.Name ?? "eventbridge:" + options.EventBusName;
        _fixedSize = PutEventsEntrySize.Fixed(false, options.Source, options.DetailType, options.Resources);
        _detailWriter = new Utf8JsonWriter(_detail, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
        _instruments = new SinkInstruments(Name, null);
        _building = new PutEventsBatch(options);
        _sender = new AwsBatchSender<PutEventsBatch>(
            new AwsBatchSenderOptions(Name, "PutEvents", "Entries"u8.ToArray(), "eventbridge.sink", "{event}",
                options.MaxAttempts, options.RetryBaseDelay, options.RetryMaxDelay),
            (body, ct) => client.SendAsync(Target, body, ct), new EventBridgeSinkLog.Events(logger ?? NullLogger.Instance, Name), deadLetters, _meter);
    }

    public string Name { get; }

    /// <summary>Entries sent again after partial failures (for tests).</summary>
    public long RetriedEntries => _sender.RetriedEntries;

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
                _sender.DeadLetter(ordinal, $"event entry is {size} bytes as AWS counts it; PutEvents allows {PutEventsEntrySize.MaxRequestBytes}", _detail.WrittenSpan);
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
        _building = _spare.TryTake(out var b) ? b : new PutEventsBatch(_options);
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
        try
        {
            using var buffers = new AwsCallBuffers(batch.Size + 1024, PutEventsEntrySize.MaxEntries);
            await _sender.SendAsync(batch, buffers, cancellationToken);
        }
        finally
        {
            batch.Clear();
            _spare.Add(batch);
        }
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
