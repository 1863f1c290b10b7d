using Npgsql;
using Platform.Engine.Symbols;
using Platform.Operators.Enrichment;

namespace Platform.Operators.Tests.Enrichment;

/// <summary>The registry loaders (JSON file, PostgreSQL table) and the handle's refresh.</summary>
public sealed class RegistryLoaderTests
{
    private readonly SymbolTable _symbols = new();

    private (string Owner, string Site, string Model, double Low, double High) Row(DeviceRegistry registry, string device)
    {
        Assert.True(registry.TryGet(_symbols.Intern(device), out var info), device + " is in the registry");
        return (_symbols.NameOf(info.Owner), _symbols.NameOf(info.Site), _symbols.NameOf(info.Model), info.ThresholdLow, info.ThresholdHigh);
    }

    [Fact]
    public void ParseJson_RowsNullsAndUnknownFields_Interned()
    {
        var registry = DeviceRegistry.ParseJson("""
            [ {"device": "dev-1", "owner": "acme", "site": "north", "model": "TX-100", "threshold_low": -5, "threshold_high": 40, "note": {"x": [1]}},
              {"device": "dev-2", "owner": "globex", "site": "south", "model": null, "threshold_low": null},
              {"device": "dev-1", "owner": "initech", "site": "north", "model": "TX-100"} ]
            """u8, _symbols);

        Assert.Equal(2, registry.Count);
        // A later row of the same device replaces the earlier one.
        var one = Row(registry, "dev-1");
        Assert.Equal(("initech", "north", "TX-100"), (one.Owner, one.Site, one.Model));
        Assert.True(double.IsNaN(one.Low) && double.IsNaN(one.High));
        var two = Row(registry, "dev-2");
        Assert.Equal(("globex", "south", ""), (two.Owner, two.Site, two.Model));
    }

