using Platform.Host.Config;
using Platform.Host.Config.Sources;
using Platform.Host.Config.Steps;

namespace Platform.Churn.Tests.Sample;

/// <summary>samples/cdp-churn/pipeline.yaml validates, binds to the churn steps, and writes back to the same config.</summary>
public sealed class SampleConfigTests
{
    private static readonly string SamplePath = Path.Combine(RepoPaths.Root, "samples", "cdp-churn", "pipeline.yaml");

    [Fact]
    public void The_sample_binds_to_customers_segment_json_and_the_churn_steps()
    {
        var loaded = PipelineConfigLoader.Load(SamplePath, Path.GetTempPath());
        Assert.True(loaded.IsValid, string.Join("\n", loaded.Errors));
        var config = loaded.Config!;
        Assert.Equal(RecordFormat.SegmentJson, config.Format);
        Assert.IsType<CustomersSourceConfig>(config.Source);
        Assert.Equal(["churn-features", "churn-score"], config.Steps.Select(s => s.Op));
        var score = Assert.IsType<ChurnScoreStepConfig>(config.Steps[1]);
        Assert.Equal(Path.Combine(Path.GetTempPath(), "out", "cdp-churn-model.zip"), score.FullModelPath);
        Assert.Equal(TimeSpan.FromDays(1), Assert.IsType<ChurnFeaturesStepConfig>(config.Steps[0]).RescoreEvery);

        var again = PipelineConfigLoader.Parse(PipelineConfigWriter.ToYaml(config), "again.yaml", Path.GetTempPath());
        Assert.True(again.IsValid, string.Join("\n", again.Errors));
        Assert.Equal(config, again.Config);
    }

    [Fact]
    public void Churn_score_without_churn_features_is_a_config_error_with_the_fix()
    {
        var result = PipelineConfigLoader.Parse("""
            name: bad
            source:
              type: customers
            format: segment-json
            steps:
              - op: churn-score
            sinks:
              - type: null
            """, "bad.yaml", Path.GetTempPath());
        Assert.False(result.IsValid);
        var error = Assert.Single(result.Errors);
        Assert.Equal("churn-score needs a 'churn-features' step before it", error.Message);
        Assert.Equal("add '- op: churn-features' above this step", error.Hint);
    }

    [Fact]
    public void The_postgres_switch_in_the_sample_binds_without_a_password_in_the_yaml()
    {
        var yaml = File.ReadAllText(SamplePath);
        // Flip the switch the way the sample's comment says: the commented postgres sink replaces the duckdb one.
        var start = yaml.IndexOf("  - type: duckdb", StringComparison.Ordinal);
        var end = yaml.IndexOf("  # The warehouse switch", StringComparison.Ordinal);
        var postgres = string.Join("\n", yaml[end..].Split('\n').Where(l => l.StartsWith("  # - type: postgres", StringComparison.Ordinal) || l.StartsWith("  #   ", StringComparison.Ordinal))
            .Select(l => "  " + l[4..].Split("   #")[0].TrimEnd()));
        var switched = yaml[..start] + postgres + "\n" + yaml[yaml.IndexOf("dead-letter:", StringComparison.Ordinal)..];
        var result = PipelineConfigLoader.Parse(switched, "switched.yaml", Path.GetTempPath());
        Assert.True(result.IsValid, switched + "\n" + string.Join("\n", result.Errors));
        var sink = Assert.IsType<Platform.Host.Config.Sinks.PostgresSinkConfig>(Assert.Single(result.Config!.Sinks));
        Assert.Equal("Host=127.0.0.1;Port=5432;Username=platform;Database=warehouse", sink.ConnectionString);
        Assert.Equal("PLATFORM_PG_PASSWORD", sink.PasswordEnv);
        Assert.Equal("customer_profiles", sink.Table);

        var leaked = PipelineConfigLoader.Parse(switched.Replace("Database=warehouse", "Database=warehouse;Password=hunter2", StringComparison.Ordinal), "leaked.yaml", Path.GetTempPath());
        Assert.Contains(leaked.Errors, e => e.Message == "'connection-string' must not hold the password");
    }
}
