using System.Diagnostics;
using System.Globalization;
using Npgsql;
using NpgsqlTypes;
using Platform.Engine.Batching;
using Platform.Sinks.Postgres;

namespace Platform.Bench.Warehouse;

/// <summary>
/// <c>dotnet run -c Release --project bench/Platform.Bench -- warehouse [--connection "Host=…"] [--rows 1000000] [--users 100000] [--keys uniform|spread] [--rounds 5] [--baseline-seconds 15] [--batch-rows 50000] [--fill-factor 80] [--parallel-upserts 2]</c>:
/// profile upserts into PostgreSQL, side by side in one run on one server: the sink (binary COPY into staging tables,
/// the batch reduced to one row per key and split by key hash into parallel MERGEs, 50 k rows per batch by default) against a
/// row-by-row parameterised, prepared <c>INSERT … ON CONFLICT DO UPDATE</c> (one statement per row, one transaction per
/// 50 k rows — what the seed does). Each writes to its own table, both created by the sink's migration (same DDL, same
/// fill factor), both holding every user and both given the same 300 k untimed updates and a VACUUM before the clock starts, so both measure the same thing: updates of
/// existing profiles, keys repeating. The two paths take turns in <c>--rounds</c> rounds (the sink writes
/// <c>rows / rounds</c> rows and flushes, then the baseline runs for <c>baseline-seconds / rounds</c>), so a change in the
/// machine's load during the run hits both alike. Prints each round, the rows/s of both over all rounds and the ratio
/// (target ≥ 20×). The connection comes from <c>--connection</c>, else PLATFORM_TEST_PG_CONNECTION
/// (tests/services/postgres.sh starts a throwaway server).
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
        var rows = long.Parse(Arg(args, "--rows") ?? "1000000", CultureInfo.InvariantCulture);
        var users = int.Parse(Arg(args, "--users") ?? "100000", CultureInfo.InvariantCulture);
        var rounds = int.Parse(Arg(args, "--rounds") ?? "5", CultureInfo.InvariantCulture);
        var baselineSeconds = double.Parse(Arg(args, "--baseline-seconds") ?? "15", CultureInfo.InvariantCulture);
        var fillFactor = int.Parse(Arg(args, "--fill-factor") ?? "80", CultureInfo.InvariantCulture);
        // Users drawn at random per update (the default), or in a fixed permutation that never repeats a user within a batch.
        var uniformKeys = (Arg(args, "--keys") ?? "uniform") switch
        {
            "uniform" => true,
            "spread" => false,
            var other => throw new ArgumentException($"--keys is uniform or spread, not {other}."),
        };
        var batchRows = int.Parse(Arg(args, "--batch-rows") ?? BatchRows.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
        var parallel = int.Parse(Arg(args, "--parallel-upserts") ?? PostgresSinkOptions.DefaultParallelUpserts.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
        var ids = Enumerable.Range(0, users).Select(u => "user-" + u.ToString("D7", CultureInfo.InvariantCulture)).ToArray();
        var schema = "bench_" + Environment.ProcessId.ToString(CultureInfo.InvariantCulture);
        await using var admin = NpgsqlDataSource.Create(connection);
        await ExecuteAsync(admin, $"DROP SCHEMA IF EXISTS \"{schema}\" CASCADE; CREATE SCHEMA \"{schema}\"");
        try
        {
            var options = new PostgresSinkOptions { ConnectionString = connection, Schema = schema, BatchRows = batchRows, MaxDelay = TimeSpan.FromMinutes(10), FillFactor = fillFactor, ParallelUpserts = parallel };
            var warmupRows = 6L * batchRows;
            foreach (var table in new[] { "profiles_copy", "profiles_rows" })
            {
                await SeedAsync(admin, options, table, ids);
                // The same untimed updates into both tables, so both start at the size and layout repeated updates give a table
                // (with fillfactor 80 the first ~300 k updates are half non-HOT: the table and its index double), then vacuumed:
                // updates of a freshly seeded table were 30-40 % slower for the sink, which scans the table in its join.
                await using var settle = await CopyPath.OpenAsync(options, table, ids, uniformKeys);
                await settle.WriteAsync(0, warmupRows);
            }
            foreach (var table in new[] { "profiles_copy", "profiles_rows" }) await ExecuteAsync(admin, $"VACUUM ANALYZE \"{schema}\".{table}");
            await using var copyPath = await CopyPath.OpenAsync(options, "profiles_copy", ids, uniformKeys);
            await using var rowPath = await RowByRowPath.OpenAsync(admin, schema, "profiles_rows", ids, uniformKeys);
            // Both paths run untimed first on the sink or connection they are measured with, so neither is measured in
            // unoptimised (tier-0) code or on a fresh connection. The measured updates follow the warm-up's.
            await copyPath.WriteAsync(warmupRows, 2 * batchRows);
            await rowPath.WriteAsync(warmupRows, 2_000, baselineSeconds);
            warmupRows += 2 * batchRows;
            Console.WriteLine(FormattableString.Invariant($"warehouse benchmark: {rows:N0} profile updates over {users:N0} users (all present before the clock starts) into PostgreSQL ({await ServerVersionAsync(admin)}), {batchRows:N0} rows per batch, {parallel} parallel upserts, {(uniformKeys ? "users drawn at random" : "users in a fixed permutation")}, fillfactor {fillFactor}, {rounds} rounds taking turns, load avg {LoadAverage()}"));
            Result copy = new(0, 0), single = new(0, 0);
            for (var round = 0; round < rounds; round++)
            {
                var share = rows / rounds + (round < rows % rounds ? 1 : 0);
                var c = await copyPath.WriteAsync(warmupRows + copy.Rows, share);
                var r = await rowPath.WriteAsync(warmupRows + single.Rows, long.MaxValue, baselineSeconds / rounds);
                copy = new Result(copy.Rows + c.Rows, copy.Seconds + c.Seconds);
                single = new Result(single.Rows + r.Rows, single.Seconds + r.Seconds);
                Console.WriteLine(FormattableString.Invariant($"  round {round + 1}: COPY + upsert {c.Rate,9:N0} rows/s, row-by-row {r.Rate,7:N0} rows/s, {c.Rate / r.Rate,5:N1}x  (load avg {LoadAverage()})"));
            }
            Console.WriteLine(FormattableString.Invariant($"  COPY + upsert (PostgresUpsertSink):   {copy.Rate,12:N0} rows/s  ({copy.Rows:N0} rows in {copy.Seconds:N2} s; {1 - copyPath.Staged / (double)(2 * batchRows + copy.Rows):P0} of them superseded by a later update of their key in the same batch, so not sent)"));
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

    /// <summary>The sink, open across rounds; a round writes updates <c>from .. from + count</c> and flushes (its clock stops when they are committed).</summary>
    private sealed class CopyPath : IAsyncDisposable
    {
        private readonly PostgresUpsertSink<BenchProfile, BenchProfileMapping> _sink;
        private readonly BatchPool<BenchProfile> _pool = new(4096);
        private readonly int _users;
        private readonly bool _uniformKeys;

        private CopyPath(PostgresUpsertSink<BenchProfile, BenchProfileMapping> sink, int users, bool uniformKeys) => (_sink, _users, _uniformKeys) = (sink, users, uniformKeys);

        public static async Task<CopyPath> OpenAsync(PostgresSinkOptions options, string table, string[] ids, bool uniformKeys)
        {
            var sink = new PostgresUpsertSink<BenchProfile, BenchProfileMapping>(options, new BenchProfileMapping(table, ids));
            await sink.OpenAsync(CancellationToken.None);
            return new CopyPath(sink, ids.Length, uniformKeys);
        }

        public async Task<Result> WriteAsync(long from, long count)
        {
            var stopwatch = Stopwatch.StartNew();
            for (var i = from; i < from + count;)
            {
                var batch = _pool.Rent();
                for (; i < from + count && !batch.IsFull; i++) batch.Add(BenchProfileMapping.Make(i, _users, _uniformKeys));
                await _sink.WriteAsync(batch, CancellationToken.None);
                batch.Dispose();
            }
            await _sink.FlushAsync(CancellationToken.None);
            return new Result(count, stopwatch.Elapsed.TotalSeconds);
        }

        /// <summary>Rows that went through COPY and the upsert (after the batches were reduced to one row per key).</summary>
        public long Staged => _sink.RowsStaged;

        public ValueTask DisposeAsync() => _sink.DisposeAsync();
    }

    /// <summary>The seed's writer: one prepared, parameterised INSERT … ON CONFLICT DO UPDATE per row, a transaction per 50 k rows, on one open connection.</summary>
    private sealed class RowByRowPath : IAsyncDisposable
    {
        private readonly NpgsqlConnection _connection;
        private readonly NpgsqlCommand _command;
        private readonly string[] _ids;
        private readonly bool _uniformKeys;
        private readonly NpgsqlParameter<string> _id = new() { NpgsqlDbType = NpgsqlDbType.Text };
        private readonly NpgsqlParameter<double> _score = new() { NpgsqlDbType = NpgsqlDbType.Double };
        private readonly NpgsqlParameter<string> _category = new() { NpgsqlDbType = NpgsqlDbType.Text };
        private readonly NpgsqlParameter<double> _deposits = new() { NpgsqlDbType = NpgsqlDbType.Double };
        private readonly NpgsqlParameter<int> _level = new() { NpgsqlDbType = NpgsqlDbType.Integer };
        private readonly NpgsqlParameter<bool> _twitch = new() { NpgsqlDbType = NpgsqlDbType.Boolean };
        private readonly NpgsqlParameter<DateTime> _activity = new() { NpgsqlDbType = NpgsqlDbType.TimestampTz };
        private readonly NpgsqlParameter<DateTime> _updated = new() { NpgsqlDbType = NpgsqlDbType.TimestampTz };

        private RowByRowPath(NpgsqlConnection connection, string table, string[] ids, bool uniformKeys)
        {
            _connection = connection;
            _ids = ids;
            _uniformKeys = uniformKeys;
            _command = new NpgsqlCommand(
                $"INSERT INTO {table} (customer_id, churn_risk_score, churn_risk_category, total_deposits_usd, gaming_level, twitch_linked, last_activity_date, cdp_last_updated) " +
                "VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (customer_id) DO UPDATE SET churn_risk_score = EXCLUDED.churn_risk_score, " +
                "churn_risk_category = EXCLUDED.churn_risk_category, total_deposits_usd = EXCLUDED.total_deposits_usd, gaming_level = EXCLUDED.gaming_level, " +
                "twitch_linked = EXCLUDED.twitch_linked, last_activity_date = EXCLUDED.last_activity_date, cdp_last_updated = EXCLUDED.cdp_last_updated", connection);
            foreach (var p in new NpgsqlParameter[] { _id, _score, _category, _deposits, _level, _twitch, _activity, _updated }) _command.Parameters.Add(p);
        }

        public static async Task<RowByRowPath> OpenAsync(NpgsqlDataSource dataSource, string schema, string tableName, string[] ids, bool uniformKeys)
        {
            var connection = await dataSource.OpenConnectionAsync();
            var path = new RowByRowPath(connection, $"\"{schema}\".{tableName}", ids, uniformKeys); // created and seeded like the COPY path's table
            await path._command.PrepareAsync();
            return path;
        }

        /// <summary>Writes updates from <paramref name="from"/> until <paramref name="count"/> are written or <paramref name="maxSeconds"/> have passed.</summary>
        public async Task<Result> WriteAsync(long from, long count, double maxSeconds)
        {
            var stopwatch = Stopwatch.StartNew();
            long written = 0;
            while (written < count && stopwatch.Elapsed.TotalSeconds < maxSeconds)
            {
                await using var tx = await _connection.BeginTransactionAsync();
                _command.Transaction = tx;
                for (var n = 0; n < BatchRows && written < count && (n % 100 != 0 || stopwatch.Elapsed.TotalSeconds < maxSeconds); n++, written++)
                {
                    var p = BenchProfileMapping.Make(from + written, _ids.Length, _uniformKeys);
                    _id.TypedValue = _ids[p.User];
                    _score.TypedValue = p.Score;
                    _category.TypedValue = BenchProfileMapping.Categories[p.Category];
                    _deposits.TypedValue = p.Deposits;
                    _level.TypedValue = p.GamingLevel;
                    _twitch.TypedValue = p.TwitchLinked;
                    _activity.TypedValue = DateTime.UnixEpoch.AddMilliseconds(p.LastActivityMs);
                    _updated.TypedValue = DateTime.UnixEpoch.AddMilliseconds(p.UpdatedMs);
                    await _command.ExecuteNonQueryAsync();
                }
                await tx.CommitAsync();
            }
            return new Result(written, stopwatch.Elapsed.TotalSeconds);
        }

        public async ValueTask DisposeAsync()
        {
            await _command.DisposeAsync();
            await _connection.DisposeAsync();
        }
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
