using System.Diagnostics.Metrics;
using System.Net;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Platform.Connectors.DurableLog;
using Platform.Formats;
using Log = Platform.Connectors.DurableLog.DurableLog;

namespace Platform.Connectors.Ingest;

/// <summary>
/// HTTP ingest on its own Kestrel listener: Segment-compatible <c>/v1/track|identify|group|alias|page|batch</c>
/// (write key as HTTP Basic user, 32 KB per message, 500 KB per batch, <c>messageId</c> de-dup),
/// <c>/v1/telemetry</c> (NDJSON, every line checked by the shared parser), Twitch EventSub at
/// <c>/v1/webhooks/twitch</c> and generic HMAC-signed webhooks at <c>/v1/webhooks/{name}</c>.
/// A request is answered 200 only after its records are committed to the durable log (group
/// commit); a full log answers 429, an unavailable log or an overloaded pipeline 503, both with
/// <c>Retry-After</c>. Every rejection is JSON <c>{"error":{"status","field","reason"}}</c>.
/// </summary>
public sealed partial class IngestServer : IAsyncDisposable
{
    private static readonly Meter Meter = new("Platform.Connectors.Ingest");
    private static readonly Counter<long> Requests = Meter.CreateCounter<long>("requests", description: "Ingest requests by endpoint and status.");
    private static readonly Counter<long> RecordsIn = Meter.CreateCounter<long>("records", description: "Records committed to the durable log.");

    private readonly IngestOptions _options;
    private readonly Log? _events;
    private readonly Log? _telemetry;
    private readonly TelemetryNdjsonParser? _parser;
    private readonly HashSet<string> _writeKeys;
    private readonly SeenIds _messageIds;
    private readonly SeenIds _twitchIds;
    private readonly byte[]? _twitchSecret;
    private readonly Dictionary<string, (WebhookOptions Options, byte[] Secret)> _webhooks;
    private WebApplication? _app;
    private Uri? _address;
    private long _accepted;
    private long _rejected;
    private long _duplicates;

