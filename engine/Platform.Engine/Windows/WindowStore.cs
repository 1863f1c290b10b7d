using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics.X86;
using Platform.Engine.Aggregates;
using Platform.Engine.Memory;

namespace Platform.Engine.Windows;

/// <summary>
/// The keyed window state of one operator: slots in a growable struct array with a free list, an open-addressing
/// map (key, tag) → slot (linear probing, backward-shift deletion, no tombstones), and an indexed binary min-heap
/// of live slots ordered by (DueAt, Key) for firing and purging. Storage only grows to the peak working set and
/// is reused afterwards: the steady state allocates nothing.
/// </summary>
/// <remarks>
/// A map entry is 8 bytes: the slot and the full 32-bit hash of (key, tag). The key and tag themselves are the
/// slot's (<see cref="WindowSlot.Key"/>, and <see cref="WindowSlot.Start"/> unless the store is keyed by key alone, as
/// sessions are), so a hit is confirmed on the slot, which the caller touches next anyway. With 2 entries per live
/// slot that is 16 bytes per window instead of 48.
/// </remarks>
internal sealed class WindowStore
{
    private struct MapEntry
    {
        public int SlotPlusOne; // 0: empty
        public int Hash;
    }

    /// <summary>Map tags are not window starts: one entry per key (sessions), confirmed on the key alone.</summary>
    private readonly bool _keyOnly;

    private WindowSlot[] _slots;
    private int _slotsUsed;
    /// <summary>Free slots as a stack (not a list threaded through the slots), so the ones the next windows will take are known ahead and can be prefetched.</summary>
    private int[] _free;
    private int _freeCount;
    private MapEntry[] _map;
    private int _mapCount;
    private int _mapMask;
    private HeapEntry[] _heap;
    private int _heapCount;
    private HeapEntry[] _sortBuffer = [];

    public WindowStore(int initialCapacity = 1024, bool keyOnly = false)
    {
        _keyOnly = keyOnly;
        initialCapacity = Math.Max(16, initialCapacity);
        _slots = new WindowSlot[initialCapacity];
        _free = new int[initialCapacity];
        _heap = new HeapEntry[initialCapacity];
        var mapSize = (int)System.Numerics.BitOperations.RoundUpToPowerOf2((uint)initialCapacity * 2);
        _map = new MapEntry[mapSize];
        _mapMask = mapSize - 1;
    }

    public int LiveCount { get; private set; }

    public int HeapCount => _heapCount;

    /// <summary>Bytes of the store's arrays (not counting sketch buckets).</summary>
    public long FootprintBytes =>
        (long)_slots.Length * Unsafe.SizeOf<WindowSlot>() + (long)_free.Length * sizeof(int) + (long)_map.Length * Unsafe.SizeOf<MapEntry>() + (long)_heap.Length * Unsafe.SizeOf<HeapEntry>();

    public ref WindowSlot this[int slot] => ref _slots[slot];

    // ---- slots ----

    public int Allocate()
    {
        int slot;
        if (_freeCount > 0)
        {
            slot = _free[--_freeCount];
        }
        else
        {
            if (_slotsUsed == _slots.Length) LargeArray.Resize(ref _slots, _slots.Length * 2);
            slot = _slotsUsed++;
        }

        ref var s = ref _slots[slot];
        s = default;
        s.HeapPos = -1;
        s.Next = -1;
        LiveCount++;
        return slot;
    }

    /// <summary>Returns a slot (already out of the map and the heap) and its sketch storage.</summary>
    public void Release(int slot, SketchArena arena)
    {
        ref var s = ref _slots[slot];
        s.Sketch.Clear(arena);
        // Allocate zeroes the whole slot when it is taken again; a free slot needs only these.
        s.State = SlotState.Free;
        s.HeapPos = -1;
        s.Next = -1;
        if (_freeCount == _free.Length) Array.Resize(ref _free, _slots.Length);
        _free[_freeCount++] = slot;
        LiveCount--;
    }

    /// <summary>Every live slot index (for snapshots).</summary>
    public int CopyLiveSlots(Span<int> into)
    {
        var n = 0;
        for (var i = 0; i < _slotsUsed; i++)
            if (_slots[i].State != SlotState.Free) into[n++] = i;
        return n;
    }

    // ---- prefetch (hints only: a stale address after the GC moved an array is harmless) ----

    /// <summary>
    /// Starts loading the slot that the <paramref name="ahead"/>-th next <see cref="Allocate"/> will return (0: the next
    /// one), if no slot is freed in between: freed slots go cold between windows, and a burst of new windows would
    /// otherwise wait for each.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void PrefetchFree(int ahead)
    {
        if ((uint)ahead < (uint)_freeCount) PrefetchSlot(_free[_freeCount - 1 - ahead]);
    }

