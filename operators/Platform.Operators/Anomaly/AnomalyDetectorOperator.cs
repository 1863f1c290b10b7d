using System.Buffers;
using Platform.Engine.Batching;
using Platform.Engine.Checkpoints;
using Platform.Engine.Contracts;
using Platform.Engine.Runtime;

namespace Platform.Operators.Anomaly;

/// <summary>
/// Streaming anomaly detection per key: every input record yields one <see cref="AnomalyScore"/>.
/// Each key (and, for vectors with <see cref="AnomalyDetectorOptions.ScoreAxes"/>, each axis) has its
/// own detectors; a point's score depends only on that key's earlier points and itself.
/// <para>
/// Ordering: the runtime may parse two chunks of one source on two workers at once, so records of
/// one key can reach this operator slightly out of event-time order. With
/// <see cref="AnomalyDetectorOptions.OrderByWatermark"/> (the default) records wait in a heap and
/// are scored in (event time, arrival) order once the watermark has passed them — the watermark
/// promises no earlier record can still come. A record already behind the watermark is scored at
/// once and counted in <see cref="LateRecords"/>.
/// </para>
/// </summary>
/// <typeparam name="T">The record.</typeparam>
/// <typeparam name="TKey">Key selector (a struct, inlined).</typeparam>
/// <typeparam name="TTime">Event-time selector.</typeparam>
/// <typeparam name="TValue">Value selector; an <see cref="IVectorValueSelector{T}"/> also gives axes.</typeparam>
public sealed class AnomalyDetectorOperator<T, TKey, TTime, TValue> : IKeyedOperator<T, AnomalyScore>, ILateRecordCounter
    where T : struct
    where TKey : struct, IKeySelector<T>
    where TTime : struct, IEventTimeSelector<T>
    where TValue : struct, IValueSelector<T>
{
    /// <summary>Snapshot format version.</summary>
    public const int SnapshotVersion = 1;
    private const int Magic = 0x4D4F4E41; // "ANOM"

    private readonly AnomalyDetectorOptions _options;
    private readonly DetectorScratch _scratch;
    private readonly Dictionary<long, KeyState> _keys = [];
    private readonly PendingHeap _pending = new();
    // Boxed once here so the per-record call is an interface call on a cached object, not a box per record.
    private readonly IVectorValueSelector<T>? _vector = default(TValue) as IVectorValueSelector<T>;
    private long _watermark = long.MinValue;
    private long _sequence;
    private long _late;

    /// <summary>Creates an operator; call once per worker (the runtime's factory does).</summary>
    public AnomalyDetectorOperator(AnomalyDetectorOptions? options = null)
    {
        _options = (options ?? new AnomalyDetectorOptions()).Validate();
        _scratch = new DetectorScratch(_options);
    }

    /// <summary>The options in effect.</summary>
    public AnomalyDetectorOptions Options => _options;

    /// <summary>Keys with state.</summary>
    public int KeyCount => _keys.Count;

    /// <summary>Records waiting for the watermark.</summary>
    public int PendingCount => _pending.Count;

    /// <inheritdoc />
    public long LateRecords => _late;

    /// <inheritdoc />
    public void OnRecords(ReadOnlySpan<T> input, IBatchOutput<AnomalyScore> output)
    {
        var keySel = default(TKey);
        var timeSel = default(TTime);
        var valueSel = default(TValue);
        foreach (ref readonly var r in input)
        {
            var p = new PendingPoint
            {
                Key = keySel.KeyOf(r),
                Time = timeSel.TimeOf(r),
                Value = valueSel.ValueOf(r),
                Sequence = _sequence++,
            };
            if (_options.ScoreAxes && _vector is not null)
            {
                p.HasAxes = _vector.TryGetAxes(r, out p.X, out p.Y, out p.Z);
            }
            if (!_options.OrderByWatermark)
            {
                Score(p, output);
            }
            else if (p.Time <= _watermark)
            {
                _late++;
                Score(p, output);
            }
            else
            {
                _pending.Push(p);
            }
        }
    }

    /// <inheritdoc />
    public void OnWatermark(long watermark, IBatchOutput<AnomalyScore> output)
    {
        if (watermark <= _watermark) return;
        _watermark = watermark;
        while (_pending.Count > 0 && _pending.Peek().Time <= watermark) Score(_pending.Pop(), output);
    }

    private void Score(in PendingPoint p, IBatchOutput<AnomalyScore> output)
    {
        if (!_keys.TryGetValue(p.Key, out var state))
        {
            state = new KeyState(_options, p.Key);
            _keys.Add(p.Key, state);
        }
        var s = state.Main.Update(p.Time, p.Value, _scratch);
        var result = new AnomalyScore
        {
            Key = p.Key,
            Timestamp = p.Time,
            Value = p.Value,
            Score = s.Score,
            ExpectedLow = s.ExpectedLow,
            ExpectedHigh = s.ExpectedHigh,
            Fired = s.Fired,
        };
        if (p.HasAxes)
        {
            state.EnsureAxes(_options, p.Key);
            for (var axis = 0; axis < 3; axis++)
            {
                var v = axis == 0 ? p.X : axis == 1 ? p.Y : p.Z;
                var a = state.Axes![axis].Update(p.Time, v, _scratch);
                result.Fired |= a.Fired;
                if (a.Score > result.Score)
                {
                    result.Score = a.Score;
                    result.Axis = (byte)(axis + 1);
                }
            }
        }
        result.IsAlert = result.Score >= _options.Threshold;
        output.Emit(result);
    }

    /// <inheritdoc />
    public void Snapshot(IBufferWriter<byte> writer)
    {
        var w = new SnapshotWriter(writer);
        w.I32(Magic);
        w.I32(SnapshotVersion);
        w.I32((int)_options.Detectors);
        w.I64(StateShape(_options));
        w.I64(_watermark);
        w.I64(_sequence);
        w.I64(_late);
        w.I32(_keys.Count);
        foreach (var (key, state) in _keys)
        {
            w.I64(key);
            state.Main.Write(w);
            w.I32(state.Axes is null ? 0 : 1);
            if (state.Axes is not null) foreach (var a in state.Axes) a.Write(w);
        }
        var pending = _pending.Items;
        w.I32(pending.Length);
        foreach (ref readonly var p in pending)
        {
            w.I64(p.Key);
            w.I64(p.Time);
            w.I64(p.Sequence);
            w.F64(p.Value);
            w.F64(p.X);
            w.F64(p.Y);
            w.F64(p.Z);
            w.I32(p.HasAxes ? 1 : 0);
        }
    }

    /// <inheritdoc />
    public void Restore(ReadOnlySequence<byte> snapshot)
    {
        var r = new SnapshotReader(snapshot, "Anomaly detector");
        if (r.I32() != Magic) throw new InvalidDataException("Not an anomaly-detector snapshot.");
        var version = r.I32();
        if (version != SnapshotVersion) throw new InvalidDataException($"Anomaly snapshot version {version}; this build reads {SnapshotVersion}.");
        var detectors = (AnomalyDetectors)r.I32();
        if (detectors != _options.Detectors) throw new InvalidDataException($"Snapshot has detectors {detectors}, the operator runs {_options.Detectors}.");
        if (r.I64() != StateShape(_options)) throw new InvalidDataException("Snapshot was taken with other state sizes (windows, slots, trees, calibration); restore it with the options it was taken with.");
        _keys.Clear();
        _pending.Clear();
        _watermark = r.I64();
        _sequence = r.I64();
        _late = r.I64();
        var keys = r.I32();
        for (var i = 0; i < keys; i++)
        {
            var key = r.I64();
            var state = new KeyState(_options, key);
            state.Main.Read(ref r);
            if (r.I32() != 0)
            {
                state.EnsureAxes(_options, key);
                foreach (var a in state.Axes!) a.Read(ref r);
            }
            _keys.Add(key, state);
        }
        var pending = r.I32();
        for (var i = 0; i < pending; i++)
        {
            _pending.Push(new PendingPoint
            {
                Key = r.I64(),
                Time = r.I64(),
                Sequence = r.I64(),
                Value = r.F64(),
                X = r.F64(),
                Y = r.F64(),
                Z = r.F64(),
                HasAxes = r.I32() != 0,
            });
        }
    }

    /// <summary>A fingerprint of the options that size per-key state, so a snapshot is never read into differently shaped state.</summary>
    private static long StateShape(AnomalyDetectorOptions o)
    {
        var h = 17L;
        foreach (var v in (ReadOnlySpan<long>)[o.RobustWindow, o.SeasonalSlots, o.SpectralWindow, o.ForestTrees, o.ForestBuffer, o.ForestShingle,
                     o.CalibrationWindow, o.Refractory, o.Calibrate ? 1 : 0])
        {
            h = h * 1_000_003 + v;
        }
        return h;
    }

    private sealed class KeyState(AnomalyDetectorOptions options, long key)
    {
        public SeriesDetector Main { get; } = new(options, Seed(key, 0));
        public SeriesDetector[]? Axes { get; private set; }

        public void EnsureAxes(AnomalyDetectorOptions o, long k) =>
            Axes ??= [new(o, Seed(k, 1)), new(o, Seed(k, 2)), new(o, Seed(k, 3))];

        private static ulong Seed(long key, int series)
        {
            var h = (ulong)key * 0x9E3779B97F4A7C15UL + (ulong)series * 0xBF58476D1CE4E5B9UL + 0x94D049BB133111EBUL;
            h ^= h >> 31;
            return h == 0 ? 1 : h;
        }
    }
}
