using System.IO.Hashing;
using System.Text;

namespace Platform.Engine.Symbols;

/// <summary>
/// Interns UTF-8 strings into <see cref="Symbol"/>s. Lookups of known strings take no lock and
/// allocate nothing; only the first sight of a string takes a lock and copies its bytes.
/// Safe for any number of concurrent readers and writers.
/// </summary>
public sealed class SymbolTable
{
    /// <summary>Longest string interned; longer input is rejected by callers as malformed.</summary>
    public const int MaxSymbolBytes = 256;

    private sealed class Entry(byte[] utf8, ulong hash, int id, Entry? next)
    {
        public readonly byte[] Utf8 = utf8;
        public readonly ulong Hash = hash;
        public readonly int Id = id;
        public readonly Entry? Next = next;
    }

    private readonly object _writeLock = new();
    private volatile Entry?[] _buckets = new Entry?[1024];
    private volatile string[] _names = new string[256];
    private int _count;

    /// <summary>Number of interned symbols.</summary>
    public int Count => Volatile.Read(ref _count);

    /// <summary>Returns the symbol of <paramref name="utf8"/>, interning it on first sight.</summary>
    public Symbol Intern(ReadOnlySpan<byte> utf8)
    {
        if (utf8.IsEmpty) return Symbol.None;
        var hash = XxHash3.HashToUInt64(utf8);
        var buckets = _buckets;
        for (var e = buckets[(int)(hash & (ulong)(buckets.Length - 1))]; e is not null; e = e.Next)
        {
            if (e.Hash == hash && utf8.SequenceEqual(e.Utf8)) return new Symbol(e.Id);
        }
        return InternSlow(utf8, hash);
    }

    /// <summary>Returns the symbol of <paramref name="value"/>, interning it on first sight.</summary>
    public Symbol Intern(string value)
    {
        if (string.IsNullOrEmpty(value)) return Symbol.None;
        Span<byte> buffer = stackalloc byte[MaxSymbolBytes * 3];
        var n = Encoding.UTF8.GetBytes(value.AsSpan(0, Math.Min(value.Length, MaxSymbolBytes)), buffer);
        return Intern(buffer[..n]);
    }

    /// <summary>Finds a symbol without interning; false when the string was never seen.</summary>
    public bool TryGet(ReadOnlySpan<byte> utf8, out Symbol symbol)
    {
        var hash = XxHash3.HashToUInt64(utf8);
        var buckets = _buckets;
        for (var e = buckets[(int)(hash & (ulong)(buckets.Length - 1))]; e is not null; e = e.Next)
        {
            if (e.Hash == hash && utf8.SequenceEqual(e.Utf8)) { symbol = new Symbol(e.Id); return true; }
        }
        symbol = Symbol.None;
        return false;
    }

    /// <summary>The string a symbol stands for ("" for <see cref="Symbol.None"/>).</summary>
    public string NameOf(Symbol symbol)
    {
        if (symbol.IsNone) return string.Empty;
        var names = _names;
        return (uint)symbol.Id < (uint)names.Length && names[symbol.Id] is { } s
            ? s
            : throw new ArgumentOutOfRangeException(nameof(symbol), symbol.Id, "Symbol is not from this table.");
    }

    private Symbol InternSlow(ReadOnlySpan<byte> utf8, ulong hash)
    {
        lock (_writeLock)
        {
            var buckets = _buckets;
            for (var e = buckets[(int)(hash & (ulong)(buckets.Length - 1))]; e is not null; e = e.Next)
            {
                if (e.Hash == hash && utf8.SequenceEqual(e.Utf8)) return new Symbol(e.Id);
            }
            var id = _count + 1;
            var names = _names;
            if (id >= names.Length)
            {
                Array.Resize(ref names, names.Length * 2);
            }
            names[id] = Encoding.UTF8.GetString(utf8);
            _names = names;
            if (id > buckets.Length * 2) buckets = Rehash(buckets);
            var index = (int)(hash & (ulong)(buckets.Length - 1));
            // Publish the entry fully built: readers see either the old chain or the new head.
            Volatile.Write(ref buckets[index], new Entry(utf8.ToArray(), hash, id, buckets[index]));
            _buckets = buckets;
            Volatile.Write(ref _count, id);
            return new Symbol(id);
        }
    }

    private static Entry?[] Rehash(Entry?[] old)
    {
        var next = new Entry?[old.Length * 4];
        foreach (var head in old)
        {
            for (var e = head; e is not null; e = e.Next)
            {
                var i = (int)(e.Hash & (ulong)(next.Length - 1));
                next[i] = new Entry(e.Utf8, e.Hash, e.Id, next[i]);
            }
        }
        return next;
    }
}
