using System.Buffers;
using MQTTnet;
using MQTTnet.Exceptions;
using MQTTnet.Protocol;
using Platform.Connectors.DurableLog;
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
/// Reconnects with exponential backoff and jitter. Payloads that are not JSON objects are
/// acknowledged and sent to the DLQ (a poison message must not block the session).
/// </summary>
public sealed class MqttSource : IChunkSource, ICheckpointableSource
{
    private readonly MqttSourceOptions _options;
    private readonly Log _log;
    private readonly IDeadLetterSink? _deadLetters;
    private readonly DurableLogReader _reader;
    private readonly IMqttClient _client;
    private readonly int _deviceLevel;
    private readonly CancellationTokenSource _stop = new();
    private readonly SemaphoreSlim _disconnected = new(0, 1);
    private Task? _connectLoop;
    private long _received;
    private long _acknowledged;
    private long _rejected;
    private long _connects;
    private long _generation;

    /// <summary>Creates the source; <see cref="StartAsync"/> connects. The log is not owned (dispose it after this).</summary>
    public MqttSource(MqttSourceOptions options, Log log, DurableLogReaderOptions? readFrom = null, IDeadLetterSink? deadLetters = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(log);
        options.Validate();
        _options = options;
        _log = log;
        _deadLetters = deadLetters;
        _deviceLevel = options.ResolveDeviceLevel();
        _reader = log.OpenReader((readFrom ?? new DurableLogReaderOptions()) with { Name = options.Name });
        _client = new MqttClientFactory().CreateMqttClient();
        _client.ApplicationMessageReceivedAsync += OnMessageAsync;
        _client.DisconnectedAsync += _ =>
        {
            Interlocked.Increment(ref _generation); // deliveries of the next connection are acknowledged on it

            if (_disconnected.CurrentCount == 0) _disconnected.Release();
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
    public long PositionOf(int partition) => _reader.PositionOf(partition);

    /// <inheritdoc />
    public byte[] SavePosition(int partition) => _reader.SavePosition(partition);

    /// <inheritdoc />
    public void Seek(IReadOnlyList<byte[]> positions) => _reader.Seek(positions);

    private MqttClientOptions BuildOptions(bool cleanStart)
    {
        var b = new MqttClientOptionsBuilder()
            .WithTcpServer(_options.Host, _options.Port)
            .WithClientId(_options.ClientId)
            .WithProtocolVersion(MQTTnet.Formatter.MqttProtocolVersion.V500)
            .WithCleanStart(cleanStart)
            .WithSessionExpiryInterval((uint)Math.Min(uint.MaxValue, _options.SessionExpiry.TotalSeconds))
            .WithKeepAlivePeriod(_options.KeepAlive)
            .WithMaximumPacketSize((uint)_options.MaxPacketBytes)
            .WithReceiveMaximum((ushort)_options.ReceiveMaximum)
            .WithTimeout(TimeSpan.FromSeconds(10));
        if (_options.Username is not null) b = b.WithCredentials(_options.Username, _options.Password);
        if (_options.UseTls) b = b.WithTlsOptions(o => o.UseTls());
        return b.Build();
    }

    private async Task ConnectLoopAsync(TaskCompletionSource first)
    {
        var token = _stop.Token;
        var clean = _options.CleanStart;
        var delay = _options.ReconnectMinDelay;
        while (!token.IsCancellationRequested)
        {
            if (!_client.IsConnected)
            {
                try
                {
                    var result = await _client.ConnectAsync(BuildOptions(clean), token);
                    clean = false; // a reconnect resumes the session
                    // Subscribe on every connect: idempotent on a resumed session, and a broker that restored the
                    // session from its persistence file may not have restored the subscription with it.
                    _ = result.IsSessionPresent;
                    {
                        var sub = new MqttClientSubscribeOptionsBuilder();
                        foreach (var t in _options.Topics)
                        {
                            sub = sub.WithTopicFilter(t, _options.Qos == 1 ? MqttQualityOfServiceLevel.AtLeastOnce : MqttQualityOfServiceLevel.AtMostOnce);
                        }
                        await _client.SubscribeAsync(sub.Build(), token);
                    }
                    Interlocked.Increment(ref _connects);
                    delay = _options.ReconnectMinDelay;
                    first.TrySetResult();
                }
                catch (OperationCanceledException) when (token.IsCancellationRequested)
                {
                    break;
                }
                catch (Exception e) when (e is MqttCommunicationException or InvalidOperationException or System.Net.Sockets.SocketException or OperationCanceledException or MQTTnet.Adapter.MqttConnectingFailedException)
                {
                    var jitter = Random.Shared.NextDouble() * 0.3 + 0.85;
                    try
                    {
                        await Task.Delay(delay * jitter, token);
                    }
                    catch (OperationCanceledException)
                    {
                        break;
                    }
                    delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, _options.ReconnectMaxDelay.Ticks));
                    continue;
                }
            }
            try
            {
                await _disconnected.WaitAsync(TimeSpan.FromSeconds(1), token);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }
        first.TrySetCanceled(token);
    }

    private Task OnMessageAsync(MqttApplicationMessageReceivedEventArgs e)
    {
        Interlocked.Increment(ref _received);
        var message = e.ApplicationMessage;
        var payload = message.Payload;
        var line = new ArrayBufferWriter<byte>((int)Math.Min(payload.Length + 64, int.MaxValue));
        if (payload.Length > _options.MaxPacketBytes || payload.Length > _log.Options.MaxRecordBytes - 256 ||
            !MqttPayload.TryToLine(payload, MqttPayload.DeviceFromTopic(message.Topic, _deviceLevel), line))
        {
            Interlocked.Increment(ref _rejected);
            var raw = payload.Length > 64 * 1024 ? payload.Slice(0, 64 * 1024).ToArray() : payload.ToArray();
            _deadLetters?.Write(_options.Name, 0, -1, $"MQTT payload on '{message.Topic}' is not a JSON object of at most {_options.MaxPacketBytes} bytes", raw);
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
                    await _client.DisconnectAsync(new MqttClientDisconnectOptionsBuilder().WithReason(MqttClientDisconnectOptionsReason.UnspecifiedError).Build());
                    return;
                }
                await Task.Delay(delay, _stop.Token);
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, TimeSpan.FromSeconds(1).Ticks));
                append = _log.AppendAsync(line.WrittenSpan);
            }
            // A packet id belongs to its connection: after a reconnect the broker redelivers this message
            // (same id, new connection) and that delivery is acknowledged instead; acking here could
            // acknowledge a different message that reuses the id.
            if (Interlocked.Read(ref _generation) != generation || !_client.IsConnected) return;
            await e.AcknowledgeAsync(_stop.Token);
            Interlocked.Increment(ref _acknowledged);
        }
        catch (Exception ex) when (ex is OperationCanceledException or MqttCommunicationException or InvalidOperationException or ObjectDisposedException)
        {
            // Not acknowledged: the broker keeps the message for the session.
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
        _disconnected.Dispose();
    }
}
