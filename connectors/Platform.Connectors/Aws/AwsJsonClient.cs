using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Polly;
using Polly.CircuitBreaker;
using Polly.Retry;

namespace Platform.Connectors.Aws;

/// <summary>
/// A small client for AWS's JSON protocol (<c>X-Amz-Target</c>, <c>application/x-amz-json-1.1</c>):
/// signs every attempt with SigV4, retries whole calls that failed for a transient reason with
/// exponential backoff and full jitter, opens a circuit breaker when the endpoint keeps failing, and
/// records per-call metrics. Thread-safe.
/// </summary>
public sealed class AwsJsonClient : IDisposable
{
    private static readonly MediaTypeHeaderValue JsonContentType = new("application/x-amz-json-1.1");

    private readonly AwsClientOptions _options;
    private readonly HttpClient _http;
    private readonly SigV4Signer _signer;
    private readonly AwsCredentials _credentials;
    private readonly Uri _endpoint;
    private readonly ResiliencePipeline _pipeline;
    private readonly AwsInstruments _instruments;

    internal AwsJsonClient(AwsClientOptions options, string service, HttpMessageHandler? handler)
    {
        _options = options;
        _endpoint = options.EndpointFor(service);
        _signer = new SigV4Signer(options.Region, service);
        _credentials = AwsCredentialsResolver.Resolve(options.Credentials, options.Profile);
        _instruments = new AwsInstruments(options.Meter);
        _http = new HttpClient(handler ?? new SocketsHttpHandler
        {
            MaxConnectionsPerServer = options.MaxConnections,
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            AutomaticDecompression = DecompressionMethods.None,
        }, disposeHandler: true)
        {
            Timeout = Timeout.InfiniteTimeSpan,
        };
        _pipeline = new ResiliencePipelineBuilder()
            .AddRetry(new RetryStrategyOptions
            {
                MaxRetryAttempts = Math.Max(1, options.MaxRetryAttempts),
                ShouldHandle = args => ValueTask.FromResult(options.MaxRetryAttempts > 0 && IsTransient(args.Outcome.Exception)),
                DelayGenerator = args => ValueTask.FromResult<TimeSpan?>(Backoff.FullJitter(args.AttemptNumber, options.BaseDelay, options.MaxDelay)),
                OnRetry = args =>
                {
                    var e = args.Outcome.Exception;
                    _instruments.Retried(e is AwsServiceException a ? a.Operation : "unknown", e is AwsServiceException b ? b.ErrorType : e?.GetType().Name ?? "unknown");
                    return default;
                },
            })
            .AddCircuitBreaker(new CircuitBreakerStrategyOptions
            {
                FailureRatio = options.BreakerFailureRatio,
                MinimumThroughput = options.BreakerMinimumThroughput,
                SamplingDuration = TimeSpan.FromSeconds(30),
                BreakDuration = options.BreakDuration,
                // Throttles say "slower", not "down": they do not open the breaker.
                ShouldHandle = args => ValueTask.FromResult(args.Outcome.Exception is HttpRequestException
                    || args.Outcome.Exception is AwsServiceException { IsRetryable: true, IsThrottle: false }),
            })
            .Build();
    }

    /// <summary>The endpoint called.</summary>
    public Uri Endpoint => _endpoint;

    /// <summary>The credentials' access key id, masked (for logs).</summary>
    public override string ToString() => $"AwsJsonClient({_endpoint}, {_signer.Service}, {_credentials})";

    /// <summary>True for failures worth trying again: transport errors, 5xx, throttling, timeouts, an open breaker.</summary>
    public static bool IsTransient(Exception? e) => e switch
    {
        AwsServiceException a => a.IsRetryable,
        HttpRequestException => true,
        BrokenCircuitException => true,
        _ => false,
    };

    /// <summary>
    /// Calls <paramref name="target"/> (e.g. <c>Kinesis_20131202.PutRecords</c>) with a JSON body and
    /// returns the successful response body in a pooled buffer the caller disposes. Throws
    /// <see cref="AwsServiceException"/> when the service answered with an error (after retries for
    /// transient ones), <see cref="BrokenCircuitException"/> while the breaker is open.
    /// </summary>
    public async ValueTask<PooledBufferWriter> SendAsync(string target, ReadOnlyMemory<byte> body, CancellationToken cancellationToken)
    {
        var context = ResilienceContextPool.Shared.Get(cancellationToken);
        try
        {
            return await _pipeline.ExecuteAsync(
                static (ctx, state) => state.Client.AttemptAsync(state.Target, state.Body, ctx.CancellationToken),
                context,
                (Client: this, Target: target, Body: body));
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }
    }

