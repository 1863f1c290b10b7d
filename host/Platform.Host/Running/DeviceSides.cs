using Platform.Engine.Batching;
using Platform.Engine.Records;
using Platform.Engine.Symbols;
using Platform.Operators.Enrichment;
using Platform.Operators.Geo;
using Platform.Sinks.Alerts;

namespace Platform.Host.Running;

/// <summary>What the YAML's enrich, geofence and location-fraud steps set up; shared (read-only) by every worker.</summary>
/// <param name="Registry">The device registry in force (null without an enrich step).</param>
/// <param name="Policy">What an unknown device gets (a dead-letter policy is applied before the keyed stage).</param>
/// <param name="DefaultRow">The row for unknown devices under <see cref="MissingKeyPolicy.DefaultRow"/>.</param>
/// <param name="LimitsSensor">The sensor the registry's limits apply to (None = every sensor).</param>
/// <param name="Fences">Geofences (null without a geofence step).</param>
/// <param name="FenceOptions">Debounce and dwell.</param>
/// <param name="FenceSensor">Only this sensor's records are fixes (None = every record with a location).</param>
/// <param name="Fraud">Location-fraud limits (null without a location-fraud step).</param>
/// <param name="Regions">Allowed regions per site (null = travel speed only).</param>
/// <param name="FraudSensor">Only this sensor's records are fixes (None = every record with a location).</param>
/// <param name="Symbols">The pipeline's symbol table (names in alerts).</param>
internal sealed record DeviceSideSettings(
    RegistryHandle? Registry, MissingKeyPolicy Policy, DeviceInfo DefaultRow, Symbol LimitsSensor,
    GeofenceSet? Fences, GeofenceOptions FenceOptions, Symbol FenceSensor,
    LocationFraudOptions? Fraud, GeofenceSet? Regions, Symbol FraudSensor,
    SymbolTable Symbols)
{
    /// <summary>True when any of the three steps is present.</summary>
    public bool Any => Registry is not null || Fences is not null || Fraud is not null;
}

/// <summary>
/// The keyed stage's device-level side operators, one instance per worker: per-device limits from the registry
/// (an alert when a device × sensor leaves its own range, one per excursion), geofence enter/exit/dwell and
/// location fraud. Records pass through unchanged; findings go to the <see cref="AlertHub"/>. The scratch
/// buffers are reused, so a batch costs registry lookups and no allocation (alerts aside).
/// </summary>
internal sealed class DeviceSides
{
    private readonly DeviceSideSettings _settings;
    private readonly GeofenceOperator? _geofence;
    private readonly LocationFraudOperator? _fraud;
    private readonly HashSet<long> _outsideLimits = [];
    private readonly GeofenceAlerts? _geofenceAlerts;
    private readonly FraudAlerts? _fraudAlerts;
    private readonly AlertHub _alerts;
    private Telemetry[] _fixes = new Telemetry[256];
    private EnrichedTelemetry[] _enriched = new EnrichedTelemetry[256];

    public DeviceSides(DeviceSideSettings settings, AlertHub alerts)
    {
        _settings = settings;
        _alerts = alerts;
        if (settings.Fences is not null)
        {
            _geofence = new GeofenceOperator(settings.Fences, settings.FenceOptions);
            _geofenceAlerts = new GeofenceAlerts(settings.Symbols, alerts);
        }
        if (settings.Fraud is not null)
        {
            _fraud = new LocationFraudOperator(settings.Regions, settings.Fraud);
            _fraudAlerts = new FraudAlerts(settings.Symbols, settings.Fraud.MaxSpeedKmh, alerts);
        }
    }

    public GeofenceOperator? Geofence => _geofence;

    public LocationFraudOperator? Fraud => _fraud;

    public void OnRecords(ReadOnlySpan<Telemetry> input)
    {
        var table = _settings.Registry?.Current;
        if (table is not null) CheckLimits(input, table);
        if (_geofence is not null)
        {
            var fixes = Fixes(input, _settings.FenceSensor);
            if (!fixes.IsEmpty) _geofence.OnRecords(fixes, _geofenceAlerts!);
        }
        if (_fraud is not null)
        {
            var fixes = Fixes(input, _settings.FraudSensor);
            if (fixes.IsEmpty) return;
            if (_enriched.Length < fixes.Length) _enriched = new EnrichedTelemetry[Math.Max(fixes.Length, _enriched.Length * 2)];
            for (var i = 0; i < fixes.Length; i++) _enriched[i] = Enrich(fixes[i], table);
            _fraud.OnRecords(_enriched.AsSpan(0, fixes.Length), _fraudAlerts!);
        }
    }

    public void OnWatermark(long watermark)
    {
        _geofence?.OnWatermark(watermark, _geofenceAlerts!);
        _fraud?.OnWatermark(watermark, _fraudAlerts!);
    }

    private EnrichedTelemetry Enrich(in Telemetry r, DeviceRegistry? table)
    {
        if (table is not null && table.TryGet(r.Device, out var info)) return new EnrichedTelemetry { Record = r, Device = info, Matched = true };
        return _settings.Policy == MissingKeyPolicy.DefaultRow
            ? new EnrichedTelemetry { Record = r, Device = _settings.DefaultRow }
            : new EnrichedTelemetry { Record = r };
    }

    /// <summary>Records with a location (of one sensor when given), copied into the reused buffer.</summary>
    private ReadOnlySpan<Telemetry> Fixes(ReadOnlySpan<Telemetry> input, Symbol sensor)
    {
        if (_fixes.Length < input.Length) _fixes = new Telemetry[Math.Max(input.Length, _fixes.Length * 2)];
        var n = 0;
        foreach (ref readonly var r in input)
        {
            if ((r.Flags & TelemetryFlags.Location) != 0 && (sensor.IsNone || r.Sensor == sensor)) _fixes[n++] = r;
        }
        return _fixes.AsSpan(0, n);
    }

    /// <summary>One alert when a device × sensor leaves the device's own [low, high], re-armed when it is back inside.</summary>
    private void CheckLimits(ReadOnlySpan<Telemetry> input, DeviceRegistry table)
    {
        var sensor = _settings.LimitsSensor;
        foreach (ref readonly var r in input)
        {
            if (!sensor.IsNone && r.Sensor != sensor) continue;
            if (!table.TryGet(r.Device, out var info)) continue;
            var outside = r.Value < info.ThresholdLow || r.Value > info.ThresholdHigh; // NaN limits compare false: no limit
            var key = ((long)r.Device.Id << 32) | (uint)r.Sensor.Id;
            if (outside)
            {
                if (_outsideLimits.Add(key)) _alerts.Publish(AlertConversions.FromLimits(r, info, _settings.Symbols));
            }
            else if (_outsideLimits.Count > 0)
            {
                _outsideLimits.Remove(key);
            }
        }
    }

    private sealed class GeofenceAlerts(SymbolTable symbols, AlertHub alerts) : IBatchOutput<GeofenceEvent>
    {
        public void Emit(in GeofenceEvent e) => alerts.Publish(AlertConversions.From(e, symbols));
    }

    private sealed class FraudAlerts(SymbolTable symbols, double maxSpeedKmh, AlertHub alerts) : IBatchOutput<LocationAlert>
    {
        public void Emit(in LocationAlert a) => alerts.Publish(AlertConversions.From(a, maxSpeedKmh, symbols));
    }
}
