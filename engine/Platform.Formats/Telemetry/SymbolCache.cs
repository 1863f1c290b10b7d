using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics.X86;
using Platform.Engine.Symbols;

namespace Platform.Formats;

/// <summary>
/// A mirror of a <see cref="SymbolTable"/> for short strings (up to 24 UTF-8 bytes, which covers device
/// ids, sensor types and units): the key bytes live inline in a 32-byte slot of an open-addressing table, so a
/// hit costs one cache line and no hashing of arrays; the slot can be prefetched while the rest of the line is
/// parsed. Entries are (bytes → id) pairs copied from the table, which never changes an id, so a mirror is
/// always right. A parse call rents a cache and gives it back when it is done (<see cref="Rent"/>, <see cref="Return"/>),
/// so a cache has one user at a time and needs no synchronisation, and the warm caches of a table go to whichever
/// thread parses next: a table has as many caches as parse calls ran at once, not one per pool thread its workers
/// happened to run on (each new one missed every device once). Misses go to the table.
/// With 100k devices the slots span megabytes that every record touches at a random place: they live in native
/// memory advised for transparent huge pages (<see cref="SlotMemory"/>), so a lookup costs a cache miss but no
/// page walk (a walk under virtualisation costs as much again).
/// </summary>
internal sealed unsafe class SymbolCache
{
    /// <summary>Longest string kept inline.</summary>
    public const int MaxKeyBytes = 24;

    private const int InitialSlots = 1 << 10;
    private const int MaxSlots = 1 << 20; // 32 MiB per cache at most; past half of it, misses just go to the table

    /// <summary>Idle caches kept per table (more than this many parse calls at once is rare; extra ones are dropped).</summary>
    private const int IdlePerTable = 8;

    private static readonly ConditionalWeakTable<SymbolTable, SymbolCache?[]> IdleCaches = new();

    private readonly SymbolTable _table;
    private readonly SymbolCache?[] _idle;
    private Slot* _slots;
    private int _mask;
    private int _count;

    private SymbolCache(SymbolTable table, SymbolCache?[] idle)
    {
        _table = table;
        _idle = idle;
        _slots = (Slot*)SlotMemory.Allocate((nuint)(InitialSlots * sizeof(Slot)));
        _mask = InitialSlots - 1;
    }

    /// <summary>Frees the slots once no thread holds this cache any more.</summary>
    ~SymbolCache() => SlotMemory.Free(_slots);

    /// <summary>The table this cache mirrors.</summary>
    public SymbolTable Table => _table;

    /// <summary>An idle cache of <paramref name="table"/> (a new one when none is idle), for one parse call; give it back with <see cref="Return"/>.</summary>
    public static SymbolCache Rent(SymbolTable table)
    {
        var idle = IdleCaches.GetValue(table, static _ => new SymbolCache?[IdlePerTable]);
        for (var k = 0; k < idle.Length; k++)
        {
            if (Interlocked.Exchange(ref idle[k], null) is { } cache) return cache;
        }
        return new SymbolCache(table, idle);
    }

    /// <summary>Gives the cache back for the next parse call on any thread; the caller must not use it afterwards.</summary>
    public void Return()
    {
        ResetPending();
        for (var k = 0; k < _idle.Length; k++)
        {
            if (Interlocked.CompareExchange(ref _idle[k], this, null) is null) return;
        }
        // Enough idle caches: this one is dropped, and its finalizer frees the slots.
    }

    private struct Slot
    {
        public ulong A, B, C;
        public int Length; // 0: empty
        public int Id;
    }

    /// <summary>A short string packed into three words (zero-padded), with its hash.</summary>
    public struct Key
    {
        public ulong A, B, C;
        public int Length;
        public uint Hash;
    }

