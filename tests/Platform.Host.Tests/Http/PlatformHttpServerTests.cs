using System.Diagnostics.Metrics;
using System.Net;
using System.Text.Json;
using Platform.Host.Http;

namespace Platform.Host.Tests.Http;

public sealed class PlatformHttpServerTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static async Task<PlatformHttpServer> StartAsync()
    {
        var server = new PlatformHttpServer(new PlatformHttpServerOptions { Port = 0 });
        await server.StartAsync(Ct);
        return server;
    }

    private static HttpClient Client(PlatformHttpServer server) => new() { BaseAddress = server.Address };

    [Fact]
    public async Task StartAsync_PortZero_BindsFreeLoopbackPort()
    {
        await using var server = await StartAsync();

        Assert.InRange(server.Port, 1, 65535);
        Assert.Equal($"http://127.0.0.1:{server.Port}/", server.Address.ToString());
    }

    [Fact]
    public async Task Port_BeforeStart_Throws()
    {
        await using var server = new PlatformHttpServer(new PlatformHttpServerOptions());

        Assert.Throws<InvalidOperationException>(() => server.Port);
    }

    [Fact]
    public async Task HealthLive_WhileRunning_Returns200()
    {
        await using var server = await StartAsync();
        using var client = Client(server);

        using var response = await client.GetAsync(new Uri("/health/live", UriKind.Relative), Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("\"status\":\"live\"", await response.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
    }

    [Fact]
    public async Task HealthReady_SetReadyThenNotReady_Flips503To200To503()
    {
        await using var server = await StartAsync();
        using var client = Client(server);
        var ready = new Uri("/health/ready", UriKind.Relative);

        using (var before = await client.GetAsync(ready, Ct))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, before.StatusCode);
            using var body = JsonDocument.Parse(await before.Content.ReadAsStringAsync(Ct));
            Assert.Equal("not-ready", body.RootElement.GetProperty("status").GetString());
            Assert.Equal("starting", body.RootElement.GetProperty("reason").GetString());
        }

        server.SetReady();
        using (var after = await client.GetAsync(ready, Ct))
        {
            Assert.Equal(HttpStatusCode.OK, after.StatusCode);
            Assert.Contains("\"status\":\"ready\"", await after.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
        }

        server.SetNotReady("draining");
        using var draining = await client.GetAsync(ready, Ct);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, draining.StatusCode);
        Assert.Contains("\"reason\":\"draining\"", await draining.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Metrics_CounterOnPlatformMeter_ExportedWithValue()
    {
        using var meter = new Meter("Platform.Test");
        var counter = meter.CreateCounter<long>("host_test_records_" + Guid.NewGuid().ToString("N")[..8]);
        await using var server = await StartAsync();
        using var client = Client(server);

        counter.Add(42);
        counter.Add(8);
        using var response = await client.GetAsync(new Uri("/metrics", UriKind.Relative), Ct);
        var text = await response.Content.ReadAsStringAsync(Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.StartsWith("text/plain", response.Content.Headers.ContentType?.ToString(), StringComparison.Ordinal);
        var line = Assert.Single(text.Split('\n'), l => l.Contains(counter.Name, StringComparison.Ordinal) && !l.StartsWith('#'));
        Assert.EndsWith(" 50", line.Trim(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Metrics_MeterOutsidePrefix_NotExported()
    {
        using var meter = new Meter("Other.Test");
        var name = "host_test_other_" + Guid.NewGuid().ToString("N")[..8];
        meter.CreateCounter<long>(name).Add(1);
        using var lookalike = new Meter("PlatformX");
        var lookalikeName = "host_test_lookalike_" + Guid.NewGuid().ToString("N")[..8];
        lookalike.CreateCounter<long>(lookalikeName).Add(1);
        await using var server = await StartAsync();
        using var client = Client(server);

        var text = await client.GetStringAsync(new Uri("/metrics", UriKind.Relative), Ct);

        Assert.DoesNotContain(name, text, StringComparison.Ordinal);
        Assert.DoesNotContain(lookalikeName, text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TwoServers_InOneProcess_ServeIndependently()
    {
        using var meter = new Meter("Platform.Test.Two");
        var counter = meter.CreateCounter<long>("host_test_two_" + Guid.NewGuid().ToString("N")[..8]);
        await using var first = await StartAsync();
        await using var second = await StartAsync();
        using var firstClient = Client(first);
        using var secondClient = Client(second);

        counter.Add(3);
        first.SetReady();

        Assert.NotEqual(first.Port, second.Port);
        Assert.Contains(counter.Name, await firstClient.GetStringAsync(new Uri("/metrics", UriKind.Relative), Ct), StringComparison.Ordinal);
        Assert.Contains(counter.Name, await secondClient.GetStringAsync(new Uri("/metrics", UriKind.Relative), Ct), StringComparison.Ordinal);
        using var firstReady = await firstClient.GetAsync(new Uri("/health/ready", UriKind.Relative), Ct);
        using var secondReady = await secondClient.GetAsync(new Uri("/health/ready", UriKind.Relative), Ct);
        Assert.Equal((HttpStatusCode.OK, HttpStatusCode.ServiceUnavailable), (firstReady.StatusCode, secondReady.StatusCode));
    }

    [Fact]
    public async Task Get_UnknownPathOrPost_Returns404Or405()
    {
        await using var server = await StartAsync();
        using var client = Client(server);

        using var missing = await client.GetAsync(new Uri("/nope", UriKind.Relative), Ct);
        using var post = await client.PostAsync(new Uri("/metrics", UriKind.Relative), null, Ct);

        Assert.Equal((HttpStatusCode.NotFound, HttpStatusCode.MethodNotAllowed), (missing.StatusCode, post.StatusCode));
    }

    [Fact]
    public async Task StopAsync_AfterStop_RefusesConnections()
    {
        var server = await StartAsync();
        using var client = Client(server);
        await server.StopAsync(Ct);

        await Assert.ThrowsAsync<HttpRequestException>(() => client.GetAsync(new Uri("/health/live", UriKind.Relative), Ct));
        await server.DisposeAsync();
    }
}
