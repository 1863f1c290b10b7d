using System.Buffers;
using Platform.Engine.Aggregates;
using Platform.Engine.Checkpoints;

namespace Platform.Engine.Windows;

public sealed partial class WindowStatsOperator<TIn, TKey, TTime, TValue>
{
    /// <summary>First four bytes of a snapshot: "PWSO" (Platform window-stats operator), little-endian.</summary>
    public const uint SnapshotMagic = 0x4F535750;

    /// <summary>The snapshot format this build writes and reads.</summary>
    public const int SnapshotFormatVersion = 2; // 2: sketch buckets of the cubic log mapping

    /// <summary>
    /// Writes the whole state, little-endian: magic, format version, spec (kind, size, slide, gap), late policy,
    /// retention, sketch accuracy and bucket limit, watermark, counters, then every live window (key, start, end,
    /// state, emitted, accumulator, and the sketch's zero count, inline values and bucket runs).
    /// </summary>
    public void Snapshot(IBufferWriter<byte> writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        var w = new SnapshotWriter(writer);
        w.U32(SnapshotMagic);
        w.I32(SnapshotFormatVersion);
        w.U8((byte)_kind);
        w.I64(_size);
        w.I64(_slide);
        w.I64(_gap);
        w.U8((byte)_policy);
        w.I64(_retention);
        w.F64(_arena.RelativeAccuracy);
        w.I32(_arena.MaxBuckets);
        w.I64(_watermark);
        w.I64(LateDropped);
        w.I64(LateSideOutput);
        w.I64(LateUpdated);
        w.I64(InvalidDropped);
        w.I64(WindowsFired);
        w.I64(UpdatesEmitted);

        var live = new int[_store.LiveCount];
        var n = _store.CopyLiveSlots(live);
        w.I32(n);
        for (var i = 0; i < n; i++)
        {
            ref var s = ref _store[live[i]];
            w.I64(s.Key);
            w.I64(s.Start);
            w.I64(s.End);
            w.U8((byte)s.State);
            w.U8(s.Emitted ? (byte)1 : (byte)0);
            w.I64(s.Stats.Count);
            w.F64(s.Stats.Sum);
            w.F64(s.Stats.Min);
            w.F64(s.Stats.Max);
            w.F64(s.Stats.Mean);
            w.F64(s.Stats.M2);
            if (s.Sketch.IsInline)
            {
                w.I64(0); // zeros are counted apart only once spilled
                w.U8(s.Sketch.InlineCount);
                for (var v = 0; v < s.Sketch.InlineCount; v++) w.F64(s.Sketch.Inline[v]);
                w.I32(0); // no bucket runs
                w.I32(0);
            }
            else
            {
                ref readonly var buckets = ref _arena.Spill(s.Sketch.SpillIndex);
                w.I64(buckets.ZeroCount);
                w.U8(s.Sketch.InlineCount);
                WriteStore(ref w, in buckets.Positive);
                WriteStore(ref w, in buckets.Negative);
            }
        }
    }

    private void WriteStore(ref SnapshotWriter w, in BucketStore store)
    {
        var span = store.BucketSpan;
        w.I32(span);
        if (span == 0) return;
        w.I32(store.Lo);
        for (var i = store.Lo; i <= store.Hi; i++) w.U32(store.CountAt(_arena, i));
    }

