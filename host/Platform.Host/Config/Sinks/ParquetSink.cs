using Platform.Host.Config.Binding;
using Platform.Sinks.Parquet;

namespace Platform.Host.Config.Sinks;

/// <summary>
/// Parquet files partitioned by date and hour (<c>type: parquet</c>) of whatever the pipeline emits (window results or
/// churn profile updates, through the warehouse table contract), renamed into place complete on every flush.
/// </summary>
/// <param name="Path">Dataset root folder as written (<c>path</c>, required).</param>
/// <param name="FullPath">Resolved against the working directory.</param>
/// <param name="PartitionColumn">Timestamp column choosing <c>dt=/hour=</c> (<c>partition-column</c>, default the record type's first timestamp, e.g. window_start).</param>
/// <param name="RowGroupRows">Rows per row group (<c>row-group-rows</c>, default 100000).</param>
/// <param name="MaxOpenFiles">Partition files open at once (<c>max-open-files</c>, default 24).</param>
internal sealed record ParquetSinkConfig(string Path, string FullPath, string? PartitionColumn, int RowGroupRows, int MaxOpenFiles) : SinkConfig
{
    /// <summary>The YAML <c>type</c>.</summary>
    public const string TypeName = "parquet";

    /// <inheritdoc/>
    public override string Type => TypeName;

    /// <summary>The sink's options.</summary>
    public ParquetSinkOptions ToOptions() => new()
    {
        Directory = FullPath,
        PartitionColumn = PartitionColumn,
        RowGroupRows = RowGroupRows,
        MaxOpenFiles = MaxOpenFiles,
    };
}

/// <summary>Binds <c>type: parquet</c>; a relative path resolves against the working directory.</summary>
internal static class ParquetSink
{
    /// <summary>The registry entry.</summary>
    public static SinkKind Kind { get; } = new(ParquetSinkConfig.TypeName, Bind, Write);

    private static IEnumerable<KeyValuePair<string, string>> Write(SinkConfig config)
    {
        var p = (ParquetSinkConfig)config;
        var pairs = new List<KeyValuePair<string, string>>
        {
            ConfigYaml.Pair("path", ConfigYaml.Text(p.Path)),
            ConfigYaml.Pair("row-group-rows", ConfigYaml.Number(p.RowGroupRows)),
            ConfigYaml.Pair("max-open-files", ConfigYaml.Number(p.MaxOpenFiles)),
        };
        if (p.PartitionColumn is not null) pairs.Add(ConfigYaml.Pair("partition-column", ConfigYaml.Text(p.PartitionColumn)));
        return pairs;
    }

    private static ParquetSinkConfig? Bind(MappingReader reader)
    {
        var errors = reader.Context.Errors.Count;
        var path = reader.String("path", requiredExample: "out/parquet");
        var partition = PostgresSink.Identifier(reader, "partition-column");
        var rowGroupRows = reader.Int32("row-group-rows", ParquetSinkOptions.DefaultRowGroupRows, 1, 10_000_000);
        var maxOpenFiles = reader.Int32("max-open-files", ParquetSinkOptions.DefaultMaxOpenFiles, 1, 10_000);
        return reader.Context.Errors.Count == errors && path is not null
            ? new ParquetSinkConfig(path, reader.Context.ResolveOutput(path), partition, rowGroupRows, maxOpenFiles)
            : null;
    }
}
