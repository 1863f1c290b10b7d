using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;
using System.Text.Json;
using Platform.Host.Cli;
using Platform.Host.Running;
using Platform.Sinks.Alerts;

namespace Platform.Ops.Tests;

public class ReloadTests
{
    private const int Lines = 200_000;
    private static readonly TimeSpan CheckpointInterval = TimeSpan.FromSeconds(3);

    [Fact]
    public async Task Run_UnderLoad_ThresholdChangeAndAddedOperatorApplyWithoutLoss_InvalidEditChangesNothing()
    {
        using var dir = new TempDir();
        WriteData(dir.File("data.ndjson"));
        var path = dir.File("pipeline.yaml");
        File.WriteAllText(path, Yaml(dir, tolerance: 3, anomaly: false));
        var events = new ConcurrentQueue<(DateTime At, RunCommand.ReloadEvent Event)>();
        var feed = new AlertFeed(capacity: 5_000);
        var summaryPath = dir.File("summary.json");

        var run = RunCommand.RunAsync(new RunCommand.RunRequest(path, null, null, 2, 0, summaryPath)
        {
            WatchInterval = TimeSpan.FromMilliseconds(100),
            OnReload = e => events.Enqueue((DateTime.UtcNow, e)),
            AlertFeed = feed,
        });

        // Under load: wait for the first checkpoint, then change a threshold and add an operator.
        await WaitForAsync(() => Directory.Exists(dir.File("checkpoints")) && Directory.GetDirectories(dir.File("checkpoints")).Length > 0, run, "a first checkpoint");
        Assert.DoesNotContain(feed.Recent(), a => a.Source == "anomaly");
        Save(path, Yaml(dir, tolerance: 5, anomaly: true));
        await WaitForAsync(() => events.Any(e => e.Event.Kind == ReloadKind.Restart), run, "the reload");
        var applied = events.First(e => e.Event.Kind == ReloadKind.Restart).At;

        // The new behaviour (anomaly alerts) shows within one checkpoint interval.
        await WaitForAsync(() => feed.Recent().Any(a => a.Source == "anomaly"), run, "an anomaly alert");
        Assert.True(DateTime.UtcNow - applied <= CheckpointInterval, $"first anomaly alert {DateTime.UtcNow - applied} after the reload");

        // An invalid edit is rejected with validate's messages and changes nothing.
        var invalid = Yaml(dir, tolerance: 5, anomaly: true).Replace("op: window", "op: windw", StringComparison.Ordinal);
        Save(path, invalid);
        await WaitForAsync(() => events.Any(e => e.Event.Kind == ReloadKind.Rejected), run, "the rejection");
        var expected = new StringWriter();
        ValidateCommand.Run(path, expected);
        var rejected = events.First(e => e.Event.Kind == ReloadKind.Rejected).Event;
        Assert.Equal(expected.ToString(), rejected.Message);
        Assert.Contains("unknown operator 'windw'", rejected.Message, StringComparison.Ordinal);
        Assert.Equal(1, rejected.Reloads);

        Assert.Equal(0, await run.WaitAsync(TimeSpan.FromMinutes(4)));
        Assert.Single(events, e => e.Event.Kind == ReloadKind.Restart);
        using var summary = JsonDocument.Parse(File.ReadAllText(summaryPath));
        Assert.Equal(Lines, summary.RootElement.GetProperty("recordsIn").GetInt64());
        Assert.Equal(1, summary.RootElement.GetProperty("reloads").GetInt32());
        Assert.Equal(Lines, WindowStatsDb.CountSum(dir.File("out.duckdb")));
    }

    /// <summary>Saves as editors do: a new file renamed over the old one, so the watcher never sees half a file.</summary>
    private static void Save(string path, string text)
    {
        File.WriteAllText(path + ".tmp", text);
        File.Move(path + ".tmp", path, overwrite: true);
    }

    private static async Task WaitForAsync(Func<bool> condition, Task run, string what)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            if (run.IsCompleted) throw new InvalidOperationException($"the run ended (exit {(run.IsCompletedSuccessfully ? ((Task<int>)run).Result.ToString(System.Globalization.CultureInfo.InvariantCulture) : "fault")}) before {what}");
            if (clock.Elapsed > TimeSpan.FromSeconds(120)) throw new TimeoutException("no " + what + " within 120 s");
            await Task.Delay(25);
        }
    }

    private static void WriteData(string path)
    {
        var data = new StringBuilder(Lines * 110);
        for (var i = 0; i < Lines; i++)
        {
            var value = i % 4999 == 4998 ? 500 : 20 + i % 9; // a spike now and then, on varying keys
            data.Append(FormattableString.Invariant(
                $"{{\"deviceId\":\"device-{i % 200}\",\"timestamp\":{1_767_000_000_000L + i},\"sensorType\":\"temperature\",\"payload\":{{\"value\":{value},\"unit\":\"C\"}}}}")).Append('\n');
        }
        File.WriteAllText(path, data.ToString());
    }

    private static string Yaml(TempDir dir, double tolerance, bool anomaly) => FormattableString.Invariant($"""
        name: reload-test
        source:
          type: file
          path: data.ndjson
          rate: 25000
        event-time:
          allowed-lateness: 1s
        steps:
          - op: key-by
            fields: [deviceId, sensorType]
          - op: window
            kind: tumbling
            size: 10s
          - op: aggregate
            functions: [count, mean]
          - op: volume
            window: 1s
            tolerance: {tolerance}
        {(anomaly ? "  - op: anomaly\n    threshold: 0.9\n    detectors: [robust-z]\n" : "")}sinks:
          - type: duckdb
            path: {dir.File("out.duckdb")}
            table: window_stats
            mode: upsert
        dead-letter:
          path: {dir.File("dlq.ndjson")}
        checkpoint:
          dir: {dir.File("checkpoints")}
          interval: {CheckpointInterval.TotalSeconds}s
        runtime:
          workers: 2
        http:
          port: 0

        """);
}