    [Theory]
    [InlineData("""{"device": "x"}""", "must be a JSON array")]
    [InlineData("""[{"owner": "acme"}]""", "row 0 has no 'device'")]
    [InlineData("""[{"device": "x", "threshold_low": "cold"}]""", "'threshold_low' must be a number or null")]
    [InlineData("""[{"device": "x",""", "not valid JSON")]
    public void ParseJson_Bad_ClearError(string json, string message)
    {
        var e = Assert.Throws<InvalidDataException>(() => DeviceRegistry.ParseJson(System.Text.Encoding.UTF8.GetBytes(json), _symbols));
        Assert.Contains(message, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void LoadFile_ByExtension_ReadsCsvAndJsonAlike()
    {
        var dir = Directory.CreateTempSubdirectory("platform-registry-").FullName;
        try
        {
            File.WriteAllText(Path.Combine(dir, "d.csv"), "device,owner,site,model,threshold_high\ndev-9,acme,west,RX,30\n");
            File.WriteAllText(Path.Combine(dir, "d.json"), """[{"device":"dev-9","owner":"acme","site":"west","model":"RX","threshold_high":30}]""");

            var csv = DeviceRegistry.LoadFile(Path.Combine(dir, "d.csv"), _symbols);
            var json = DeviceRegistry.LoadFile(Path.Combine(dir, "d.json"), _symbols);

            Assert.Equal(Row(csv, "dev-9"), Row(json, "dev-9"));
            Assert.Equal(30, Row(json, "dev-9").High);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public async Task RefreshAsync_RequestsDuringALoad_CoalesceIntoOneMoreLoad()
    {
        using var release = new SemaphoreSlim(0);
        var loads = 0;
        using var handle = new RegistryHandle(() =>
        {
            if (Interlocked.Increment(ref loads) > 1) release.Wait();
            return DeviceRegistry.Empty;
        });

        var first = handle.RefreshAsync();
        // Wait until the first refresh is inside its load, then ask three more times.
        while (Volatile.Read(ref loads) < 2) await Task.Delay(5);
        var more = new[] { handle.RefreshAsync(), handle.RefreshAsync(), handle.RefreshAsync() };
        await Task.WhenAll(more);
        release.Release(2);
        await first;

        // The constructor's load, the first refresh, and exactly one for the three requests made during it.
        Assert.Equal(3, loads);
        Assert.Equal(3, handle.Version);
    }

    [Fact]
    public async Task RefreshAsync_FailedLoad_KeepsTheOldTableAndReports()
    {
        var fail = false;
        var table = DeviceRegistry.ParseCsv("device,owner,site,model\ndev-1,a,b,c\n", _symbols);
        Exception? reported = null;
        using var handle = new RegistryHandle(() => fail ? throw new InvalidDataException("row 3 is broken") : table) { Failed = e => reported = e };

        fail = true;
        await handle.RefreshAsync();

        Assert.Same(table, handle.Current);
        Assert.Equal(1, handle.Version);
        Assert.Equal("row 3 is broken", reported?.Message);
    }

    [Fact]
    public async Task PostgresTable_Load_ReadsRowsNullThresholdsAndARefreshSeesUpdates()
    {
        var connectionString = Environment.GetEnvironmentVariable("PLATFORM_TEST_PG_CONNECTION");
        Assert.False(string.IsNullOrEmpty(connectionString), "PLATFORM_TEST_PG_CONNECTION is not set: run with tests/run.sh (tests/services/postgres.sh starts PostgreSQL).");
        var schema = "reg_" + Guid.NewGuid().ToString("N")[..10];
        await using var source = NpgsqlDataSource.Create(connectionString!);
        await Exec(source, $"CREATE SCHEMA {schema}");
        try
        {
            await Exec(source, $"CREATE TABLE {schema}.devices (device text PRIMARY KEY, owner text, site text, model text, threshold_low numeric, threshold_high real)");
            await Exec(source, $"INSERT INTO {schema}.devices VALUES ('dev-1', 'acme', 'north', 'TX', -5, 40.5), ('dev-2', 'globex', 'south', NULL, NULL, NULL), ('dev-3', '''; DROP TABLE x; --', 's', 'm', 1, 2)");
            var table = new PostgresRegistryTable(connectionString!, schema, "devices");
            using var handle = new RegistryHandle(() => table.Load(_symbols));

            Assert.Equal(3, handle.Current.Count);
            Assert.Equal(("acme", "north", "TX", -5.0, 40.5), Row(handle.Current, "dev-1"));
            var two = Row(handle.Current, "dev-2");
            Assert.True(two.Model.Length == 0 && double.IsNaN(two.Low) && double.IsNaN(two.High));
            Assert.Equal("'; DROP TABLE x; --", Row(handle.Current, "dev-3").Owner);

            await Exec(source, $"UPDATE {schema}.devices SET owner = 'initech' WHERE device = 'dev-1'");
            await Exec(source, $"INSERT INTO {schema}.devices VALUES ('dev-4', 'stark', 'east', 'RX', NULL, 9)");
            await handle.RefreshAsync();

            Assert.Equal(2, handle.Version);
            Assert.Equal(4, handle.Current.Count);
            Assert.Equal("initech", Row(handle.Current, "dev-1").Owner);
            Assert.Equal(9, Row(handle.Current, "dev-4").High);
        }
        finally
        {
            await Exec(source, $"DROP SCHEMA {schema} CASCADE");
        }
    }

    [Fact]
    public async Task PostgresTable_MissingColumnOrTable_ClearErrors()
    {
        var connectionString = Environment.GetEnvironmentVariable("PLATFORM_TEST_PG_CONNECTION");
        Assert.False(string.IsNullOrEmpty(connectionString), "PLATFORM_TEST_PG_CONNECTION is not set: run with tests/run.sh (tests/services/postgres.sh starts PostgreSQL).");
        var schema = "reg_" + Guid.NewGuid().ToString("N")[..10];
        await using var source = NpgsqlDataSource.Create(connectionString!);
        await Exec(source, $"CREATE SCHEMA {schema}");
        try
        {
            await Exec(source, $"CREATE TABLE {schema}.devices (device text, owner text, model text)");

            var noSite = Assert.Throws<InvalidDataException>(() => new PostgresRegistryTable(connectionString!, schema, "devices").Load(_symbols));
            Assert.Contains("needs a 'site' column", noSite.Message, StringComparison.Ordinal);
            var noTable = Assert.Throws<IOException>(() => new PostgresRegistryTable(connectionString!, schema, "nothing").Load(_symbols));
            Assert.Contains($"PostgreSQL table {schema}.nothing", noTable.Message, StringComparison.Ordinal);
            Assert.Throws<ArgumentException>(() => new PostgresRegistryTable(connectionString!, schema, "devices; DROP TABLE x"));
        }
        finally
        {
            await Exec(source, $"DROP SCHEMA {schema} CASCADE");
        }
    }

    private static async Task Exec(NpgsqlDataSource source, string sql)
    {
        await using var command = source.CreateCommand(sql);
        await command.ExecuteNonQueryAsync();
    }
}
