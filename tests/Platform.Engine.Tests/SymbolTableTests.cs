using System.Text;
using Platform.Engine.Symbols;

namespace Platform.Engine.Tests;

public class SymbolTableTests
{
    [Fact]
    public void Intern_SameBytesTwice_ReturnsSameSymbolAndName()
    {
        var table = new SymbolTable();
        var a = table.Intern("device-17"u8);
        var b = table.Intern(Encoding.UTF8.GetBytes("device-17"));
        Assert.Equal(a, b);
        Assert.Equal("device-17", table.NameOf(a));
        Assert.Equal(1, table.Count);
    }

    [Fact]
    public void Intern_ManyDistinctConcurrently_EachGetsOneUniqueId()
    {
        var table = new SymbolTable();
        var ids = new int[4][];
        Parallel.For(0, 4, t =>
        {
            ids[t] = new int[20_000];
            for (var i = 0; i < 20_000; i++) ids[t][i] = table.Intern($"k{i}").Id;
        });
        for (var t = 1; t < 4; t++) Assert.Equal(ids[0], ids[t]);
        Assert.Equal(20_000, table.Count);
        Assert.Equal(20_000, ids[0].Distinct().Count());
        Assert.Equal("k12345", table.NameOf(new Symbol(ids[0][12345])));
    }

    [Fact]
    public void Intern_EmptyInput_ReturnsNone()
    {
        var table = new SymbolTable();
        Assert.True(table.Intern(ReadOnlySpan<byte>.Empty).IsNone);
        Assert.Equal("", table.NameOf(Symbol.None));
    }
}
