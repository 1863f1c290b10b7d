using System.Globalization;
using System.Text.Json;
using DuckDB.NET.Data;
using Npgsql;
using Platform.Churn.Tests.Scoring;
using Platform.Host.Running;

namespace Platform.Churn.Tests.Sample;

/// <summary>
/// samples/cdp-churn with the warehouse switch flipped to <c>type: postgres</c>, against the real PostgreSQL that
/// tests/services/postgres.sh starts (PLATFORM_TEST_PG_CONNECTION): test-sized, and with the sample's DuckDB sink
/// kept beside it, so both tables get the same profile updates. CUSTOMER_PROFILES in PostgreSQL ends with one row per
/// customer holding the latest score — exactly the DuckDB table's rows. The password comes from the environment
/// variable the YAML names, never from the YAML.
/// </summary>
[Collection(SmallModelCollection.Name)]
public sealed class SamplePostgresTests(SmallModelFixture fixture)
{
    private sealed record Profile(string CustomerId, double Score, string Category, bool Flag, string ModelVersion, DateTime ScoredAt, double Deposits, int Sessions30d);

    [Fact]
    public async Task The_postgres_switch_upserts_one_row_per_customer_with_the_latest_score()
    {
        var connection = Environment.GetEnvironmentVariable("PLATFORM_TEST_PG_CONNECTION");
        Assert.False(string.IsNullOrEmpty(connection), "PLATFORM_TEST_PG_CONNECTION is not set: run the tests with tests/run.sh, which starts PostgreSQL (tests/services/postgres.sh).");
        var ct = TestContext.Current.CancellationToken;
        var id = Guid.NewGuid().ToString("N")[..12];
        var schema = "churn_" + id;
        var passwordVariable = "PLATFORM_TEST_CHURN_PG_PASSWORD_" + id.ToUpperInvariant();
        var dir = Directory.CreateTempSubdirectory("cdp-churn-postgres-").FullName;
        await using var admin = NpgsqlDataSource.Create(connection);
        try
        {
            var sample = File.ReadAllText(Path.Combine(RepoPaths.Root, "samples", "cdp-churn", "pipeline.yaml"));
            // The sample's sinks section, with its commented postgres switch turned on beside the duckdb sink.
            var sinksStart = sample.IndexOf("sinks:", StringComparison.Ordinal);
            var sinksEnd = sample.IndexOf("dead-letter:", StringComparison.Ordinal);
            var sinks = string.Join("\n", sample[sinksStart..sinksEnd].Split('\n').Select(line => line.StartsWith("  # - type: postgres", StringComparison.Ordinal) || line.StartsWith("  #   ", StringComparison.Ordinal)
                ? "  " + line[4..].Split("   #")[0].TrimEnd()
                : line));
            Assert.Contains("  - type: postgres", sinks, StringComparison.Ordinal);
            sinks = sinks
                .Replace("connection-string: Host=127.0.0.1;Port=5432;Username=platform;Database=warehouse", $"connection-string: \"{connection}\"\n    schema: {schema}", StringComparison.Ordinal)
                .Replace("password-env: PLATFORM_PG_PASSWORD", $"password-env: {passwordVariable}", StringComparison.Ordinal);
            var yaml = (sample[..sinksStart] + sinks + sample[sinksEnd..])
                .Replace("users: 20000", "users: 1500", StringComparison.Ordinal)
                .Replace("model: out/cdp-churn-model.zip", $"model: {fixture.ModelPath}", StringComparison.Ordinal)
                .Replace("path: out/cdp-churn.duckdb", $"path: {Path.Combine(dir, "churn.duckdb")}", StringComparison.Ordinal)
                .Replace("path: out/cdp-churn.dlq.ndjson", $"path: {Path.Combine(dir, "churn.dlq.ndjson")}", StringComparison.Ordinal)
                .Replace("port: 9465", "port: 0", StringComparison.Ordinal);
            Assert.DoesNotContain("Password=", yaml, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain(Secret, yaml, StringComparison.Ordinal);
            var path = Path.Combine(dir, "pipeline.yaml");
            await File.WriteAllTextAsync(path, yaml, ct);
            var summaryPath = Path.Combine(dir, "summary.json");

            // The server trusts loopback, so any password is accepted; what matters is that it is read from the variable.
            Environment.SetEnvironmentVariable(passwordVariable, Secret);
            var exit = await RunCommand.RunAsync(new RunCommand.RunRequest(path, null, null, 2, null, summaryPath));
            Assert.Equal(0, exit);
            var totals = JsonSerializer.Deserialize(await File.ReadAllTextAsync(summaryPath, ct), RunTotalsJson.Default.RunTotals)!;
            Assert.Equal(totals.SourceValidRecords, totals.RecordsIn);
            Assert.True(totals.RecordsOut > 1500, $"{totals.RecordsOut} profile updates: customers are scored more than once");

            var postgres = await ReadPostgresAsync(admin, schema, ct);
            var duckdb = ReadDuckDb(Path.Combine(dir, "churn.duckdb"));
            Assert.InRange(postgres.Count(p => p.CustomerId.StartsWith('u')), 1400, 1500); // nearly every generated user is identified (the rest only browsed anonymously)
            Assert.Equal(postgres.Count, postgres.Select(p => p.CustomerId).Distinct(StringComparer.Ordinal).Count());
            Assert.All(postgres, p => Assert.InRange(p.Score, 0.05, 0.95));
            Assert.All(postgres, p => Assert.Equal(p.Score > 0.7 ? "High" : p.Score > 0.4 ? "Medium" : "Low", p.Category));
            Assert.All(postgres, p => Assert.Equal(fixture.Result.Model.Info.Version, p.ModelVersion));
            // The same updates reached both warehouses; each kept the latest per customer, so the tables are equal.
            Assert.Equal(duckdb, postgres);
        }
        finally
        {
            Environment.SetEnvironmentVariable(passwordVariable, null);
            await using (var drop = admin.CreateCommand($"DROP SCHEMA IF EXISTS \"{schema}\" CASCADE"))
            {
                await drop.ExecuteNonQueryAsync(CancellationToken.None);
            }
            Directory.Delete(dir, recursive: true);
        }
    }

    private const string Secret = "s3cret-from-the-environment";

    private const string Columns = "customer_id, churn_risk_score, churn_risk_category, churn_risk_flag, churn_model_version, churn_scored_at, total_deposits_usd, sessions_30d";

    private static async Task<List<Profile>> ReadPostgresAsync(NpgsqlDataSource admin, string schema, CancellationToken ct)
    {
        var rows = new List<Profile>();
        await using var command = admin.CreateCommand($"SELECT {Columns} FROM \"{schema}\".customer_profiles ORDER BY customer_id COLLATE \"C\"");
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            rows.Add(new Profile(reader.GetString(0), reader.GetDouble(1), reader.GetString(2), reader.GetBoolean(3), reader.GetString(4),
                reader.GetFieldValue<DateTime>(5).ToUniversalTime(), reader.GetDouble(6), reader.GetInt32(7)));
        }
        return rows;
    }

    private static List<Profile> ReadDuckDb(string path)
    {
        var rows = new List<Profile>();
        using var connection = new DuckDBConnection($"Data Source={path};ACCESS_MODE=READ_ONLY");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = $"SELECT {Columns} FROM customer_profiles";
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            rows.Add(new Profile(reader.GetString(0), reader.GetDouble(1), reader.GetString(2), reader.GetBoolean(3), reader.GetString(4),
                DateTime.SpecifyKind(reader.GetDateTime(5), DateTimeKind.Utc), reader.GetDouble(6), reader.GetInt32(7)));
        }
        rows.Sort((a, b) => string.CompareOrdinal(a.CustomerId, b.CustomerId));
        return rows;
    }
}