    /// <summary>Starts loading the map entry where (a, b) is probed first.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public unsafe void PrefetchMap(long a, long b)
    {
        if (Sse.IsSupported) Sse.Prefetch0(Unsafe.AsPointer(ref _map[Hash(a, b) & _mapMask]));
    }

    /// <summary>Starts loading a slot (every cache line it touches: up to four, as slots are not line-aligned).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public unsafe void PrefetchSlot(int slot)
    {
        if (!Sse.IsSupported) return;
        var p = (byte*)Unsafe.AsPointer(ref _slots[slot]);
        Sse.Prefetch0(p);
        Sse.Prefetch0(p + 64);
        Sse.Prefetch0(p + 128);
        Sse.Prefetch0(p + Unsafe.SizeOf<WindowSlot>() - 1);
    }

    // ---- map ----

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static int Hash(long a, long b)
    {
        var h = (ulong)a * 0x9E3779B97F4A7C15UL ^ (ulong)b * 0xC2B2AE3D27D4EB4FUL;
        h ^= h >> 33;
        h *= 0xFF51AFD7ED558CCDUL;
        h ^= h >> 33;
        return (int)h;
    }

    /// <summary>True when <paramref name="slot"/> is the one mapped from (a, b).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool Holds(int slot, long a, long b)
    {
        ref var s = ref _slots[slot];
        return s.Key == a && (_keyOnly || s.Start == b);
    }

    /// <summary>The slot of (a, b), or −1.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int Find(long a, long b)
    {
        var map = _map;
        var h = Hash(a, b);
        var i = h & _mapMask;
        while (true)
        {
            ref var e = ref map[i];
            if (e.SlotPlusOne == 0) return -1;
            if (e.Hash == h && Holds(e.SlotPlusOne - 1, a, b)) return e.SlotPlusOne - 1;
            i = (i + 1) & _mapMask;
        }
    }

    /// <summary>
    /// The first slot whose map entry has the hash of (a, b), without touching any slot: the slot of (a, b) unless
    /// another key shares the 32-bit hash (confirm with <see cref="Holds"/>); −1 when (a, b) is absent.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int FindCandidate(long a, long b)
    {
        var map = _map;
        var h = Hash(a, b);
        var i = h & _mapMask;
        while (true)
        {
            ref var e = ref map[i];
            if (e.SlotPlusOne == 0) return -1;
            if (e.Hash == h) return e.SlotPlusOne - 1;
            i = (i + 1) & _mapMask;
        }
    }

    /// <summary>Maps (a, b) to <paramref name="slot"/>, adding or overwriting.</summary>
    public void Set(long a, long b, int slot)
    {
        if ((_mapCount + 1) * 2 > _map.Length) GrowMap();
        var h = Hash(a, b);
        var i = h & _mapMask;
        while (true)
        {
            ref var e = ref _map[i];
            if (e.SlotPlusOne == 0)
            {
                e.SlotPlusOne = slot + 1;
                e.Hash = h;
                _mapCount++;
                return;
            }

            if (e.Hash == h && Holds(e.SlotPlusOne - 1, a, b))
            {
                e.SlotPlusOne = slot + 1;
                return;
            }

            i = (i + 1) & _mapMask;
        }
    }

    /// <summary>Removes (a, b); false when absent. The slot must still hold (a, b).</summary>
    public bool Remove(long a, long b)
    {
        var h = Hash(a, b);
        var i = h & _mapMask;
        while (true)
        {
            ref var e = ref _map[i];
            if (e.SlotPlusOne == 0) return false;
            if (e.Hash == h && Holds(e.SlotPlusOne - 1, a, b)) break;
            i = (i + 1) & _mapMask;
        }

        // Backward-shift deletion: pull later entries of the probe run into the hole.
        var hole = i;
        var j = i;
        while (true)
        {
            j = (j + 1) & _mapMask;
            ref var e = ref _map[j];
            if (e.SlotPlusOne == 0) break;
            var home = e.Hash & _mapMask;
            // Move e into the hole when its home is not cyclically in (hole, j].
            var dist = (j - home) & _mapMask;
            var holeDist = (j - hole) & _mapMask;
            if (dist >= holeDist)
            {
                _map[hole] = e;
                hole = j;
            }
        }

        _map[hole] = default;
        _mapCount--;
        return true;
    }

    private void GrowMap()
    {
        var old = _map;
        _map = LargeArray.Allocate<MapEntry>(old.Length * 2);
        _mapMask = _map.Length - 1;
        foreach (ref readonly var e in old.AsSpan())
        {
            if (e.SlotPlusOne == 0) continue;
            var i = e.Hash & _mapMask;
            while (_map[i].SlotPlusOne != 0) i = (i + 1) & _mapMask;
            _map[i] = e;
        }
    }

