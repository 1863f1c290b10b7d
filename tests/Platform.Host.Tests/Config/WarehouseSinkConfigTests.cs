using Platform.Host.Config;
using Platform.Host.Config.Sinks;

namespace Platform.Host.Tests.Config;

/// <summary>YAML sinks <c>postgres</c> and <c>parquet</c> (one binding each, for window results and churn profiles alike): every field bound, defaults, round trip, and a password never accepted in the YAML.</summary>
public sealed class WarehouseSinkConfigTests
{
    private static readonly string WorkingDirectory = Path.GetTempPath();
    private const string Steps = "steps:\n  - op: key-by\n    fields: [deviceId, sensorType]\n  - op: window\n    kind: tumbling\n    size: 10s\n  - op: aggregate\n    functions: [count, mean]\n";

    private static ConfigLoadResult Parse(string sink) =>
        PipelineConfigLoader.Parse($"name: w\nsource: {{type: generator}}\n{Steps}sinks: [{sink}]\n", "w.yaml", WorkingDirectory);

    [Fact]
    public void Parse_PostgresAndParquetSinks_BindEveryFieldAndRoundTrip()
    {
        var result = PipelineConfigLoader.Parse(
            $"name: w\nsource: {{type: generator}}\n{Steps}sinks:\n"
            + "  - {type: postgres, connection-string: 'Host=127.0.0.1;Port=5432;Username=platform;Database=warehouse', password-env: PLATFORM_PG_PASSWORD, schema: analytics, table: window_stats_v2, batch-rows: 20000, max-delay: 500ms, max-retries: 3, fill-factor: 70, parallel-upserts: 4}\n"
            + "  - {type: parquet, path: out/lake, partition-column: window_end, row-group-rows: 5000, max-open-files: 4}\n",
            "w.yaml", WorkingDirectory);
        Assert.True(result.IsValid, string.Join("\n", result.Errors));
        var config = result.Config!;
        var pg = Assert.IsType<PostgresSinkConfig>(config.Sinks[0]);
        Assert.Equal(new PostgresSinkConfig("Host=127.0.0.1;Port=5432;Username=platform;Database=warehouse", "PLATFORM_PG_PASSWORD", "analytics", "window_stats_v2", 20_000, TimeSpan.FromMilliseconds(500), 3, 70, 4), pg);
        var options = (pg with { PasswordEnv = null }).ToOptions();
        Assert.Equal((70, 4), (options.FillFactor, options.ParallelUpserts));
        var parquet = Assert.IsType<ParquetSinkConfig>(config.Sinks[1]);
        Assert.Equal(new ParquetSinkConfig("out/lake", Path.GetFullPath("out/lake", WorkingDirectory), "window_end", 5_000, 4), parquet);

        var back = PipelineConfigLoader.Parse(PipelineConfigWriter.ToYaml(config), "w.yaml", WorkingDirectory);
        Assert.True(back.IsValid, string.Join("\n", back.Errors));
        Assert.Equal(config, back.Config);
    }

    [Fact]
    public void Parse_PostgresDefaults_PublicSchemaAndSinkDefaults()
    {
        var pg = Assert.IsType<PostgresSinkConfig>(Assert.Single(Parse("{type: postgres, connection-string: 'Host=db;Username=u;Database=w'}").Config!.Sinks));
        Assert.Equal(new PostgresSinkConfig("Host=db;Username=u;Database=w", null, "public", null, 50_000, TimeSpan.FromSeconds(1), 10, 100, 2), pg);
    }

    [Fact]
    public void Parse_PostgresConnectionWithPassword_ErrorPointsToPasswordEnvAndDoesNotEchoTheSecret()
    {
        var result = Parse("{type: postgres, connection-string: 'Host=db;Username=u;Password=hunter2;Database=w'}");
        Assert.False(result.IsValid);
        var error = Assert.Single(result.Errors);
        Assert.Contains("must not hold the password", error.Message, StringComparison.Ordinal);
        Assert.Contains("password-env", error.Hint, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2", error.ToString() + error.Hint, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("{type: postgres, connection-string: 'Host=db', table: 'x; DROP TABLE y'}", "'table' must be an SQL identifier")]
    [InlineData("{type: postgres}", "connection-string")]
    [InlineData("{type: postgres, connection-string: 'Host=db', fill-factor: 5}", "fill-factor")]
    [InlineData("{type: postgres, connection-string: 'Host=db', fill-factor: 101}", "fill-factor")]
    [InlineData("{type: postgres, connection-string: 'Host=db', parallel-upserts: 0}", "parallel-upserts")]
    [InlineData("{type: parquet}", "path")]
    [InlineData("{type: parquet, path: out/p, row-group-rows: 0}", "row-group-rows")]
    public void Parse_InvalidWarehouseSink_ErrorNamesTheKey(string sink, string expected)
    {
        var result = Parse(sink);
        Assert.False(result.IsValid);
        Assert.Contains(result.Errors, e => (e.Message + e.Hint).Contains(expected, StringComparison.Ordinal));
    }
}
