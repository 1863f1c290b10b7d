using DuckDB.NET.Data;
using Platform.Engine.Records;
using Platform.Engine.Symbols;
using Platform.Sinks.DuckDb;
using Platform.Sinks.Postgres;
using Platform.Sinks.Warehouse;
using Platform.Warehouse.Tests.Infrastructure;

namespace Platform.Warehouse.Tests.DuckDb;

/// <summary>The DuckDB upsert sink, and that it leaves the same table as the PostgreSQL sink for the same input.</summary>
public sealed class DuckDbUpsertSinkTests
{
    private const string ProfileColumns = "customer_id, email, churn_risk_score, churn_risk_category, total_deposits_usd, gaming_level, twitch_linked, last_activity_date, update_seq, cdp_last_updated";

    [Fact]
    public async Task Upsert_RepeatedKeysAcrossAndWithinBatches_LeavesTheLatestRowPerKey()
    {
        const int Users = 2_000;
        const int Updates = 60_000;
        using var dir = new TempDir();
        var ids = ProfileUpdates.UserIds(Users);
        var options = new DuckDbTableSinkOptions { Path = dir.File("w.duckdb"), BatchRows = 7_000 };
        await using (var sink = new DuckDbUpsertSink<ProfileUpdate, ProfileMapping>(options, new ProfileMapping("customer_profiles", ids)))
        {
            await sink.OpenAsync(CancellationToken.None);
            await SinkDriver.WriteAsync(sink, Enumerable.Range(0, Updates).Select(i => ProfileUpdates.Make(i, Users)), batchSize: 1000);
            await sink.FlushAsync(CancellationToken.None);
        }
        var latest = ProfileUpdates.Latest(Updates, Users);
        var rows = ReadDuckDb(options.Path, "customer_profiles");
        Assert.Equal(Users, rows.Count);
        foreach (var row in rows)
        {
            var expected = latest[int.Parse(((string)row[0]!)[5..], System.Globalization.CultureInfo.InvariantCulture)];
            Assert.Equal(expected.Sequence, (long)row[8]!);
            Assert.Equal(expected.Score, (double)row[2]!);
        }
    }

