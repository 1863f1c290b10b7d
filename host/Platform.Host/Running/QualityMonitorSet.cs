using Platform.Host.Config;
using Platform.Host.Config.Steps;
using Platform.Operators.Quality;
using Platform.Sinks.Alerts;

namespace Platform.Host.Running;

/// <summary>
/// The source-level data-quality monitors of a run (freshness, volume, schema drift), fed by the parse
/// stage (<see cref="MonitoringParser{T}"/>) and checked by one timer. They outlive a hot reload:
/// <see cref="Apply"/> keeps what a monitor has learned and changes only its settings, adds the monitors
/// a new config names and drops the ones it no longer names.
/// </summary>
internal sealed class QualityMonitorSet : IAsyncDisposable
{
    private readonly AlertHub _alerts;
    private readonly TimeProvider _clock;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _checker;
    private string _subject = "source";

    public QualityMonitorSet(AlertHub alerts, TimeProvider? clock = null, TimeSpan? checkEvery = null)
    {
        _alerts = alerts;
        _clock = clock ?? TimeProvider.System;
        _checker = checkEvery is { } every ? CheckLoopAsync(every, _stop.Token) : Task.CompletedTask;
    }

    public FreshnessMonitor? Freshness { get; private set; }
    public VolumeMonitor? Volume { get; private set; }
    public SchemaDriftMonitor? Schema { get; private set; }

    /// <summary>Per-key freshness in event time (kept by the keyed workers); zero = off.</summary>
    public TimeSpan KeySilence { get; private set; }

    /// <summary>True when any source-level monitor is on.</summary>
    public bool Any => Freshness is not null || Volume is not null || Schema is not null;

    /// <summary>Creates, updates or drops monitors to match <paramref name="config"/>.</summary>
    public void Apply(PipelineConfig config, string sourceName)
    {
        _subject = sourceName;
        var freshness = config.Steps.OfType<FreshnessStepConfig>().FirstOrDefault();
        var volume = config.Steps.OfType<VolumeStepConfig>().FirstOrDefault();
        var schema = config.Steps.OfType<SchemaDriftStepConfig>().FirstOrDefault();
        KeySilence = freshness?.KeySilence ?? TimeSpan.Zero;

        var freshnessOptions = freshness is null ? null : new FreshnessOptions { MaxSilence = freshness.MaxSilence };
        Freshness = freshnessOptions is null ? null
            : Freshness is { } f ? Update(f, m => m.Options = freshnessOptions)
            : new FreshnessMonitor(_subject, freshnessOptions, Raise, _clock);

        var volumeOptions = volume is null ? null : new VolumeOptions
        {
            Window = volume.Window,
            Tolerance = volume.Tolerance,
            MinRelativeDeviation = volume.MinDeviation,
            WarmUpWindows = volume.WarmUp,
        };
        Volume = volumeOptions is null ? null
            : Volume is { } v && v.Options.Window == volumeOptions.Window ? Update(v, m => m.Options = volumeOptions)
            : new VolumeMonitor(_subject, volumeOptions, Raise, _clock);

        var schemaOptions = schema is null ? null : new SchemaDriftOptions
        {
            SampleBytes = (int)schema.SampleBytes,
            WarmUpSamples = schema.WarmUp,
            WindowSamples = schema.Window,
            NullShare = schema.NullShare,
            MissingShare = schema.MissingShare,
        };
        Schema = schemaOptions is null ? null
            : Schema is { } s ? Update(s, m => m.Options = schemaOptions)
            : new SchemaDriftMonitor(_subject, schemaOptions, Raise, _clock);
    }

    /// <summary>Runs every monitor's check (the timer calls this; tests call it with a manual clock).</summary>
    public void Check()
    {
        Freshness?.Check();
        Volume?.Check();
    }

    /// <summary>Publishes a finding as an alert.</summary>
    public void Raise(QualityAlert alert) => _alerts.Publish(AlertConversions.From(alert));

    private static T Update<T>(T monitor, Action<T> change)
    {
        change(monitor);
        return monitor;
    }

    private async Task CheckLoopAsync(TimeSpan every, CancellationToken stop)
    {
        using var timer = new PeriodicTimer(every);
        try
        {
            while (await timer.WaitForNextTickAsync(stop)) Check();
        }
        catch (OperationCanceledException)
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _checker;
        _stop.Dispose();
    }
}
