namespace Platform.Host.Config;

/// <summary>Where results go (<c>sinks[]</c>). One subtype per <c>type</c>.</summary>
internal abstract record SinkConfig
{
    /// <summary>The YAML <c>type</c>: duckdb, console, null, kafka, postgres, parquet.</summary>
    public abstract string Type { get; }
}

/// <summary>The embedded DuckDB warehouse (<c>type: duckdb</c>), batched appends.</summary>
/// <param name="Path">The database file as written (<c>path</c>, required).</param>
/// <param name="FullPath">Resolved against the current working directory.</param>
/// <param name="Table">Table name (<c>table</c>, an SQL identifier, default window_stats).</param>
/// <param name="Mode">replace (default), append or upsert (<c>mode</c>; upsert for checkpointed pipelines).</param>
internal sealed record DuckDbSinkConfig(string Path, string FullPath, string Table, SinkWriteMode Mode) : SinkConfig
{
    /// <summary>The YAML <c>type</c>.</summary>
    public const string TypeName = "duckdb";

    /// <inheritdoc/>
    public override string Type => TypeName;
}

/// <summary>Results printed to standard output (<c>type: console</c>).</summary>
internal sealed record ConsoleSinkConfig : SinkConfig
{
    /// <summary>The YAML <c>type</c>.</summary>
    public const string TypeName = "console";

    /// <inheritdoc/>
    public override string Type => TypeName;
}

/// <summary>Results counted and discarded (<c>type: null</c>), for benchmarks.</summary>
internal sealed record NullSinkConfig : SinkConfig
{
    /// <summary>The YAML <c>type</c>.</summary>
    public const string TypeName = "null";

    /// <inheritdoc/>
    public override string Type => TypeName;
}
