using Npgsql;

namespace Platform.Warehouse.Tests.Infrastructure;

/// <summary>
/// The throwaway PostgreSQL cluster tests/services/postgres.sh starts (PLATFORM_TEST_PG_CONNECTION). Each test
/// works in its own schema, dropped afterwards, so tests in parallel never see each other's tables.
/// </summary>
internal sealed class PostgresScratch : IAsyncDisposable
{
    private PostgresScratch(string connectionString, string schema, NpgsqlDataSource dataSource)
    {
        ConnectionString = connectionString;
        Schema = schema;
        DataSource = dataSource;
    }

    public string ConnectionString { get; }

    /// <summary>This test's schema (created empty).</summary>
    public string Schema { get; }

    public NpgsqlDataSource DataSource { get; }

    public static async Task<PostgresScratch> CreateAsync()
    {
        var connectionString = Environment.GetEnvironmentVariable("PLATFORM_TEST_PG_CONNECTION");
        if (string.IsNullOrEmpty(connectionString))
        {
            throw new InvalidOperationException("PLATFORM_TEST_PG_CONNECTION is not set: run the tests with tests/run.sh, which starts PostgreSQL (tests/services/postgres.sh), or start it the same way and export the variable.");
        }
        var schema = "t_" + Guid.NewGuid().ToString("N")[..12];
        var dataSource = NpgsqlDataSource.Create(connectionString);
        await using (var command = dataSource.CreateCommand($"CREATE SCHEMA \"{schema}\""))
        {
            await command.ExecuteNonQueryAsync();
        }
        return new PostgresScratch(connectionString, schema, dataSource);
    }

    public async Task<T> ScalarAsync<T>(string sql, params object[] parameters)
    {
        await using var command = DataSource.CreateCommand(sql);
        foreach (var p in parameters) command.Parameters.Add(new NpgsqlParameter { Value = p });
        return (T)(await command.ExecuteScalarAsync())!;
    }

    public async ValueTask DisposeAsync()
    {
        await using (var command = DataSource.CreateCommand($"DROP SCHEMA IF EXISTS \"{Schema}\" CASCADE"))
        {
            await command.ExecuteNonQueryAsync();
        }
        await DataSource.DisposeAsync();
    }
}
