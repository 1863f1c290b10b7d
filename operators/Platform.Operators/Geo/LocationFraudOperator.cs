using System.Buffers;
using Platform.Engine.Batching;
using Platform.Engine.Checkpoints;
using Platform.Engine.Contracts;
using Platform.Engine.Records;
using Platform.Operators.Enrichment;

namespace Platform.Operators.Geo;

/// <summary>
/// Location fraud per device on enriched records: <b>impossible travel</b> (haversine distance over the time
/// between consecutive fixes above <see cref="LocationFraudOptions.MaxSpeedKmh"/>) and <b>outside region</b>
/// (a fix outside every fence of the device's registry site; one alert when the device leaves, re-armed
/// when it is back inside). Devices whose site has no fence are not region-checked.
/// </summary>
public sealed class LocationFraudOperator : IKeyedOperator<EnrichedTelemetry, LocationAlert>
{
    /// <summary>Snapshot format version.</summary>
    public const int SnapshotVersion = 1;
    private const int Magic = 0x44554146; // "FAUD"

    private readonly GeofenceSet? _regions;
    private readonly LocationFraudOptions _options;
    private readonly Dictionary<int, LastFix> _devices = [];
    private readonly List<int> _scratch = [];

    /// <summary>Creates an operator; <paramref name="regions"/> may be null when only travel speed is checked.</summary>
    public LocationFraudOperator(GeofenceSet? regions, LocationFraudOptions? options = null)
    {
        _regions = regions;
        _options = (options ?? new LocationFraudOptions()).Validate();
    }

    /// <inheritdoc />
    public void OnRecords(ReadOnlySpan<EnrichedTelemetry> input, IBatchOutput<LocationAlert> output)
    {
        foreach (ref readonly var e in input)
        {
            ref readonly var r = ref e.Record;
            if ((r.Flags & TelemetryFlags.Location) == 0) continue;
            var exists = _devices.TryGetValue(r.Device.Id, out var last);
            if (exists && _options.MaxSpeedKmh > 0 && r.Timestamp > last.Timestamp)
            {
                var metres = Haversine.Metres(last.Latitude, last.Longitude, r.Latitude, r.Longitude);
                var kmh = metres / 1000 / ((r.Timestamp - last.Timestamp) / 3_600_000.0);
                if (metres >= _options.MinDistanceMetres && kmh > _options.MaxSpeedKmh)
                {
                    output.Emit(Alert(e, LocationAlertKind.ImpossibleTravel, kmh, metres));
                }
            }
            else if (exists && _options.MaxSpeedKmh > 0 && r.Timestamp == last.Timestamp
                && Haversine.Metres(last.Latitude, last.Longitude, r.Latitude, r.Longitude) >= _options.MinDistanceMetres)
            {
                // Two places at the same instant: infinitely fast.
                output.Emit(Alert(e, LocationAlertKind.ImpossibleTravel, double.PositiveInfinity, Haversine.Metres(last.Latitude, last.Longitude, r.Latitude, r.Longitude)));
            }
            var outside = false;
            if (_options.CheckRegion && _regions is not null && !e.Device.Site.IsNone && _regions.HasSite(e.Device.Site))
            {
                outside = !_regions.InsideSite(r.Latitude, r.Longitude, e.Device.Site, _scratch);
                if (outside && !last.Outside) output.Emit(Alert(e, LocationAlertKind.OutsideRegion, 0, 0));
            }
            if (r.Timestamp >= last.Timestamp || !exists)
            {
                _devices[r.Device.Id] = new LastFix { Timestamp = r.Timestamp, Latitude = r.Latitude, Longitude = r.Longitude, Outside = outside };
            }
        }
    }

    private static LocationAlert Alert(in EnrichedTelemetry e, LocationAlertKind kind, double kmh, double metres) => new()
    {
        Device = e.Record.Device,
        Site = e.Device.Site,
        Kind = kind,
        Timestamp = e.Record.Timestamp,
        Latitude = e.Record.Latitude,
        Longitude = e.Record.Longitude,
        SpeedKmh = kmh,
        DistanceMetres = metres,
    };

    /// <inheritdoc />
    public void OnWatermark(long watermark, IBatchOutput<LocationAlert> output)
    {
        // Alerts are emitted as fixes arrive.
    }

    /// <inheritdoc />
    public void Snapshot(IBufferWriter<byte> writer)
    {
        var w = new SnapshotWriter(writer);
        w.I32(Magic);
        w.I32(SnapshotVersion);
        w.I32(_devices.Count);
        foreach (var (device, f) in _devices)
        {
            w.I32(device);
            w.I64(f.Timestamp);
            w.F64(f.Latitude);
            w.F64(f.Longitude);
            w.U8(f.Outside ? (byte)1 : (byte)0);
        }
    }

    /// <inheritdoc />
    public void Restore(ReadOnlySequence<byte> snapshot)
    {
        var r = new SnapshotReader(snapshot, "Location fraud");
        if (r.I32() != Magic) throw new InvalidDataException("Not a location-fraud snapshot.");
        var version = r.I32();
        if (version != SnapshotVersion) throw new InvalidDataException($"Location-fraud snapshot version {version}; this build reads {SnapshotVersion}.");
        _devices.Clear();
        var count = r.I32();
        for (var i = 0; i < count; i++)
        {
            var device = r.I32();
            _devices[device] = new LastFix { Timestamp = r.I64(), Latitude = r.F64(), Longitude = r.F64(), Outside = r.U8() != 0 };
        }
    }

    private struct LastFix
    {
        public long Timestamp;
        public double Latitude;
        public double Longitude;
        public bool Outside;
    }
}
