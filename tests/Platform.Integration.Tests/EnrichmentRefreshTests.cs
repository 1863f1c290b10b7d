using System.Text;
using Platform.Host.Config;
using Platform.Host.Running;

namespace Platform.Integration.Tests;

/// <summary>
/// A registry replaced again and again while the pipeline runs loses no record: with <c>on-missing: dlq</c>, a record
/// that met a torn or empty table would land in the dead-letter file instead of a window.
/// </summary>
public sealed class EnrichmentRefreshTests
{
    private const int Devices = 2_000;

    [Fact]
    public async Task Run_RegistryRewrittenUnderLoad_EveryValidRecordReachesTheWindows()
    {
        using var dir = new TempDir();
        var registry = dir.File("devices.csv");
        WriteRegistry(registry, version: 0);
        var yaml = dir.File("pipeline.yaml");
        File.WriteAllText(yaml, $"""
            name: refresh-under-load
            source:
              type: generator
              events: 400000
              devices: {Devices}
              malformed-share: 0.001
              rate: 100000
            steps:
              - op: enrich
                file: devices.csv
                refresh: on-change
                on-missing: dlq
                limits-sensor: temperature
              - op: key-by
                fields: [deviceId, sensorType]
              - op: window
                size: 10s
              - op: aggregate
                functions: [count]
            sinks:
              - type: duckdb
                path: {dir.File("windows.duckdb")}
                table: window_stats
            dead-letter:
              path: {dir.File("dlq.ndjson")}
            """);
        var config = PipelineConfigLoader.Load(yaml, dir.Path).Config ?? throw new InvalidOperationException("the test pipeline is invalid");

        long versionsSeen, recordsIn;
        await using (var assembly = PipelineFactory.Build(config, new RunOverrides(Workers: 2)))
        {
            var handle = assembly.Devices!.Settings.Registry!;
            using var stop = new CancellationTokenSource();
            var rewrites = Task.Run(async () =>
            {
                for (var version = 1; !stop.IsCancellationRequested; version++)
                {
                    // Written aside and renamed over the registry: a reader sees the old file or the new one, whole.
                    WriteRegistry(registry + ".tmp", version);
                    File.Move(registry + ".tmp", registry, overwrite: true);
                    await Task.Delay(40);
                }
            });
            var result = await assembly.Definition.RunAsync();
            await stop.CancelAsync();
            await rewrites;
            versionsSeen = handle.Version;

            recordsIn = result.RecordsIn;
            Assert.Equal(assembly.SourceValidRecords!(), recordsIn);
        }
        // After the assembly is disposed, the sinks and the dead-letter file are complete.
        var (_, windowed) = DuckDbQueries.WindowTotals(dir.File("windows.duckdb"));
        Assert.Equal(recordsIn, windowed);
        // Only the generator's malformed lines are dead letters: not one record met a device-less table.
        var deadLetters = File.ReadAllLines(dir.File("dlq.ndjson"));
        Assert.DoesNotContain(deadLetters, l => l.Contains("unknown device", StringComparison.Ordinal));
        Assert.Equal(400_000, recordsIn + deadLetters.Length);
        Assert.True(versionsSeen >= 5, $"the registry was swapped {versionsSeen - 1} times during the run; the test needs several");
    }

    /// <summary>Every device, with an owner that names the version (so each rewrite really changes the table).</summary>
    private static void WriteRegistry(string path, int version)
    {
        var csv = new StringBuilder("device,owner,site,model,threshold_low,threshold_high\n");
        for (var d = 0; d < Devices; d++) csv.Append("dev-").Append(d.ToString("D6", System.Globalization.CultureInfo.InvariantCulture)).Append(",owner-v").Append(version).Append(",site,model,-100,100\n");
        File.WriteAllText(path, csv.ToString());
    }
}
