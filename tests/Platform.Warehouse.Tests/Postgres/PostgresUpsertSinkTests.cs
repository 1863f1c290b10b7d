using Npgsql;
using Platform.Sinks.Postgres;
using Platform.Sinks.Warehouse;
using Platform.Warehouse.Tests.Infrastructure;

namespace Platform.Warehouse.Tests.Postgres;

/// <summary>The PostgreSQL upsert sink against a real server (tests/services/postgres.sh).</summary>
public sealed class PostgresUpsertSinkTests
{
    private static PostgresSinkOptions Options(PostgresScratch pg, int batchRows = 50_000) => new()
    {
        ConnectionString = pg.ConnectionString,
        Schema = pg.Schema,
        BatchRows = batchRows,
        MaxDelay = TimeSpan.FromMinutes(5),
        RetryDelay = TimeSpan.FromMilliseconds(20),
        MaxRetryDelay = TimeSpan.FromMilliseconds(200),
        Name = "pg-" + pg.Schema,
    };

    [Fact]
    public async Task Upsert_MillionUpdatesWithRepeatedKeys_LeavesOneRowPerUserWithItsLatestValues()
    {
        const int Users = 100_000;
        const long Updates = 1_000_000;
        await using var pg = await PostgresScratch.CreateAsync();
        var ids = ProfileUpdates.UserIds(Users);
        var emails = ids.Select(id => id + "@example.com").ToArray();
        var mapping = new ProfileMapping("CUSTOMER_PROFILES", ids, emails);
        await using (var sink = new PostgresUpsertSink<ProfileUpdate, ProfileMapping>(Options(pg), mapping))
        {
            await sink.OpenAsync(CancellationToken.None);
            Assert.True(sink.Migration!.Created);
            await SinkDriver.WriteAsync(sink, Enumerable.Range(0, (int)Updates).Select(i => ProfileUpdates.Make(i, Users)), batchSize: 4096);
            await sink.FlushAsync(CancellationToken.None);
            Assert.Equal(Updates, sink.RowsWritten);
            Assert.Equal(Updates, sink.RowsStaged); // no user repeats within 100 k consecutive updates, so nothing is reduced
            // One COPY + upsert per ~50 k rows (the buffer passes BatchRows by at most one incoming batch).
            Assert.InRange(sink.BatchesWritten, Updates / (50_000 + 4096), Updates / 50_000);
        }

        // Unquoted CUSTOMER_PROFILES folds to the table's lower-case name.
        Assert.Equal(Users, await pg.ScalarAsync<long>($"SELECT count(*) FROM \"{pg.Schema}\".CUSTOMER_PROFILES"));
        Assert.Equal(Users, await pg.ScalarAsync<long>($"SELECT count(DISTINCT customer_id) FROM \"{pg.Schema}\".customer_profiles"));
        var latest = ProfileUpdates.Latest(Updates, Users);
        var checkedRows = 0;
        await using (var command = pg.DataSource.CreateCommand(
            $"SELECT customer_id, email, churn_risk_score, churn_risk_category, total_deposits_usd, gaming_level, twitch_linked, last_activity_date, update_seq, cdp_last_updated FROM \"{pg.Schema}\".customer_profiles"))
        await using (var reader = await command.ExecuteReaderAsync())
        {
            var index = ids.Select((id, i) => (id, i)).ToDictionary(p => p.id, p => p.i);
            while (await reader.ReadAsync())
            {
                var expected = latest[index[reader.GetString(0)]];
                Assert.Equal(expected.Sequence, reader.GetInt64(8));
                Assert.Equal(expected.HasEmail ? emails[expected.User] : null, reader.IsDBNull(1) ? null : reader.GetString(1));
                Assert.Equal(expected.Score, reader.GetDouble(2));
                Assert.Equal(ProfileMapping.CategoryName(expected.Category), reader.GetString(3));
                Assert.Equal(expected.Deposits, reader.GetDouble(4));
                Assert.Equal(expected.GamingLevel, reader.GetInt32(5));
                Assert.Equal(expected.TwitchLinked, reader.GetBoolean(6));
                Assert.Equal(DateTime.UnixEpoch.AddMilliseconds(expected.LastActivityMs), reader.GetDateTime(7));
                Assert.Equal(DateTime.UnixEpoch.AddMilliseconds(expected.UpdatedMs), reader.GetDateTime(9));
                checkedRows++;
            }
        }
        Assert.Equal(Users, checkedRows);
    }

