using System.Collections.Frozen;
using nietras.SeparatedValues;
using Platform.Engine.Symbols;

namespace Platform.Operators.Enrichment;

/// <summary>
/// An immutable device table keyed by the interned device id. Built once (off the stream's threads)
/// and swapped in whole by <see cref="RegistryHandle"/>; lookups never lock and never allocate.
/// </summary>
public sealed partial class DeviceRegistry
{
    private readonly FrozenDictionary<int, DeviceInfo> _rows;

    /// <summary>Wraps prepared rows (device symbol id → row).</summary>
    public DeviceRegistry(IDictionary<int, DeviceInfo> rows) => _rows = rows.ToFrozenDictionary();

    /// <summary>An empty registry.</summary>
    public static DeviceRegistry Empty { get; } = new(new Dictionary<int, DeviceInfo>());

    /// <summary>Rows in the table.</summary>
    public int Count => _rows.Count;

    /// <summary>Looks a device up by its interned id.</summary>
    public bool TryGet(Symbol device, out DeviceInfo info) => _rows.TryGetValue(device.Id, out info);

    /// <summary>
    /// Reads a CSV with header <c>device,owner,site,model[,threshold_low,threshold_high]</c>;
    /// ids and names are interned in <paramref name="symbols"/> (the pipeline's table, so ids match the records).
    /// </summary>
    public static DeviceRegistry LoadCsv(string path, SymbolTable symbols)
    {
        using var reader = Sep.New(',').Reader(o => o with { Unescape = true }).FromFile(path);
        return Read(reader, symbols, path);
    }

    /// <summary>Reads registry CSV text (see <see cref="LoadCsv"/>).</summary>
    public static DeviceRegistry ParseCsv(string text, SymbolTable symbols)
    {
        using var reader = Sep.New(',').Reader(o => o with { Unescape = true }).FromText(text);
        return Read(reader, symbols, "registry text");
    }

    private static DeviceRegistry Read(SepReader reader, SymbolTable symbols, string what)
    {
        foreach (var column in new[] { "device", "owner", "site", "model" })
        {
            if (!reader.Header.ColNames.Contains(column)) throw new InvalidDataException($"{what}: the device registry needs a '{column}' column.");
        }
        var hasLow = reader.Header.ColNames.Contains("threshold_low");
        var hasHigh = reader.Header.ColNames.Contains("threshold_high");
        var rows = new RegistryRows(symbols);
        foreach (var row in reader)
        {
            rows.Add(row["device"].Span, row["owner"].Span, row["site"].Span, row["model"].Span,
                hasLow ? ParseOptional(row["threshold_low"].Span, what, row.RowIndex) : double.NaN,
                hasHigh ? ParseOptional(row["threshold_high"].Span, what, row.RowIndex) : double.NaN);
        }
        return rows.Build();
    }

    private static double ParseOptional(ReadOnlySpan<char> text, string what, int row)
    {
        if (text.IsEmpty) return double.NaN;
        return double.TryParse(text, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var v)
            ? v
            : throw new InvalidDataException($"{what}: row {row} has a threshold that is not a number: '{text}'.");
    }
}
