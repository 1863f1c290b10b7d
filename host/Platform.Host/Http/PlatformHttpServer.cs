using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Prometheus;

namespace Platform.Host.Http;

/// <summary>Whether the pipeline can take traffic, and why not.</summary>
/// <param name="IsReady">True once the pipeline runs.</param>
/// <param name="Reason">Why it is (not) ready, shown in the /health/ready body.</param>
internal readonly record struct Readiness(bool IsReady, string Reason);

/// <summary>
/// The daemon's HTTP endpoints on 127.0.0.1 (Kestrel): <c>/health/live</c> (200 while the process
/// runs), <c>/health/ready</c> (200 after <see cref="SetReady"/>, else 503 with a JSON reason) and
/// <c>/metrics</c> (Prometheus text) exporting the <c>System.Diagnostics.Metrics</c> instruments of
/// meters named <c>Platform*</c>. Each server has its own prometheus-net registry and meter
/// listener, so several servers can run in one process.
/// </summary>
internal sealed class PlatformHttpServer : IAsyncDisposable
{
    /// <summary>The Prometheus text exposition format, version 0.0.4.</summary>
    public const string PrometheusTextContentType = "text/plain; version=0.0.4; charset=utf-8";

    private readonly PlatformHttpServerOptions _options;
    private readonly ILogger _logger;
    private readonly CollectorRegistry _registry = Metrics.NewCustomRegistry();
    private IDisposable? _meterAdapter;
    private WebApplication? _app;
    private Uri? _address;
    private volatile Box _readiness = new(new Readiness(false, "starting"));
    private readonly Lock _handlersGate = new();
    private volatile Func<HttpContext, Task<bool>>[] _handlers = [];

