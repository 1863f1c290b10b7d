namespace Platform.Host.Config.Sources;

/// <summary>Binds <c>source: { type: file }</c>; a relative path resolves against the YAML file's folder.</summary>
internal static class FileSource
{
    /// <summary>The registry entry.</summary>
    public static SourceKind Kind { get; } = new(FileSourceConfig.TypeName, Bind, Write);

    private static IEnumerable<KeyValuePair<string, string>> Write(SourceConfig config)
    {
        var f = (FileSourceConfig)config;
        return
        [
            ConfigYaml.Pair("path", ConfigYaml.Text(f.Path)),
            ConfigYaml.Pair("rate", ConfigYaml.Number(f.Rate)),
            ConfigYaml.Pair("chunk-size", ConfigYaml.Size(f.ChunkSize)),
        ];
    }

    private static FileSourceConfig? Bind(Binding.MappingReader reader)
    {
        var errors = reader.Context.Errors.Count;
        var path = reader.String("path", requiredExample: "data.ndjson");
        var rate = reader.Double("rate", ConfigDefaults.SourceRate, 0);
        var chunkSize = reader.Size("chunk-size", reader.Context.Runtime.ChunkSize, RuntimeBinder.MinChunkSize, RuntimeBinder.MaxChunkSize);
        string? fullPath = null;
        if (path is not null)
        {
            fullPath = reader.Context.ResolveInput(path);
            if (!File.Exists(fullPath))
            {
                reader.Context.Error(reader.Get("path"), $"source file '{path}' does not exist (looked at {fullPath})",
                    "a relative path resolves against the folder of the pipeline file; create it with 'platform generate telemetry --out FILE'");
            }
        }
        return reader.Context.Errors.Count == errors && path is not null && fullPath is not null
            ? new FileSourceConfig(path, fullPath, rate, chunkSize)
            : null;
    }
}
