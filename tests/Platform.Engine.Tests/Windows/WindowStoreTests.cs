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

    [Fact]
    public void A_window_slot_fits_in_two_cache_lines() =>
        Assert.True(Unsafe.SizeOf<WindowSlot>() <= 128, $"{Unsafe.SizeOf<WindowSlot>()} bytes");

    [Fact]
    public void A_sketch_is_36_bytes() => Assert.Equal(36, Unsafe.SizeOf<QuantileSketch>());
}
