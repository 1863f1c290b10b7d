using System.Text;
using Platform.Engine.Symbols;

namespace Platform.Formats.Tests.Telemetry;

/// <summary>The per-thread symbol cache over its native, huge-page-advised slots.</summary>
public class SymbolCacheTests
{
    [Fact]
    public void ManyKeys_GrowPastHugePageTables_EverySymbolStillNamesItsString()
    {
        // 150k keys grow the slots from 1,024 to 2^19 (16 MiB): several moves, the last ones in 2 MiB-aligned blocks.
        var table = new SymbolTable();
        var cache = SymbolCache.For(table);
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

    private static string Name(int k) => k % 3 == 0 ? $"dev-{k:D6}" : k % 3 == 1 ? $"d{k}" : $"device/long-name-{k:D7}";

    private static int Write(byte[] line, int k)
    {
        Array.Clear(line);
        return Encoding.UTF8.GetBytes(Name(k), line);
    }
}
