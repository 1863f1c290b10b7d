using System.Buffers;
using System.Buffers.Binary;

namespace Platform.Operators.Quality;

/// <summary>
/// Freshness per key, in event time: a key whose newest record is more than <c>maxSilence</c> behind the
/// watermark (while other keys move it on) raises one alert; its next record re-arms it. Lives inside a
/// keyed worker: single-threaded, one instance per worker, its state saved with the worker's checkpoint.
/// Keys are scanned at most four times per <c>maxSilence</c> of event time, not per record.
/// </summary>
public sealed class KeyFreshnessMonitor
{
    private const int Magic = 0x4853524B; // "KRSH"
    private readonly Dictionary<long, KeyState> _keys = [];
    private readonly Func<long, string> _describe;
    private readonly Action<QualityAlert> _raise;
    private long _maxSilenceMs;
    private long _lastScan = long.MinValue;

    /// <summary>Creates the monitor; <paramref name="describe"/> names a key for messages.</summary>
    public KeyFreshnessMonitor(TimeSpan maxSilence, Func<long, string> describe, Action<QualityAlert> raise)
    {
        MaxSilence = maxSilence;
        _describe = describe ?? throw new ArgumentNullException(nameof(describe));
        _raise = raise ?? throw new ArgumentNullException(nameof(raise));
    }

    /// <summary>Event time a key may stay silent.</summary>
    public TimeSpan MaxSilence
    {
        get => TimeSpan.FromMilliseconds(_maxSilenceMs);
        set
        {
            if (value <= TimeSpan.Zero) throw new ArgumentException($"MaxSilence must be > 0, got {value}.");
            _maxSilenceMs = (long)value.TotalMilliseconds;
        }
    }

    /// <summary>Keys tracked.</summary>
    public int KeyCount => _keys.Count;

    /// <summary>Notes a record of <paramref name="key"/> at event time <paramref name="time"/>.</summary>
    public void Observe(long key, long time)
    {
        ref var state = ref System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(_keys, key, out var existed);
        if (!existed || time > state.Last) state.Last = time;
        state.Alerted = false;
    }

    /// <summary>Event time reached <paramref name="watermark"/>: alerts for keys silent past the limit.</summary>
    public void OnWatermark(long watermark)
    {
        if (watermark == long.MaxValue || watermark == long.MinValue) return;
        if (_lastScan != long.MinValue && watermark - _lastScan < _maxSilenceMs / 4) return;
        _lastScan = watermark;
        var limit = watermark - _maxSilenceMs;
        foreach (var (key, state) in _keys)
        {
            if (state.Alerted || state.Last >= limit) continue;
            System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrNullRef(_keys, key).Alerted = true;
            var silence = (watermark - state.Last) / 1000.0;
            _raise(new QualityAlert("freshness", _describe(key), DateTimeOffset.FromUnixTimeMilliseconds(watermark), silence, 0, _maxSilenceMs / 1000.0,
                FormattableString.Invariant($"no data from key {_describe(key)} for {silence:0.#} s of event time (limit {_maxSilenceMs / 1000.0:0.#} s)"),
                QualitySeverity.Warning));
        }
    }

    /// <summary>Writes the state (versioned binary).</summary>
    public void Snapshot(IBufferWriter<byte> writer)
    {
        var span = writer.GetSpan(16 + _keys.Count * 17);
        BinaryPrimitives.WriteInt32LittleEndian(span, Magic);
        BinaryPrimitives.WriteInt32LittleEndian(span[4..], _keys.Count);
        BinaryPrimitives.WriteInt64LittleEndian(span[8..], _lastScan);
        var at = 16;
        foreach (var (key, state) in _keys)
        {
            BinaryPrimitives.WriteInt64LittleEndian(span[at..], key);
            BinaryPrimitives.WriteInt64LittleEndian(span[(at + 8)..], state.Last);
            span[at + 16] = state.Alerted ? (byte)1 : (byte)0;
            at += 17;
        }
        writer.Advance(at);
    }

    /// <summary>Replaces the state with a snapshot.</summary>
    public void Restore(ReadOnlySpan<byte> snapshot)
    {
        if (snapshot.Length < 16 || BinaryPrimitives.ReadInt32LittleEndian(snapshot) != Magic) throw new InvalidDataException("Not a key-freshness snapshot.");
        var count = BinaryPrimitives.ReadInt32LittleEndian(snapshot[4..]);
        if (count < 0 || snapshot.Length != 16 + (long)count * 17) throw new InvalidDataException("Key-freshness snapshot has the wrong length.");
        _lastScan = BinaryPrimitives.ReadInt64LittleEndian(snapshot[8..]);
        _keys.Clear();
        var at = 16;
        for (var i = 0; i < count; i++, at += 17)
        {
            _keys[BinaryPrimitives.ReadInt64LittleEndian(snapshot[at..])] = new KeyState
            {
                Last = BinaryPrimitives.ReadInt64LittleEndian(snapshot[(at + 8)..]),
                Alerted = snapshot[at + 16] != 0,
            };
        }
    }

    private struct KeyState
    {
        public long Last;
        public bool Alerted;
    }
}
