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
    private AlertHub _hub = null!;

    public RunningPipeline Running { get; private set; } = null!;
    public AlertFeed Alerts { get; } = new();
    public Uri Address => _http.Address;
    public PipelineGraph Graph => _assembly.Definition.Graph;

    /// <summary>
    /// Starts the sample; with <paramref name="monitored"/> its YAML also gets an anomaly detector and the
    /// freshness and volume monitors (over 200 devices, so the detectors' per-key state stays small), whose
    /// alerts reach the dashboard's table as in <c>platform run</c>.
    /// </summary>
    public static async Task<DashboardFixture> StartAsync(double rate, bool monitored = false)
    {
        var fixture = new DashboardFixture();
        await fixture.StartCoreAsync(rate, monitored);
        return fixture;
    }

    private async Task StartCoreAsync(double rate, bool monitored)
    {
        var path = PipelineYaml.WriteSample(_dir, events: 0, rate: rate);
        if (monitored)
        {
            var yaml = File.ReadAllText(path)
                .Replace("devices: 10000", "devices: 200", StringComparison.Ordinal)
                .Replace("anomaly-share: 0.001", "anomaly-share: 0.002", StringComparison.Ordinal)
                .Replace("\nsinks:", "  - op: anomaly\n    threshold: 0.999\n    detectors: [robust-z]\n  - op: freshness\n    max-silence: 30s\n  - op: volume\n    window: 2s\n\nsinks:", StringComparison.Ordinal);
            File.WriteAllText(path, yaml);
        }
        var config = PipelineConfigLoader.Load(path).Config ?? throw new InvalidOperationException("sample pipeline did not validate");
        _hub = new AlertHub(Alerts);
        _assembly = PipelineFactory.Build(config, new RunOverrides(null, 2) { Alerts = _hub });
        _http = new PlatformHttpServer(new PlatformHttpServerOptions { Port = 0 });
        await _http.StartAsync();
        Running = _assembly.Definition.Start(_stop.Token);
        _dashboard = DashboardEndpoints.Mount(_http, new DashboardSource(_assembly.Definition, Running.Stats, Alerts) { SideStages = RunCommand.SideStages(config) });
        SideStages = _dashboard.Source.SideStages;
        _http.SetReady();
    }

    /// <summary>Monitors drawn next to the graph.</summary>
    public IReadOnlyList<string> SideStages { get; private set; } = [];

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try { await Running.Completion.WaitAsync(TimeSpan.FromSeconds(30)); } catch (Exception) { Running.Abort(); }
        await _dashboard.DisposeAsync();
        await _http.DisposeAsync();
        await _assembly.DisposeAsync();
        await _hub.DisposeAsync();
        _stop.Dispose();
        _dir.Dispose();
    }
}
