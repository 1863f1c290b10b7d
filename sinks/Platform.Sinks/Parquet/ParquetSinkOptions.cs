using Platform.Sinks.Warehouse;

namespace Platform.Sinks.Parquet;

/// <summary>Where and how a <see cref="ParquetPartitionedSink{TRow, TMapping}"/> writes. Immutable; <see cref="Validate"/> checks it (the sink calls it).</summary>
public sealed record ParquetSinkOptions
{
    /// <summary>Default sink name.</summary>
    public const string DefaultName = "parquet";

    /// <summary>Default rows per row group (rows are buffered up to this many, then written to their partitions' files).</summary>
    public const int DefaultRowGroupRows = 100_000;

    /// <summary>Default most partition files open at once (the least recently written is closed beyond it).</summary>
    public const int DefaultMaxOpenFiles = 24;

    /// <summary>The dataset's root folder (created): files go to <c>dt=YYYY-MM-DD/hour=HH/</c> under it.</summary>
    public required string Directory { get; init; }

    /// <summary>
    /// The <see cref="ColumnType.Timestamp"/> column (not nullable) whose UTC date and hour choose a row's partition;
    /// null = the table's version column if it is a timestamp, else its first timestamp column.
    /// </summary>
    public string? PartitionColumn { get; init; }

    /// <summary>Rows buffered before a row group is written.</summary>
    public int RowGroupRows { get; init; } = DefaultRowGroupRows;

    /// <summary>Most partition files open at once.</summary>
    public int MaxOpenFiles { get; init; } = DefaultMaxOpenFiles;

    /// <summary>The sink's name in logs and metrics.</summary>
    public string Name { get; init; } = DefaultName;

    /// <summary>Throws <see cref="ArgumentException"/> describing the first invalid setting.</summary>
    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(Directory)) throw new ArgumentException("Directory must not be empty.");
        if (PartitionColumn is not null && !TableSchema.IsValidIdentifier(PartitionColumn)) throw new ArgumentException($"PartitionColumn '{PartitionColumn}' is not a valid identifier.");
        if (RowGroupRows < 1) throw new ArgumentException($"RowGroupRows must be at least 1, got {RowGroupRows}.");
        if (MaxOpenFiles < 1) throw new ArgumentException($"MaxOpenFiles must be at least 1, got {MaxOpenFiles}.");
        if (string.IsNullOrWhiteSpace(Name)) throw new ArgumentException("Name must not be empty.");
    }

    /// <summary>The partition column's index in <paramref name="schema"/>; throws when it is missing or not a non-null timestamp.</summary>
    internal int ResolvePartitionColumn(TableSchema schema)
    {
        int index;
        if (PartitionColumn is not null)
        {
            index = schema.IndexOf(PartitionColumn);
            if (index < 0) throw new ArgumentException($"PartitionColumn '{PartitionColumn}' is not a column of table '{schema.Name}'.");
        }
        else if (schema.VersionIndex >= 0 && schema.Columns[schema.VersionIndex].Type == ColumnType.Timestamp)
        {
            index = schema.VersionIndex;
        }
        else
        {
            index = schema.Columns.ToList().FindIndex(c => c.Type == ColumnType.Timestamp && !c.Nullable);
            if (index < 0) throw new ArgumentException($"Table '{schema.Name}' has no non-nullable Timestamp column to partition by; add one or name it in PartitionColumn.");
        }
        var column = schema.Columns[index];
        if (column.Type != ColumnType.Timestamp || column.Nullable) throw new ArgumentException($"PartitionColumn '{column.Name}' must be a non-nullable Timestamp column, not {column.Type}{(column.Nullable ? " (nullable)" : "")}.");
        return index;
    }
}
