using System.Diagnostics;
using System.Globalization;
using Npgsql;
using NpgsqlTypes;
using Platform.Engine.Batching;
using Platform.Sinks.Postgres;

namespace Platform.Bench.Warehouse;

/// <summary>
/// <c>dotnet run -c Release --project bench/Platform.Bench -- warehouse [--connection "Host=…"] [--rows 500000] [--users 100000] [--baseline-seconds 20] [--fill-factor 100]</c>:
/// profile upserts into PostgreSQL, side by side in one run on one server: the sink (binary COPY into a staging table +
/// one <c>INSERT … ON CONFLICT DO UPDATE</c> per 50 k rows) against a row-by-row parameterised, prepared
/// <c>INSERT … ON CONFLICT DO UPDATE</c> (one statement per row, one transaction per 50 k rows — what the seed does).
/// Each writes to its own table, both created by the sink's migration (same DDL, same fill factor) and both holding
/// every user before the clock starts, so both measure the same thing: updates of existing profiles, keys repeating.
/// The row-by-row baseline runs for at most <c>--baseline-seconds</c>. Prints rows/s of both and the ratio (target ≥ 20×).
/// The connection comes from <c>--connection</c>, else PLATFORM_TEST_PG_CONNECTION (tests/services/postgres.sh starts a
/// throwaway server).
/// </summary>
internal static class WarehouseBench
{
    private const int BatchRows = 50_000;

    public static async Task<int> RunAsync(string[] args)
    {
        var connection = Arg(args, "--connection") ?? Environment.GetEnvironmentVariable("PLATFORM_TEST_PG_CONNECTION");
        if (string.IsNullOrEmpty(connection))
        {
            Console.Error.WriteLine("warehouse benchmark: no PostgreSQL. Pass --connection \"Host=127.0.0.1;Port=…;Username=…;Database=…\" or export PLATFORM_TEST_PG_CONNECTION (tests/services/postgres.sh starts a throwaway server).");
            return 2;
        }
        var rows = long.Parse(Arg(args, "--rows") ?? "500000", CultureInfo.InvariantCulture);
        var users = int.Parse(Arg(args, "--users") ?? "100000", CultureInfo.InvariantCulture);
        var baselineSeconds = double.Parse(Arg(args, "--baseline-seconds") ?? "20", CultureInfo.InvariantCulture);
        var fillFactor = int.Parse(Arg(args, "--fill-factor") ?? "100", CultureInfo.InvariantCulture);
        var ids = Enumerable.Range(0, users).Select(u => "user-" + u.ToString("D7", CultureInfo.InvariantCulture)).ToArray();
        var schema = "bench_" + Environment.ProcessId.ToString(CultureInfo.InvariantCulture);
        await using var admin = NpgsqlDataSource.Create(connection);
        await ExecuteAsync(admin, $"DROP SCHEMA IF EXISTS \"{schema}\" CASCADE; CREATE SCHEMA \"{schema}\"");
        try
        {
            var options = new PostgresSinkOptions { ConnectionString = connection, Schema = schema, BatchRows = BatchRows, MaxDelay = TimeSpan.FromMinutes(10), FillFactor = fillFactor };
            foreach (var table in new[] { "profiles_copy", "profiles_rows", "warmup_copy", "warmup_rows" }) await SeedAsync(admin, options, table, ids);
            // Both paths run once untimed on their own tables first, so neither is measured in unoptimised (tier-0) code:
            // on a busy machine the JIT's background thread can leave the first batches unoptimised for seconds.
            await CopyUpsertAsync(options, "warmup_copy", ids, 2 * BatchRows);
            await RowByRowAsync(admin, schema, "warmup_rows", ids, 2_000, baselineSeconds);
            Console.WriteLine(FormattableString.Invariant($"warehouse benchmark: {rows:N0} profile updates over {users:N0} users (all present before the clock starts) into PostgreSQL ({await ServerVersionAsync(admin)}), {BatchRows:N0} rows per transaction, fillfactor {fillFactor}, load avg {LoadAverage()}"));
            var copy = await CopyUpsertAsync(options, "profiles_copy", ids, rows);
            Console.WriteLine(FormattableString.Invariant($"  COPY + upsert (PostgresUpsertSink):   {copy.Rate,12:N0} rows/s  ({copy.Rows:N0} rows in {copy.Seconds:N2} s)"));
            var single = await RowByRowAsync(admin, schema, "profiles_rows", ids, rows, baselineSeconds);
            Console.WriteLine(FormattableString.Invariant($"  row-by-row parameterised INSERT:      {single.Rate,12:N0} rows/s  ({single.Rows:N0} rows in {single.Seconds:N2} s)"));
            Console.WriteLine(FormattableString.Invariant($"  ratio: {copy.Rate / single.Rate:N1}x (target >= 20x)"));
            Console.WriteLine(FormattableString.Invariant($"  rows in the tables: {await CountAsync(admin, schema, "profiles_copy"):N0} and {await CountAsync(admin, schema, "profiles_rows"):N0} (one per user); load avg after {LoadAverage()}"));
            return 0;
        }
        finally
        {
            await ExecuteAsync(admin, $"DROP SCHEMA IF EXISTS \"{schema}\" CASCADE");
        }
    }

    private sealed record Result(long Rows, double Seconds)
    {
        public double Rate => Rows / Seconds;
    }

