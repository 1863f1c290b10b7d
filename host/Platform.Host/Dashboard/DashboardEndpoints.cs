using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Platform.Host.Http;

namespace Platform.Host.Dashboard;

/// <summary>
/// The dashboard on the daemon's HTTP server: <c>/</c> and <c>/dashboard</c> (the page),
/// <c>/dashboard/app.css</c>, <c>/dashboard/app.js</c>, <c>/dashboard/snapshot</c> (one JSON
/// snapshot) and <c>/dashboard/events</c> (Server-Sent Events: a snapshot every
/// <see cref="Interval"/>). One timer samples the pipeline; every client gets the same bytes.
/// </summary>
internal sealed class DashboardEndpoints : IAsyncDisposable
{
    /// <summary>Snapshot cadence.</summary>
    public static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(500);

    private readonly DashboardSource _source;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _sampler;

    private DashboardEndpoints(DashboardSource source)
    {
        _source = source;
        _source.Sample();
        _sampler = SampleLoopAsync(_stop.Token);
    }

    /// <summary>The source whose snapshots are served.</summary>
    public DashboardSource Source => _source;

    /// <summary>Mounts the dashboard on <paramref name="server"/> (before or after it starts) and starts sampling.</summary>
    public static DashboardEndpoints Mount(PlatformHttpServer server, DashboardSource source)
    {
        ArgumentNullException.ThrowIfNull(server);
        ArgumentNullException.ThrowIfNull(source);
        var endpoints = new DashboardEndpoints(source);
        server.AddHandler(endpoints.HandleAsync);
        return endpoints;
    }

    private async Task SampleLoopAsync(CancellationToken stop)
    {
        using var timer = new PeriodicTimer(Interval);
        try
        {
            while (await timer.WaitForNextTickAsync(stop)) _source.Sample();
        }
        catch (OperationCanceledException)
        {
        }
    }

    private async Task<bool> HandleAsync(HttpContext context)
    {
        var path = context.Request.Path.Value;
        switch (path)
        {
            case "/":
            case "/dashboard":
            case "/dashboard/":
                await WriteAsync(context.Response, "text/html; charset=utf-8", DashboardAssets.Html);
                return true;
            case "/dashboard/app.css":
                await WriteAsync(context.Response, "text/css; charset=utf-8", DashboardAssets.Css);
                return true;
            case "/dashboard/app.js":
                await WriteAsync(context.Response, "text/javascript; charset=utf-8", DashboardAssets.Js);
                return true;
            case "/dashboard/snapshot":
                await WriteAsync(context.Response, "application/json; charset=utf-8", _source.Latest);
                return true;
            case "/dashboard/events":
                await StreamAsync(context);
                return true;
            default:
                return false;
        }
    }

    private static async Task WriteAsync(HttpResponse response, string contentType, ReadOnlyMemory<byte> body)
    {
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = contentType;
        response.Headers.CacheControl = "no-store";
        response.Headers["X-Content-Type-Options"] = "nosniff";
        response.ContentLength = body.Length;
        if (!HttpMethods.IsHead(response.HttpContext.Request.Method)) await response.Body.WriteAsync(body);
    }

    private async Task StreamAsync(HttpContext context)
    {
        var response = context.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "text/event-stream";
        response.Headers.CacheControl = "no-store";
        response.Headers["X-Accel-Buffering"] = "no";
        var stopping = context.RequestServices.GetService<IHostApplicationLifetime>()?.ApplicationStopping ?? CancellationToken.None;
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, stopping, _stop.Token);
        var token = linked.Token;
        using var timer = new PeriodicTimer(Interval);
        try
        {
            await response.Body.WriteAsync("retry: 2000\n\n"u8.ToArray(), token);
            do
            {
                await response.Body.WriteAsync("data: "u8.ToArray(), token);
                await response.Body.WriteAsync(_source.Latest, token);
                await response.Body.WriteAsync("\n\n"u8.ToArray(), token);
                await response.Body.FlushAsync(token);
            }
            while (await timer.WaitForNextTickAsync(token));
        }
        catch (OperationCanceledException)
        {
            // The client left or the server is stopping.
        }
        catch (IOException)
        {
            // The connection broke.
        }
    }

    /// <summary>Stops sampling and ends open event streams.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_stop.IsCancellationRequested) return;
        await _stop.CancelAsync();
        await _sampler;
    }
}
