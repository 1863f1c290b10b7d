using CsCheck;
using Platform.Engine.Symbols;

namespace Platform.Engine.Tests;

public class KeyedTableTests
{
    [Fact]
    public void GetOrAdd_RandomKeys_BehavesLikeADictionary() =>
        Gen.Long[-1_000, 1_000].Select(k => (k << 32) | (k & 7)).Array[0, 3_000].Sample(keys =>
        {
            var table = new KeyedTable<long>(capacity: 4); // grows many times
            var reference = new Dictionary<long, long>();
            foreach (var k in keys)
            {
                table.GetOrAdd(k) += 1;
                reference[k] = reference.GetValueOrDefault(k) + 1;
            }

            Assert.Equal(reference.Count, table.Count);
            foreach (var (k, n) in reference)
            {
                Assert.True(table.TryGet(k, out var v));
                Assert.Equal(n, v);
            }

            Assert.False(table.TryGet(long.MinValue + 12345, out _));
        }, iter: 200);

    [Fact]
    public void GetOrAdd_KnownKeys_AllocatesNothing()
    {
        var table = new KeyedTable<double>();
        for (long k = 0; k < 10_000; k++) table.GetOrAdd(k << 32 | 3) = k;
        var before = GC.GetAllocatedBytesForCurrentThread();
        double sum = 0;
        for (long k = 0; k < 10_000; k++) sum += table.GetOrAdd(k << 32 | 3);
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.Equal(49_995_000, sum);
    }

    [Fact]
    public void Key_zero_is_kept_like_any_other_key()
    {
        var table = new KeyedTable<long>(capacity: 4);
        Assert.False(table.TryGet(0, out _));
        table.GetOrAdd(0) = 7;
        for (long k = 1; k < 100; k++) table.GetOrAdd(k) = k; // grows past the zero key
        table.GetOrAdd(0) += 1;
        Assert.True(table.TryGet(0, out var zero));
        Assert.Equal(8, zero);
        Assert.Equal(100, table.Count);
        Assert.True(table.TryGet(99, out var last));
        Assert.Equal(99, last);
    }
}