    /// <summary>
    /// Packs the string of <paramref name="length"/> (1..24) bytes at <paramref name="start"/> in <paramref name="line"/>;
    /// reads whole words from the line when it extends far enough (it nearly always does), so nothing is copied.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void MakeKey(ReadOnlySpan<byte> line, int start, int length, out Key key)
    {
        if (line.Length - start < MaxKeyBytes || !BitConverter.IsLittleEndian)
        {
            MakeKeyCopy(line.Slice(start, length), out key);
            return;
        }
        ref var p = ref Unsafe.Add(ref MemoryMarshal.GetReference(line), start);
        var bits = length * 8;
        var a = KeepLowBits(Unsafe.ReadUnaligned<ulong>(ref p), bits);
        var b = KeepLowBits(Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref p, 8)), bits - 64);
        var c = KeepLowBits(Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref p, 16)), bits - 128);
        key.A = a;
        key.B = b;
        key.C = c;
        key.Length = length;
        key.Hash = Hash(a, b, c, length);
    }

    /// <summary>Keeps the low <paramref name="bits"/> bits (none when negative, all from 64 on).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong KeepLowBits(ulong value, int bits)
    {
        var n = Math.Max(bits, 0);
        if (Bmi2.X64.IsSupported) return Bmi2.X64.ZeroHighBits(value, (ulong)n);
        return n >= 64 ? value : value & ((1UL << n) - 1);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void MakeKeyCopy(ReadOnlySpan<byte> value, out Key key)
    {
        Span<byte> buffer = stackalloc byte[MaxKeyBytes];
        buffer.Clear();
        value.CopyTo(buffer);
        key.A = BinaryPrimitives.ReadUInt64LittleEndian(buffer);
        key.B = BinaryPrimitives.ReadUInt64LittleEndian(buffer[8..]);
        key.C = BinaryPrimitives.ReadUInt64LittleEndian(buffer[16..]);
        key.Length = value.Length;
        key.Hash = Hash(key.A, key.B, key.C, value.Length);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static uint Hash(ulong a, ulong b, ulong c, int length)
    {
        var h = (a * 0x9E3779B97F4A7C15UL) ^ (b * 0xC2B2AE3D27D4EB4FUL) ^ (c * 0x165667B19E3779F9UL) ^ (ulong)length;
        h ^= h >> 29;
        h *= 0xBF58476D1CE4E5B9UL;
        return (uint)(h >> 32);
    }

    /// <summary>Asks the CPU to start loading the slot of <paramref name="key"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Prefetch(in Key key)
    {
        // A slot of a table that grows before the lookup only wastes the hint (the old table is freed after the
        // lookup that grew it, and a prefetch never faults).
        if (Sse.IsSupported) Sse.Prefetch0(_slots + (key.Hash & (uint)_mask));
    }

    /// <summary>The symbol of the string <paramref name="key"/> packs.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Symbol Lookup(in Key key)
    {
        var slots = _slots;
        var mask = (uint)_mask;
        var i = key.Hash & mask;
        while (true)
        {
            var slot = slots + i;
            if (slot->Length == key.Length && slot->A == key.A && slot->B == key.B && slot->C == key.C)
            {
                var id = slot->Id;
                // The finalizer frees the slots: keep this cache reachable until they are read (free in code).
                GC.KeepAlive(this);
                return new Symbol(id);
            }
            if (slot->Length == 0) return Miss(key);
            i = (i + 1) & mask;
        }
    }

    /// <summary>Interns a short string found at <paramref name="start"/> in <paramref name="line"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Symbol Intern(ReadOnlySpan<byte> line, int start, int length)
    {
        MakeKey(line, start, length, out var key);
        return Lookup(key);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private Symbol Miss(in Key key)
    {
        // The key holds the string's bytes: no need to keep the line around.
        Span<byte> utf8 = stackalloc byte[MaxKeyBytes];
        BinaryPrimitives.WriteUInt64LittleEndian(utf8, key.A);
        BinaryPrimitives.WriteUInt64LittleEndian(utf8[8..], key.B);
        BinaryPrimitives.WriteUInt64LittleEndian(utf8[16..], key.C);
        var symbol = _table.Intern(utf8[..key.Length]);
        if (_count >= MaxSlots / 2) return symbol;
        if (_count + 1 > (_mask + 1) / 2) Grow();
        Insert(_slots, _mask, key.A, key.B, key.C, key.Length, key.Hash, symbol.Id);
        _count++;
        return symbol;
    }

    // ---- deferred lookups: resolve a record's device a few records after its slot was prefetched ----

    /// <summary>How many records a deferred lookup waits: enough for its prefetch to land.</summary>
    public const int LookupDistance = 8;

    private readonly Key[] _pendingKeys = new Key[LookupDistance];
    private readonly int[] _pendingRecords = new int[LookupDistance];
    private int _pendingHead;
    private int _pendingCount;

    /// <summary>Forgets deferred lookups (call before deferring into a new batch).</summary>
    public void ResetPending()
    {
        _pendingHead = 0;
        _pendingCount = 0;
    }

    /// <summary>
    /// Defers the lookup of <paramref name="key"/> for record <paramref name="recordIndex"/> of <paramref name="records"/>;
    /// resolves the oldest deferred lookup when <see cref="LookupDistance"/> are waiting.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Defer(in Key key, int recordIndex, Span<Platform.Engine.Records.Telemetry> records)
    {
        var head = _pendingHead;
        if (_pendingCount == LookupDistance)
        {
            records[_pendingRecords[head]].Device = Lookup(_pendingKeys[head]);
        }
        else
        {
            _pendingCount++;
        }
        _pendingKeys[head] = key;
        _pendingRecords[head] = recordIndex;
        _pendingHead = (head + 1) & (LookupDistance - 1);
    }

    /// <summary>Resolves every deferred lookup into <paramref name="records"/>.</summary>
    public void ResolvePending(Span<Platform.Engine.Records.Telemetry> records)
    {
        var index = (_pendingHead - _pendingCount) & (LookupDistance - 1);
        for (var k = 0; k < _pendingCount; k++)
        {
            records[_pendingRecords[index]].Device = Lookup(_pendingKeys[index]);
            index = (index + 1) & (LookupDistance - 1);
        }
        ResetPending();
    }

    private static void Insert(Slot* slots, int mask, ulong a, ulong b, ulong c, int length, uint hash, int id)
    {
        var i = hash & (uint)mask;
        while (slots[i].Length != 0) i = (i + 1) & (uint)mask;
        slots[i] = new Slot { A = a, B = b, C = c, Length = length, Id = id };
    }

    private void Grow()
    {
        var old = _slots;
        var oldCount = _mask + 1;
        var count = oldCount * 2;
        var bigger = (Slot*)SlotMemory.Allocate((nuint)count * (nuint)sizeof(Slot));
        for (var k = 0; k < oldCount; k++)
        {
            ref readonly var s = ref old[k];
            if (s.Length == 0) continue;
            Insert(bigger, count - 1, s.A, s.B, s.C, s.Length, Hash(s.A, s.B, s.C, s.Length), s.Id);
        }
        _slots = bigger;
        _mask = count - 1;
        SlotMemory.Free(old);
    }
}
