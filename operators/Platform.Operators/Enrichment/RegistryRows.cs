using System.Text;
using Platform.Engine.Symbols;

namespace Platform.Operators.Enrichment;

/// <summary>
/// Collects registry rows while a loader reads them, interning every name in the pipeline's symbol table
/// (so the ids match the records'); a later row for the same device replaces the earlier one.
/// Interning goes through a stack buffer, so a name already known (every refresh after the first) costs no string.
/// </summary>
internal sealed class RegistryRows(SymbolTable symbols)
{
    private readonly Dictionary<int, DeviceInfo> _rows = [];

    /// <summary>Rows so far.</summary>
    public int Count => _rows.Count;

    /// <summary>Adds one row; an empty device id is skipped (it cannot match a record).</summary>
    public void Add(ReadOnlySpan<char> device, ReadOnlySpan<char> owner, ReadOnlySpan<char> site, ReadOnlySpan<char> model, double thresholdLow, double thresholdHigh)
    {
        var id = Intern(device);
        if (id.IsNone) return;
        _rows[id.Id] = new DeviceInfo
        {
            Owner = Intern(owner),
            Site = Intern(site),
            Model = Intern(model),
            ThresholdLow = thresholdLow,
            ThresholdHigh = thresholdHigh,
        };
    }

    /// <summary>The frozen table.</summary>
    public DeviceRegistry Build() => new(_rows);

    private Symbol Intern(ReadOnlySpan<char> text)
    {
        text = text.Trim();
        if (text.IsEmpty) return Symbol.None;
        if (text.Length > SymbolTable.MaxSymbolBytes) throw new InvalidDataException($"Device registry: a name is longer than {SymbolTable.MaxSymbolBytes} characters: '{text[..40]}…'.");
        Span<byte> utf8 = stackalloc byte[SymbolTable.MaxSymbolBytes * 3];
        return symbols.Intern(utf8[..Encoding.UTF8.GetBytes(text, utf8)]);
    }
}