    // ---- heap of (DueAt, Key) ----
    // Entries carry their own priority, so comparing two never touches the (large, cold) slot array.

    /// <summary>A heap entry: a slot and the priority it had when pushed or updated (20 bytes: packed, as there are as many as slots).</summary>
    [StructLayout(LayoutKind.Sequential, Pack = 4)]
    internal struct HeapEntry
    {
        public long DueAt;
        public long Key;
        public int Slot;
    }

    // A cached delegate: Span.Sort with a struct IComparer boxes it on every call.
    private static readonly Comparison<HeapEntry> s_dueOrder = (x, y) =>
        x.DueAt != y.DueAt ? x.DueAt.CompareTo(y.DueAt) : x.Key != y.Key ? x.Key.CompareTo(y.Key) : x.Slot.CompareTo(y.Slot);

    // The heap orders by DueAt alone: a new window (due at the next boundary, like most of the heap) then stays where
    // it is appended instead of sifting past entries of the same DueAt by key, writing HeapPos into cold slots.
    // Due entries are sorted by (DueAt, Key, Slot) when taken (SortDue), so firing order does not depend on it.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool Less(in HeapEntry a, in HeapEntry b) => a.DueAt < b.DueAt;

    /// <summary>The smallest DueAt in the heap (the heap is not empty).</summary>
    public long MinDueAt => _heap[0].DueAt;

    /// <summary>Removes the entry with the smallest DueAt and returns it (its slot's HeapPos becomes −1).</summary>
    public HeapEntry PopMin()
    {
        var top = _heap[0];
        _slots[top.Slot].HeapPos = -1;
        _heapCount--;
        if (_heapCount > 0)
        {
            _heap[0] = _heap[_heapCount];
            SiftDown(0);
        }

        return top;
    }

    public void Push(int slot)
    {
        if (_heapCount == _heap.Length) LargeArray.Resize(ref _heap, _heap.Length * 2);
        ref var s = ref _slots[slot];
        _heap[_heapCount] = new HeapEntry { DueAt = s.DueAt, Key = s.Key, Slot = slot };
        s.HeapPos = _heapCount;
        _heapCount++;
        SiftUp(_heapCount - 1);
    }

    /// <summary>Restores heap order after the slot's DueAt changed (pushes it when not in the heap).</summary>
    public void Update(int slot)
    {
        ref var s = ref _slots[slot];
        var pos = s.HeapPos;
        if (pos < 0)
        {
            Push(slot);
            return;
        }

        _heap[pos].DueAt = s.DueAt;
        _heap[pos].Key = s.Key;
        SiftUp(pos);
        SiftDown(_slots[slot].HeapPos);
    }

    public void RemoveFromHeap(int slot)
    {
        var pos = _slots[slot].HeapPos;
        if (pos < 0) return;
        _slots[slot].HeapPos = -1;
        _heapCount--;
        if (pos == _heapCount) return;
        var last = _heap[_heapCount];
        _heap[pos] = last;
        _slots[last.Slot].HeapPos = pos;
        SiftUp(pos);
        SiftDown(_slots[last.Slot].HeapPos);
    }

    /// <summary>
    /// Removes every entry due at or before <paramref name="watermark"/> at once, appending them to
    /// <paramref name="due"/> after its first <paramref name="count"/>, and rebuilds the heap from the rest: one
    /// sequential pass and a heapify instead of a log-n sift (with a cache miss per level) for each of possibly
    /// hundreds of thousands of windows. Returns the new count. The caller sorts them (<see cref="SortDue"/>) and sets
    /// each taken slot's <see cref="WindowSlot.HeapPos"/> to −1 when it visits it (one cache miss per slot, not two).
    /// </summary>
    public int TakeDue(long watermark, ref HeapEntry[] due, int count)
    {
        if (_heapCount == 0 || _heap[0].DueAt > watermark) return count;
        if (due.Length < count + _heapCount) Array.Resize(ref due, Math.Max(count + _heapCount, due.Length * 2));
        int n = count, keep = 0;
        for (var i = 0; i < _heapCount; i++)
        {
            var e = _heap[i];
            if (e.DueAt <= watermark) due[n++] = e;
            else _heap[keep++] = e;
        }

        _heapCount = keep;
        for (var i = keep / 2 - 1; i >= 0; i--) SiftDownEntries(i);
        for (var i = 0; i < keep; i++) _slots[_heap[i].Slot].HeapPos = i;
        return n;
    }

