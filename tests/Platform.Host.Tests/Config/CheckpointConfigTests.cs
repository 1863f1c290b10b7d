using Platform.Host.Config;

namespace Platform.Host.Tests.Config;

public sealed class CheckpointConfigTests
{
    private static readonly string WorkingDirectory = Path.GetTempPath();
    private const string Head = "name: c\nsource: {type: generator}\nsinks: [{type: null}]\n";

    [Fact]
    public void Parse_CheckpointSection_BindsDirIntervalRetainAndRoundTrips()
    {
        var config = PipelineConfigLoader.Parse(Head + "checkpoint: { dir: out/chk, interval: 2s, retain: 5 }\n", "c.yaml", WorkingDirectory).Config!;

        Assert.Equal(new CheckpointConfig("out/chk", Path.GetFullPath("out/chk", WorkingDirectory), TimeSpan.FromSeconds(2), 5), config.Checkpoint);
        var back = PipelineConfigLoader.Parse(PipelineConfigWriter.ToYaml(config), "c.yaml", WorkingDirectory).Config!;
        Assert.Equal(config, back);
    }

    [Fact]
    public void Parse_NoCheckpointSection_CheckpointsOff()
    {
        Assert.Null(PipelineConfigLoader.Parse(Head, "c.yaml", WorkingDirectory).Config!.Checkpoint);
    }

    [Fact]
    public void Parse_CheckpointWithoutDirOrWithUnknownKey_ReportsBoth()
    {
        var result = PipelineConfigLoader.Parse(Head + "checkpoint:\n  interval: 1s\n  retian: 2\n", "c.yaml", WorkingDirectory);

        Assert.False(result.IsValid);
        Assert.Contains(result.Errors, e => e.Message.Contains("'dir'", StringComparison.Ordinal));
        Assert.Contains(result.Errors, e => e.Message.Contains("retian", StringComparison.Ordinal));
    }

    [Fact]
    public void Parse_DuckDbUpsertMode_Binds()
    {
        var config = PipelineConfigLoader.Parse("name: c\nsource: {type: generator}\nsinks: [{type: duckdb, path: o.duckdb, mode: upsert}]\n", "c.yaml", WorkingDirectory).Config!;
        Assert.Equal(SinkWriteMode.Upsert, Assert.IsType<DuckDbSinkConfig>(Assert.Single(config.Sinks)).Mode);
    }
}