    [Fact]
    public async Task Upsert_ValueWithQuotesSemicolonsAndDropTable_IsStoredVerbatim()
    {
        const string Hostile = "O'Brien \"the\" admin; '; DROP TABLE customer_profiles; -- \\ $1 $$ E'\\x00' \n\t ünïcødé 🙂";
        await using var pg = await PostgresScratch.CreateAsync();
        var ids = new[] { Hostile, "plain" };
        var emails = new[] { "'; DROP TABLE customer_profiles; --@x.com", "a@b.c" };
        var mapping = new ProfileMapping("customer_profiles", ids, emails);
        await using (var sink = new PostgresUpsertSink<ProfileUpdate, ProfileMapping>(Options(pg), mapping))
        {
            await sink.OpenAsync(CancellationToken.None);
            var rows = new[] { ProfileUpdates.Make(0, 2), ProfileUpdates.Make(1, 2), ProfileUpdates.Make(2, 2) with { User = 0, HasEmail = true } };
            await SinkDriver.WriteAsync(sink, rows);
            await sink.FlushAsync(CancellationToken.None);
        }
        Assert.Equal(2L, await pg.ScalarAsync<long>($"SELECT count(*) FROM \"{pg.Schema}\".customer_profiles"));
        Assert.Equal(emails[0], await pg.ScalarAsync<string>($"SELECT email FROM \"{pg.Schema}\".customer_profiles WHERE customer_id = $1", Hostile));
        Assert.Equal(Hostile, await pg.ScalarAsync<string>($"SELECT customer_id FROM \"{pg.Schema}\".customer_profiles WHERE update_seq = 2"));
    }

