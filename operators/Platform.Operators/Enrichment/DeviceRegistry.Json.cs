using System.Text.Json;
using Platform.Engine.Symbols;

namespace Platform.Operators.Enrichment;

public sealed partial class DeviceRegistry
{
    /// <summary>
    /// Reads a JSON array of rows <c>{"device": …, "owner": …, "site": …, "model": …, "threshold_low": n|null, "threshold_high": n|null}</c>
    /// (thresholds optional). Streams through <see cref="Utf8JsonReader"/>: no document tree, no row objects.
    /// </summary>
    public static DeviceRegistry LoadJson(string path, SymbolTable symbols) => ParseJson(File.ReadAllBytes(path), symbols, path);

    /// <summary>Reads registry JSON (see <see cref="LoadJson"/>).</summary>
    public static DeviceRegistry ParseJson(ReadOnlySpan<byte> utf8, SymbolTable symbols, string what = "registry JSON")
    {
        var reader = new Utf8JsonReader(utf8, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        var rows = new RegistryRows(symbols);
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartArray) throw new InvalidDataException($"{what}: the device registry must be a JSON array of rows.");
            var index = 0;
            while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
            {
                if (reader.TokenType != JsonTokenType.StartObject) throw new InvalidDataException($"{what}: row {index} is not an object.");
                ReadRow(ref reader, rows, what, index++);
            }
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{what}: not valid JSON at line {e.LineNumber + 1}: {e.Message}", e);
        }
        return rows.Build();
    }

    /// <summary>Reads a <c>.json</c> or <c>.csv</c> file by its extension.</summary>
    public static DeviceRegistry LoadFile(string path, SymbolTable symbols) =>
        Path.GetExtension(path).Equals(".json", StringComparison.OrdinalIgnoreCase) ? LoadJson(path, symbols) : LoadCsv(path, symbols);

    private static void ReadRow(ref Utf8JsonReader reader, RegistryRows rows, string what, int index)
    {
        string? device = null, owner = null, site = null, model = null;
        double low = double.NaN, high = double.NaN;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
        {
            var name = reader.GetString();
            reader.Read();
            switch (name)
            {
                case "device": device = Text(ref reader, what, index, name); break;
                case "owner": owner = Text(ref reader, what, index, name); break;
                case "site": site = Text(ref reader, what, index, name); break;
                case "model": model = Text(ref reader, what, index, name); break;
                case "threshold_low": low = Number(ref reader, what, index, name); break;
                case "threshold_high": high = Number(ref reader, what, index, name); break;
                default: reader.Skip(); break;
            }
        }
        if (device is null) throw new InvalidDataException($"{what}: row {index} has no 'device'.");
        rows.Add(device, owner, site, model, low, high);
    }

    private static string Text(ref Utf8JsonReader reader, string what, int index, string? field) => reader.TokenType switch
    {
        JsonTokenType.String => reader.GetString()!,
        JsonTokenType.Null => "",
        _ => throw new InvalidDataException($"{what}: row {index}: '{field}' must be a string."),
    };

    private static double Number(ref Utf8JsonReader reader, string what, int index, string? field) => reader.TokenType switch
    {
        JsonTokenType.Number => reader.GetDouble(),
        JsonTokenType.Null => double.NaN,
        _ => throw new InvalidDataException($"{what}: row {index}: '{field}' must be a number or null."),
    };
}
