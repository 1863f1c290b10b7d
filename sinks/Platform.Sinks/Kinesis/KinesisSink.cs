using System.Diagnostics.Metrics;
using System.IO.Hashing;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Platform.Connectors.Aws;
using Platform.Connectors.Aws.Kinesis;
using Platform.Engine.Batching;
using Platform.Engine.Contracts;
using Platform.Engine.DeadLetters;
using Platform.Sinks.Aws;

namespace Platform.Sinks.Kinesis;

/// <summary>
/// Writes records to a Kinesis stream with PutRecords, batched to the AWS limits.
/// <para>
/// Ordering: records go to one of <see cref="KinesisSinkOptions.Concurrency"/> lanes by a hash of
/// their partition key; a lane has one call in flight and starts its next call only when every
/// entry of the previous one is delivered or dead-lettered. After a partial failure only the failed
/// entries are sent again (in their original order), so nothing is duplicated by the sink itself.
/// Consequence: a later entry of key K in the same call is never acknowledged (flush) ahead of an
/// earlier failed entry of K, and no later call of K starts before it; but within that one call
/// Kinesis may already have stored the later entry, so the stream can show K's entries of one call
/// out of order after a partial failure — PutRecords gives no stronger guarantee without sending
/// one entry per key per call.
/// </para>
/// </summary>
internal sealed class KinesisSink<T, TEncoder> : ISink<T>
    where TEncoder : struct, IKinesisRecordEncoder<T>
{
    private sealed class Lane(string streamName) : IDisposable
    {
        public PutRecordsCall Building = new(streamName);
        public PutRecordsCall Spare = new(streamName);
        public Task InFlight = Task.CompletedTask;
        public readonly AwsCallBuffers Buffers = new(64 * 1024, PutRecordsCall.MaxRecords);

        public void Dispose()
        {
            Building.Dispose();
            Spare.Dispose();
            Buffers.Dispose();
        }
    }

    private readonly KinesisClient _client;
    private readonly TEncoder _encoder;
    private readonly Lane[] _lanes;
    private readonly PooledBufferWriter _scratch = new(16 * 1024);
    private readonly byte[] _key = new byte[1024];
    private readonly byte[] _hashKey = new byte[64];
    private readonly SinkInstruments _instruments;
    private readonly Meter _meter = new("Platform.Sinks.Kinesis");
    private readonly AwsBatchSender<PutRecordsCall> _sender;
    private long _ordinal;

    public KinesisSink(KinesisSinkOptions options, KinesisClient client, TEncoder encoder, IDeadLetterSink deadLetters, ILogger? logger)
    {
        _client = client;
        _encoder = encoder;
        Name = options.Name ?? "kinesis:" + options.StreamName;
        _lanes = new Lane[options.Concurrency];
        for (var i = 0; i < _lanes.Length; i++) _lanes[i] = new Lane(options.StreamName);
        _instruments = new SinkInstruments(Name, null);
        _sender = new AwsBatchSender<PutRecordsCall>(
            new AwsBatchSenderOptions(Name, "PutRecords", "Records"u8.ToArray(), "kinesis.sink", "{record}",
                options.MaxAttempts, options.RetryBaseDelay, options.RetryMaxDelay),
            client.PutRecordsRawAsync, new KinesisSinkLog.Events(logger ?? NullLogger.Instance, Name), deadLetters, _meter);
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
            _scratch.Reset();
            int keyLength, hashKeyLength;
            try
            {
                keyLength = _encoder.WritePartitionKey(batch.Items[i], _key);
            }
            catch (ArgumentException)
            {
                keyLength = -1;
            }
            try
            {
                hashKeyLength = _encoder.WriteExplicitHashKey(batch.Items[i], _hashKey);
            }
            catch (ArgumentException)
            {
                hashKeyLength = -1;
            }
            _encoder.WriteData(batch.Items[i], _scratch);
            if ((Reject(keyLength < 0 ? default : _key.AsSpan(0, keyLength), keyLength, _scratch.WrittenCount)
                 ?? RejectHashKey(hashKeyLength < 0 ? default : _hashKey.AsSpan(0, hashKeyLength), hashKeyLength)) is { } reason)
            {
                _sender.DeadLetter(ordinal, reason, _scratch.WrittenSpan);
                continue;
            }
            var lane = _lanes[_lanes.Length == 1 ? 0 : (int)(XxHash3.HashToUInt64(_key.AsSpan(0, keyLength)) % (ulong)_lanes.Length)];
            if (!lane.Building.CanTake(keyLength, _scratch.WrittenCount)) await DispatchAsync(lane, cancellationToken);
            lane.Building.Add(_key.AsSpan(0, keyLength), _hashKey.AsSpan(0, hashKeyLength), _scratch.WrittenSpan, ordinal);
        }
        // An idle lane sends what it has now; a busy one keeps filling until its call returns.
        foreach (var lane in _lanes)
        {
            if (lane.Building.Count > 0 && lane.InFlight.IsCompleted) await DispatchAsync(lane, cancellationToken);
        }
        _instruments.Written(batch.Count, start);
    }

    private static string? Reject(ReadOnlySpan<byte> key, int keyLength, int dataLength)
    {
        if (keyLength < 0) return $"partition key longer than {KinesisSinkOptions.MaxPartitionKeyChars} characters";
        if (keyLength == 0) return "empty partition key";
        var chars = Encoding.UTF8.GetCharCount(key);
        if (chars > KinesisSinkOptions.MaxPartitionKeyChars) return $"partition key has {chars} characters; Kinesis allows {KinesisSinkOptions.MaxPartitionKeyChars}";
        if (dataLength + keyLength > KinesisSinkOptions.MaxRecordBytes) return $"record is {dataLength + keyLength} bytes with its key; Kinesis allows {KinesisSinkOptions.MaxRecordBytes}";
        return null;
    }

    /// <summary>An explicit hash key must be a decimal in [0, 2^128 − 1]; null when it is (or there is none).</summary>
    private static string? RejectHashKey(ReadOnlySpan<byte> hashKey, int length)
    {
        if (length == 0) return null;
        if (length < 0 || length > MaxHashKey.Length) return $"explicit hash key longer than {MaxHashKey.Length} digits";
        if (hashKey.ContainsAnyExceptInRange((byte)'0', (byte)'9')) return $"explicit hash key '{Encoding.UTF8.GetString(hashKey)}' is not a decimal number";
        if (length == MaxHashKey.Length && hashKey.SequenceCompareTo(MaxHashKey) > 0) return $"explicit hash key {Encoding.UTF8.GetString(hashKey)} is above 2^128 − 1";
        return null;
    }

    private static ReadOnlySpan<byte> MaxHashKey => "340282366920938463463374607431768211455"u8;

    private async ValueTask DispatchAsync(Lane lane, CancellationToken cancellationToken)
    {
        await lane.InFlight; // one call per lane: per-key order and backpressure
        var call = lane.Building;
        lane.Building = lane.Spare;
        lane.Spare = call;
        lane.InFlight = SendAsync(lane, call, cancellationToken);
    }

    public async ValueTask FlushAsync(CancellationToken cancellationToken)
    {
        foreach (var lane in _lanes)
        {
            if (lane.Building.Count > 0) await DispatchAsync(lane, cancellationToken);
        }
        foreach (var lane in _lanes) await lane.InFlight;
    }

    private async Task SendAsync(Lane lane, PutRecordsCall call, CancellationToken cancellationToken)
    {
        await Task.Yield();
        try
        {
            await _sender.SendAsync(call, lane.Buffers, cancellationToken);
        }
        finally
        {
            call.Clear();
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var lane in _lanes)
        {
            try { await lane.InFlight; } catch (Exception) { /* reported by FlushAsync */ }
            lane.Dispose();
        }
        _scratch.Dispose();
        _client.Dispose();
        _instruments.Dispose();
        _meter.Dispose();
    }
}
