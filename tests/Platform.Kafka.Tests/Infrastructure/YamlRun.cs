using System.Text.Json;
using Platform.Connectors.Tests.Infrastructure;
using Platform.Host.Running;

namespace Platform.Kafka.Tests.Infrastructure;

/// <summary>
/// <c>platform run pipeline.yaml</c> in-process, through the code path of the command (<see cref="RunCommand.RunAsync"/>):
/// writes the YAML, starts the run, lets the test read the output while it runs, then stops it gracefully (a signal)
/// and returns the exit code and the run's summary JSON.
/// </summary>
public static class YamlRun
{
    /// <param name="dir">Where the YAML and the summary go.</param>
    /// <param name="yaml">The pipeline.</param>
    /// <param name="whileRunning">Reads back (given the run, to stop reading once it ended); the run is stopped after it returns.</param>
    /// <param name="maxEvents"><c>--max-events</c>, or null.</param>
    public static async Task<(int Exit, JsonDocument? Summary)> RunAsync(TempDirectory dir, string yaml, Action<Task<int>> whileRunning, long? maxEvents = null)
    {
        var path = dir.File("pipeline.yaml");
        var summary = dir.File("summary.json");
        await File.WriteAllTextAsync(path, yaml, TestContext.Current.CancellationToken);
        using var stop = new CancellationTokenSource();
        var run = Task.Run(() => RunCommand.RunAsync(new RunCommand.RunRequest(path, maxEvents, null, null, 0, summary) { Watch = false, Stop = stop.Token }),
            TestContext.Current.CancellationToken);
        try
        {
            whileRunning(run);
        }
        finally
        {
            await stop.CancelAsync();
        }
        var exit = await run.WaitAsync(TimeSpan.FromSeconds(120), TestContext.Current.CancellationToken);
        return (exit, File.Exists(summary) ? JsonDocument.Parse(await File.ReadAllTextAsync(summary, TestContext.Current.CancellationToken)) : null);
    }

    /// <summary>The YAML's closing sections: checkpoints in <paramref name="checkpoints"/>, the dead-letter file in <paramref name="dir"/>, no fixed port.</summary>
    public static string Checkpoints(TempDirectory dir, string checkpoints, string interval) => $"""
        checkpoint:
          dir: {checkpoints}
          interval: {interval}
        dead-letter:
          path: {dir.File("dlq.ndjson")}
        http:
          port: 0
        """;
}