    /// <summary>
    /// Creates the server. <paramref name="events"/> takes Segment and webhook events (null disables
    /// those endpoints); <paramref name="telemetry"/> takes <c>/v1/telemetry</c> lines, each checked
    /// with <paramref name="telemetryParser"/> (null disables the endpoint).
    /// </summary>
    public IngestServer(IngestOptions options, Log? events, Log? telemetry, TelemetryNdjsonParser? telemetryParser)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options;
        _events = events;
        _telemetry = telemetryParser is null ? null : telemetry;
        _parser = telemetryParser;
        _writeKeys = new HashSet<string>(options.WriteKeys, StringComparer.Ordinal);
        _messageIds = new SeenIds(options.DedupWindow, options.DedupCapacity, options.Clock);
        _twitchIds = new SeenIds(IngestOptions.TwitchMaxAge * 2, options.DedupCapacity, options.Clock);
        _twitchSecret = options.TwitchSecret is null ? null : Encoding.UTF8.GetBytes(options.TwitchSecret);
        _webhooks = options.Webhooks.ToDictionary(w => w.Name, w => (w, Encoding.UTF8.GetBytes(w.Secret)), StringComparer.Ordinal);
    }

    /// <summary>The bound port (valid after <see cref="StartAsync"/>).</summary>
    public int Port => Address.Port;

    /// <summary><c>http://address:port/</c> (valid after <see cref="StartAsync"/>).</summary>
    public Uri Address => _address ?? throw new InvalidOperationException("The ingest server has not started.");

    /// <summary>Requests answered 200.</summary>
    public long Accepted => Interlocked.Read(ref _accepted);

    /// <summary>Requests rejected (4xx/5xx).</summary>
    public long Rejected => Interlocked.Read(ref _rejected);

    /// <summary>Messages dropped as duplicates (Segment messageId within the window).</summary>
    public long Duplicates => Interlocked.Read(ref _duplicates);

    /// <summary>Binds and starts serving.</summary>
    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        if (_app is not null) throw new InvalidOperationException("Already started.");
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions { ApplicationName = "platform-ingest" });
        builder.WebHost.UseKestrelCore().ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            var limits = kestrel.Limits;
            limits.MaxConcurrentConnections = _options.MaxConcurrentConnections;
            limits.MaxConcurrentUpgradedConnections = 0;
            limits.RequestHeadersTimeout = _options.RequestHeadersTimeout;
            limits.MaxRequestHeadersTotalSize = _options.MaxRequestHeadersTotalSize;
            limits.MaxRequestHeaderCount = 64;
            limits.MaxRequestLineSize = 4096;
            limits.MaxRequestBufferSize = 64 * 1024;
            limits.MaxRequestBodySize = Math.Max(Math.Max(_options.MaxTelemetryBytes, _options.MaxWebhookBytes), Formats.Segment.SegmentMessageValidator.MaxBatchBytes) + 1L;
            limits.MinRequestBodyDataRate = new MinDataRate(_options.MinRequestBodyBytesPerSecond, TimeSpan.FromSeconds(5));
            limits.KeepAliveTimeout = _options.KeepAliveTimeout;
            kestrel.Listen(_options.Address, _options.Port, o => o.Protocols = HttpProtocols.Http1AndHttp2);
        });
        var app = builder.Build();
        app.Run(HandleAsync);
        await app.StartAsync(cancellationToken);
        _app = app;
        var bound = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault()
            ?? throw new InvalidOperationException("Kestrel reported no bound address.");
        var host = _options.Address.Equals(IPAddress.Any) ? "127.0.0.1" : _options.Address.ToString();
        _address = new Uri($"http://{host}:{new Uri(bound).Port}/");
    }

    /// <summary>Stops accepting; in-flight requests finish until <paramref name="cancellationToken"/>.</summary>
    public async Task StopAsync(CancellationToken cancellationToken = default)
    {
        var app = Interlocked.Exchange(ref _app, null);
        if (app is null) return;
        await app.StopAsync(cancellationToken);
        await app.DisposeAsync();
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync() => await StopAsync();

    private async Task HandleAsync(HttpContext context)
    {
        var path = context.Request.Path.Value ?? "";
        IngestResult result;
        try
        {
            result = await DispatchAsync(context, path);
        }
        catch (Microsoft.AspNetCore.Http.BadHttpRequestException e)
        {
            result = IngestResult.Error(e.StatusCode, "body", e.Message);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            return;
        }
        catch (IOException) when (context.RequestAborted.IsCancellationRequested)
        {
            return;
        }
        Interlocked.Increment(ref result.Status == 200 ? ref _accepted : ref _rejected);
        Requests.Add(1, new KeyValuePair<string, object?>("endpoint", EndpointTag(path)), new KeyValuePair<string, object?>("status", result.Status));
        var response = context.Response;
        response.StatusCode = result.Status;
        response.ContentType = result.ContentType;
        if (result.RetryAfter > 0) response.Headers.RetryAfter = result.RetryAfter.ToString(System.Globalization.CultureInfo.InvariantCulture);
        await response.WriteAsync(result.Body, context.RequestAborted);
    }

    private static string EndpointTag(string path) => path.StartsWith("/v1/webhooks/", StringComparison.Ordinal) ? "webhook" : path.Length <= 32 ? path : "other";

    private Task<IngestResult> DispatchAsync(HttpContext context, string path)
    {
        if (!HttpMethods.IsPost(context.Request.Method))
        {
            context.Response.Headers.Allow = "POST";
            return Task.FromResult(IngestResult.Error(405, "method", "only POST is accepted"));
        }
        if (_options.IsOverloaded?.Invoke() == true)
        {
            return Task.FromResult(IngestResult.Error(503, "pipeline", "the pipeline is behind; retry later", _options.RetryAfterSeconds));
        }
        switch (path)
        {
            case "/v1/track": return HandleSegmentAsync(context, Formats.Segment.SegmentMessageType.Track);
            case "/v1/identify": return HandleSegmentAsync(context, Formats.Segment.SegmentMessageType.Identify);
            case "/v1/group": return HandleSegmentAsync(context, Formats.Segment.SegmentMessageType.Group);
            case "/v1/alias": return HandleSegmentAsync(context, Formats.Segment.SegmentMessageType.Alias);
            case "/v1/page": return HandleSegmentAsync(context, Formats.Segment.SegmentMessageType.Page);
            case "/v1/batch": return HandleSegmentAsync(context, null);
            case "/v1/telemetry": return HandleTelemetryAsync(context);
            case "/v1/webhooks/twitch": return HandleTwitchAsync(context);
        }
        if (path.StartsWith("/v1/webhooks/", StringComparison.Ordinal) && _webhooks.TryGetValue(path["/v1/webhooks/".Length..], out var hook))
        {
            return HandleWebhookAsync(context, hook.Options, hook.Secret);
        }
        return Task.FromResult(IngestResult.Error(404, "path", $"no ingest endpoint at '{path}'"));
    }

    /// <summary>Appends and maps the log's answer to HTTP.</summary>
    private async Task<IngestResult?> CommitAsync(Task<AppendStatus> append)
    {
        var status = await append;
        return status switch
        {
            AppendStatus.Committed => null,
            AppendStatus.Full => IngestResult.Error(429, "log", "the durable log's write backlog is full; retry later", _options.RetryAfterSeconds),
            _ => IngestResult.Error(503, "log", "the durable log is not accepting writes", Math.Max(5, _options.RetryAfterSeconds)),
        };
    }

    private bool IsContentType(HttpContext context, params string[] accepted)
    {
        var type = context.Request.ContentType;
        if (type is null) return false;
        var semi = type.IndexOf(';', StringComparison.Ordinal);
        var media = (semi < 0 ? type : type[..semi]).Trim();
        foreach (var a in accepted) if (media.Equals(a, StringComparison.OrdinalIgnoreCase)) return true;
        return false;
    }

    private bool HasWriteKey(HttpContext context)
    {
        if (_writeKeys.Count == 0) return true;
        var auth = context.Request.Headers.Authorization.ToString();
        if (!auth.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase)) return false;
        Span<byte> decoded = stackalloc byte[256];
        if (!Convert.TryFromBase64String(auth[6..].Trim(), decoded, out var n)) return false;
        var text = Encoding.UTF8.GetString(decoded[..n]);
        var colon = text.IndexOf(':', StringComparison.Ordinal);
        var user = colon < 0 ? text : text[..colon];
        return _writeKeys.Contains(user);
    }
}
