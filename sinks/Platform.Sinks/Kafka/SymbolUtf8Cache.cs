using System.Text;
using Platform.Engine.Symbols;

namespace Platform.Sinks.Kafka;

/// <summary>
/// UTF-8 bytes of interned names, made once per symbol: keys and header values are reused arrays (the
/// producer copies what it sends), so a record's key costs no allocation. Single-threaded, like a sink.
/// </summary>
public sealed class SymbolUtf8Cache(SymbolTable symbols)
{
    private byte[]?[] _bytes = new byte[]?[256];

    /// <summary>The table names come from.</summary>
    public SymbolTable Symbols => symbols;

    /// <summary>The UTF-8 bytes of <paramref name="symbol"/>'s name (empty for none).</summary>
    public byte[] Of(Symbol symbol)
    {
        var id = symbol.Id;
        if (id <= 0) return [];
        if (id >= _bytes.Length) Array.Resize(ref _bytes, Math.Max(id + 1, _bytes.Length * 2));
        return _bytes[id] ??= Encoding.UTF8.GetBytes(symbols.NameOf(symbol));
    }

    /// <summary>Bytes of "device/sensor", cached per pair.</summary>
    public byte[] Pair(Symbol device, Symbol sensor)
    {
        var key = ((long)device.Id << 32) | (uint)sensor.Id;
        _pairs ??= [];
        if (!_pairs.TryGetValue(key, out var bytes))
        {
            bytes = Encoding.UTF8.GetBytes(symbols.NameOf(device) + "/" + symbols.NameOf(sensor));
            _pairs[key] = bytes;
        }
        return bytes;
    }

    private Dictionary<long, byte[]>? _pairs;
}
