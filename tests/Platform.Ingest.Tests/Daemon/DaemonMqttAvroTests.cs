using System.Diagnostics;
using Avro.Generic;
using Avro.IO;
using MQTTnet;
using MQTTnet.Protocol;
using Platform.Connectors.SchemaRegistry;
using Platform.Host.Config;
using Platform.Host.Config.Sources;
using Platform.Ingest.Tests.DurableLog;
using Platform.Ingest.Tests.Mqtt;

namespace Platform.Ingest.Tests.Daemon;

/// <summary><c>platform run</c> with <c>source: { type: mqtt, format: avro }</c>: Avro payloads reach the log as telemetry lines, bad ones the pipeline's DLQ file.</summary>
[Collection(nameof(MosquittoCollection))]
public sealed class DaemonMqttAvroTests(ITestOutputHelper output)
{
    private static string Yaml(TempDir dir, string clientId, string avroKeys) => $"""
        name: mqtt-avro
        source:
          type: mqtt
          host: 127.0.0.1
          port: {(Environment.GetEnvironmentVariable("PLATFORM_TEST_MQTT_PORT") is { } p ? p : "1883")}
          client-id: {clientId}
          topics: [{clientId}/+/telemetry]
          log: {Path.Combine(dir.Path, "log")}
        {avroKeys}
        {YamlSteps.CountPerSensorToNull()}
        dead-letter:
          path: {Path.Combine(dir.Path, "dlq.ndjson")}
        http:
          port: 0
        """;

    private static byte[] AvroV1(int n)
    {
        var record = new GenericRecord(PlatformAvroSchemas.TelemetryV1);
        record.Add("deviceId", "dev1");
        record.Add("timestamp", DateTimeOffset.FromUnixTimeMilliseconds(1_777_000_000_000 + n).UtcDateTime);
        record.Add("sensorType", "temperature");
        record.Add("value", n + 0.25);
        record.Add("vector", null);
        record.Add("location", null);
        record.Add("correlationId", $"avro-{n}");
        using var stream = new MemoryStream();
        new GenericDatumWriter<GenericRecord>(PlatformAvroSchemas.TelemetryV1).Write(record, new BinaryEncoder(stream));
        return stream.ToArray();
    }

    [Fact]
    public async Task AvroWithFixedWriterSchema_FromYaml_LandsInTheLog_BadPayloadInTheDeadLetterFile()
    {
        var ct = TestContext.Current.CancellationToken;
        using var dir = new TempDir();
        var schema = Path.Combine(dir.Path, "telemetry.v1.avsc");
        File.WriteAllText(schema, PlatformAvroSchemas.Text("Telemetry.v1.avsc"));
        var clientId = "platform-avro-" + Guid.NewGuid().ToString("N");
        var yaml = Path.Combine(dir.Path, "pipeline.yaml");
        File.WriteAllText(yaml, Yaml(dir, clientId, $"""
              format: avro
              writer-schema: {schema}
            """));
        using var daemon = new PlatformDaemon(yaml);
        await daemon.WaitForAsync("mqtt: connected");
        using var publisher = await MqttLoad.PublisherAsync(clientId + "-pub", ct);
        const int good = 200;
        for (var n = 0; n < good; n++)
        {
            await publisher.PublishAsync(new MqttApplicationMessageBuilder().WithTopic($"{clientId}/dev1/telemetry").WithPayload(AvroV1(n))
                .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build(), ct);
        }
        var poison = AvroV1(999)[..7];
        await publisher.PublishAsync(new MqttApplicationMessageBuilder().WithTopic($"{clientId}/dev1/telemetry").WithPayload(poison)
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build(), ct);
        var dlq = Path.Combine(dir.Path, "dlq.ndjson");
        var clock = Stopwatch.StartNew();
        var logged = MqttLoad.CorrelationIdsInFiles(Path.Combine(dir.Path, "log"));
        while (logged.Count < good && clock.Elapsed < TimeSpan.FromSeconds(90))
        {
            await Task.Delay(100, ct);
            logged = MqttLoad.CorrelationIdsInFiles(Path.Combine(dir.Path, "log"));
        }
        // A graceful stop (SIGTERM) flushes the dead-letter file, which the pipeline buffers.
        using (var term = Process.Start("kill", ["-TERM", daemon.Process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])) await term.WaitForExitAsync(ct);
        await daemon.Process.WaitForExitAsync(ct).WaitAsync(TimeSpan.FromSeconds(60), ct);
        var letters = File.Exists(dlq) ? File.ReadAllText(dlq) : "";
        output.WriteLine($"logged {logged.Count}; dead letters: {letters}");
        Assert.Equal(Enumerable.Range(0, good).Select(n => $"avro-{n}").Order(), logged.Order());
        var letter = Assert.Single(letters.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => System.Text.Json.JsonDocument.Parse(l).RootElement),
            l => l.GetProperty("reason").GetString()!.Contains("avro-corrupt-body", StringComparison.Ordinal));
        Assert.Equal(poison, letter.GetProperty("raw").GetBytesFromBase64());
    }

    [Theory]
    [InlineData("  format: avro", "exactly one of 'schema-registry'")]
    [InlineData("  format: avro\n  schema-registry: not-a-url", "not an absolute http(s) URL")]
    [InlineData("  format: avro\n  writer-schema: missing.avsc", "does not exist")]
    [InlineData("  schema-registry: http://127.0.0.1:8081", "'schema-registry' is for Avro payloads")]
    public void AvroSettings_AreValidated(string keys, string error)
    {
        using var dir = new TempDir();
        var result = PipelineConfigLoader.Parse(Yaml(dir, "c", keys), "pipeline.yaml", dir.Path);
        Assert.Null(result.Config);
        Assert.Contains(result.Errors, e => e.Message.Contains(error, StringComparison.Ordinal));
    }

    [Fact]
    public void AvroWithRegistry_AndMaxLag_Bind()
    {
        using var dir = new TempDir();
        var mqtt = PipelineConfigLoader.Parse(Yaml(dir, "c", "  format: avro\n  schema-registry: http://127.0.0.1:8081"), "pipeline.yaml", dir.Path);
        var source = Assert.IsType<MqttSourceConfig>(mqtt.Config?.Source, exactMatch: true);
        Assert.Equal(MqttPayloadFormat.Avro, source.Format);
        Assert.Equal("http://127.0.0.1:8081", source.SchemaRegistry);

        var http = PipelineConfigLoader.Parse(HttpYaml(dir, "  max-lag: 64MiB"), "pipeline.yaml", dir.Path);
        Assert.Equal(64L << 20, Assert.IsType<HttpSourceConfig>(http.Config?.Source, exactMatch: true).MaxLag);
        var defaulted = PipelineConfigLoader.Parse(HttpYaml(dir, ""), "pipeline.yaml", dir.Path);
        Assert.Equal(HttpSourceConfig.DefaultMaxLag, Assert.IsType<HttpSourceConfig>(defaulted.Config?.Source, exactMatch: true).MaxLag);
    }

    private static string HttpYaml(TempDir dir, string extra) => $"""
        name: http-lag
        source:
          type: http
          port: 8088
          log: {Path.Combine(dir.Path, "log")}
        {extra}
        {YamlSteps.CountPerSensorToNull()}
        """;
}
