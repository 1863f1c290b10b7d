using System.Buffers;
using System.Threading.Channels;
using MQTTnet;
using MQTTnet.Exceptions;
using MQTTnet.Protocol;
using Platform.Connectors.DurableLog;
using Platform.Connectors.Kafka;
using Platform.Connectors.SchemaRegistry;
using Platform.Engine.Contracts;
using Platform.Engine.DeadLetters;
using Log = Platform.Connectors.DurableLog.DurableLog;

namespace Platform.Connectors.Mqtt;

/// <summary>
/// Subscribes to MQTT topic filters (MQTTnet, MQTT 5) and appends each JSON payload as one NDJSON
/// line to a <see cref="DurableLog.DurableLog"/>; the pipeline reads the log (this class is the
/// <see cref="IChunkSource"/> over it). A QoS 1 message is acknowledged (PUBACK) only after the
/// log committed it; until then the broker keeps it, and with a persistent session
/// (<see cref="MqttSourceOptions.CleanStart"/> false) it survives our restarts and the broker's.
/// Reconnects with exponential backoff and jitter (Polly), re-subscribing on every connect; after a
/// reconnect the broker redelivers what we had not acknowledged, and those deliveries are
/// acknowledged on the new connection (a packet id belongs to its connection). Packets larger than
/// <see cref="MqttSourceOptions.MaxPacketBytes"/> are refused from their fixed header, before
/// anything is allocated for them (<see cref="MqttPacketSizeGuard"/>). Payloads are JSON objects, or
/// — with a payload transcoder — Avro turned into the same telemetry NDJSON the shared parser reads
/// (<see cref="AvroTelemetryNdjsonTranscoder"/>, with a Schema Registry or one fixed writer schema).
/// A payload that does neither is acknowledged and sent to the DLQ with its reason and raw bytes (a
/// poison message must not block the session); a Schema Registry outage acknowledges nothing and
/// drops the connection, so the broker redelivers once we are back.
/// </summary>
public sealed partial class MqttSource : IChunkSource, ICheckpointableSource, IWaitableSource
{
    private readonly MqttSourceOptions _options;
    private readonly Log _log;
    private readonly IDeadLetterSink? _deadLetters;
    private readonly IKafkaValueTranscoder? _transcoder;
    private readonly DurableLogReader _reader;
    private readonly IMqttClient _client;
    private readonly int _deviceLevel;
    private readonly CancellationTokenSource _stop = new();
    private readonly Channel<byte> _disconnected = Channel.CreateBounded<byte>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private readonly object _connectionGate = new();
    private Task? _connectLoop;
    private long _received;
    private long _acknowledged;
    private long _rejected;
    private long _connects;
    private long _generation;

    /// <summary>Creates the source; <see cref="StartAsync"/> connects. The log is not owned (dispose it after this).</summary>
    /// <param name="options">Broker, session and topic settings.</param>
    /// <param name="log">Where messages are stored before they are acknowledged.</param>
    /// <param name="readFrom">Where the pipeline's reader of the log starts.</param>
    /// <param name="deadLetters">Where rejected payloads go (with reason and raw bytes).</param>
    /// <param name="payloadTranscoder">
    /// Turns each payload into one telemetry line (e.g. <see cref="AvroTelemetryNdjsonTranscoder"/> for Avro); null = payloads
    /// are JSON objects. Called on MQTTnet's receive loop, one message at a time. Not owned.
    /// </param>
    public MqttSource(MqttSourceOptions options, Log log, DurableLogReaderOptions? readFrom = null, IDeadLetterSink? deadLetters = null,
        IKafkaValueTranscoder? payloadTranscoder = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(log);
        options.Validate();
        _options = options;
        _log = log;
        _deadLetters = deadLetters;
        _transcoder = payloadTranscoder;
        _deviceLevel = options.ResolveDeviceLevel();
        _reader = log.OpenReader((readFrom ?? new DurableLogReaderOptions()) with { Name = options.Name });
        _client = new MqttClientFactory().CreateMqttClient(new GuardedMqttAdapterFactory(options.MaxPacketBytes));
        _client.ApplicationMessageReceivedAsync += OnMessageAsync;
        _client.ConnectingAsync += _ =>
        {
            // Runs inside ConnectAsync before the new connection exists: from here on, acknowledgements of
            // deliveries from the previous connection are dropped (see AcknowledgeAfterCommitAsync).
            lock (_connectionGate) _generation++;
            return Task.CompletedTask;
        };
        // MQTTnet raises this on a pool thread after the fact (possibly after the next connect): it only wakes the loop.
        _client.DisconnectedAsync += _ =>
        {
            _disconnected.Writer.TryWrite(0);
            return Task.CompletedTask;
        };
    }

