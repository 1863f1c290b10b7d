using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;

namespace Platform.Connectors.Generator;

// How one line is made: the random draws, the values, the bytes, and the ways a line is broken.
public sealed partial class TelemetryGenerator
{
    private const long TicksPerMs = TimeSpan.TicksPerMillisecond;
    private const long MsPerDay = 86_400_000;

    /// <summary>How a line written through the normal path is spoiled (malformed kinds 'missing field' and 'wrong type').</summary>
    private enum Spoil : byte
    {
        None,
        MissingDevice,
        MissingTimestamp,
        MissingSensor,
        MissingPayload,
        DeviceAsNumber,
        TimestampAsBool,
        ValueAsString,
        /// <summary>Written whole, then broken by the caller (truncated, bad UTF-8); no anomaly, not counted as late.</summary>
        BrokenAfter,
    }

    private sealed record class SensorBytes(int Index, SensorProfile Profile, byte[] TypeField, byte[] UnitField);

    private struct LevelShift
    {
        public long UntilMs;
        public double Amount;
    }

    private Xoshiro256 _rng;
    private ulong _salt;
    private byte _deviceDigits;
    private SensorBytes[] _scalar = [];
    private SensorBytes[] _vector = [];
    private long _ticks;
    private long _stepTicks;
    private int _maxOutOfOrderMs;
    private int _maxLatenessMs;
    private long _levelShiftMs;
    private readonly Dictionary<long, LevelShift> _shifts = [];
    // Counts of active shifts per hash slot: most readings find 0 here and skip the dictionary.
    private readonly ushort[] _shiftSlots = new ushort[1 << 16];
    private long _cachedDay = long.MinValue;
    private readonly byte[] _dayPrefix = new byte[16];

    private void InitLines(TelemetryGeneratorOptions o)
    {
        _rng = new Xoshiro256((ulong)o.Seed);
        _salt = Xoshiro256.Mix((ulong)o.Seed ^ 0xD1B54A32D192ED03UL);
        _deviceDigits = (byte)Math.Max(6, (o.Devices - 1).ToString(CultureInfo.InvariantCulture).Length);
        var sensors = o.Sensors.Select((p, i) => new SensorBytes(
            i,
            p,
            Encoding.ASCII.GetBytes($"\"sensorType\":\"{p.Name}\""),
            Encoding.ASCII.GetBytes($"\"unit\":\"{p.Unit}\"}}"))).ToArray();
        _scalar = sensors.Where(s => !s.Profile.IsVector).ToArray();
        _vector = sensors.Where(s => s.Profile.IsVector).ToArray();
        _ticks = o.StartTime.UtcTicks - DateTime.UnixEpoch.Ticks;
        _stepTicks = o.TimeStep.Ticks;
        _maxOutOfOrderMs = (int)o.MaxOutOfOrder.TotalMilliseconds;
        _maxLatenessMs = Math.Max(1, (int)o.MaxLateness.TotalMilliseconds);
        _levelShiftMs = (long)o.LevelShiftDuration.TotalMilliseconds;
    }

    /// <summary>Writes the next line (at most <see cref="MaxLineBytes"/>) and returns its length.</summary>
    private int WriteLine(Span<byte> destination)
    {
        var baseMs = Math.DivRem(_ticks, TicksPerMs, out _);
        _ticks += _stepTicks;
        Lines++;
        int n;
        if (_options.MalformedShare > 0 && _rng.NextDouble() < _options.MalformedShare)
        {
            MalformedLines++;
            n = WriteMalformed(destination, baseMs);
        }
        else
        {
            ValidRecords++;
            n = WriteRecord(destination, baseMs, Spoil.None);
        }
        Debug.Assert(n <= MaxLineBytes && destination[n - 1] == (byte)'\n');
        return n;
    }