    /// <summary>Creates <paramref name="table"/> through the sink's migration and inserts every user once (untimed), then vacuums and analyses it.</summary>
    private static async Task SeedAsync(NpgsqlDataSource admin, PostgresSinkOptions options, string table, string[] ids)
    {
        await using (var creator = new PostgresUpsertSink<BenchProfile, BenchProfileMapping>(options, new BenchProfileMapping(table, ids)))
        {
            await creator.OpenAsync(CancellationToken.None);
        }
        await using (var seed = admin.CreateCommand(
            $"INSERT INTO \"{options.Schema}\".{table} SELECT id, 0.5, 'Low', 0, 0, false, now(), now() FROM unnest($1::text[]) AS id"))
        {
            seed.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = ids });
            await seed.ExecuteNonQueryAsync();
        }
        await ExecuteAsync(admin, $"VACUUM ANALYZE \"{options.Schema}\".{table}");
    }

    private static async Task<Result> CopyUpsertAsync(PostgresSinkOptions options, string table, string[] ids, long rows)
    {
        var mapping = new BenchProfileMapping(table, ids);
        await using var sink = new PostgresUpsertSink<BenchProfile, BenchProfileMapping>(options, mapping);
        await sink.OpenAsync(CancellationToken.None);
        var pool = new BatchPool<BenchProfile>(4096);
        var stopwatch = Stopwatch.StartNew();
        for (long i = 0; i < rows;)
        {
            var batch = pool.Rent();
            for (; i < rows && !batch.IsFull; i++) batch.Add(BenchProfileMapping.Make(i, ids.Length));
            await sink.WriteAsync(batch, CancellationToken.None);
            batch.Dispose();
        }
        await sink.FlushAsync(CancellationToken.None);
        return new Result(rows, stopwatch.Elapsed.TotalSeconds);
    }

    private static async Task<Result> RowByRowAsync(NpgsqlDataSource dataSource, string schema, string tableName, string[] ids, long rows, double maxSeconds)
    {
        var table = $"\"{schema}\".{tableName}"; // created and seeded like the COPY path's table
        await using var connection = await dataSource.OpenConnectionAsync();
        await using var command = new NpgsqlCommand(
            $"INSERT INTO {table} (customer_id, churn_risk_score, churn_risk_category, total_deposits_usd, gaming_level, twitch_linked, last_activity_date, cdp_last_updated) " +
            "VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (customer_id) DO UPDATE SET churn_risk_score = EXCLUDED.churn_risk_score, " +
            "churn_risk_category = EXCLUDED.churn_risk_category, total_deposits_usd = EXCLUDED.total_deposits_usd, gaming_level = EXCLUDED.gaming_level, " +
            "twitch_linked = EXCLUDED.twitch_linked, last_activity_date = EXCLUDED.last_activity_date, cdp_last_updated = EXCLUDED.cdp_last_updated", connection);
        var id = new NpgsqlParameter<string> { NpgsqlDbType = NpgsqlDbType.Text };
        var score = new NpgsqlParameter<double> { NpgsqlDbType = NpgsqlDbType.Double };
        var category = new NpgsqlParameter<string> { NpgsqlDbType = NpgsqlDbType.Text };
        var deposits = new NpgsqlParameter<double> { NpgsqlDbType = NpgsqlDbType.Double };
        var level = new NpgsqlParameter<int> { NpgsqlDbType = NpgsqlDbType.Integer };
        var twitch = new NpgsqlParameter<bool> { NpgsqlDbType = NpgsqlDbType.Boolean };
        var activity = new NpgsqlParameter<DateTime> { NpgsqlDbType = NpgsqlDbType.TimestampTz };
        var updated = new NpgsqlParameter<DateTime> { NpgsqlDbType = NpgsqlDbType.TimestampTz };
        foreach (var p in new NpgsqlParameter[] { id, score, category, deposits, level, twitch, activity, updated }) command.Parameters.Add(p);
        await command.PrepareAsync();
        var stopwatch = Stopwatch.StartNew();
        long written = 0;
        while (written < rows && stopwatch.Elapsed.TotalSeconds < maxSeconds)
        {
            await using var tx = await connection.BeginTransactionAsync();
            command.Transaction = tx;
            for (var n = 0; n < BatchRows && written < rows && (n % 1000 != 0 || stopwatch.Elapsed.TotalSeconds < maxSeconds); n++, written++)
            {
                var p = BenchProfileMapping.Make(written, ids.Length);
                id.TypedValue = ids[p.User];
                score.TypedValue = p.Score;
                category.TypedValue = BenchProfileMapping.Categories[p.Category];
                deposits.TypedValue = p.Deposits;
                level.TypedValue = p.GamingLevel;
                twitch.TypedValue = p.TwitchLinked;
                activity.TypedValue = DateTime.UnixEpoch.AddMilliseconds(p.LastActivityMs);
                updated.TypedValue = DateTime.UnixEpoch.AddMilliseconds(p.UpdatedMs);
                await command.ExecuteNonQueryAsync();
            }
            await tx.CommitAsync();
        }
        return new Result(written, stopwatch.Elapsed.TotalSeconds);
    }

    private static async Task ExecuteAsync(NpgsqlDataSource dataSource, string sql)
    {
        await using var command = dataSource.CreateCommand(sql);
        await command.ExecuteNonQueryAsync();
    }

    private static async Task<long> CountAsync(NpgsqlDataSource dataSource, string schema, string table)
    {
        await using var command = dataSource.CreateCommand($"SELECT count(*) FROM \"{schema}\".\"{table}\"");
        return (long)(await command.ExecuteScalarAsync())!;
    }

    private static async Task<string> ServerVersionAsync(NpgsqlDataSource dataSource)
    {
        await using var command = dataSource.CreateCommand("SHOW server_version");
        return (string)(await command.ExecuteScalarAsync())!;
    }

    private static string? Arg(string[] args, string name)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    }

    private static string LoadAverage()
    {
        try
        {
            return string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3));
        }
        catch (IOException)
        {
            return "n/a";
        }
    }
}