    public PlatformHttpServer(PlatformHttpServerOptions options, ILoggerFactory? loggerFactory = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(options.Port);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(options.Port, 65535);
        _options = options;
        _logger = (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger<PlatformHttpServer>();
    }

    /// <summary>The port actually bound (the chosen one when the options said 0). Valid after <see cref="StartAsync"/>.</summary>
    public int Port => Address.Port;

    /// <summary><c>http://127.0.0.1:port/</c>. Valid after <see cref="StartAsync"/>.</summary>
    public Uri Address => _address ?? throw new InvalidOperationException("The HTTP server has not started.");

    /// <summary>This server's Prometheus registry: the host may add collectors of its own.</summary>
    public CollectorRegistry Registry => _registry;

    /// <summary>The current readiness.</summary>
    public Readiness Readiness => _readiness.Value;

    /// <summary>Marks the pipeline ready: /health/ready answers 200.</summary>
    public void SetReady(string reason = "running") => SetReadiness(new Readiness(true, reason));

    /// <summary>Marks the pipeline not ready (starting, draining, failed): /health/ready answers 503 with the reason.</summary>
    public void SetNotReady(string reason) => SetReadiness(new Readiness(false, reason));

    /// <summary>
    /// Adds a handler for GET/HEAD paths this server does not answer itself (the dashboard mounts
    /// here); it returns true when it wrote the response. May be called before or after <see cref="StartAsync"/>.
    /// </summary>
    public void AddHandler(Func<HttpContext, Task<bool>> handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        lock (_handlersGate) _handlers = [.. _handlers, handler];
    }

    /// <summary>Binds 127.0.0.1:port and starts serving.</summary>
    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        if (_app is not null)
        {
            throw new InvalidOperationException("The HTTP server has already started.");
        }
        _meterAdapter = MeterAdapter.StartListening(new MeterAdapterOptions
        {
            Registry = _registry,
            // MetricFactory defaults to the process-wide static factory (the default registry), which
            // would override Registry; point it at this server's registry so servers stay apart.
            MetricFactory = Metrics.WithCustomRegistry(_registry),
            InstrumentFilterPredicate = instrument => IsExported(instrument.Meter.Name),
            MetricsExpireAfter = _options.MetricsExpireAfter,
        });

        // The empty builder reads no appsettings.json and no ASPNETCORE_* variables: nothing can
        // move the endpoints off loopback or change the port behind the config's back.
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions { ApplicationName = "platform" });
        builder.WebHost.UseKestrelCore().ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Listen(IPAddress.Loopback, _options.Port);
        });
        var app = builder.Build();
        app.Run(HandleAsync);
        await app.StartAsync(cancellationToken);
        _app = app;

        var bound = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault()
            ?? throw new InvalidOperationException("Kestrel reported no bound address.");
        var uri = new Uri(bound);
        _address = new Uri($"http://127.0.0.1:{uri.Port}/");
        PlatformHttpLog.Listening(_logger, _address.ToString());
    }

    /// <summary>Stops serving; in-flight requests get until <paramref name="cancellationToken"/> fires.</summary>
    public async Task StopAsync(CancellationToken cancellationToken = default)
    {
        var app = Interlocked.Exchange(ref _app, null);
        if (app is not null)
        {
            await app.StopAsync(cancellationToken);
            await app.DisposeAsync();
            PlatformHttpLog.Stopped(_logger);
        }
        Interlocked.Exchange(ref _meterAdapter, null)?.Dispose();
    }

    public async ValueTask DisposeAsync() => await StopAsync();

    private bool IsExported(string meterName) =>
        meterName.StartsWith(_options.MeterPrefix, StringComparison.Ordinal) &&
        (meterName.Length == _options.MeterPrefix.Length || meterName[_options.MeterPrefix.Length] == '.');

    private void SetReadiness(Readiness readiness)
    {
        var previous = _readiness.Value;
        _readiness = new Box(readiness);
        if (previous.IsReady != readiness.IsReady)
        {
            PlatformHttpLog.ReadinessChanged(_logger, readiness.IsReady, readiness.Reason);
        }
    }

    private async Task HandleAsync(HttpContext context)
    {
        var request = context.Request;
        var response = context.Response;
        if (!HttpMethods.IsGet(request.Method) && !HttpMethods.IsHead(request.Method))
        {
            response.StatusCode = StatusCodes.Status405MethodNotAllowed;
            response.Headers.Allow = "GET, HEAD";
            return;
        }
        switch (request.Path.Value)
        {
            case "/health/live":
                await WriteStatusAsync(response, StatusCodes.Status200OK, "live", "process running");
                break;
            case "/health/ready":
                var readiness = _readiness.Value;
                await WriteStatusAsync(response, readiness.IsReady ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable,
                    readiness.IsReady ? "ready" : "not-ready", readiness.Reason);
                break;
            case "/metrics":
                response.StatusCode = StatusCodes.Status200OK;
                response.ContentType = PrometheusTextContentType;
                await _registry.CollectAndExportAsTextAsync(response.Body, context.RequestAborted);
                break;
            default:
                foreach (var handler in _handlers)
                {
                    if (await handler(context)) return;
                }
                await WriteStatusAsync(response, StatusCodes.Status404NotFound, "not-found", "endpoints: /health/live, /health/ready, /metrics");
                break;
        }
    }

    private static async Task WriteStatusAsync(HttpResponse response, int statusCode, string status, string reason)
    {
        response.StatusCode = statusCode;
        response.ContentType = "application/json; charset=utf-8";
        response.Headers.CacheControl = "no-store";
        var body = JsonSerializer.SerializeToUtf8Bytes(new StatusBody(status, reason), StatusBodyContext.Default.StatusBody);
        await response.Body.WriteAsync(body);
    }

    /// <summary>Readiness as one reference, so readers see a consistent pair without a lock.</summary>
    private sealed record Box(Readiness Value);
}

/// <summary>The JSON body of the health endpoints: <c>{"status":"not-ready","reason":"starting"}</c>.</summary>
internal sealed record StatusBody(string Status, string Reason);

[System.Text.Json.Serialization.JsonSourceGenerationOptions(PropertyNamingPolicy = System.Text.Json.Serialization.JsonKnownNamingPolicy.CamelCase)]
[System.Text.Json.Serialization.JsonSerializable(typeof(StatusBody))]
internal sealed partial class StatusBodyContext : System.Text.Json.Serialization.JsonSerializerContext;
