using System.Runtime.InteropServices;
using System.Text.Json;
using Platform.Host.Benchmarks;

namespace Platform.Bench.Peers;

/// <summary>A parsed reading as a peer holds it: strings from System.Text.Json, the value (vector magnitude for x/y/z).</summary>
public readonly record struct PeerReading(string Device, string Sensor, long Timestamp, double Value);

/// <summary>A fired, scored window as the peers emit it.</summary>
public sealed record PeerRow(string Device, string Sensor, long WindowStart, long Count, double Sum, double Min, double Max, double Mean, double P99, double Z, bool Alert);

/// <summary>
/// What a user of Rx.NET, TPL Dataflow or Akka.Streams would write to parse a line: System.Text.Json's
/// source-generated deserializer into <see cref="PeerTelemetryDto"/> (the same shape the parse benchmark uses), then
/// the same validity rules as Platform's parser (device, time, sensor, a value or a full x/y/z vector).
/// </summary>
public static class PeerParsing
{
    /// <summary>Parses one line; false for a malformed or incomplete one.</summary>
    public static bool TryParse(ReadOnlySpan<byte> line, out PeerReading reading)
    {
        reading = default;
        PeerTelemetryDto? dto;
        try
        {
            dto = JsonSerializer.Deserialize(line, PeerTelemetryJsonContext.Default.PeerTelemetryDto);
        }
        catch (JsonException)
        {
            return false;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
        catch (FormatException)
        {
            return false;
        }
        if (dto is null || string.IsNullOrEmpty(dto.DeviceId) || string.IsNullOrEmpty(dto.SensorType) || dto.Payload is not { } p || dto.Timestamp == 0) return false;
        double value;
        if (p.X is { } x && p.Y is { } y && p.Z is { } z) value = Math.Sqrt(x * x + y * y + z * z);
        else if (p.Value is { } v) value = v;
        else return false;
        reading = new PeerReading(dto.DeviceId, dto.SensorType, dto.Timestamp, value);
        return true;
    }

    /// <summary>Parses every line of a block; counts the rejected ones.</summary>
    public static List<PeerReading> ParseBlock(byte[] block, out int rejected)
    {
        var list = new List<PeerReading>(block.Length / 200);
        rejected = 0;
        ReadOnlySpan<byte> rest = block;
        while (!rest.IsEmpty)
        {
            var n = rest.IndexOf((byte)'\n');
            var line = n < 0 ? rest : rest[..n];
            rest = n < 0 ? default : rest[(n + 1)..];
            if (line.IsEmpty) continue;
            if (TryParse(line, out var r)) list.Add(r);
            else rejected++;
        }
        return list;
    }
}

/// <summary>
/// Event-time tumbling windows with exact statistics and a z-score per key, as a user of the peer libraries
/// writes it in plain C#: windows by start → key → accumulator (values kept for an exact nearest-rank p99);
/// the watermark is the largest event time seen minus the allowed lateness; windows whose end is at or behind it
/// fire in start order. Records for a fired window are late and dropped (Platform's default policy). One instance
/// per partition; not thread-safe.
/// </summary>
public sealed class PeerWindowState(IotJobSettings job)
{
    private readonly SortedDictionary<long, Dictionary<(string Device, string Sensor), Acc>> _windows = [];
    private readonly Dictionary<(string Device, string Sensor), ZScoreState> _history = [];
    private long _maxTime = long.MinValue;
    private long _watermark = long.MinValue;

    /// <summary>Records dropped as late.</summary>
    public long Late { get; private set; }

    /// <summary>Adds a reading; returns the windows it made fire (or null).</summary>
    public List<PeerRow>? Add(in PeerReading r)
    {
        var start = Math.DivRem(r.Timestamp, job.WindowMs, out var rem) * job.WindowMs - (rem < 0 ? job.WindowMs : 0);
        if (start + job.WindowMs <= _watermark)
        {
            Late++;
            return null;
        }
        if (!_windows.TryGetValue(start, out var byKey)) _windows[start] = byKey = [];
        ref var acc = ref CollectionsMarshal.GetValueRefOrAddDefault(byKey, (r.Device, r.Sensor), out var exists);
        if (!exists) acc = new Acc();
        acc!.Add(r.Value);
        if (r.Timestamp > _maxTime)
        {
            _maxTime = r.Timestamp;
            var wm = _maxTime - job.AllowedLatenessMs;
            if (wm > _watermark)
            {
                _watermark = wm;
                return Fire(wm);
            }
        }
        return null;
    }

    /// <summary>End of input: fires every open window.</summary>
    public List<PeerRow>? Flush() => Fire(long.MaxValue);

    private List<PeerRow>? Fire(long watermark)
    {
        List<PeerRow>? fired = null;
        while (_windows.Count > 0)
        {
            var (start, byKey) = _windows.First();
            if (start + job.WindowMs > watermark) break;
            _windows.Remove(start);
            fired ??= [];
            foreach (var ((device, sensor), acc) in byKey)
            {
                var mean = acc.Sum / acc.Count;
                ref var h = ref CollectionsMarshal.GetValueRefOrAddDefault(_history, (device, sensor), out _);
                var z = h.ScoreAndAdd(mean, job.MinHistory);
                fired.Add(new PeerRow(device, sensor, start, acc.Count, acc.Sum, acc.Min, acc.Max, mean, acc.P99(), z, ZScoreState.IsAlert(z, job.ZThreshold)));
            }
        }
        return fired;
    }

    private sealed class Acc
    {
        private readonly List<double> _values = new(4);
        public long Count;
        public double Sum;
        public double Min = double.PositiveInfinity;
        public double Max = double.NegativeInfinity;

        public void Add(double v)
        {
            Count++;
            Sum += v;
            if (v < Min) Min = v;
            if (v > Max) Max = v;
            _values.Add(v);
        }

        /// <summary>Exact nearest-rank p99: the value of rank max(1, ceil(0.99·n)).</summary>
        public double P99()
        {
            _values.Sort();
            var rank = (int)Math.Max(1, Math.Ceiling(0.99 * _values.Count));
            return _values[rank - 1];
        }
    }
}

/// <summary>The peers' sink: folds rows into the digest (and keeps them for tests). Called from one thread at a time.</summary>
public sealed class PeerSink(IotRunOutput output)
{
    /// <summary>Takes one row.</summary>
    public void Add(PeerRow r)
    {
        output.Digest.Add(ResultDigest.HashOf(r.Device), ResultDigest.HashOf(r.Sensor), r.WindowStart, r.Count, r.Min, r.Max, r.Mean, r.P99, r.Alert);
        output.Rows?.Add(new WindowRow(r.Device, r.Sensor, r.WindowStart, r.Count, r.Min, r.Max, r.Mean, r.P99, r.Z, r.Alert));
    }
}