    [Fact]
    public async Task Upsert_ValuesAtTheEdgesOfEachType_ComeBackBitForBit()
    {
        // The sink encodes COPY's binary format itself: text longer than its 64 KB chunk (multi-byte, so bytes != chars),
        // nulls, IEEE specials and -0.0, integer extremes, and timestamps at both ends of what DateTime holds and before 1970.
        var longText = string.Concat(Enumerable.Repeat("ünïcødé 🙂 '; DROP TABLE x; -- ", 5_000));
        EdgeRow[] rows =
        [
            new("long", longText, -0.0, int.MinValue, long.MaxValue, true, -62_135_596_800_000),
            new("nan", null, double.NaN, int.MaxValue, long.MinValue, false, 253_402_300_799_999),
            new("+inf", "", double.PositiveInfinity, 0, 0, true, -1),
            new("-inf", "x", double.NegativeInfinity, -1, -1, false, 0),
            new("tiny", "\t\n", double.Epsilon, 42, 1L << 53, true, 1_764_000_000_123),
        ];
        await using var pg = await PostgresScratch.CreateAsync();
        await using (var sink = new PostgresUpsertSink<EdgeRow, EdgeMapping>(Options(pg), default))
        {
            await sink.OpenAsync(CancellationToken.None);
            await SinkDriver.WriteAsync(sink, rows);
            await sink.FlushAsync(CancellationToken.None);
        }
        var stored = new Dictionary<string, EdgeRow>();
        await using (var command = pg.DataSource.CreateCommand($"SELECT id, note, d, i, l, b, ts FROM \"{pg.Schema}\".edges"))
        await using (var reader = await command.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                stored[reader.GetString(0)] = new EdgeRow(reader.GetString(0), reader.IsDBNull(1) ? null : reader.GetString(1), reader.GetDouble(2),
                    reader.GetInt32(3), reader.GetInt64(4), reader.GetBoolean(5), (reader.GetDateTime(6) - DateTime.UnixEpoch).Ticks / TimeSpan.TicksPerMillisecond);
            }
        }
        Assert.Equal(rows.Length, stored.Count);
        foreach (var row in rows)
        {
            var back = stored[row.Id];
            Assert.Equal(row.Note, back.Note);
            Assert.Equal(BitConverter.DoubleToInt64Bits(row.D), BitConverter.DoubleToInt64Bits(back.D));
            Assert.Equal((row.I, row.L, row.B, row.Ms), (back.I, back.L, back.B, back.Ms));
        }
    }

    [Theory]
    [InlineData(1, false)]
    [InlineData(3, false)]
    [InlineData(3, true)]
    public async Task Upsert_BatchesFullOfRepeatedKeys_LeaveTheLatestRowPerKey(int parallelUpserts, bool versioned)
    {
        const int Users = 37;
        const int Updates = 30_000;
        await using var pg = await PostgresScratch.CreateAsync();
        var ids = ProfileUpdates.UserIds(Users);
        // With a version column, every third update carries an older timestamp than the one before it and must lose.
        var updates = Enumerable.Range(0, Updates)
            .Select(i => ProfileUpdates.Make(i, Users) with { UpdatedMs = ProfileUpdates.BaseMs + i - (versioned && i % 3 == 2 ? 5_000 : 0) })
            .ToArray();
        await using (var sink = new PostgresUpsertSink<ProfileUpdate, ProfileMapping>(Options(pg, batchRows: 7_000) with { ParallelUpserts = parallelUpserts }, new ProfileMapping("profiles", ids, versioned: versioned)))
        {
            await sink.OpenAsync(CancellationToken.None);
            await SinkDriver.WriteAsync(sink, updates, batchSize: 1000);
            await sink.FlushAsync(CancellationToken.None);
            Assert.Equal(Updates, sink.RowsWritten);
            Assert.InRange(sink.RowsStaged, Users, Users * sink.BatchesWritten); // at most one row per user and batch reached PostgreSQL
        }
        var expected = new Dictionary<string, long>();
        foreach (var u in updates)
        {
            var id = ids[u.User];
            if (!versioned || !expected.TryGetValue(id, out var kept) || u.UpdatedMs >= updates[kept].UpdatedMs) expected[id] = u.Sequence;
        }
        var stored = new Dictionary<string, long>();
        await using (var command = pg.DataSource.CreateCommand($"SELECT customer_id, update_seq FROM \"{pg.Schema}\".profiles"))
        await using (var reader = await command.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync()) stored.Add(reader.GetString(0), reader.GetInt64(1));
        }
        Assert.Equal(expected.OrderBy(p => p.Key), stored.OrderBy(p => p.Key));
    }

    [Fact]
    public async Task Upsert_MergeMeetsAUniqueViolation_SameRowsLandThroughInsertOnConflict()
    {
        await using var pg = await PostgresScratch.CreateAsync();
        var ids = ProfileUpdates.UserIds(100);
        var options = Options(pg);
        await using var sink = new PostgresUpsertSink<ProfileUpdate, ProfileMapping>(options, new ProfileMapping("profiles", ids));
        await sink.OpenAsync(CancellationToken.None);
        // Stands in for another session inserting a key between MERGE's join and its insert: every insert made by a
        // MERGE fails as a unique violation would; INSERT … ON CONFLICT is let through.
        await using (var command = pg.DataSource.CreateCommand(
            $"CREATE FUNCTION \"{pg.Schema}\".refuse_merge() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN " +
            "IF current_query() ILIKE 'MERGE%' THEN RAISE EXCEPTION 'duplicate key (simulated)' USING ERRCODE = 'unique_violation'; END IF; RETURN NEW; END $$; " +
            $"CREATE TRIGGER refuse_merge BEFORE INSERT ON \"{pg.Schema}\".profiles FOR EACH ROW EXECUTE FUNCTION \"{pg.Schema}\".refuse_merge()"))
        {
            await command.ExecuteNonQueryAsync();
        }
        await SinkDriver.WriteAsync(sink, Enumerable.Range(0, 300).Select(i => ProfileUpdates.Make(i, 100)));
        await sink.FlushAsync(CancellationToken.None);
        Assert.Equal(100L, await pg.ScalarAsync<long>($"SELECT count(*) FROM \"{pg.Schema}\".profiles"));
        Assert.Equal(Enumerable.Range(200, 100).Sum(i => (long)i), await pg.ScalarAsync<decimal>($"SELECT sum(update_seq) FROM \"{pg.Schema}\".profiles"));
        Assert.Equal(0, sink.Retries);
    }

    [Fact]
    public async Task Open_TableMissingAColumn_AddsItAndKeepsExistingRows()
    {
        await using var pg = await PostgresScratch.CreateAsync();
        var ids = ProfileUpdates.UserIds(10);
        await using (var v1 = new PostgresUpsertSink<ProfileUpdate, ProfileMapping>(Options(pg), new ProfileMapping("profiles", ids)))
        {
            await v1.OpenAsync(CancellationToken.None);
            await SinkDriver.WriteAsync(v1, Enumerable.Range(0, 10).Select(i => ProfileUpdates.Make(i, 10)));
            await v1.FlushAsync(CancellationToken.None);
        }
        await using (var v2 = new PostgresUpsertSink<ProfileUpdate, ProfileMapping>(Options(pg), new ProfileMapping("profiles", ids, withNotes: true)))
        {
            await v2.OpenAsync(CancellationToken.None);
            Assert.False(v2.Migration!.Created);
            Assert.Equal(["notes"], v2.Migration.AddedColumns);
            await SinkDriver.WriteAsync(v2, Enumerable.Range(10, 5).Select(i => ProfileUpdates.Make(i, 10)));
            await v2.FlushAsync(CancellationToken.None);
        }
        Assert.Equal(10L, await pg.ScalarAsync<long>($"SELECT count(*) FROM \"{pg.Schema}\".profiles"));
        Assert.Equal(5L, await pg.ScalarAsync<long>($"SELECT count(*) FROM \"{pg.Schema}\".profiles WHERE notes = 'v2'"));
        Assert.Equal(5L, await pg.ScalarAsync<long>($"SELECT count(*) FROM \"{pg.Schema}\".profiles WHERE notes IS NULL"));
    }

    [Fact]
    public async Task Open_ColumnWithAnotherType_FailsNamingBothTypes()
    {
        await using var pg = await PostgresScratch.CreateAsync();
        await using (var command = pg.DataSource.CreateCommand($"CREATE TABLE \"{pg.Schema}\".profiles (customer_id text PRIMARY KEY, churn_risk_score text)"))
        {
            await command.ExecuteNonQueryAsync();
        }
        await using var sink = new PostgresUpsertSink<ProfileUpdate, ProfileMapping>(Options(pg), new ProfileMapping("profiles", ["u"]));
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => sink.OpenAsync(CancellationToken.None).AsTask());
        Assert.Contains("churn_risk_score", error.Message, StringComparison.Ordinal);
        Assert.Contains("text", error.Message, StringComparison.Ordinal);
        Assert.Contains("double precision", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Upsert_WithVersionColumn_KeepsTheNewerStoredRowAgainstAnOlderReplay()
    {
        await using var pg = await PostgresScratch.CreateAsync();
        var mapping = new ProfileMapping("profiles", ["u0"], versioned: true);
        var newer = ProfileUpdates.Make(10, 1);
        var older = ProfileUpdates.Make(3, 1);
        await using (var sink = new PostgresUpsertSink<ProfileUpdate, ProfileMapping>(Options(pg), mapping))
        {
            await sink.OpenAsync(CancellationToken.None);
            await SinkDriver.WriteAsync(sink, [newer]);
            await sink.FlushAsync(CancellationToken.None);
            // Within one batch the highest version wins even when it arrives first; across batches the stored newer row stays.
            await SinkDriver.WriteAsync(sink, [ProfileUpdates.Make(12, 1), ProfileUpdates.Make(11, 1)]);
            await sink.FlushAsync(CancellationToken.None);
            await SinkDriver.WriteAsync(sink, [older]);
            await sink.FlushAsync(CancellationToken.None);
        }
        Assert.Equal(12L, await pg.ScalarAsync<long>($"SELECT update_seq FROM \"{pg.Schema}\".profiles"));
    }

    [Fact]
    public async Task Write_BackendsTerminatedMidRun_RetriesAndLosesNothing()
    {
        const int Users = 5_000;
        await using var pg = await PostgresScratch.CreateAsync();
        var ids = ProfileUpdates.UserIds(Users);
        var options = Options(pg, batchRows: 5_000);
        await using var sink = new PostgresUpsertSink<ProfileUpdate, ProfileMapping>(options, new ProfileMapping("profiles", ids));
        await sink.OpenAsync(CancellationToken.None);

        // Terminate the sink's backends three times, at random moments while batches are written: mid-COPY,
        // mid-upsert or idle in the pool, each makes the next statement fail with 57P01 or a broken connection.
        var terminated = 0;
        var killer = Task.Run(async () =>
        {
            await using var admin = NpgsqlDataSource.Create(pg.ConnectionString);
            while (terminated < 3)
            {
                await Task.Delay(Random.Shared.Next(50, 400));
                await using var command = admin.CreateCommand("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = $1 AND pid <> pg_backend_pid()");
                command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = "platform-sink-" + options.Name });
                terminated += (int)(long)(await command.ExecuteScalarAsync())!;
            }
        });

        long written = 0;
        var deadline = DateTime.UtcNow.AddSeconds(120);
        while ((!killer.IsCompleted || written < 100_000) && DateTime.UtcNow < deadline)
        {
            var from = written;
            await SinkDriver.WriteAsync(sink, Enumerable.Range(0, 10_000).Select(i => ProfileUpdates.Make(from + i, Users)));
            written += 10_000;
        }
        await killer.WaitAsync(TimeSpan.FromSeconds(30));
        await sink.FlushAsync(CancellationToken.None);

        Assert.True(sink.Retries > 0, $"no batch was retried ({terminated} backends terminated)");
        Assert.Equal(written, sink.RowsWritten);
        var latest = ProfileUpdates.Latest(written, Users);
        Assert.Equal(Users, await pg.ScalarAsync<long>($"SELECT count(*) FROM \"{pg.Schema}\".profiles"));
        Assert.Equal(latest.Values.Sum(u => u.Sequence), await pg.ScalarAsync<decimal>($"SELECT sum(update_seq) FROM \"{pg.Schema}\".profiles"));
    }

    [Fact]
    public async Task Write_OldestRowWaitedMaxDelay_IsWrittenWithoutAFlush()
    {
        await using var pg = await PostgresScratch.CreateAsync();
        var options = Options(pg) with { MaxDelay = TimeSpan.FromMilliseconds(200) };
        await using var sink = new PostgresUpsertSink<ProfileUpdate, ProfileMapping>(options, new ProfileMapping("profiles", ["a", "b"]));
        await sink.OpenAsync(CancellationToken.None);
        await SinkDriver.WriteAsync(sink, [ProfileUpdates.Make(0, 2), ProfileUpdates.Make(1, 2)]);
        var deadline = DateTime.UtcNow.AddSeconds(60);
        long rows = 0;
        while (rows < 2 && DateTime.UtcNow < deadline)
        {
            rows = await pg.ScalarAsync<long>($"SELECT count(*) FROM \"{pg.Schema}\".profiles");
            if (rows < 2) await Task.Delay(50);
        }
        Assert.Equal(2, rows);
    }

    [Fact]
    public async Task Write_MappingWritesAWrongType_FailsNamingTheColumn()
    {
        await using var pg = await PostgresScratch.CreateAsync();
        await using var sink = new PostgresUpsertSink<ProfileUpdate, WrongTypeMapping>(Options(pg), default);
        await sink.OpenAsync(CancellationToken.None);
        await SinkDriver.WriteAsync(sink, [ProfileUpdates.Make(0, 1)]);
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => sink.FlushAsync(CancellationToken.None).AsTask());
        Assert.Contains("'score'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Options_ConnectionStringWithPassword_IsRefused()
    {
        var options = new PostgresSinkOptions { ConnectionString = "Host=127.0.0.1;Username=u;Password=hunter2" };
        var error = Assert.Throws<ArgumentException>(options.Validate);
        Assert.DoesNotContain("hunter2", error.Message, StringComparison.Ordinal);
    }

    private readonly record struct EdgeRow(string Id, string? Note, double D, int I, long L, bool B, long Ms);

    private readonly struct EdgeMapping : ITableMapping<EdgeRow>
    {
        private static readonly TableSchema Table = new("edges",
        [
            new("id", ColumnType.Text), new("note", ColumnType.Text, Nullable: true), new("d", ColumnType.Double), new("i", ColumnType.Int32),
            new("l", ColumnType.Int64), new("b", ColumnType.Boolean), new("ts", ColumnType.Timestamp),
        ], ["id"]);

        public TableSchema Schema => Table;

        public void Write<TWriter>(in EdgeRow row, ref TWriter writer) where TWriter : struct, IRowWriter
        {
            writer.WriteText(row.Id);
            writer.WriteText(row.Note);
            writer.WriteDouble(row.D);
            writer.WriteInt32(row.I);
            writer.WriteInt64(row.L);
            writer.WriteBoolean(row.B);
            writer.WriteTimestamp(row.Ms);
        }
    }

    private readonly struct WrongTypeMapping : ITableMapping<ProfileUpdate>
    {
        private static readonly TableSchema Table = new("wrong", [new("id", ColumnType.Text), new("score", ColumnType.Double)], ["id"]);

        public TableSchema Schema => Table;

        public void Write<TWriter>(in ProfileUpdate row, ref TWriter writer) where TWriter : struct, IRowWriter
        {
            writer.WriteText("x");
            writer.WriteInt64(row.Sequence); // the schema says Double
        }
    }
}