    private int WriteRecord(Span<byte> destination, long baseMs, Spoil spoil)
    {
        var o = _options;
        var device = _rng.NextInt(o.Devices);
        var sensor = _vector.Length > 0 && (_scalar.Length == 0 || _rng.NextDouble() < o.VectorShare)
            ? _vector[_vector.Length == 1 ? 0 : _rng.NextInt(_vector.Length)]
            : _scalar[_scalar.Length == 1 ? 0 : _rng.NextInt(_scalar.Length)];
        var time = baseMs;
        if (_maxOutOfOrderMs > 0) time -= _rng.NextInt(_maxOutOfOrderMs + 1);
        if (o.LateShare > 0 && _rng.NextDouble() < o.LateShare)
        {
            time -= _maxOutOfOrderMs + 1 + _rng.NextInt(_maxLatenessMs);
            if (spoil == Spoil.None) LateRecords++;
        }
        var epochTimestamp = o.EpochTimestampShare > 0 && _rng.NextDouble() < o.EpochTimestampShare;
        var uuidHi = _rng.Next();
        var uuidLo = _rng.Next();

        // The device × sensor baseline and the device's place are hashes, so they need no tables.
        var profile = sensor.Profile;
        var key = (long)device * 1024 + sensor.Index;
        var h = Xoshiro256.Mix(_salt ^ ((ulong)key * 0x9E3779B97F4A7C15UL));
        var baseline = profile.BaselineMin + (profile.BaselineMax - profile.BaselineMin) * ((h >> 11) * (1.0 / 9007199254740992.0));
        var offset = spoil == Spoil.None ? Anomaly(device, sensor.Index, key, time, profile) : 0.0;

        var w = new Utf8LineWriter(destination);
        w.Byte((byte)'{');
        if (spoil != Spoil.MissingDevice)
        {
            if (spoil == Spoil.DeviceAsNumber)
            {
                w.Raw("\"deviceId\":"u8);
                w.Integer(device);
            }
            else
            {
                w.Raw("\"deviceId\":\"dev-"u8);
                w.Padded(device, _deviceDigits);
                w.Byte((byte)'"');
            }
        }
        if (spoil != Spoil.MissingTimestamp)
        {
            w.Separator();
            if (spoil == Spoil.TimestampAsBool) w.Raw("\"timestamp\":true"u8);
            else if (epochTimestamp)
            {
                w.Raw("\"timestamp\":"u8);
                w.Integer(time);
            }
            else
            {
                w.Raw("\"timestamp\":\""u8);
                WriteIso(ref w, time);
                w.Byte((byte)'"');
            }
        }
        if (spoil != Spoil.MissingSensor)
        {
            w.Separator();
            w.Raw(sensor.TypeField);
        }
        if (spoil != Spoil.MissingPayload)
        {
            w.Separator();
            if (profile.IsVector)
            {
                var x = Scale(_rng.NextNoise() * profile.Noise + offset * 0.5, 1000);
                var y = Scale(_rng.NextNoise() * profile.Noise - offset * 0.5, 1000);
                var z = Scale(baseline + _rng.NextNoise() * profile.Noise + offset, 1000);
                w.Raw("\"payload\":{\"x\":"u8);
                if (spoil == Spoil.ValueAsString) w.Raw("\"high\""u8);
                else w.Fixed(x, 3);
                w.Raw(",\"y\":"u8);
                w.Fixed(y, 3);
                w.Raw(",\"z\":"u8);
                w.Fixed(z, 3);
            }
            else
            {
                var value = Scale(baseline + _rng.NextNoise() * profile.Noise + offset, 100);
                w.Raw("\"payload\":{\"value\":"u8);
                if (spoil == Spoil.ValueAsString) w.Raw("\"high\""u8);
                else w.Fixed(value, 2);
            }
            w.Byte((byte)',');
            w.Raw(sensor.UnitField);
        }
        w.Raw(",\"correlationId\":\""u8);
        w.Uuid(uuidHi, uuidLo);
        var place = Xoshiro256.Mix(_salt + (ulong)device);
        // lat in [-60, 70], lon in [-180, 180), 5 decimals.
        var lat = (long)(((place >> 32) * 13_000_000UL) >> 32) - 6_000_000;
        var lon = (long)(((place & 0xFFFFFFFFUL) * 36_000_000UL) >> 32) - 18_000_000;
        w.Raw("\",\"location\":{\"lat\":"u8);
        w.Fixed(lat, 5);
        w.Raw(",\"lon\":"u8);
        w.Fixed(lon, 5);
        w.Raw("}}\n"u8);
        return w.Length;
    }

    private static long Scale(double value, double factor) => (long)Math.Round(value * factor);

