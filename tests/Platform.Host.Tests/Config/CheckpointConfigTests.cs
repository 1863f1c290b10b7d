using Platform.Host.Config;
using Platform.Host.Running;
using Platform.Sinks.DeadLetter;

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
    public async Task Build_WithCheckpoints_DeadLetterFileIsFlushedByEveryCheckpoint()
    {
        var dir = Path.Combine(Path.GetTempPath(), "platform-chk-" + Guid.NewGuid().ToString("N"));
        try
        {
            var yaml = "name: c\nsource: {type: generator}\nsteps: [{op: key-by, fields: [deviceId]}, {op: window, kind: tumbling, size: 10s}, {op: aggregate, functions: [count]}]\nsinks: [{type: null}]\n" + $"checkpoint: {{ dir: {dir}/chk }}\ndead-letter: {{ path: {dir}/dlq.ndjson }}\n";
            var config = PipelineConfigLoader.Parse(yaml, "c.yaml", WorkingDirectory).Config!;
            await using var assembly = PipelineFactory.Build(config, new RunOverrides(Workers: 2));

            // A checkpoint moves the source past rejected records: their dead letters must be on disk by then.
            Assert.Single(assembly.Definition.Options.Checkpoint!.Participants.OfType<DeadLetterCheckpoint>());
        }
        finally
        {
            if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void Parse_DuckDbUpsertMode_Binds()
    {
        var config = PipelineConfigLoader.Parse("name: c\nsource: {type: generator}\nsinks: [{type: duckdb, path: o.duckdb, mode: upsert}]\n", "c.yaml", WorkingDirectory).Config!;
        Assert.Equal(SinkWriteMode.Upsert, Assert.IsType<DuckDbSinkConfig>(Assert.Single(config.Sinks)).Mode);
    }
}
