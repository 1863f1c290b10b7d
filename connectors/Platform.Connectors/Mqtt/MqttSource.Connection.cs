using System.Security.Cryptography.X509Certificates;
using MQTTnet;
using MQTTnet.Protocol;
using Polly;
using Polly.Retry;

namespace Platform.Connectors.Mqtt;

public sealed partial class MqttSource
{
    private string Broker => $"{_options.Host}:{_options.Port}";

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
        if (_options.UseTls)
        {
            b = b.WithTlsOptions(o =>
            {
                o.UseTls().WithTargetHost(_options.TlsServerName ?? _options.Host);
                if (_options.TlsCaFile is { } ca)
                {
                    var chain = new X509Certificate2Collection();
                    chain.ImportFromPemFile(ca);
                    o.WithTrustChain(chain);
                }
            });
        }
        return b.Build();
    }

    private ResiliencePipeline ReconnectPipeline(CancellationToken token) => new ResiliencePipelineBuilder()
        .AddRetry(new RetryStrategyOptions
        {
            MaxRetryAttempts = int.MaxValue,
            BackoffType = DelayBackoffType.Exponential,
            UseJitter = true,
            Delay = _options.ReconnectMinDelay,
            MaxDelay = _options.ReconnectMaxDelay,
            ShouldHandle = args => ValueTask.FromResult(args.Outcome.Exception is not null && !token.IsCancellationRequested),
            OnRetry = args =>
            {
                MqttSourceLog.ConnectFailed(_options.Name, Broker, args.Outcome.Exception?.Message ?? "?", args.RetryDelay);
                return ValueTask.CompletedTask;
            },
        })
        .Build();

    /// <summary>Keeps the client connected: connect (with backoff) whenever it is not, then wait for a disconnect.</summary>
    private async Task ConnectLoopAsync(TaskCompletionSource first)
    {
        var token = _stop.Token;
        var clean = _options.CleanStart;
        var reconnect = ReconnectPipeline(token);
        try
        {
            while (!token.IsCancellationRequested)
            {
                if (!_client.IsConnected)
                {
                    await reconnect.ExecuteAsync(async ct =>
                    {
                        if (clean) await DiscardSessionAsync(ct);
                        clean = false;
                        await ConnectAndSubscribeAsync(ct);
                    }, token);
                    first.TrySetResult();
                }
                // Woken by a disconnect; the timeout re-checks in case the event raced the connect.
                using var poll = CancellationTokenSource.CreateLinkedTokenSource(token);
                poll.CancelAfter(TimeSpan.FromSeconds(1));
                try
                {
                    await _disconnected.Reader.ReadAsync(poll.Token);
                }
                catch (OperationCanceledException) when (!token.IsCancellationRequested)
                {
                }
            }
        }
        catch (Exception) when (token.IsCancellationRequested)
        {
            // Stopping: the attempt in flight (e.g. one the broker refused) ends the loop, whatever it threw.
        }
        first.TrySetCanceled(token);
    }

    /// <summary>
    /// A clean restart: CONNECT with Clean Start (the broker drops what it kept for our client id) and
    /// DISCONNECT at once, without subscribing. The session we then open with Clean Start = 0 is the
    /// one we keep: mosquitto writes only sessions opened with Clean Start = 0 to its persistence file,
    /// so a session opened clean would not survive a broker restart (its queued messages with it).
    /// </summary>
    private async Task DiscardSessionAsync(CancellationToken token)
    {
        await ConnectOnceAsync(cleanStart: true, token);
        await _client.DisconnectAsync(new MqttClientDisconnectOptionsBuilder().Build(), token);
    }

    private async Task<MqttClientConnectResult> ConnectOnceAsync(bool cleanStart, CancellationToken token)
    {
        var result = await _client.ConnectAsync(BuildOptions(cleanStart), token);
        if (result.ResultCode != MqttClientConnectResultCode.Success)
        {
            throw new MQTTnet.Exceptions.MqttCommunicationException($"the broker refused the connection: {result.ResultCode} {result.ReasonString}");
        }
        return result;
    }

    /// <summary>One connect resuming (or opening) the persistent session, then SUBSCRIBE (on every connect).</summary>
    private async Task ConnectAndSubscribeAsync(CancellationToken token)
    {
        var result = await ConnectOnceAsync(cleanStart: false, token);
        try
        {
            // Re-subscribing is idempotent on a resumed session, and a broker restored from its persistence
            // file (or one that dropped the session) needs it.
            var sub = new MqttClientSubscribeOptionsBuilder();
            var qos = _options.Qos == 1 ? MqttQualityOfServiceLevel.AtLeastOnce : MqttQualityOfServiceLevel.AtMostOnce;
            foreach (var t in _options.Topics) sub = sub.WithTopicFilter(t, qos);
            var subscribed = await _client.SubscribeAsync(sub.Build(), token);
            foreach (var item in subscribed.Items)
            {
                if ((int)item.ResultCode > (int)MqttClientSubscribeResultCode.GrantedQoS2)
                {
                    throw new MQTTnet.Exceptions.MqttCommunicationException($"the broker refused the subscription to '{item.TopicFilter.Topic}': {item.ResultCode}");
                }
            }
        }
        catch (Exception) when (_client.IsConnected)
        {
            // Connected but not subscribed would look healthy and receive nothing: drop and retry.
            await _client.DisconnectAsync(new MqttClientDisconnectOptionsBuilder().Build(), CancellationToken.None);
            throw;
        }
        var connects = Interlocked.Increment(ref _connects);
        MqttSourceLog.Connected(_options.Name, Broker, result.IsSessionPresent, connects);
    }
}