    /// <summary>Decides whether this reading starts an anomaly and returns the offset to add to it.</summary>
    private double Anomaly(int device, int sensor, long key, long time, SensorProfile profile)
    {
        var offset = 0.0;
        var slot = (int)(((ulong)key * 0x9E3779B97F4A7C15UL) >> 48);
        if (_shiftSlots[slot] != 0 && _shifts.TryGetValue(key, out var shift))
        {
            if (time <= shift.UntilMs) offset = shift.Amount;
            else
            {
                _shifts.Remove(key);
                _shiftSlots[slot]--;
            }
        }
        if (_options.AnomalyShare > 0 && _rng.NextDouble() < _options.AnomalyShare)
        {
            var bits = _rng.Next();
            var sign = (bits & 2) == 0 ? 1.0 : -1.0;
            var kind = (bits & 1) == 0 ? AnomalyKind.Spike : AnomalyKind.LevelShift;
            if (kind == AnomalyKind.Spike)
            {
                offset += sign * profile.AnomalyMagnitude;
            }
            else
            {
                var amount = sign * profile.AnomalyMagnitude * 0.5;
                ref var entry = ref CollectionsMarshal.GetValueRefOrAddDefault(_shifts, key, out var exists);
                if (!exists) _shiftSlots[slot]++;
                entry = new LevelShift { UntilMs = time + _levelShiftMs, Amount = amount };
                offset = amount;
            }
            Anomalies++;
            if (_labels.Count < MaxLabels) _labels.Add(new AnomalyLabel(device, sensor, time, kind));
        }
        return offset;
    }

    private void WriteIso(ref Utf8LineWriter w, long unixMs)
    {
        var day = Math.DivRem(unixMs, MsPerDay, out var msOfDay);
        if (msOfDay < 0)
        {
            day--;
            msOfDay += MsPerDay;
        }
        if (day != _cachedDay)
        {
            DateTime.UnixEpoch.AddDays(day).TryFormat(_dayPrefix, out var n, "yyyy-MM-dd'T'", CultureInfo.InvariantCulture);
            Debug.Assert(n == 11);
            _cachedDay = day;
        }
        w.Raw(_dayPrefix.AsSpan(0, 11));
        var ms = (int)msOfDay;
        w.Two(ms / 3_600_000);
        w.Byte((byte)':');
        w.Two(ms / 60_000 % 60);
        w.Byte((byte)':');
        w.Two(ms / 1000 % 60);
        w.Byte((byte)'.');
        var milli = ms % 1000;
        w.Byte((byte)('0' + milli / 100));
        w.Two(milli % 100);
        w.Byte((byte)'Z');
    }

    private int WriteMalformed(Span<byte> destination, long baseMs)
    {
        switch (_rng.NextInt(5))
        {
            case 0: // truncated: a strict prefix of a valid record never closes its object
            {
                var n = WriteRecord(destination, baseMs, Spoil.BrokenAfter) - 1;
                var keep = 1 + _rng.NextInt(n - 1);
                destination[keep] = (byte)'\n';
                return keep + 1;
            }
            case 1: // a required field left out
                return WriteRecord(destination, baseMs, (Spoil)((int)Spoil.MissingDevice + _rng.NextInt(4)));
            case 2: // a field of the wrong type
                return WriteRecord(destination, baseMs, (Spoil)((int)Spoil.DeviceAsNumber + _rng.NextInt(3)));
            case 3: // garbage that is not JSON at all
            {
                ReadOnlySpan<byte> starts = "<#@!~%"u8;
                var length = 1 + _rng.NextInt(120);
                destination[0] = starts[_rng.NextInt(starts.Length)];
                for (var i = 1; i < length; i++) destination[i] = (byte)(0x21 + _rng.NextInt(0x7F - 0x21));
                destination[length] = (byte)'\n';
                return length + 1;
            }
            default: // invalid UTF-8 inside the device id
            {
                var n = WriteRecord(destination, baseMs, Spoil.BrokenAfter);
                var at = "{\"deviceId\":\"d"u8.Length;
                switch (_rng.NextInt(4))
                {
                    case 0: destination[at] = 0xFF; break;                                      // never valid
                    case 1: destination[at] = 0x80; break;                                      // lone continuation byte
                    case 2: destination[at] = 0xC3; destination[at + 1] = 0x28; break;          // lead byte without continuation
                    default: destination[at] = 0xED; destination[at + 1] = 0xA0; destination[at + 2] = 0x80; break; // encoded surrogate
                }
                return n;
            }
        }
    }
}
