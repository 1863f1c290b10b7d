using System.Text;
using Platform.Engine.Symbols;

namespace Platform.Formats.Tests.Telemetry;

/// <summary>The rented symbol cache over its native, huge-page-advised slots.</summary>
public class SymbolCacheTests
{
    [Fact]
    public void ManyKeys_GrowPastHugePageTables_EverySymbolStillNamesItsString()
    {
        // 150k keys grow the slots from 1,024 to 2^19 (16 MiB): several moves, the last ones in 2 MiB-aligned blocks.
        var table = new SymbolTable();
        var cache = SymbolCache.Rent(table);
        const int keys = 150_000;
        var symbols = new Symbol[keys];
        var line = new byte[64];
        for (var k = 0; k < keys; k++) symbols[k] = cache.Intern(line, 0, Write(line, k));
        for (var k = 0; k < keys; k++)
        {
            var length = Write(line, k);
            // Looked up again through the cache (hits) and through the deferred path: the same symbol, the right name.
            Assert.Equal(symbols[k], cache.Intern(line, 0, length));
            SymbolCache.MakeKey(line, 0, length, out var key);
            cache.Prefetch(key);
            Assert.Equal(symbols[k], cache.Lookup(key));
            Assert.Equal(Name(k), table.NameOf(symbols[k]));
        }
        Assert.Equal(keys, symbols.Distinct().Count());
    }

    [Fact]
    public void Rent_NeverSharesACacheInUse_AndHandsAReturnedWarmOneToAnyThread()
    {
        var table = new SymbolTable();
        var first = SymbolCache.Rent(table);
        var second = SymbolCache.Rent(table);
        Assert.NotSame(first, second);
        var line = "dev-000001"u8.ToArray();
        var symbol = first.Intern(line, 0, line.Length);
        first.Return();
        second.Return();

        SymbolCache? rentedElsewhere = null;
        var thread = new Thread(() => rentedElsewhere = SymbolCache.Rent(table));
        thread.Start();
        thread.Join();
        // The warm cache goes to the other thread, with its entry: a per-thread cache would start cold there.
        Assert.Same(first, rentedElsewhere);
        SymbolCache.MakeKey(line, 0, line.Length, out var key);
        Assert.Equal(symbol, rentedElsewhere!.Lookup(key));
        Assert.NotSame(first, SymbolCache.Rent(new SymbolTable()));
    }

    private static string Name(int k) => k % 3 == 0 ? $"dev-{k:D6}" : k % 3 == 1 ? $"d{k}" : $"device/long-name-{k:D7}";

    private static int Write(byte[] line, int k)
    {
        Array.Clear(line);
        return Encoding.UTF8.GetBytes(Name(k), line);
    }
}
