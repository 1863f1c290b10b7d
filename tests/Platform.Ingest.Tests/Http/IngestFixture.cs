using System.Net.Http.Headers;
using System.Text;
using Platform.Connectors.DurableLog;
using Platform.Connectors.Ingest;
using Platform.Engine.Symbols;
using Platform.Formats;
using Platform.Ingest.Tests.DurableLog;
using Log = Platform.Connectors.DurableLog.DurableLog;

namespace Platform.Ingest.Tests.Http;

/// <summary>An in-process ingest server on a free loopback port with its own logs.</summary>
internal sealed class IngestFixture : IAsyncDisposable
{
    public const string WriteKey = "wk_test";
    public const string TwitchSecret = "twitch-secret-0123456789";
    public const string HookSecret = "hook-secret";

    private readonly TempDir _dir = new();

    private IngestFixture(IngestOptions options)
    {
        Events = Log.Open(new DurableLogOptions { Directory = Path.Combine(_dir.Path, "events"), Name = "events" });
        Telemetry = Log.Open(new DurableLogOptions { Directory = Path.Combine(_dir.Path, "telemetry"), Name = "telemetry" });
        Server = new IngestServer(options, Events, Telemetry, new TelemetryNdjsonParser(new SymbolTable()));
        Client = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
    }

    public Log Events { get; }
    public Log Telemetry { get; }
    public IngestServer Server { get; }
    public HttpClient Client { get; }
    public Uri Url(string path) => new(Server.Address, path);

    public static async Task<IngestFixture> StartAsync(Func<IngestOptions, IngestOptions>? configure = null)
    {
        var options = new IngestOptions
        {
            WriteKeys = [WriteKey],
            TwitchSecret = TwitchSecret,
            Webhooks = [new WebhookOptions("github", "X-Hub-Signature-256", HookSecret)],
        };
        var f = new IngestFixture(configure?.Invoke(options) ?? options);
        await f.Server.StartAsync();
        return f;
    }

    public static AuthenticationHeaderValue Basic(string key) => new("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(key + ":")));

    public HttpRequestMessage Post(string path, string body, string contentType = "application/json", bool auth = true)
    {
        var r = new HttpRequestMessage(HttpMethod.Post, Url(path)) { Content = new StringContent(body, Encoding.UTF8) };
        r.Content.Headers.ContentType = new MediaTypeHeaderValue(contentType);
        if (auth) r.Headers.Authorization = Basic(WriteKey);
        return r;
    }

    public async Task<List<string>> LinesAsync(Log log)
    {
        var lines = new List<string>();
        await using var reader = log.OpenReader(new DurableLogReaderOptions { Follow = false });
        while (await reader.ReadAsync(default) is { } chunk)
        {
            using (chunk) lines.AddRange(Encoding.UTF8.GetString(chunk.Span).Split('\n', StringSplitOptions.RemoveEmptyEntries));
        }
        return lines;
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await Server.DisposeAsync();
        await Events.DisposeAsync();
        await Telemetry.DisposeAsync();
        _dir.Dispose();
    }
}