    /// <summary>
    /// Replaces the state with a snapshot written by <see cref="Snapshot"/>. Throws <see cref="InvalidDataException"/>
    /// when it is not a snapshot of this operator, is of another format version, was taken with other options
    /// (spec, policy, retention, sketch settings), or is truncated. The state is untouched when the header is refused.
    /// </summary>
    public void Restore(ReadOnlySequence<byte> snapshot)
    {
        var r = new SnapshotReader(snapshot, "Window operator");
        var magic = r.U32();
        if (magic != SnapshotMagic)
            throw new InvalidDataException($"Not a window operator snapshot: magic 0x{magic:X8}, expected 0x{SnapshotMagic:X8}.");
        var version = r.I32();
        if (version != SnapshotFormatVersion)
            throw new InvalidDataException($"Window operator snapshot format version {version} is not supported; this build reads version {SnapshotFormatVersion}.");

        var kind = (WindowKind)r.U8();
        long size = r.I64(), slide = r.I64(), gap = r.I64();
        var policy = (LatePolicy)r.U8();
        var retention = r.I64();
        var accuracy = r.F64();
        var maxBuckets = r.I32();
        if (kind != _kind || size != _size || slide != _slide || gap != _gap)
            throw new InvalidDataException($"Snapshot was taken with windows {Describe(kind, size, slide, gap)}; this operator has {_options.Spec}.");
        if (policy != _policy || retention != _retention)
            throw new InvalidDataException($"Snapshot was taken with late policy {policy} (retention {retention} ms); this operator has {_policy} (retention {_retention} ms).");
        if (accuracy != _arena.RelativeAccuracy || maxBuckets != _arena.MaxBuckets)
            throw new InvalidDataException($"Snapshot was taken with sketch accuracy {accuracy} / {maxBuckets} buckets; this operator has {_arena.RelativeAccuracy} / {_arena.MaxBuckets}.");

        _store.Clear(_arena);
        OpenWindows = 0;
        RetainedWindows = 0;
        _watermark = r.I64();
        LateDropped = r.I64();
        LateSideOutput = r.I64();
        LateUpdated = r.I64();
        InvalidDropped = r.I64();
        WindowsFired = r.I64();
        UpdatesEmitted = r.I64();

        var n = r.I32();
        if (n < 0) throw new InvalidDataException($"Snapshot window count {n} is negative.");
        for (var i = 0; i < n; i++)
        {
            var slot = _store.Allocate();
            ref var s = ref _store[slot];
            s.Key = r.I64();
            s.Start = r.I64();
            s.End = r.I64();
            var state = (SlotState)r.U8();
            if (state is not (SlotState.Open or SlotState.Retained))
                throw new InvalidDataException($"Snapshot window {i} has an invalid state {(byte)state}.");
            s.State = state;
            s.Emitted = r.U8() != 0;
            s.Stats.Count = r.I64();
            s.Stats.Sum = r.F64();
            s.Stats.Min = r.F64();
            s.Stats.Max = r.F64();
            s.Stats.Mean = r.F64();
            s.Stats.M2 = r.F64();
            var zeros = r.I64();
            var inline = r.U8();
            if (inline != QuantileSketch.Spilled)
            {
                if (inline > QuantileSketch.InlineCapacity || zeros != 0)
                    throw new InvalidDataException($"Snapshot window {i} has an invalid sketch ({inline} inline values, {zeros} zeros).");
                for (var v = 0; v < inline; v++) s.Sketch.Add(_arena, r.F64());
            }
            else
            {
                s.Sketch.BecomeSpilled(_arena).ZeroCount = zeros;
            }

            if (s.Sketch.IsInline)
            {
                if (r.I32() != 0 || r.I32() != 0) throw new InvalidDataException($"Snapshot window {i} has both inline values and buckets.");
            }
            else
            {
                // By index: reading a run may grow the bucket data, never the table of spilled sketches.
                ReadStore(ref r, ref _arena.Spill(s.Sketch.SpillIndex).Positive);
                ReadStore(ref r, ref _arena.Spill(s.Sketch.SpillIndex).Negative);
                s.Sketch.Recount(_arena);
            }
            if (state == SlotState.Open)
            {
                s.DueAt = s.End;
                OpenWindows++;
            }
            else
            {
                s.DueAt = SaturatingAdd(s.End, _retention);
                RetainedWindows++;
            }

            if (_kind == WindowKind.Session)
            {
                s.Next = _store.Find(s.Key, SessionListTag);
                _store.Set(s.Key, SessionListTag, slot);
            }
            else
            {
                _store.Set(s.Key, s.Start, slot);
            }

            _store.Push(slot);
        }
    }

    private void ReadStore(ref SnapshotReader r, ref BucketStore store)
    {
        var span = r.I32();
        if (span == 0) return;
        if (span < 0 || span > _arena.MaxBuckets) throw new InvalidDataException($"Snapshot sketch has {span} buckets; the limit is {_arena.MaxBuckets}.");
        var lo = r.I32();
        for (var i = 0; i < span; i++)
        {
            var c = r.U32();
            if (c != 0) store.Add(_arena, lo + i, c);
        }
    }

    private static string Describe(WindowKind kind, long size, long slide, long gap) => kind switch
    {
        WindowKind.Tumbling => $"tumbling({size} ms)",
        WindowKind.Hopping => $"hopping({size} ms, slide {slide} ms)",
        WindowKind.Session => $"session(gap {gap} ms)",
        _ => $"unknown kind {(byte)kind}",
    };
}
