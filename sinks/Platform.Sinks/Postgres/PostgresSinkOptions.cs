using Npgsql;
using Platform.Sinks.Alerts;
using Platform.Sinks.Warehouse;

namespace Platform.Sinks.Postgres;

/// <summary>
/// Where and how a <see cref="PostgresUpsertSink{TRow, TMapping}"/> writes. Immutable; <see cref="Validate"/>
/// checks it (the sink calls it). The password never sits in the connection string a person writes: it comes
/// from <see cref="Password"/> (an environment variable or secrets file), and <see cref="ToString"/> redacts.
/// </summary>
public sealed record PostgresSinkOptions
{
    /// <summary>Default sink name.</summary>
    public const string DefaultName = "postgres";

    /// <summary>Default PostgreSQL schema (namespace).</summary>
    public const string DefaultSchema = "public";

    /// <summary>Default rows per COPY + upsert.</summary>
    public const int DefaultBatchRows = 50_000;

    /// <summary>Default longest time a row waits in the buffer.</summary>
    public static readonly TimeSpan DefaultMaxDelay = TimeSpan.FromSeconds(1);

    /// <summary>Default parts a batch is split into by key hash and upserted in parallel.</summary>
    public const int DefaultParallelUpserts = 2;

    /// <summary>Default fill factor of a created table (PostgreSQL's own).</summary>
    public const int DefaultFillFactor = 100;

    /// <summary>Default retries of a failed batch before the error reaches the pipeline.</summary>
    public const int DefaultMaxRetries = 10;

    /// <summary>Default first retry delay (doubling, with jitter, up to <see cref="DefaultMaxRetryDelay"/>).</summary>
    public static readonly TimeSpan DefaultRetryDelay = TimeSpan.FromMilliseconds(200);

    /// <summary>Default longest retry delay.</summary>
    public static readonly TimeSpan DefaultMaxRetryDelay = TimeSpan.FromSeconds(10);

    /// <summary>An Npgsql connection string without the password, e.g. <c>Host=127.0.0.1;Port=5432;Username=platform;Database=warehouse</c>.</summary>
    public required string ConnectionString { get; init; }

    /// <summary>The password, or null (trust / peer / certificate authentication).</summary>
    public Secret? Password { get; init; }

    /// <summary>The PostgreSQL schema the table lives in (created if missing).</summary>
    public string Schema { get; init; } = DefaultSchema;

    /// <summary>The table, or null for the mapping's <see cref="TableSchema.Name"/>.</summary>
    public string? Table { get; init; }

    /// <summary>Rows per batch: the buffer is written (one COPY, one upsert, one transaction) when it holds this many.</summary>
    public int BatchRows { get; init; } = DefaultBatchRows;

    /// <summary>The buffer is also written when its oldest row has waited this long, even without new writes.</summary>
    public TimeSpan MaxDelay { get; init; } = DefaultMaxDelay;

    /// <summary>Retries of a batch that failed with a transient error (connection lost, server restarting, deadlock, serialization failure).</summary>
    public int MaxRetries { get; init; } = DefaultMaxRetries;

    /// <summary>First retry delay; doubles per attempt with jitter.</summary>
    public TimeSpan RetryDelay { get; init; } = DefaultRetryDelay;

    /// <summary>Longest retry delay.</summary>
    public TimeSpan MaxRetryDelay { get; init; } = DefaultMaxRetryDelay;

    /// <summary>
    /// Fill factor (10–100) of a table the sink creates: below 100 each page keeps room, so an upsert's update can stay
    /// on its page (a HOT update: no new index entry), which makes repeated updates of the same keys cheaper. 100 =
    /// PostgreSQL's default. An existing table keeps its own.
    /// </summary>
    public int FillFactor { get; init; } = DefaultFillFactor;

    /// <summary>
    /// Parts (1–16) a batch is split into by key hash, each upserted in its own transaction on its own connection,
    /// in parallel: the parts share no key, and each waits for the same part of the batch before it, so every key's
    /// rows still reach the table in order. The server's per-row update work then runs on that many backends (two
    /// sets of connections are open, one per buffer). 1 = the whole batch in one transaction.
    /// </summary>
    public int ParallelUpserts { get; init; } = DefaultParallelUpserts;

    /// <summary>The sink's name in logs and metrics.</summary>
    public string Name { get; init; } = DefaultName;

    /// <summary>Throws <see cref="ArgumentException"/> describing the first invalid setting.</summary>
    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(ConnectionString)) throw new ArgumentException("ConnectionString must not be empty.");
        NpgsqlConnectionStringBuilder builder;
        try
        {
            builder = new NpgsqlConnectionStringBuilder(ConnectionString);
        }
        catch (ArgumentException e)
        {
            throw new ArgumentException($"ConnectionString is not a valid Npgsql connection string: {e.Message}");
        }
        if (!string.IsNullOrEmpty(builder.Password)) throw new ArgumentException("ConnectionString must not contain the password; pass it as Password (an environment variable or secrets file).");
        if (!TableSchema.IsValidIdentifier(Schema)) throw new ArgumentException($"Schema '{Schema}' is not a valid identifier.");
        if (Table is not null && !TableSchema.IsValidIdentifier(Table)) throw new ArgumentException($"Table '{Table}' is not a valid identifier: use letters, digits and '_', not starting with a digit, at most 63 characters.");
        if (BatchRows < 1) throw new ArgumentException($"BatchRows must be at least 1, got {BatchRows}.");
        if (MaxDelay <= TimeSpan.Zero) throw new ArgumentException($"MaxDelay must be positive, got {MaxDelay}.");
        if (FillFactor is < 10 or > 100) throw new ArgumentException($"FillFactor must be between 10 and 100, got {FillFactor}.");
        if (ParallelUpserts is < 1 or > 16) throw new ArgumentException($"ParallelUpserts must be between 1 and 16, got {ParallelUpserts}.");
        if (MaxRetries < 0) throw new ArgumentException($"MaxRetries must not be negative, got {MaxRetries}.");
        if (RetryDelay <= TimeSpan.Zero || MaxRetryDelay < RetryDelay) throw new ArgumentException("RetryDelay must be positive and at most MaxRetryDelay.");
        if (string.IsNullOrWhiteSpace(Name)) throw new ArgumentException("Name must not be empty.");
    }

    /// <summary>Builds the pooled data source, with the password applied.</summary>
    internal NpgsqlDataSource CreateDataSource()
    {
        var builder = new NpgsqlDataSourceBuilder(ConnectionString);
        if (Password is not null) builder.ConnectionStringBuilder.Password = Password.Reveal();
        return builder.Build();
    }
}
