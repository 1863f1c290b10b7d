using System.Text.RegularExpressions;

namespace Platform.Sinks.Warehouse;

/// <summary>
/// A warehouse table as the pipeline sees it: a name, columns in order, the key columns an upsert
/// matches on, and optionally a version column that guards against older rows overwriting newer ones.
/// Sinks create the table from it, or add the columns an existing table lacks. Names are lower-case
/// identifiers, so the quoted name a sink uses and the unquoted name a person types
/// (<c>select * from CUSTOMER_PROFILES</c>) are the same table in PostgreSQL and DuckDB.
/// Immutable; the constructor validates.
/// </summary>
public sealed partial class TableSchema
{
    /// <summary>Creates and validates a schema.</summary>
    /// <param name="name">Table name; folded to lower case.</param>
    /// <param name="columns">Columns in the order a mapping writes them; names folded to lower case.</param>
    /// <param name="keys">Names of the key columns (at least one; not nullable).</param>
    /// <param name="versionColumn">
    /// Optional non-key column (<see cref="ColumnType.Int64"/> or <see cref="ColumnType.Timestamp"/>): an upsert
    /// replaces a stored row only when the incoming row's version is at least the stored one, so replayed
    /// or late rows never overwrite newer values. Null = the last row written wins.
    /// </param>
    /// <exception cref="ArgumentException">A name is not a valid identifier, duplicated, or a key/version column is wrong.</exception>
    public TableSchema(string name, IEnumerable<TableColumn> columns, IEnumerable<string> keys, string? versionColumn = null)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(columns);
        ArgumentNullException.ThrowIfNull(keys);
        Name = Fold(name, "Table");
        Columns = [.. columns.Select(c => c with { Name = Fold(c.Name, "Column") })];
        if (Columns.Count == 0) throw new ArgumentException($"Table '{Name}' needs at least one column.");
        var duplicate = Columns.GroupBy(c => c.Name).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null) throw new ArgumentException($"Table '{Name}' has column '{duplicate.Key}' twice.");
        foreach (var c in Columns)
        {
            if (!Enum.IsDefined(c.Type)) throw new ArgumentException($"Column '{c.Name}' has undefined type {c.Type}.");
            if (c.Name.StartsWith("__", StringComparison.Ordinal)) throw new ArgumentException($"Column '{c.Name}': names starting with '__' are reserved for the sinks' staging columns.");
        }
        var keyIndexes = new List<int>();
        foreach (var key in keys)
        {
            var folded = Fold(key, "Key column");
            var index = IndexOf(folded);
            if (index < 0) throw new ArgumentException($"Key column '{folded}' is not a column of table '{Name}'.");
            if (Columns[index].Nullable) throw new ArgumentException($"Key column '{folded}' must not be nullable.");
            if (keyIndexes.Contains(index)) throw new ArgumentException($"Key column '{folded}' is listed twice.");
            keyIndexes.Add(index);
        }
        if (keyIndexes.Count == 0) throw new ArgumentException($"Table '{Name}' needs at least one key column for upserts.");
        KeyIndexes = keyIndexes;
        if (versionColumn is not null)
        {
            var folded = Fold(versionColumn, "Version column");
            var index = IndexOf(folded);
            if (index < 0) throw new ArgumentException($"Version column '{folded}' is not a column of table '{Name}'.");
            if (keyIndexes.Contains(index)) throw new ArgumentException($"Version column '{folded}' must not be a key column.");
            if (Columns[index].Type is not (ColumnType.Int64 or ColumnType.Timestamp)) throw new ArgumentException($"Version column '{folded}' must be Int64 or Timestamp, not {Columns[index].Type}.");
            VersionIndex = index;
        }
        Types = [.. Columns.Select(c => c.Type)];
        NullableFlags = [.. Columns.Select(c => c.Nullable)];
    }

    /// <summary>The table name (lower case).</summary>
    public string Name { get; }

    /// <summary>Columns in write order.</summary>
    public IReadOnlyList<TableColumn> Columns { get; }

    /// <summary>Indexes into <see cref="Columns"/> of the key columns, in key order.</summary>
    public IReadOnlyList<int> KeyIndexes { get; }

    /// <summary>Index of the version column, or -1.</summary>
    public int VersionIndex { get; } = -1;

    /// <summary>Column types by index (what the row writers check against).</summary>
    internal ColumnType[] Types { get; }

    /// <summary>Nullability by index.</summary>
    internal bool[] NullableFlags { get; }

    /// <summary>True when column <paramref name="index"/> is a key column.</summary>
    public bool IsKey(int index) => KeyIndexes.Contains(index);

    /// <summary>Index of column <paramref name="name"/> (case-insensitive), or -1.</summary>
    public int IndexOf(string name)
    {
        for (var i = 0; i < Columns.Count; i++)
        {
            if (string.Equals(Columns[i].Name, name, StringComparison.OrdinalIgnoreCase)) return i;
        }
        return -1;
    }

    /// <summary>The same schema under another table name (a sink's <c>table</c> setting).</summary>
    public TableSchema WithName(string name) =>
        new(name, Columns, KeyIndexes.Select(i => Columns[i].Name), VersionIndex < 0 ? null : Columns[VersionIndex].Name);

    /// <summary>True for a name the schema accepts (before folding): letters, digits, '_', not starting with a digit, at most 63 characters.</summary>
    public static bool IsValidIdentifier(string? name) => name is not null && IdentifierPattern().IsMatch(name);

    /// <summary>A validated identifier, double-quoted for SQL (PostgreSQL and DuckDB).</summary>
    internal static string Quote(string identifier) => "\"" + identifier + "\"";

    private static string Fold(string name, string what)
    {
        if (!IsValidIdentifier(name)) throw new ArgumentException($"{what} name '{name}' is not a valid identifier: use letters, digits and '_', not starting with a digit, at most 63 characters.");
        return name.ToLowerInvariant();
    }

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]{0,62}$", RegexOptions.CultureInvariant)]
    private static partial Regex IdentifierPattern();
}
