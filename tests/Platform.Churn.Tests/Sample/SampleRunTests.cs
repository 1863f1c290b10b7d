using System.Text.Json;
using DuckDB.NET.Data;
using Platform.Churn.Tests.Scoring;
using Platform.Host.Running;

namespace Platform.Churn.Tests.Sample;

/// <summary>
/// samples/cdp-churn end to end, test-sized: customers generator → features → the small trained model → trait
/// updates → CUSTOMER_PROFILES upserts in DuckDB; run twice, the table still has one row per customer.
/// </summary>
[Collection(SmallModelCollection.Name)]
public sealed class SampleRunTests(SmallModelFixture fixture)
{
    [Fact]
    public async Task The_sample_scores_every_customer_into_one_profile_row_each()
    {
        var dir = Directory.CreateTempSubdirectory("cdp-churn-sample-").FullName;
        try
        {
            var yaml = File.ReadAllText(Path.Combine(RepoPaths.Root, "samples", "cdp-churn", "pipeline.yaml"))
                .Replace("users: 20000", "users: 1500", StringComparison.Ordinal)
                .Replace("model: out/cdp-churn-model.zip", $"model: {fixture.ModelPath}", StringComparison.Ordinal)
                .Replace("path: out/cdp-churn.duckdb", $"path: {Path.Combine(dir, "churn.duckdb")}", StringComparison.Ordinal)
                .Replace("path: out/cdp-churn.dlq.ndjson", $"path: {Path.Combine(dir, "churn.dlq.ndjson")}", StringComparison.Ordinal)
                .Replace("port: 9465", "port: 0", StringComparison.Ordinal);
            var path = Path.Combine(dir, "pipeline.yaml");
            await File.WriteAllTextAsync(path, yaml, TestContext.Current.CancellationToken);
            var summaryPath = Path.Combine(dir, "summary.json");

            for (var run = 0; run < 2; run++)
            {
                var exit = await RunCommand.RunAsync(new RunCommand.RunRequest(path, null, null, 2, null, summaryPath));
                Assert.Equal(0, exit);
                var totals = JsonSerializer.Deserialize(await File.ReadAllTextAsync(summaryPath, TestContext.Current.CancellationToken), RunTotalsJson.Default.RunTotals)!;
                Assert.Equal(totals.SourceValidRecords, totals.RecordsIn);
                Assert.True(totals.DeadLetters > 0, "the sample's malformed lines reach the dead-letter file");
                Assert.True(totals.RecordsOut > totals.RecordsIn / 100, $"{totals.RecordsOut} profile updates");

                using var connection = new DuckDBConnection($"Data Source={Path.Combine(dir, "churn.duckdb")};ACCESS_MODE=READ_ONLY");
                connection.Open();
                using var command = connection.CreateCommand();
                command.CommandText = """
                    SELECT count(*), count(DISTINCT customer_id), min(churn_risk_score), max(churn_risk_score),
                           count(*) FILTER (WHERE churn_risk_category <> CASE WHEN churn_risk_score > 0.7 THEN 'High' WHEN churn_risk_score > 0.4 THEN 'Medium' ELSE 'Low' END),
                           count(DISTINCT churn_model_version), min(churn_model_version),
                           count(*) FILTER (WHERE customer_id LIKE 'u%')
                    FROM customer_profiles
                    """;
                using var reader = command.ExecuteReader();
                Assert.True(reader.Read());
                var rows = reader.GetInt64(0);
                Assert.Equal(rows, reader.GetInt64(1));
                Assert.InRange(reader.GetDouble(2), 0.05, 0.95);
                Assert.InRange(reader.GetDouble(3), 0.05, 0.95);
                Assert.Equal(0, reader.GetInt64(4));
                Assert.Equal(1, reader.GetInt64(5));
                Assert.Equal(fixture.Result.Model.Info.Version, reader.GetString(6));
                // Nearly every generated user is identified (the rest only browsed anonymously).
                Assert.InRange(reader.GetInt64(7), 1400, 1500);
            }
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
