using System.Text.RegularExpressions;
using Platform.Host.Config.Binding;

namespace Platform.Host.Config.Sinks;

/// <summary>Binds <c>type: duckdb</c>; a relative path resolves against the working directory.</summary>
internal static partial class DuckDbSink
{
    /// <summary>The registry entry.</summary>
    public static SinkKind Kind { get; } = new(DuckDbSinkConfig.TypeName, Bind, Write);

    private static IEnumerable<KeyValuePair<string, string>> Write(SinkConfig config)
    {
        var d = (DuckDbSinkConfig)config;
        return
        [
            ConfigYaml.Pair("path", ConfigYaml.Text(d.Path)),
            ConfigYaml.Pair("table", ConfigYaml.Text(d.Table)),
            ConfigYaml.Pair("mode", ConfigYaml.Enum(d.Mode)),
        ];
    }

    private static DuckDbSinkConfig? Bind(MappingReader reader)
    {
        var errors = reader.Context.Errors.Count;
        var path = reader.String("path", requiredExample: "out/results.duckdb");
        var table = reader.String("table") ?? ConfigDefaults.DuckDbTable;
        if (!Identifier().IsMatch(table))
        {
            reader.Context.Error(reader.Get("table"), $"'table' must be an SQL identifier, got '{table}'", "use letters, digits and '_', starting with a letter or '_', e.g. 'table: window_stats'");
        }
        var mode = reader.Enum("mode", ConfigDefaults.DuckDbMode);
        return reader.Context.Errors.Count == errors && path is not null
            ? new DuckDbSinkConfig(path, reader.Context.ResolveOutput(path), table, mode)
            : null;
    }

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]{0,62}$")]
    private static partial Regex Identifier();
}

/// <summary>Binds <c>type: console</c>.</summary>
internal static class ConsoleSink
{
    /// <summary>The registry entry.</summary>
    public static SinkKind Kind { get; } = new(ConsoleSinkConfig.TypeName, _ => new ConsoleSinkConfig(), _ => []);
}

/// <summary>Binds <c>type: null</c>.</summary>
internal static class NullSink
{
    /// <summary>The registry entry.</summary>
    public static SinkKind Kind { get; } = new(NullSinkConfig.TypeName, _ => new NullSinkConfig(), _ => []);
}
