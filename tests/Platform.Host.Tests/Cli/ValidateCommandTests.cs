using System.CommandLine;
using Platform.Host.Cli;
using Platform.Host.Config;

namespace Platform.Host.Tests.Cli;

public sealed class ValidateCommandTests
{
    private static async Task<(int ExitCode, string Output)> InvokeAsync(params string[] args)
    {
        using var output = new StringWriter();
        var exitCode = await ValidateCommand.Create().Parse(args).InvokeAsync(
            new InvocationConfiguration { Output = output, Error = output }, TestContext.Current.CancellationToken);
        return (exitCode, output.ToString());
    }

    [Fact]
    public async Task Invoke_ValidSample_ExitsZeroWithSummary()
    {
        var (exitCode, output) = await InvokeAsync(RepoPaths.SamplePipeline);

        Assert.Equal(0, exitCode);
        Assert.Equal("valid: iot-anomaly — generator → key-by → window → aggregate → duckdb", output.Trim());
    }

    [Fact]
    public async Task Invoke_InvalidFile_ExitsTwoAndPrintsEveryErrorWithPosition()
    {
        using var temp = new TempDirectory();
        var path = temp.Write("bad.yaml", """
            source:
              type: generator
              events: many
            steps:
              - op: windw
            sinks:
              - type: duckdb
            """);

        var (exitCode, output) = await InvokeAsync(path);

        Assert.Equal(2, exitCode);
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.Equal(
        [
            $"{path}:3:11: error: 'events' must be a whole number, got 'many'",
            "hint: write e.g. 'events: 1000000'",
            $"{path}:5:9: error: unknown operator 'windw'",
            "hint: did you mean 'window'? known: " + string.Join(", ", ConfigRegistry.Default.Steps.Keys),
            $"{path}:7:5: error: duckdb sink is missing required field 'path'",
            "hint: add 'path: out/results.duckdb'",
            $"3 errors in {path}",
        ], lines);
    }

    [Fact]
    public async Task Invoke_MissingFile_ExitsTwo()
    {
        var (exitCode, output) = await InvokeAsync("/no/such/pipeline.yaml");

        Assert.Equal(2, exitCode);
        Assert.StartsWith("/no/such/pipeline.yaml: error: file not found", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Invoke_NoArgument_ExitsNonZero()
    {
        var (exitCode, _) = await InvokeAsync();

        Assert.NotEqual(0, exitCode);
    }
}
