using System.Text;
using Platform.Host.Config;
using Platform.Host.Dlq;
using Platform.Host.Running;

namespace Platform.Ops.Tests;

public class DlqReplayTests
{
    private const int Good = 1000;
    private const int Prefixed = 40;

    [Fact]
    public async Task Replay_AfterFixingTheParserSetting_FailedRecordsLandOnce()
    {
        using var dir = new TempDir();
        var data = new StringBuilder();
        for (var i = 0; i < Good + Prefixed; i++)
        {
            // Every 26th line comes from a gateway that prefixes its lines: the parser rejects them until skip-prefix is on.
            var prefix = i % 26 == 25 && i / 26 < Prefixed ? "gw-7 | " : "";
            data.Append(prefix).Append(FormattableString.Invariant(
                $"{{\"deviceId\":\"device-{i % 20}\",\"timestamp\":{1_767_000_000_000L + i * 100L},\"sensorType\":\"temperature\",\"payload\":{{\"value\":{20 + i % 9},\"unit\":\"C\"}}}}")).Append('\n');
        }
        File.WriteAllText(dir.File("data.ndjson"), data.ToString());
        var yaml = Yaml(dir);
        var path = dir.File("pipeline.yaml");
        File.WriteAllText(path, yaml);
        var config = PipelineConfigLoader.Load(path).Config ?? throw new InvalidOperationException("invalid test pipeline");
        await using (var assembly = PipelineFactory.Build(config, new RunOverrides(Workers: 2)))
        {
            var run = await assembly.Definition.RunAsync();
            Assert.Equal(Good, run.RecordsIn);
            Assert.Equal(Prefixed, run.Rejected);
        }
        var dlq = dir.File("dlq.ndjson");
        var original = DlqReplay.Read(dlq, TextWriter.Null);
        Assert.Equal(Prefixed, original.Count);
        File.AppendAllText(dlq, File.ReadLines(dlq).First() + "\n"); // the same dead letter twice: replayed once
        Assert.Equal(Good, WindowStatsDb.CountSum(dir.File("out.duckdb")));

        // Without the fix the records fail again, keep their original positions and stay out of the ledger.
        var unfixed = await DlqReplay.RunAsync(dlq, config, TextWriter.Null, workers: 2);
        Assert.Equal((Prefixed + 1, 1, 0, 0, Prefixed), (unfixed.Entries, unfixed.Duplicates, unfixed.AlreadyReplayed, unfixed.Replayed, unfixed.FailedAgain));
        Assert.Equal(original.Select(e => e.Position).Order(), DlqReplay.Read(unfixed.FailedPath, TextWriter.Null).Select(e => e.Position).Order());
        Assert.Equal(Good, WindowStatsDb.CountSum(dir.File("out.duckdb")));

        // The fix: skip the gateway prefix. The replay lands every failed record once.
        File.WriteAllText(path, yaml + "parser:\n  skip-prefix: true\n");
        var fixedConfig = PipelineConfigLoader.Load(path).Config!;
        Assert.True(fixedConfig.Parser.SkipPrefix);
        var replay = await DlqReplay.RunAsync(dlq, fixedConfig, TextWriter.Null, workers: 2);
        Assert.Equal((Prefixed + 1, 1, 0, Prefixed, 0), (replay.Entries, replay.Duplicates, replay.AlreadyReplayed, replay.Replayed, replay.FailedAgain));
        Assert.Equal(Good + Prefixed, WindowStatsDb.CountSum(dir.File("out.duckdb")));

        // A second replay finds them all in the ledger and lands nothing.
        var again = await DlqReplay.RunAsync(dlq, fixedConfig, TextWriter.Null, workers: 2);
        Assert.Equal((0, Prefixed + 1), (again.Replayed, again.AlreadyReplayed));
        Assert.Equal(Good + Prefixed, WindowStatsDb.CountSum(dir.File("out.duckdb")));
    }

    [Fact]
    public async Task ReplayCommand_ReplaceModeSink_IsRefused()
    {
        using var dir = new TempDir();
        File.WriteAllText(dir.File("data.ndjson"), "");
        var path = dir.File("pipeline.yaml");
        File.WriteAllText(path, Yaml(dir).Replace("mode: append", "mode: replace", StringComparison.Ordinal));
        File.WriteAllText(dir.File("dlq.ndjson"), "{\"reason\":\"x\",\"source\":\"s\",\"partition\":0,\"position\":1,\"raw\":\"e30=\"}\n");
        var output = new StringWriter();
        var console = Spectre.Console.AnsiConsole.Create(new Spectre.Console.AnsiConsoleSettings { Out = new Spectre.Console.AnsiConsoleOutput(output) });

        var exit = await DlqCommand.ReplayAsync(dir.File("dlq.ndjson"), path, 1, console, TextWriter.Null);

        Assert.Equal(1, exit);
        Assert.Contains("mode: replace", output.ToString(), StringComparison.Ordinal);
        Assert.False(File.Exists(DlqReplay.LedgerPath(dir.File("dlq.ndjson"))));
    }

    private static string Yaml(TempDir dir) => $"""
        name: replay-test
        source:
          type: file
          path: data.ndjson
        {YamlSteps.CountPerSensorToDuckDb(dir.File("out.duckdb"))}
        dead-letter:
          path: {dir.File("dlq.ndjson")}
        runtime:
          workers: 2
        http:
          port: 0

        """;
}
