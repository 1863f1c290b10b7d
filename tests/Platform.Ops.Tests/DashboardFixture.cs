using Platform.Engine.Runtime;
using Platform.Host.Config;
using Platform.Host.Dashboard;
using Platform.Host.Http;
using Platform.Host.Running;
using Platform.Sinks.Alerts;

namespace Platform.Ops.Tests;

/// <summary>
/// The iot-anomaly sample running in-process with an unbounded, rate-limited generator, the daemon's
/// HTTP server on a free loopback port and the dashboard mounted on it — the same wiring as
/// <c>platform run</c>.
/// </summary>
internal sealed class DashboardFixture : IAsyncDisposable
{
    private readonly TempDir _dir = new();
    private readonly CancellationTokenSource _stop = new();
    private PipelineAssembly _assembly = null!;
    private PlatformHttpServer _http = null!;
    private DashboardEndpoints _dashboard = null!;

    public RunningPipeline Running { get; private set; } = null!;
    public AlertFeed Alerts { get; } = new();
    public Uri Address => _http.Address;
    public PipelineGraph Graph => _assembly.Definition.Graph;

    public static async Task<DashboardFixture> StartAsync(double rate)
    {
        var fixture = new DashboardFixture();
        await fixture.StartCoreAsync(rate);
        return fixture;
    }

    private async Task StartCoreAsync(double rate)
    {
        var path = PipelineYaml.WriteSample(_dir, events: 0, rate: rate);
        var config = PipelineConfigLoader.Load(path).Config ?? throw new InvalidOperationException("sample pipeline did not validate");
        _assembly = PipelineFactory.Build(config, new RunOverrides(null, 2));
        _http = new PlatformHttpServer(new PlatformHttpServerOptions { Port = 0 });
        await _http.StartAsync();
        Running = _assembly.Definition.Start(_stop.Token);
        _dashboard = DashboardEndpoints.Mount(_http, new DashboardSource(_assembly.Definition, Running.Stats, Alerts));
        _http.SetReady();
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try { await Running.Completion.WaitAsync(TimeSpan.FromSeconds(30)); } catch (Exception) { Running.Abort(); }
        await _dashboard.DisposeAsync();
        await _http.DisposeAsync();
        await _assembly.DisposeAsync();
        _stop.Dispose();
        _dir.Dispose();
    }
}
