using Platform.Engine.Batching;
using Platform.Engine.Records;

namespace Platform.Engine.Windows;

public sealed partial class WindowStatsOperator<TIn, TKey, TTime, TValue>
{
    /// <summary>Map tag under which a key's session list head is stored (sessions use (key, tag) → first slot).</summary>
    private const long SessionListTag = 0;

    private void OnSessionRecord(in TIn record, long key, long t, double v, IBatchOutput<WindowResult> output)
    {
        var end = t + _gap;
        var late = end <= _watermark;
        if (late && _policy != LatePolicy.Update)
        {
            LateNotUpdated(in record);
            return;
        }

        // The live session with the smallest start that overlaps [t, t + gap) absorbs the record and every
        // other overlapping session (in ascending start, so the result does not depend on list order).
        var target = FindOverlap(key, t, end, exclude: -1);
        if (target < 0)
        {
            if (late && SaturatingAdd(end, _retention) <= _watermark)
            {
                LateDropped++;
                return;
            }

            target = _store.Allocate();
            ref var n = ref _store[target];
            n.Key = key;
            n.Start = t;
            n.End = end;
            n.State = SlotState.Open; // settled below
            OpenWindows++;
            var head = _store.Find(key, SessionListTag);
            n.Next = head;
            _store.Set(key, SessionListTag, target);
        }
        else
        {
            int other;
            while ((other = FindOverlap(key, t, end, exclude: target)) >= 0)
            {
                ref var s = ref _store[target];
                ref var o = ref _store[other];
                s.Stats.Merge(in o.Stats);
                s.Sketch.Merge(_arena, in o.Sketch);
                if (o.Start < s.Start) s.Start = o.Start;
                if (o.End > s.End) s.End = o.End;
                s.Emitted |= o.Emitted;
                Free(other);
            }
        }

        ref var w = ref _store[target];
        w.Stats.Add(v);
        w.Sketch.Add(_arena, v);
        if (t < w.Start) w.Start = t;
        if (end > w.End) w.End = end;

        if (w.End > _watermark)
        {
            SetState(ref w, SlotState.Open);
            w.DueAt = w.End;
            _store.Update(target);
        }
        else
        {
            // Late, policy Update, and the merged session has fired: revise it now.
            SetState(ref w, SlotState.Retained);
            w.DueAt = SaturatingAdd(w.End, _retention);
            _store.Update(target);
            Emit(ref w, isUpdate: true, output);
            w.Emitted = true;
            UpdatesEmitted++;
        }

        if (late) LateUpdated++;
    }

    private void SetState(ref WindowSlot s, SlotState state)
    {
        if (s.State == state) return;
        if (s.State == SlotState.Open) OpenWindows--;
        else if (s.State == SlotState.Retained) RetainedWindows--;
        if (state == SlotState.Open) OpenWindows++;
        else RetainedWindows++;
        s.State = state;
    }

    /// <summary>The live session of <paramref name="key"/> with the smallest start overlapping [start, end), other than <paramref name="exclude"/>; −1 if none.</summary>
    private int FindOverlap(long key, long start, long end, int exclude)
    {
        var best = -1;
        var bestStart = long.MaxValue;
        for (var i = _store.Find(key, SessionListTag); i >= 0; i = _store[i].Next)
        {
            if (i == exclude) continue;
            ref var s = ref _store[i];
            if (s.Start < end && start < s.End && s.Start < bestStart)
            {
                best = i;
                bestStart = s.Start;
            }
        }

        return best;
    }

    /// <summary>Removes a session slot from its key's list (and the list head from the map when it empties).</summary>
    private void UnlinkSession(int slot)
    {
        ref var s = ref _store[slot];
        var head = _store.Find(s.Key, SessionListTag);
        if (head == slot)
        {
            if (s.Next >= 0) _store.Set(s.Key, SessionListTag, s.Next);
            else _store.Remove(s.Key, SessionListTag);
            return;
        }

        for (var i = head; i >= 0; i = _store[i].Next)
        {
            if (_store[i].Next == slot)
            {
                _store[i].Next = s.Next;
                return;
            }
        }
    }
}
