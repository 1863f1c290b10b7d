namespace Platform.Sinks.DuckDb;

/// <summary>What a <see cref="DuckDbUpsertSink{TRow, TMapping}"/> does with its table.</summary>
public enum DuckDbWriteMode
{
    /// <summary>
    /// Create the table if it does not exist, keyed by the mapping's key columns; rows are staged and each flush (or
    /// every <see cref="DuckDbTableSinkOptions.BatchRows"/>) moves them in with an upsert in one transaction, so rows
    /// replayed after a recovery overwrite themselves instead of adding rows. The mode for checkpointed pipelines.
    /// </summary>
    Upsert,
    /// <summary>Drop and recreate the table (without a key) at open: a rerun replaces the previous run's rows instead of adding to them.</summary>
    Replace,
    /// <summary>Create the table (without a key) if it does not exist and add rows to it.</summary>
    Append,
}
