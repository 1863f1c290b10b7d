using Npgsql;
using Platform.Host.Config.Binding;
using Platform.Sinks.Alerts;
using Platform.Sinks.Postgres;
using Platform.Sinks.Warehouse;

namespace Platform.Host.Config.Sinks;

/// <summary>
/// PostgreSQL warehouse upserts (<c>type: postgres</c>) of whatever the pipeline emits — window results
/// (<c>window_stats</c>) or churn profile updates (<c>customer_profiles</c>) — through the warehouse table contract:
/// binary COPY into a staging table and one <c>INSERT … ON CONFLICT</c> per batch. The connection string has no
/// password; the password comes from an environment variable.
/// </summary>
/// <param name="ConnectionString">Npgsql connection string without the password (<c>connection-string</c>, required).</param>
/// <param name="PasswordEnv">Environment variable holding the password (<c>password-env</c>; absent: trust/peer/certificate auth).</param>
/// <param name="Schema">PostgreSQL schema (<c>schema</c>, default public).</param>
/// <param name="Table">Table (<c>table</c>; default the record's own: window_stats or customer_profiles).</param>
/// <param name="BatchRows">Rows per COPY + upsert (<c>batch-rows</c>, default 50000).</param>
/// <param name="MaxDelay">Longest a row waits (<c>max-delay</c>, default 1s).</param>
/// <param name="MaxRetries">Retries of a batch after transient errors (<c>max-retries</c>, default 10).</param>
/// <param name="FillFactor">Fill factor of a table the sink creates (<c>fill-factor</c>, 10–100, default 100; below 100 updates can stay on their page).</param>
/// <param name="ParallelUpserts">Parts a batch is split into by key hash and upserted in parallel (<c>parallel-upserts</c>, 1–16, default 2).</param>
internal sealed record PostgresSinkConfig(string ConnectionString, string? PasswordEnv, string Schema, string? Table, int BatchRows, TimeSpan MaxDelay,
    int MaxRetries = PostgresSinkOptions.DefaultMaxRetries, int FillFactor = PostgresSinkOptions.DefaultFillFactor, int ParallelUpserts = PostgresSinkOptions.DefaultParallelUpserts) : SinkConfig
{
    /// <summary>The YAML <c>type</c>.</summary>
    public const string TypeName = "postgres";

    /// <inheritdoc/>
    public override string Type => TypeName;

    /// <summary>The sink's options, the password read from <see cref="PasswordEnv"/>.</summary>
    public PostgresSinkOptions ToOptions() => new()
    {
        ConnectionString = ConnectionString,
        Password = PasswordEnv is null ? null : Secret.FromEnvironment(PasswordEnv),
        Schema = Schema,
        Table = Table,
        BatchRows = BatchRows,
        MaxDelay = MaxDelay,
        MaxRetries = MaxRetries,
        FillFactor = FillFactor,
        ParallelUpserts = ParallelUpserts,
    };
}

/// <summary>Binds <c>type: postgres</c>.</summary>
internal static class PostgresSink
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
        pairs.Add(ConfigYaml.Pair("max-retries", ConfigYaml.Number(p.MaxRetries)));
        pairs.Add(ConfigYaml.Pair("fill-factor", ConfigYaml.Number(p.FillFactor)));
        pairs.Add(ConfigYaml.Pair("parallel-upserts", ConfigYaml.Number(p.ParallelUpserts)));
        return pairs;
    }

    private static PostgresSinkConfig? Bind(MappingReader reader)
    {
        var errors = reader.Context.Errors.Count;
        var connection = reader.String("connection-string", requiredExample: "\"Host=127.0.0.1;Port=5432;Username=platform;Database=warehouse\"");
        if (connection is not null)
        {
            try
            {
                if (!string.IsNullOrEmpty(new NpgsqlConnectionStringBuilder(connection).Password))
                {
                    reader.Context.Error(reader.Get("connection-string"), "'connection-string' must not hold the password", "put the password in an environment variable and name it in 'password-env: PLATFORM_PG_PASSWORD'");
                }
            }
            catch (ArgumentException e)
            {
                reader.Context.Error(reader.Get("connection-string"), $"'connection-string' is not an Npgsql connection string: {e.Message}", "write it as 'Host=127.0.0.1;Port=5432;Username=platform;Database=warehouse'");
            }
        }
        var passwordEnv = reader.String("password-env");
        var schema = Identifier(reader, "schema") ?? PostgresSinkOptions.DefaultSchema;
        var table = Identifier(reader, "table");
        var batchRows = reader.Int32("batch-rows", PostgresSinkOptions.DefaultBatchRows, 1, 10_000_000);
        var maxDelay = reader.Duration("max-delay", PostgresSinkOptions.DefaultMaxDelay, TimeSpan.FromMilliseconds(1));
        var maxRetries = reader.Int32("max-retries", PostgresSinkOptions.DefaultMaxRetries, 0, 1_000_000);
        var fillFactor = reader.Int32("fill-factor", PostgresSinkOptions.DefaultFillFactor, 10, 100);
        var parallelUpserts = reader.Int32("parallel-upserts", PostgresSinkOptions.DefaultParallelUpserts, 1, 16);
        return reader.Context.Errors.Count == errors && connection is not null
            ? new PostgresSinkConfig(connection, passwordEnv, schema, table, batchRows, maxDelay, maxRetries, fillFactor, parallelUpserts)
            : null;
    }

    /// <summary>An optional SQL identifier key; reports an error for anything else.</summary>
    internal static string? Identifier(MappingReader reader, string key)
    {
        var value = reader.String(key);
        if (value is not null && !TableSchema.IsValidIdentifier(value))
        {
            reader.Context.Error(reader.Get(key), $"'{key}' must be an SQL identifier, got '{value}'", $"use letters, digits and '_', starting with a letter or '_', e.g. '{key}: customer_profiles'");
            return null;
        }
        return value;
    }
}
