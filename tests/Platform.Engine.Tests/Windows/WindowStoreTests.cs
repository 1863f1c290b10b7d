using System.Runtime.CompilerServices;
using Platform.Engine.Aggregates;
using Platform.Engine.Windows;

namespace Platform.Engine.Tests.Windows;

/// <summary>
/// The window store's map keeps only a slot and a 32-bit hash per entry and confirms hits on the slot: keys that
/// share a hash must still find their own slots, and removal must keep every other key reachable.
/// </summary>
public class WindowStoreTests
{
    private static int Add(WindowStore store, long key, long start)
    {
        var slot = store.Allocate();
        store[slot].Key = key;
        store[slot].Start = start;
        store[slot].State = SlotState.Open;
        store.Set(key, start, slot);
        return slot;
    }

    /// <summary>Two (key, start) pairs with the same 32-bit hash, found by a birthday search.</summary>
    private static ((long, long) First, (long, long) Second) CollidingPair()
    {
        var seen = new Dictionary<int, (long, long)>();
        for (long k = 1; ; k++)
        {
            var h = WindowStore.Hash(k, 10_000);
            if (seen.TryGetValue(h, out var other)) return (other, (k, 10_000));
            seen[h] = (k, 10_000);
        }
    }

    [Fact]
    public void Keys_sharing_a_hash_each_find_their_own_slot()
    {
        var (a, b) = CollidingPair();
        Assert.Equal(WindowStore.Hash(a.Item1, a.Item2), WindowStore.Hash(b.Item1, b.Item2));
        var store = new WindowStore();
        var sa = Add(store, a.Item1, a.Item2);
        var sb = Add(store, b.Item1, b.Item2);
        Assert.NotEqual(sa, sb);
        Assert.Equal(sa, store.Find(a.Item1, a.Item2));
        Assert.Equal(sb, store.Find(b.Item1, b.Item2));
        // The hash-only candidate of the second is the first's slot (inserted first): callers confirm with Holds.
        Assert.Equal(sa, store.FindCandidate(b.Item1, b.Item2));
        Assert.False(store.Holds(sa, b.Item1, b.Item2));
        Assert.True(store.Remove(a.Item1, a.Item2));
        Assert.Equal(-1, store.Find(a.Item1, a.Item2));
        Assert.Equal(sb, store.Find(b.Item1, b.Item2));
        Assert.Equal(sb, store.FindCandidate(b.Item1, b.Item2));
    }

    [Fact]
    public void Random_inserts_and_removes_agree_with_a_dictionary()
    {
        var store = new WindowStore(initialCapacity: 16);
        var arena = new SketchArena();
        var reference = new Dictionary<(long, long), int>();
        var random = new Random(5);
        for (var step = 0; step < 200_000; step++)
        {
            var key = (long)random.Next(5_000);
            var start = random.Next(4) * 10_000L;
            if (reference.TryGetValue((key, start), out var slot))
            {
                Assert.Equal(slot, store.Find(key, start));
                if (random.Next(2) == 0)
                {
                    Assert.True(store.Remove(key, start));
                    store.Release(slot, arena);
                    reference.Remove((key, start));
                }
            }
            else
            {
                Assert.Equal(-1, store.Find(key, start));
                reference[(key, start)] = Add(store, key, start);
            }
        }
        foreach (var ((key, start), slot) in reference) Assert.Equal(slot, store.Find(key, start));
        Assert.Equal(reference.Count, store.LiveCount);
    }

    [Theory]
    [InlineData(3, 1)] // a few entries: the comparison sort
    [InlineData(5_000, 1)] // one boundary, the usual bulk fire: radix over the key bytes
    [InlineData(5_000, 3)] // a watermark jump over several boundaries: radix over due-time bytes too
    public void Due_entries_sort_into_due_time_then_key_then_slot_order(int count, int dueTimes)
    {
        var random = new Random(count * 7 + dueTimes);
        var entries = new WindowStore.HeapEntry[count];
        for (var i = 0; i < count; i++)
        {
            // Packed device × sensor keys, some negative, and every tenth key repeated (equal pairs go by slot).
            var key = i % 10 == 0 && i > 0 ? entries[i - 1].Key : ((long)random.Next(-50_000, 50_000) << 32) | (uint)random.Next(4);
            entries[i] = new WindowStore.HeapEntry { DueAt = 1_767_225_600_000 + 10_000L * random.Next(dueTimes), Key = key, Slot = random.Next(1_000_000) };
        }

        var expected = entries.OrderBy(e => e.DueAt).ThenBy(e => e.Key).ThenBy(e => e.Slot).ToArray();
        new WindowStore().SortDue(entries);
        Assert.Equal(expected.Select(e => (e.DueAt, e.Key, e.Slot)), entries.Select(e => (e.DueAt, e.Key, e.Slot)));
    }

    [Fact]
    public void A_window_slot_fits_in_two_cache_lines() =>
        Assert.True(Unsafe.SizeOf<WindowSlot>() <= 128, $"{Unsafe.SizeOf<WindowSlot>()} bytes");

    [Fact]
    public void A_sketch_is_36_bytes() => Assert.Equal(36, Unsafe.SizeOf<QuantileSketch>());
}
