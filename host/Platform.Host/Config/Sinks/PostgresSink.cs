using System.Text.RegularExpressions;
using Platform.Host.Config.Binding;

namespace Platform.Host.Config.Sinks;

/// <summary>
/// PostgreSQL warehouse upserts (<c>type: postgres</c>): binary COPY into staging and one upsert per batch. The
/// connection string has no password; the password comes from an environment variable.
/// </summary>
/// <param name="ConnectionString">Npgsql connection string without the password (<c>connection-string</c>, required).</param>
/// <param name="PasswordEnv">Environment variable holding the password (<c>password-env</c>; absent: none).</param>
/// <param name="Schema">PostgreSQL schema (<c>schema</c>, default public).</param>
/// <param name="Table">Table (<c>table</c>; default the record's own, e.g. customer_profiles).</param>
/// <param name="BatchRows">Rows per COPY + upsert (<c>batch-rows</c>, default 50000).</param>
/// <param name="MaxDelay">Longest a row waits (<c>max-delay</c>, default 1s).</param>
internal sealed record PostgresSinkConfig(string ConnectionString, string? PasswordEnv, string Schema, string? Table, int BatchRows, TimeSpan MaxDelay) : SinkConfig
{
    /// <summary>The YAML <c>type</c>.</summary>
    public const string TypeName = "postgres";

    /// <inheritdoc/>
    public override string Type => TypeName;
}

/// <summary>Binds <c>type: postgres</c>.</summary>
internal static partial class PostgresSink
{
    /// <summary>The registry entry.</summary>
    public static SinkKind Kind { get; } = new(PostgresSinkConfig.TypeName, Bind, Write);

    private static IEnumerable<KeyValuePair<string, string>> Write(SinkConfig config)
    {
        var p = (PostgresSinkConfig)config;
        var pairs = new List<KeyValuePair<string, string>> { ConfigYaml.Pair("connection-string", ConfigYaml.Text(p.ConnectionString)) };
        if (p.PasswordEnv is not null) pairs.Add(ConfigYaml.Pair("password-env", ConfigYaml.Text(p.PasswordEnv)));
        pairs.Add(ConfigYaml.Pair("schema", ConfigYaml.Text(p.Schema)));
        if (p.Table is not null) pairs.Add(ConfigYaml.Pair("table", ConfigYaml.Text(p.Table)));
        pairs.Add(ConfigYaml.Pair("batch-rows", ConfigYaml.Number(p.BatchRows)));
        pairs.Add(ConfigYaml.Pair("max-delay", ConfigYaml.Duration(p.MaxDelay)));
        return pairs;
    }

    private static PostgresSinkConfig? Bind(MappingReader reader)
    {
        var errors = reader.Context.Errors.Count;
        var connection = reader.String("connection-string", requiredExample: "Host=127.0.0.1;Port=5432;Username=platform;Database=warehouse");
        if (connection is not null && connection.Contains("password", StringComparison.OrdinalIgnoreCase))
        {
            reader.Context.Error(reader.Get("connection-string"), "'connection-string' must not hold the password", "put the password in an environment variable and name it in 'password-env: PLATFORM_PG_PASSWORD'");
        }
        var passwordEnv = reader.String("password-env");
        var schema = reader.String("schema") ?? "public";
        var table = reader.String("table");
        foreach (var (key, value) in new[] { ("schema", (string?)schema), ("table", table) })
        {
            if (value is not null && !Identifier().IsMatch(value))
            {
                reader.Context.Error(reader.Get(key), $"'{key}' must be an SQL identifier, got '{value}'", $"use letters, digits and '_', e.g. '{key}: customer_profiles'");
            }
        }
        var batchRows = reader.Int32("batch-rows", 50_000, min: 1, max: 10_000_000);
        var maxDelay = reader.Duration("max-delay", TimeSpan.FromSeconds(1), TimeSpan.FromMilliseconds(1));
        return reader.Context.Errors.Count == errors && connection is not null
            ? new PostgresSinkConfig(connection, passwordEnv, schema, table, batchRows, maxDelay)
            : null;
    }

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]{0,62}$")]
    private static partial Regex Identifier();
}