    /// <inheritdoc />
    public string Name => _options.Name;

    /// <inheritdoc />
    public int Partitions => 1;

    /// <summary>The log reader (its <see cref="DurableLogReader.Position"/> is what a checkpoint stores).</summary>
    public DurableLogReader Reader => _reader;

    /// <summary>True while connected to the broker.</summary>
    public bool IsConnected => _client.IsConnected;

    /// <summary>Messages received (including redeliveries).</summary>
    public long Received => Interlocked.Read(ref _received);

    /// <summary>Messages acknowledged after their commit (QoS 1) or stored (QoS 0).</summary>
    public long Acknowledged => Interlocked.Read(ref _acknowledged);

    /// <summary>Payloads rejected to the DLQ.</summary>
    public long Rejected => Interlocked.Read(ref _rejected);

    /// <summary>Successful connects (1 + reconnects).</summary>
    public long Connects => Interlocked.Read(ref _connects);

    /// <summary>Connects (first attempt awaited up to <paramref name="cancellationToken"/>, then keeps reconnecting in the background).</summary>
    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        if (_connectLoop is not null) throw new InvalidOperationException("Already started.");
        var first = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _connectLoop = Task.Run(() => ConnectLoopAsync(first), CancellationToken.None);
        await first.Task.WaitAsync(cancellationToken);
    }

    /// <inheritdoc />
    public ValueTask<Chunk?> ReadAsync(CancellationToken cancellationToken) => _reader.ReadAsync(cancellationToken);

    /// <inheritdoc />
    public ValueTask WaitToReadAsync(CancellationToken cancellationToken) => _reader.WaitToReadAsync(cancellationToken);

    /// <inheritdoc />
    public long PositionOf(int partition) => _reader.PositionOf(partition);

    /// <inheritdoc />
    public byte[] SavePosition(int partition) => _reader.SavePosition(partition);

    /// <inheritdoc />
    public void Seek(IReadOnlyList<byte[]> positions) => _reader.Seek(positions);

    private Task OnMessageAsync(MqttApplicationMessageReceivedEventArgs e)
    {
        Interlocked.Increment(ref _received);
        var message = e.ApplicationMessage;
        var payload = message.Payload;
        var line = new ArrayBufferWriter<byte>((int)Math.Min(payload.Length + 64, int.MaxValue));
        string? reason;
        if (payload.Length > _options.MaxPacketBytes || payload.Length > _log.Options.MaxRecordBytes - 256)
        {
            reason = $"MQTT payload on '{message.Topic}' is larger than {Math.Min(_options.MaxPacketBytes, _log.Options.MaxRecordBytes - 256)} bytes";
        }
        else if (_transcoder is null)
        {
            reason = MqttPayload.TryToLine(payload, MqttPayload.DeviceFromTopic(message.Topic, _deviceLevel), line)
                ? null
                : $"MQTT payload on '{message.Topic}' is not a JSON object";
        }
        else
        {
            try
            {
                reason = Transcode(payload, line) is { } why ? $"MQTT payload on '{message.Topic}': {why}" : null;
            }
            catch (AvroDecodeException ex)
            {
                // Not the message's fault (the registry is down): store nothing, acknowledge nothing, and let the
                // broker redeliver after the reconnect backoff.
                e.AutoAcknowledge = false;
                MqttSourceLog.TranscoderUnavailable(_options.Name, ex.Message);
                _ = Task.Run(DropConnectionAsync); // not awaited here: MQTTnet's disconnect waits for this handler
                return Task.CompletedTask;
            }
        }
        if (reason is not null)
        {
            Interlocked.Increment(ref _rejected);
            MqttSourceLog.Rejected(_options.Name);
            var raw = payload.Length > 64 * 1024 ? payload.Slice(0, 64 * 1024).ToArray() : payload.ToArray();
            _deadLetters?.Write(_options.Name, 0, -1, reason, raw);
            return Task.CompletedTask; // acknowledged: a poison message must not be redelivered forever
        }
        if (message.QualityOfServiceLevel == MqttQualityOfServiceLevel.AtMostOnce)
        {
            _ = _log.AppendAsync(line.WrittenSpan);
            Interlocked.Increment(ref _acknowledged);
            return Task.CompletedTask;
        }
        e.AutoAcknowledge = false;
        var append = _log.AppendAsync(line.WrittenSpan);
        _ = AcknowledgeAfterCommitAsync(e, append, line, Interlocked.Read(ref _generation));
        return Task.CompletedTask;
    }

    /// <summary>The transcoded line plus '\n' into <paramref name="line"/>; the reason when the payload is rejected.</summary>
    private string? Transcode(in ReadOnlySequence<byte> payload, ArrayBufferWriter<byte> line)
    {
        var bytes = payload.IsSingleSegment ? payload.FirstSpan : payload.ToArray();
        if (!_transcoder!.TryTranscode(bytes, out var transcoded, out var reason)) return reason ?? "rejected by the payload transcoder";
        var dest = line.GetSpan(transcoded.Length + 1);
        transcoded.CopyTo(dest);
        dest[transcoded.Length] = (byte)'\n';
        line.Advance(transcoded.Length + 1);
        return null;
    }

    private async Task DropConnectionAsync()
    {
        try
        {
            await _client.DisconnectAsync(new MqttClientDisconnectOptionsBuilder().WithReason(MqttClientDisconnectOptionsReason.UnspecifiedError).Build());
        }
        catch (Exception ex) when (ex is MqttCommunicationException or InvalidOperationException or ObjectDisposedException)
        {
        }
    }

    /// <summary>PUBACK after the log commit; a full log is retried with backoff, a failed log drops the connection unacknowledged.</summary>
    private async Task AcknowledgeAfterCommitAsync(MqttApplicationMessageReceivedEventArgs e, Task<AppendStatus> append, ArrayBufferWriter<byte> line, long generation)
    {
        var delay = TimeSpan.FromMilliseconds(5);
        try
        {
            while (true)
            {
                var status = await append;
                if (status == AppendStatus.Committed) break;
                if (status == AppendStatus.Unavailable || _stop.IsCancellationRequested)
                {
                    // Never PUBACK what is not stored: the broker redelivers it to the resumed session.
                    if (status == AppendStatus.Unavailable) MqttSourceLog.LogUnavailable(_options.Name);
                    await _client.DisconnectAsync(new MqttClientDisconnectOptionsBuilder().WithReason(MqttClientDisconnectOptionsReason.UnspecifiedError).Build());
                    return;
                }
                await Task.Delay(delay, _stop.Token);
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, TimeSpan.FromSeconds(1).Ticks));
                append = _log.AppendAsync(line.WrittenSpan);
            }
            // A packet id belongs to its connection: after a reconnect the broker redelivers this message
            // (same id, new connection) and that delivery is acknowledged instead; acking here could
            // acknowledge a different message that reuses the id. The gate makes the check and the
            // start of the send atomic against the next connect (MQTTnet sends on its current adapter).
            Task ack;
            lock (_connectionGate)
            {
                if (_generation != generation) return;
                ack = e.AcknowledgeAsync(_stop.Token);
            }
            await ack;
            Interlocked.Increment(ref _acknowledged);
            MqttSourceLog.Acknowledged(_options.Name, 1);
        }
        catch (Exception ex) when (ex is OperationCanceledException or MqttCommunicationException or InvalidOperationException or ObjectDisposedException
            or NullReferenceException) // MQTTnet clears its adapter while disconnecting; a send racing that finds null
        {
            // Not acknowledged: the broker keeps the message for the session and redelivers it.
        }
    }

    /// <summary>Disconnects (keeping the broker-side session) and closes the reader; the log stays open.</summary>
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        if (_connectLoop is not null)
        {
            try
            {
                await _connectLoop;
            }
            catch (OperationCanceledException)
            {
            }
        }
        try
        {
            if (_client.IsConnected) await _client.DisconnectAsync(new MqttClientDisconnectOptionsBuilder().Build());
        }
        catch (MqttCommunicationException)
        {
        }
        _client.Dispose();
        await _reader.DisposeAsync();
        _stop.Dispose();
    }
}
