using Platform.Sinks.Warehouse;

namespace Platform.Sinks.DuckDb;

/// <summary>Where and how a <see cref="DuckDbUpsertSink{TRow, TMapping}"/> writes. Immutable; <see cref="Validate"/> checks it (the sink calls it).</summary>
public sealed record DuckDbTableSinkOptions
{
    /// <summary>Default sink name.</summary>
    public const string DefaultName = "duckdb";

    /// <summary>Default rows staged before they are moved into the table.</summary>
    public const int DefaultBatchRows = 100_000;

    /// <summary>The database file (its directory is created), or <c>:memory:</c>.</summary>
    public required string Path { get; init; }

    /// <summary>The table, or null for the mapping's <see cref="TableSchema.Name"/>.</summary>
    public string? Table { get; init; }

    /// <summary>Upsert (default), replace or append.</summary>
    public DuckDbWriteMode Mode { get; init; } = DuckDbWriteMode.Upsert;

    /// <summary>In upsert mode, staged rows are moved into the table (one transaction) when this many are waiting, and on every flush.</summary>
    public int BatchRows { get; init; } = DefaultBatchRows;

    /// <summary>The sink's name in logs and metrics.</summary>
    public string Name { get; init; } = DefaultName;

    /// <summary>Throws <see cref="ArgumentException"/> describing the first invalid setting.</summary>
    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(Path)) throw new ArgumentException("Path must not be empty.");
        if (Table is not null && !TableSchema.IsValidIdentifier(Table)) throw new ArgumentException($"Table '{Table}' is not a valid identifier: use letters, digits and '_', not starting with a digit, at most 63 characters.");
        if (!Enum.IsDefined(Mode)) throw new ArgumentException($"Mode {Mode} is not defined.");
        if (BatchRows < 1) throw new ArgumentException($"BatchRows must be at least 1, got {BatchRows}.");
        if (string.IsNullOrWhiteSpace(Name)) throw new ArgumentException("Name must not be empty.");
    }
}
