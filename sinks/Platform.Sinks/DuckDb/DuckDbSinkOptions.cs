using System.Text.RegularExpressions;

namespace Platform.Sinks.DuckDb;

/// <summary>What a DuckDB sink does with an existing table when it opens.</summary>
public enum DuckDbWriteMode
{
    /// <summary>Drop and recreate the table: a rerun replaces the previous run's rows instead of adding to them.</summary>
    Replace,
    /// <summary>Create the table if it does not exist and add rows to it.</summary>
    Append,
    /// <summary>
    /// Create the table if it does not exist, keyed by (device_id, sensor_type, window_start); each flush inserts
    /// or replaces rows by that key in one transaction, so results replayed after a recovery overwrite themselves
    /// instead of adding rows. The mode for checkpointed pipelines.
    /// </summary>
    Upsert,
}

/// <summary>Where a <see cref="DuckDbWindowSink"/> writes. Immutable; <see cref="Validate"/> checks it (the sink calls it).</summary>
public sealed partial record DuckDbSinkOptions
{
    /// <summary>Default table name.</summary>
    public const string DefaultTable = "window_stats";

    /// <summary>Default sink name.</summary>
    public const string DefaultName = "duckdb";

    /// <summary>The database file (its directory is created), or <c>:memory:</c>.</summary>
    public required string Path { get; init; }

    /// <summary>The table: a plain identifier (letters, digits, underscore; not starting with a digit; at most 63 characters).</summary>
    public string Table { get; init; } = DefaultTable;

    /// <summary>Replace (default), append or upsert.</summary>
    public DuckDbWriteMode Mode { get; init; } = DuckDbWriteMode.Replace;

    /// <summary>The sink's name in logs and metrics.</summary>
    public string Name { get; init; } = DefaultName;

    /// <summary>True for a name <see cref="Table"/> accepts.</summary>
    public static bool IsValidIdentifier(string? name) => name is not null && IdentifierPattern().IsMatch(name);

    /// <summary>Throws <see cref="ArgumentException"/> describing the first invalid setting.</summary>
    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(Path)) throw new ArgumentException("Path must not be empty.");
        if (!IsValidIdentifier(Table)) throw new ArgumentException($"Table '{Table}' is not a valid identifier: use letters, digits and '_', not starting with a digit, at most 63 characters.");
        if (!Enum.IsDefined(Mode)) throw new ArgumentException($"Mode {Mode} is not defined.");
        if (string.IsNullOrWhiteSpace(Name)) throw new ArgumentException("Name must not be empty.");
    }

    /// <summary>The table as a quoted SQL identifier (validated first, quoted anyway).</summary>
    internal string QuotedTable => "\"" + Table.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]{0,62}$", RegexOptions.CultureInvariant)]
    private static partial Regex IdentifierPattern();
}
