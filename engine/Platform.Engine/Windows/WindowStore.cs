using System.Runtime.CompilerServices;
using Platform.Engine.Aggregates;

namespace Platform.Engine.Windows;

/// <summary>
/// The keyed window state of one operator: slots in a growable struct array with a free list, an open-addressing
/// map (key, tag) → slot (linear probing, backward-shift deletion, no tombstones), and an indexed binary min-heap
/// of live slots ordered by (DueAt, Key) for firing and purging. Storage only grows to the peak working set and
/// is reused afterwards: the steady state allocates nothing.
/// </summary>
internal sealed class WindowStore
{
    private struct MapEntry
    {
        public long A;
        public long B;
        public int SlotPlusOne; // 0: empty
    }

    private WindowSlot[] _slots;
    private int _slotsUsed;
    private int _freeHead = -1;
    private MapEntry[] _map;
    private int _mapCount;
    private int _mapMask;
    private int[] _heap;
    private int _heapCount;

    public WindowStore(int initialCapacity = 1024)
    {
        initialCapacity = Math.Max(16, initialCapacity);
        _slots = new WindowSlot[initialCapacity];
        _heap = new int[initialCapacity];
        var mapSize = (int)System.Numerics.BitOperations.RoundUpToPowerOf2((uint)initialCapacity * 2);
        _map = new MapEntry[mapSize];
        _mapMask = mapSize - 1;
    }

    public int LiveCount { get; private set; }

    public int HeapCount => _heapCount;

    /// <summary>Bytes of the store's arrays (not counting sketch buckets).</summary>
    public long FootprintBytes =>
        (long)_slots.Length * Unsafe.SizeOf<WindowSlot>() + (long)_map.Length * Unsafe.SizeOf<MapEntry>() + (long)_heap.Length * sizeof(int);

    public ref WindowSlot this[int slot] => ref _slots[slot];

    // ---- slots ----

    public int Allocate()
    {
        int slot;
        if (_freeHead >= 0)
        {
            slot = _freeHead;
            _freeHead = _slots[slot].Next;
        }
        else
        {
            if (_slotsUsed == _slots.Length) Array.Resize(ref _slots, _slots.Length * 2);
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
        s = default;
        s.HeapPos = -1;
        s.Next = _freeHead;
        _freeHead = slot;
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

    // ---- map ----

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int Hash(long a, long b)
    {
        var h = (ulong)a * 0x9E3779B97F4A7C15UL ^ (ulong)b * 0xC2B2AE3D27D4EB4FUL;
        h ^= h >> 33;
        h *= 0xFF51AFD7ED558CCDUL;
        h ^= h >> 33;
        return (int)h;
    }

    /// <summary>The slot of (a, b), or −1.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int Find(long a, long b)
    {
        var map = _map;
        var i = Hash(a, b) & _mapMask;
        while (true)
        {
            ref var e = ref map[i];
            if (e.SlotPlusOne == 0) return -1;
            if (e.A == a && e.B == b) return e.SlotPlusOne - 1;
            i = (i + 1) & _mapMask;
        }
    }

    /// <summary>Maps (a, b) to <paramref name="slot"/>, adding or overwriting.</summary>
    public void Set(long a, long b, int slot)
    {
        if ((_mapCount + 1) * 2 > _map.Length) GrowMap();
        var i = Hash(a, b) & _mapMask;
        while (true)
        {
            ref var e = ref _map[i];
            if (e.SlotPlusOne == 0)
            {
                e.A = a;
                e.B = b;
                e.SlotPlusOne = slot + 1;
                _mapCount++;
                return;
            }

            if (e.A == a && e.B == b)
            {
                e.SlotPlusOne = slot + 1;
                return;
            }

            i = (i + 1) & _mapMask;
        }
    }

    /// <summary>Removes (a, b); false when absent.</summary>
    public bool Remove(long a, long b)
    {
        var i = Hash(a, b) & _mapMask;
        while (true)
        {
            ref var e = ref _map[i];
            if (e.SlotPlusOne == 0) return false;
            if (e.A == a && e.B == b) break;
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
            var home = Hash(e.A, e.B) & _mapMask;
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
        _map = new MapEntry[old.Length * 2];
        _mapMask = _map.Length - 1;
        _mapCount = 0;
        foreach (ref readonly var e in old.AsSpan())
            if (e.SlotPlusOne != 0) Set(e.A, e.B, e.SlotPlusOne - 1);
    }

    // ---- heap of (DueAt, Key) ----

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private bool Less(int x, int y)
    {
        ref var a = ref _slots[x];
        ref var b = ref _slots[y];
        return a.DueAt < b.DueAt || (a.DueAt == b.DueAt && a.Key < b.Key);
    }

    public int PeekMin() => _heap[0];

    public void Push(int slot)
    {
        if (_heapCount == _heap.Length) Array.Resize(ref _heap, _heap.Length * 2);
        _heap[_heapCount] = slot;
        _slots[slot].HeapPos = _heapCount;
        _heapCount++;
        SiftUp(_heapCount - 1);
    }

    /// <summary>Restores heap order after the slot's DueAt changed (pushes it when not in the heap).</summary>
    public void Update(int slot)
    {
        var pos = _slots[slot].HeapPos;
        if (pos < 0)
        {
            Push(slot);
            return;
        }

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
        _slots[last].HeapPos = pos;
        SiftUp(pos);
        SiftDown(_slots[last].HeapPos);
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
            _slots[p].HeapPos = pos;
            pos = parent;
        }

        _heap[pos] = item;
        _slots[item].HeapPos = pos;
    }

    private void SiftDown(int pos)
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
            _slots[c].HeapPos = pos;
            pos = child;
        }

        _heap[pos] = item;
        _slots[item].HeapPos = pos;
    }

    /// <summary>Frees every slot (sketch storage back to the arena) and empties map and heap.</summary>
    public void Clear(SketchArena arena)
    {
        for (var i = 0; i < _slotsUsed; i++)
            if (_slots[i].State != SlotState.Free) _slots[i].Sketch.Clear(arena);
        Array.Clear(_slots, 0, _slotsUsed);
        _slotsUsed = 0;
        _freeHead = -1;
        LiveCount = 0;
        Array.Clear(_map);
        _mapCount = 0;
        _heapCount = 0;
    }
}