    [Fact]
    public async Task Upsert_SameInputAsPostgres_LeavesTheSameRows()
    {
        const int Users = 300;
        await using var pg = await PostgresScratch.CreateAsync();
        using var dir = new TempDir();
        var ids = ProfileUpdates.UserIds(Users);
        var emails = ids.Select(id => id + "'; DROP TABLE x; --").ToArray();
        var mapping = new ProfileMapping("profiles", ids, emails, versioned: true);
        // Versions out of arrival order: every fourth update carries an older timestamp than the one before it.
        var updates = Enumerable.Range(0, 5_000).Select(i =>
        {
            var u = ProfileUpdates.Make(i, Users);
            return i % 4 == 3 ? u with { UpdatedMs = u.UpdatedMs - 10 } : u;
        }).ToArray();
        var batches = updates.Chunk(700).ToArray();

        await using (var duck = new DuckDbUpsertSink<ProfileUpdate, ProfileMapping>(new DuckDbTableSinkOptions { Path = dir.File("w.duckdb"), BatchRows = 1_000 }, mapping))
        await using (var postgres = new PostgresUpsertSink<ProfileUpdate, ProfileMapping>(new PostgresSinkOptions { ConnectionString = pg.ConnectionString, Schema = pg.Schema, BatchRows = 1_000 }, mapping))
        {
            await duck.OpenAsync(CancellationToken.None);
            await postgres.OpenAsync(CancellationToken.None);
            foreach (var batch in batches)
            {
                await SinkDriver.WriteAsync(duck, batch, batchSize: 350);
                await SinkDriver.WriteAsync(postgres, batch, batchSize: 350);
            }
            await duck.FlushAsync(CancellationToken.None);
            await postgres.FlushAsync(CancellationToken.None);
        }

        var fromDuck = ReadDuckDb(dir.File("w.duckdb"), "profiles");
        var fromPostgres = new List<object?[]>();
        await using (var command = pg.DataSource.CreateCommand($"SELECT {ProfileColumns} FROM \"{pg.Schema}\".profiles ORDER BY customer_id"))
        await using (var reader = await command.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                var row = new object?[reader.FieldCount];
                for (var i = 0; i < row.Length; i++) row[i] = reader.IsDBNull(i) ? null : reader.GetValue(i);
                fromPostgres.Add(row);
            }
        }
        Assert.Equal(Users, fromPostgres.Count);
        Assert.Equal(fromPostgres.Count, fromDuck.Count);
        for (var r = 0; r < fromPostgres.Count; r++)
        {
            for (var c = 0; c < fromPostgres[r].Length; c++)
            {
                var p = fromPostgres[r][c] is DateTime pt ? DateTime.SpecifyKind(pt, DateTimeKind.Unspecified) : fromPostgres[r][c];
                var d = fromDuck[r][c] is DateTime dt ? DateTime.SpecifyKind(dt, DateTimeKind.Unspecified) : fromDuck[r][c];
                Assert.Equal(p, d);
            }
        }
    }

    [Fact]
    public async Task Open_TableMissingAColumn_AddsIt()
    {
        using var dir = new TempDir();
        var options = new DuckDbTableSinkOptions { Path = dir.File("w.duckdb") };
        await using (var v1 = new DuckDbUpsertSink<ProfileUpdate, ProfileMapping>(options, new ProfileMapping("profiles", ["a", "b"])))
        {
            await v1.OpenAsync(CancellationToken.None);
            await SinkDriver.WriteAsync(v1, [ProfileUpdates.Make(0, 2), ProfileUpdates.Make(1, 2)]);
            await v1.FlushAsync(CancellationToken.None);
        }
        await using (var v2 = new DuckDbUpsertSink<ProfileUpdate, ProfileMapping>(options, new ProfileMapping("profiles", ["a", "b"], withNotes: true)))
        {
            await v2.OpenAsync(CancellationToken.None);
            Assert.Equal(["notes"], v2.Migration!.AddedColumns);
            await SinkDriver.WriteAsync(v2, [ProfileUpdates.Make(2, 2)]);
            await v2.FlushAsync(CancellationToken.None);
        }
        using var connection = new DuckDBConnection($"Data Source={options.Path}");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT count(*) FILTER (WHERE notes = 'v2'), count(*) FROM profiles";
        using var reader = command.ExecuteReader();
        Assert.True(reader.Read());
        Assert.Equal(1L, reader.GetInt64(0));
        Assert.Equal(2L, reader.GetInt64(1));
    }

    [Fact]
    public async Task WindowStatsMapping_ReplayedWindow_ReplacesItsRow()
    {
        using var dir = new TempDir();
        var symbols = new SymbolTable();
        var key = new SensorKey(symbols.Intern("dev-1"), symbols.Intern("temperature")).Packed;
        var options = new DuckDbTableSinkOptions { Path = dir.File("w.duckdb") };
        await using (var sink = new DuckDbUpsertSink<WindowResult, WindowStatsMapping>(options, new WindowStatsMapping(symbols)))
        {
            await sink.OpenAsync(CancellationToken.None);
            await SinkDriver.WriteAsync(sink, [new WindowResult { Key = key, WindowStart = 0, WindowEnd = 10_000, Count = 3, Mean = 1 }]);
            await sink.FlushAsync(CancellationToken.None);
            await SinkDriver.WriteAsync(sink, [new WindowResult { Key = key, WindowStart = 0, WindowEnd = 10_000, Count = 4, Mean = 2, IsUpdate = true }]);
            await sink.FlushAsync(CancellationToken.None);
        }
        var rows = ReadDuckDb(options.Path, "window_stats", "device_id, sensor_type, count, mean, is_update");
        var row = Assert.Single(rows);
        Assert.Equal(["dev-1", "temperature", 4L, 2.0, true], row);
    }

    private static List<object?[]> ReadDuckDb(string path, string table, string columns = ProfileColumns)
    {
        using var connection = new DuckDBConnection($"Data Source={path}");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = $"SELECT {columns} FROM {table} ORDER BY 1";
        using var reader = command.ExecuteReader();
        var rows = new List<object?[]>();
        while (reader.Read())
        {
            var row = new object?[reader.FieldCount];
            for (var i = 0; i < row.Length; i++) row[i] = reader.IsDBNull(i) ? null : reader.GetValue(i);
            rows.Add(row);
        }
        return rows;
    }
}
