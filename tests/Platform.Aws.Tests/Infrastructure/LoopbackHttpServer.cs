using System.Net;
using System.Net.Sockets;

namespace Platform.Aws.Tests.Infrastructure;

/// <summary>An HTTP server on 127.0.0.1 (a free port) that hands every request to a callback.</summary>
internal sealed class LoopbackHttpServer : IAsyncDisposable
{
    private readonly HttpListener _listener = new();
    private readonly Task _loop;
    private readonly Func<HttpListenerContext, byte[], Task> _handle;

    public LoopbackHttpServer(Func<HttpListenerContext, byte[], Task> handle)
    {
        _handle = handle;
        for (var attempt = 0; ; attempt++)
        {
            var probe = new TcpListener(IPAddress.Loopback, 0);
            probe.Start();
            var port = ((IPEndPoint)probe.LocalEndpoint).Port;
            probe.Stop();
            try
            {
                _listener.Prefixes.Clear();
                _listener.Prefixes.Add($"http://127.0.0.1:{port}/");
                _listener.Start();
                Uri = new Uri($"http://127.0.0.1:{port}/");
                break;
            }
            catch (HttpListenerException) when (attempt < 5)
            {
            }
        }
        _loop = Task.Run(LoopAsync);
    }

    public Uri Uri { get; } = null!;

    private async Task LoopAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception) when (!_listener.IsListening)
            {
                return;
            }
            catch (HttpListenerException)
            {
                return;
            }
            catch (ObjectDisposedException)
            {
                return;
            }
            _ = Task.Run(async () =>
            {
                try
                {
                    using var ms = new MemoryStream();
                    await context.Request.InputStream.CopyToAsync(ms);
                    await _handle(context, ms.ToArray());
                }
                catch (Exception e)
                {
                    try
                    {
                        context.Response.StatusCode = 599;
                        await context.Response.OutputStream.WriteAsync(System.Text.Encoding.UTF8.GetBytes(e.ToString()));
                    }
                    catch (Exception)
                    {
                    }
                }
                finally
                {
                    try { context.Response.Close(); } catch (Exception) { }
                }
            });
        }
    }

    public static async Task RespondAsync(HttpListenerContext context, int status, string json, string? errorType = null)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/x-amz-json-1.1";
        if (errorType is not null) context.Response.Headers["x-amzn-ErrorType"] = errorType;
        var bytes = System.Text.Encoding.UTF8.GetBytes(json);
        context.Response.ContentLength64 = bytes.Length;
        await context.Response.OutputStream.WriteAsync(bytes);
    }

    public async ValueTask DisposeAsync()
    {
        _listener.Stop();
        try { await _loop; } catch (Exception) { }
        _listener.Close();
    }
}