    private async ValueTask<PooledBufferWriter> AttemptAsync(string target, ReadOnlyMemory<byte> body, CancellationToken cancellationToken)
    {
        var operation = target[(target.IndexOf('.') + 1)..];
        var start = Stopwatch.GetTimestamp();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_options.AttemptTimeout);
        var signed = _signer.Sign(_credentials, "POST", _endpoint, [new("x-amz-target", target), new("content-type", "application/x-amz-json-1.1")], body.Span, DateTimeOffset.UtcNow);
        using var request = new HttpRequestMessage(HttpMethod.Post, _endpoint);
        request.Headers.TryAddWithoutValidation("X-Amz-Target", target);
        request.Headers.TryAddWithoutValidation("X-Amz-Date", signed.AmzDate);
        request.Headers.TryAddWithoutValidation("Authorization", signed.Authorization);
        if (signed.SecurityToken is { } token) request.Headers.TryAddWithoutValidation("X-Amz-Security-Token", token);
        request.Content = new ReadOnlyMemoryContent(body);
        request.Content.Headers.ContentType = JsonContentType;
        var response = default(PooledBufferWriter);
        try
        {
            using var http = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
            response = new PooledBufferWriter((int)Math.Min(http.Content.Headers.ContentLength ?? 4096, 64 << 20) + 1);
            await using (var stream = await http.Content.ReadAsStreamAsync(timeout.Token))
            {
                int n;
                while ((n = await stream.ReadAsync(response.GetMemory(16 * 1024), timeout.Token)) > 0) response.Advance(n);
            }
            var status = (int)http.StatusCode;
            if (status is >= 200 and < 300)
            {
                _instruments.Attempt(operation, Stopwatch.GetElapsedTime(start).TotalMilliseconds, "ok", body.Length, response.WrittenCount);
                var ok = response;
                response = null;
                return ok;
            }
            var (type, message) = ParseError(response.WrittenSpan, http);
            var (_, throttle) = AwsServiceException.Classify(type, status);
            if (throttle) _instruments.Throttled(operation);
            _instruments.Attempt(operation, Stopwatch.GetElapsedTime(start).TotalMilliseconds, throttle ? "throttled" : "error", body.Length, response.WrittenCount);
            AwsThrow.Service(target, type, status, message);
            return null!;
        }
        catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            _instruments.Attempt(operation, Stopwatch.GetElapsedTime(start).TotalMilliseconds, "timeout", body.Length, 0);
            AwsThrow.Service(target, "RequestTimeout", 0, $"no answer within {_options.AttemptTimeout.TotalSeconds:0.#} s", e);
            return null!;
        }
        catch (HttpRequestException e)
        {
            _instruments.Attempt(operation, Stopwatch.GetElapsedTime(start).TotalMilliseconds, "transport", body.Length, 0);
            AwsThrow.Service(target, "Transport", 0, e.Message, e);
            return null!;
        }
        finally
        {
            response?.Dispose();
        }
    }

    private static (string Type, string Message) ParseError(ReadOnlySpan<byte> body, HttpResponseMessage http)
    {
        string? type = http.Headers.TryGetValues("x-amzn-ErrorType", out var values) ? values.FirstOrDefault() : null;
        string message = http.ReasonPhrase ?? string.Empty;
        try
        {
            var reader = new Utf8JsonReader(body);
            if (reader.Read() && reader.TokenType == JsonTokenType.StartObject)
            {
                while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                {
                    var isType = reader.ValueTextEquals("__type"u8);
                    var isMessage = reader.ValueTextEquals("message"u8) || reader.ValueTextEquals("Message"u8);
                    reader.Read();
                    if (reader.TokenType == JsonTokenType.String)
                    {
                        if (isType) type = reader.GetString();
                        else if (isMessage) message = reader.GetString() ?? message;
                    }
                    else reader.Skip();
                }
            }
        }
        catch (JsonException)
        {
            // Not JSON (a proxy's HTML page): keep the status and reason.
        }
        type ??= ((int)http.StatusCode >= 500 ? "ServiceUnavailable" : "HttpError" + (int)http.StatusCode);
        var colon = type.IndexOf(':');
        if (colon >= 0) type = type[..colon];
        var hash = type.LastIndexOf('#');
        if (hash >= 0) type = type[(hash + 1)..];
        return (type, message);
    }

    /// <summary>Disposes the HTTP client and owned meter.</summary>
    public void Dispose()
    {
        _http.Dispose();
        _instruments.Dispose();
    }
}
