using System.Buffers;
using Platform.Engine.Batching;
using Platform.Engine.Checkpoints;
using Platform.Engine.Contracts;
using Platform.Engine.Records;
using Platform.Engine.Symbols;

namespace Platform.Operators.Geo;

/// <summary>
/// Per device and fence, turns location fixes into debounced <c>enter</c>/<c>exit</c> events and one
/// <c>dwell</c> event per visit. A side change counts only after <see cref="GeofenceOptions.Debounce"/>
/// consecutive fixes on the new side, so GPS jitter on a fence edge emits nothing. Fixes of one device are
/// taken in arrival order (the keyed exchange keeps a device's records on one worker, in source order).
/// Records without a location are ignored. State is keyed and checkpointed like the other keyed operators.
/// </summary>
public sealed class GeofenceOperator : IKeyedOperator<Telemetry, GeofenceEvent>
{
    /// <summary>Snapshot format version.</summary>
    public const int SnapshotVersion = 1;
    private const int Magic = 0x4F454547; // "GEEO"

    private readonly GeofenceSet _fences;
    private readonly GeofenceOptions _options;
    private readonly Dictionary<int, List<FenceTrack>> _devices = [];
    private readonly List<int> _containing = [];

    /// <summary>Creates an operator over a fence set (shared, read-only) with its own per-device state.</summary>
    public GeofenceOperator(GeofenceSet fences, GeofenceOptions? options = null)
    {
        _fences = fences;
        _options = (options ?? new GeofenceOptions()).Validate();
    }

    /// <summary>Devices with state.</summary>
    public int DeviceCount => _devices.Count;

    /// <inheritdoc />
    public void OnRecords(ReadOnlySpan<Telemetry> input, IBatchOutput<GeofenceEvent> output)
    {
        foreach (ref readonly var r in input)
        {
            if ((r.Flags & TelemetryFlags.Location) == 0) continue;
            _fences.Containing(r.Latitude, r.Longitude, _containing);
            if (!_devices.TryGetValue(r.Device.Id, out var tracks))
            {
                if (_containing.Count == 0) continue;
                tracks = [];
                _devices.Add(r.Device.Id, tracks);
            }
            for (var i = 0; i < tracks.Count; i++)
            {
                var t = tracks[i];
                Observe(ref t, _containing.Contains(t.Fence), r, output);
                tracks[i] = t;
            }
            foreach (var fence in _containing)
            {
                if (Tracks(tracks, fence)) continue;
                var t = new FenceTrack { Fence = fence };
                Observe(ref t, true, r, output);
                tracks.Add(t);
            }
            // A track outside with no pending change carries no information: drop it to bound memory.
            tracks.RemoveAll(t => !t.Inside && t.Streak == 0);
            if (tracks.Count == 0) _devices.Remove(r.Device.Id);
        }
    }

    private static bool Tracks(List<FenceTrack> tracks, int fence)
    {
        foreach (var t in tracks) if (t.Fence == fence) return true;
        return false;
    }

    private void Observe(ref FenceTrack t, bool inside, in Telemetry r, IBatchOutput<GeofenceEvent> output)
    {
        if (inside == t.Inside)
        {
            t.Streak = 0;
        }
        else
        {
            if (t.Streak == 0)
            {
                t.StreakStart = r.Timestamp;
                t.StreakLatitude = r.Latitude;
                t.StreakLongitude = r.Longitude;
            }
            if (++t.Streak >= _options.Debounce)
            {
                t.Inside = inside;
                t.Streak = 0;
                Emit(inside ? GeofenceTransition.Enter : GeofenceTransition.Exit, t, r.Device, t.StreakStart, t.StreakLatitude, t.StreakLongitude, output);
                if (inside)
                {
                    t.EnteredAt = t.StreakStart;
                    t.DwellDone = false;
                }
            }
        }
        if (t.Inside && !t.DwellDone && _options.DwellMilliseconds > 0 && r.Timestamp - t.EnteredAt >= _options.DwellMilliseconds)
        {
            t.DwellDone = true;
            Emit(GeofenceTransition.Dwell, t, r.Device, r.Timestamp, r.Latitude, r.Longitude, output);
        }
    }

    private void Emit(GeofenceTransition transition, in FenceTrack t, Symbol device, long time, double lat, double lon, IBatchOutput<GeofenceEvent> output)
    {
        var fence = _fences.Fences[t.Fence];
        output.Emit(new GeofenceEvent
        {
            Device = device,
            Fence = fence.Name,
            Site = fence.Site,
            Transition = transition,
            Timestamp = time,
            Latitude = lat,
            Longitude = lon,
        });
    }

    /// <inheritdoc />
    public void OnWatermark(long watermark, IBatchOutput<GeofenceEvent> output)
    {
        // Events are emitted as fixes arrive; nothing waits for the watermark.
    }

    /// <inheritdoc />
    public void Snapshot(IBufferWriter<byte> writer)
    {
        var w = new SnapshotWriter(writer);
        w.I32(Magic);
        w.I32(SnapshotVersion);
        w.I32(_fences.Fences.Count);
        w.I32(_devices.Count);
        foreach (var (device, tracks) in _devices)
        {
            w.I32(device);
            w.I32(tracks.Count);
            foreach (var t in tracks)
            {
                w.I32(t.Fence);
                w.U8((byte)((t.Inside ? 1 : 0) | (t.DwellDone ? 2 : 0)));
                w.I32(t.Streak);
                w.I64(t.StreakStart);
                w.F64(t.StreakLatitude);
                w.F64(t.StreakLongitude);
                w.I64(t.EnteredAt);
            }
        }
    }

    /// <inheritdoc />
    public void Restore(ReadOnlySequence<byte> snapshot)
    {
        var r = new SnapshotReader(snapshot, "Geofence");
        if (r.I32() != Magic) throw new InvalidDataException("Not a geofence snapshot.");
        var version = r.I32();
        if (version != SnapshotVersion) throw new InvalidDataException($"Geofence snapshot version {version}; this build reads {SnapshotVersion}.");
        var fenceCount = r.I32();
        if (fenceCount != _fences.Fences.Count) throw new InvalidDataException($"Geofence snapshot was taken with {fenceCount} fences, the operator has {_fences.Fences.Count}.");
        _devices.Clear();
        var devices = r.I32();
        for (var d = 0; d < devices; d++)
        {
            var device = r.I32();
            var count = r.I32();
            var tracks = new List<FenceTrack>(count);
            for (var i = 0; i < count; i++)
            {
                var t = new FenceTrack { Fence = r.I32() };
                var flags = r.U8();
                t.Inside = (flags & 1) != 0;
                t.DwellDone = (flags & 2) != 0;
                t.Streak = r.I32();
                t.StreakStart = r.I64();
                t.StreakLatitude = r.F64();
                t.StreakLongitude = r.F64();
                t.EnteredAt = r.I64();
                tracks.Add(t);
            }
            _devices.Add(device, tracks);
        }
    }

    private struct FenceTrack
    {
        public int Fence;
        public bool Inside;
        public bool DwellDone;
        public int Streak;
        public long StreakStart;
        public double StreakLatitude;
        public double StreakLongitude;
        public long EnteredAt;
    }
}
