using System.Diagnostics;
using Platform.Connectors.SchemaRegistry;
using Platform.Connectors.Tests.Infrastructure;
using Platform.Host.Running;
using Platform.Kafka.Tests.Infrastructure;

namespace Platform.Kafka.Tests.Host;

/// <summary>
/// <c>platform run</c> with <c>format: avro</c> on the Kafka source: telemetry written with schema v1 and v2 by the
/// Confluent serializer (record subject naming), read through the registry named in the YAML into one stream.
/// </summary>
public sealed class YamlAvroRunTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Run_YamlAvroSourceWithRegistry_V1AndV2WritersReadIntoOneStream_EveryWindowOnTheOutputTopic()
    {
        using var cluster = new MockKafkaCluster();
        await using var avro = await AvroTelemetryWriter.StartAsync(SubjectNaming.Record);
        var input = MockKafkaCluster.UniqueTopic("yaml-avro-in");
        var results = MockKafkaCluster.UniqueTopic("yaml-avro-out");
        cluster.CreateTopic(input, 3);
        cluster.CreateTopic(results, 3);
        var workload = new TelemetryWorkload(6_000, 60);
        var messages = new List<(string? Key, byte[] Value, int? Partition)>();
        for (var i = 0; i < workload.Records; i++)
            messages.Add(await avro.MessageAsync(input, workload, i, i % 2 == 0 ? PlatformAvroSchemas.TelemetryV1 : PlatformAvroSchemas.TelemetryV2));
        messages.AddRange(await avro.WatermarkPushersAsync(input, workload, 3));
        cluster.Produce(input, messages);
        Assert.Equal(2, avro.Registry.Subjects[PlatformAvroSchemas.TelemetryV2.Fullname].Length); // record naming: v1 and v2 in one subject

        using var dir = new TempDirectory();
        var yaml = $"""
            name: kafka-avro-yaml
            source:
              type: kafka
              bootstrap-servers: '{cluster.BootstrapServers}'
              topic: {input}
              format: avro
              schema-registry: '{avro.Registry.Url}'
              subject-naming: record
            {YamlSteps.CountPerSensor("count")}
            sinks:
              - type: kafka
                bootstrap-servers: '{cluster.BootstrapServers}'
                topic: {results}
            {YamlRun.Checkpoints(dir, dir.File("checkpoints"), "500ms")}
            """;

        var clock = Stopwatch.StartNew();
        var tally = new WindowTally(workload.ExpectedWindows());
        var (exit, summary) = await YamlRun.RunAsync(dir, yaml, run => cluster.ReadAll(results, all => tally.Take(all) || run.IsCompleted, TimeSpan.FromSeconds(150)));
        using var totals = summary!;
        output.WriteLine($"{clock.Elapsed.TotalSeconds:0.0}s: exit {exit}; {tally.Covered:N0} windows, {tally.Duplicates} duplicates");

        Assert.Equal(RunCommand.ExitOk, exit);
        Assert.Empty(tally.Missing());
        Assert.Empty(tally.Wrong());
        Assert.Equal(0, tally.Duplicates);
        Assert.Equal(workload.Records + 3, totals.RootElement.GetProperty("recordsIn").GetInt64());
        Assert.Equal(0, totals.RootElement.GetProperty("deadLetters").GetInt64());
    }
}