    /// <summary>
    /// Sorts taken entries into firing order: (DueAt, Key, Slot). A bulk fire takes hundreds of thousands of entries, so
    /// this is a stable LSD radix sort over only the bytes of Key and DueAt that differ among them (usually the 3–4 bytes
    /// of the key's symbol ids, none of DueAt: every entry is due at the same boundary), one counting pass and one
    /// scatter per byte; entries with equal (DueAt, Key), which only retained or session windows have, are then put
    /// in slot order. Few entries: a comparison sort.
    /// </summary>
    public void SortDue(Span<HeapEntry> taken)
    {
        if (taken.Length < 2) return;
        if (taken.Length <= 64)
        {
            taken.Sort(s_dueOrder);
            return;
        }

        // Radix digits are unsigned: flipping the sign bit maps long order onto ulong order.
        const ulong sign = 1UL << 63;
        ulong keyDiff = 0, dueDiff = 0;
        var key0 = (ulong)taken[0].Key;
        var due0 = (ulong)taken[0].DueAt;
        foreach (ref readonly var e in taken)
        {
            keyDiff |= (ulong)e.Key ^ key0;
            dueDiff |= (ulong)e.DueAt ^ due0;
        }

        if (_sortBuffer.Length < taken.Length) _sortBuffer = new HeapEntry[Math.Max(taken.Length, _sortBuffer.Length * 2)];
        var from = taken;
        var to = _sortBuffer.AsSpan(0, taken.Length);
        Span<int> counts = stackalloc int[256];
        for (var digit = 0; digit < 16; digit++)
        {
            var onDue = digit >= 8;
            var shift = (digit & 7) * 8;
            if ((((onDue ? dueDiff : keyDiff) >> shift) & 0xFF) == 0) continue; // every entry has the same byte here
            counts.Clear();
            foreach (ref readonly var e in from) counts[Digit(e, onDue, shift)]++;
            var sum = 0;
            for (var b = 0; b < 256; b++)
            {
                var c = counts[b];
                counts[b] = sum;
                sum += c;
            }

            foreach (ref readonly var e in from) to[counts[Digit(e, onDue, shift)]++] = e;
            var swap = from;
            from = to;
            to = swap;
        }

        if (from != taken) from.CopyTo(taken);
        for (var i = 1; i < taken.Length; i++)
        {
            if (taken[i].Key != taken[i - 1].Key || taken[i].DueAt != taken[i - 1].DueAt) continue;
            var start = i - 1;
            while (i + 1 < taken.Length && taken[i + 1].Key == taken[start].Key && taken[i + 1].DueAt == taken[start].DueAt) i++;
            taken.Slice(start, i - start + 1).Sort(s_dueOrder);
        }

        static int Digit(in HeapEntry e, bool onDue, int shift) =>
            (int)((((ulong)(onDue ? e.DueAt : e.Key) ^ sign) >> shift) & 0xFF);
    }

    private void SiftUp(int pos)
    {
        var item = _heap[pos];
        while (pos > 0)
        {
            var parent = (pos - 1) >> 1;
            var p = _heap[parent];
            if (!Less(item, p)) break;
            _heap[pos] = p;
            _slots[p.Slot].HeapPos = pos;
            pos = parent;
        }

        _heap[pos] = item;
        _slots[item.Slot].HeapPos = pos;
    }

    private void SiftDown(int pos)
    {
        var end = SiftDownEntries(pos);
        _slots[_heap[end].Slot].HeapPos = end;
    }

    /// <summary>Sifts the entry at <paramref name="pos"/> down, updating the positions of the entries it passes; returns where it landed.</summary>
    private int SiftDownEntries(int pos)
    {
        var item = _heap[pos];
        while (true)
        {
            var child = 2 * pos + 1;
            if (child >= _heapCount) break;
            if (child + 1 < _heapCount && Less(_heap[child + 1], _heap[child])) child++;
            var c = _heap[child];
            if (!Less(c, item)) break;
            _heap[pos] = c;
            _slots[c.Slot].HeapPos = pos;
            pos = child;
        }

        _heap[pos] = item;
        return pos;
    }

    /// <summary>Frees every slot (sketch storage back to the arena) and empties map and heap.</summary>
    public void Clear(SketchArena arena)
    {
        for (var i = 0; i < _slotsUsed; i++)
            if (_slots[i].State != SlotState.Free) _slots[i].Sketch.Clear(arena);
        Array.Clear(_slots, 0, _slotsUsed);
        _slotsUsed = 0;
        _freeCount = 0;
        LiveCount = 0;
        Array.Clear(_map);
        _mapCount = 0;
        _heapCount = 0;
    }
}
