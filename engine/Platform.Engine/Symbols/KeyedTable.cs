using System.Numerics;
using System.Runtime.CompilerServices;
using Platform.Engine.Memory;

namespace Platform.Engine.Symbols;

/// <summary>
/// Per-key state for packed symbol-id keys (e.g. device × sensor): an open-addressing table (linear probing, load
/// ≤ 1/2) whose entries hold key and value side by side, so a lookup of a cold key costs one cache miss where a
/// <see cref="Dictionary{TKey, TValue}"/> costs two (bucket array, then entry). Grows, never shrinks; no removal.
/// Single-threaded. Allocates only when it grows. An entry is the key and the value, nothing else: key 0 marks an
/// empty entry, and the state of key 0 itself is kept beside the array.
/// </summary>
/// <typeparam name="TValue">The state kept per key (a struct; starts as <c>default</c>).</typeparam>
public sealed class KeyedTable<TValue>
    where TValue : struct
{
    private struct Entry
    {
        public long Key; // 0: empty
        public TValue Value;
    }

    private Entry[] _entries;
    private int _mask;
    private bool _hasZero;
    private TValue _zeroValue;

    /// <summary>An empty table sized for <paramref name="capacity"/> keys before it grows.</summary>
    public KeyedTable(int capacity = 1024)
    {
        var size = (int)BitOperations.RoundUpToPowerOf2((uint)Math.Max(16, capacity) * 2);
        _entries = new Entry[size];
        _mask = size - 1;
    }

    /// <summary>Keys in the table.</summary>
    public int Count { get; private set; }

    /// <summary>Bytes of the entry array.</summary>
    public long FootprintBytes => (long)_entries.Length * Unsafe.SizeOf<Entry>();

    /// <summary>The state of <paramref name="key"/>, added as <c>default</c> when absent.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ref TValue GetOrAdd(long key)
    {
        if (key == 0) return ref ZeroKey();
        var entries = _entries;
        var i = Hash(key) & _mask;
        while (true)
        {
            ref var e = ref entries[i];
            if (e.Key == 0) break;
            if (e.Key == key) return ref e.Value;
            i = (i + 1) & _mask;
        }

        if ((Count + 1) * 2 > entries.Length)
        {
            Grow();
            return ref GetOrAdd(key);
        }

        ref var added = ref entries[i];
        added.Key = key;
        Count++;
        return ref added.Value;
    }

    private ref TValue ZeroKey()
    {
        if (!_hasZero)
        {
            _hasZero = true;
            Count++;
        }

        return ref _zeroValue;
    }

    /// <summary>Asks the CPU to start loading the entry where <paramref name="key"/> is probed first (a hint only).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public unsafe void Prefetch(long key)
    {
        if (System.Runtime.Intrinsics.X86.Sse.IsSupported)
            System.Runtime.Intrinsics.X86.Sse.Prefetch0(Unsafe.AsPointer(ref _entries[Hash(key) & _mask]));
    }

    /// <summary>True and the state when <paramref name="key"/> is present.</summary>
    public bool TryGet(long key, out TValue value)
    {
        if (key == 0)
        {
            value = _zeroValue;
            return _hasZero;
        }

        var i = Hash(key) & _mask;
        while (true)
        {
            ref var e = ref _entries[i];
            if (e.Key == 0) break;
            if (e.Key == key)
            {
                value = e.Value;
                return true;
            }

            i = (i + 1) & _mask;
        }

        value = default;
        return false;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int Hash(long key)
    {
        // Fibonacci hashing: the product's high half depends on every bit of the key (device and sensor ids).
        return (int)(((ulong)key * 0x9E3779B97F4A7C15UL) >> 32);
    }

    private void Grow()
    {
        var old = _entries;
        _entries = LargeArray.Allocate<Entry>(old.Length * 2);
        _mask = _entries.Length - 1;
        foreach (ref readonly var e in old.AsSpan())
        {
            if (e.Key == 0) continue;
            var i = Hash(e.Key) & _mask;
            while (_entries[i].Key != 0) i = (i + 1) & _mask;
            _entries[i] = e;
        }
    }
}
