using System.Text;
using System.Text.Json;
using Platform.Host.Config;
using Platform.Host.Running;
using Platform.Operators.Quality;
using Platform.Sinks.Alerts;

namespace Platform.Ops.Tests;

public class OpsConfigTests
{
    private static readonly string Core = $"""
        name: ops
        source:
          type: generator
          events: 1000
        {YamlSteps.CountPerSensorToNull()}

        """;

    [Fact]
    public async Task AlertsFromYaml_WebhookWithEnvSecretAndThrottle_FlappingKeySendsAtMostBurst()
    {
        await using var server = await RecordingServer.StartAsync();
        var variable = "PLATFORM_OPS_ALERT_SECRET_" + Guid.NewGuid().ToString("N");
        Environment.SetEnvironmentVariable(variable, "whsec-from-env");
        try
        {
            var result = PipelineConfigLoader.Parse(Core + $"""
                alerts:
                  min-severity: warning
                  template: "{"{key}"} is {"{value}"}"
                  burst: 2
                  refill: 10m
                  dedup: 5m
                  quiet: 10s
                  sinks:
                    - type: webhook
                      url: {server.BaseUrl}hooks
                      secret: env:{variable}

                """, "ops.yaml");
            var config = Assert.IsType<PipelineConfig>(result.Config);
            Assert.Equal(2, config.Alerts!.Burst);
            Assert.Equal(config, PipelineConfigLoader.Parse(PipelineConfigWriter.ToYaml(config), "ops.yaml").Config);

            using var http = new HttpClient();
            using var sink = AlertSinks.Create(config.Alerts, http)!;
            var alert = new Alert("device-1/temperature", DateTimeOffset.UtcNow, 99, 1, 0, 10, "spike", AlertSeverity.Warning, "anomaly");
            for (var i = 0; i < 1000; i++) await sink.NotifyAsync(alert with { Severity = i % 2 == 0 ? AlertSeverity.Warning : AlertSeverity.Critical });

            Assert.InRange(server.Requests.Count, 1, 2);
            var request = server.Requests.First();
            Assert.Equal("/hooks", request.Path);
            Assert.Contains("\"text\":\"device-1/temperature is 99\"", request.BodyText, StringComparison.Ordinal);
            var timestamp = request.Headers[WebhookOptions.TimestampHeader];
            Assert.Equal(WebhookNotifier.Sign(Encoding.UTF8.GetBytes("whsec-from-env"), timestamp, request.Body), request.Headers[WebhookOptions.SignatureHeader]);
        }
        finally
        {
            Environment.SetEnvironmentVariable(variable, null);
        }
    }

    [Fact]
    public void AlertsFromYaml_LiteralSecretOrBadTemplate_AreConfigErrorsThatNeverEchoTheSecret()
    {
        var result = PipelineConfigLoader.Parse(Core + """
            alerts:
              template: "{keys}"
              sinks:
                - type: twilio
                  account-sid: AC1
                  token: hunter2-literal
                  from: "+15005550006"
                  to: ["+14155550100"]
                - type: pager

            """, "ops.yaml");

        Assert.Null(result.Config);
        var messages = string.Join("\n", result.Errors.Select(e => e.ToString() + " " + e.Hint));
        Assert.Contains("'token' must name where the secret is", messages, StringComparison.Ordinal);
        Assert.Contains("env:VARIABLE", messages, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2", messages, StringComparison.Ordinal);
        Assert.Contains("Unknown placeholder '{keys}'", messages, StringComparison.Ordinal);
        Assert.Contains("unknown alert sink type 'pager'", messages, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SchemaDriftStep_InAPipeline_NewFieldRaisesExactlyOneAlertOnTheFeed()
    {
        using var dir = new TempDir();
        var data = new StringBuilder();
        for (var i = 0; i < 4000; i++)
        {
            var extra = i >= 2000 ? ",\"firmware\":\"2.1.0\"" : "";
            data.Append(FormattableString.Invariant($"{{\"deviceId\":\"device-{i % 30}\",\"timestamp\":{1_767_000_000_000L + i * 10L},\"sensorType\":\"humidity\",\"payload\":{{\"value\":{40 + i % 5},\"unit\":\"%\"}}{extra}}}")).Append('\n');
        }
        File.WriteAllText(dir.File("data.ndjson"), data.ToString());
        var path = dir.File("pipeline.yaml");
        File.WriteAllText(path, $"""
            name: drift
            source:
              type: file
              path: data.ndjson
              chunk-size: 16KiB
            steps:
              - op: schema-drift
                sample-every: 512
                warm-up: 50
                window: 50
              - op: key-by
                fields: [deviceId, sensorType]
              - op: window
                kind: tumbling
                size: 10s
              - op: aggregate
                functions: [count]
            sinks:
              - type: null
            dead-letter:
              path: {dir.File("dlq.ndjson")}
            runtime:
              workers: 1

            """);
        var config = PipelineConfigLoader.Load(path).Config ?? throw new InvalidOperationException(string.Join("\n", PipelineConfigLoader.Load(path).Errors));
        var feed = new AlertFeed();
        await using var hub = new AlertHub(feed);
        await using (var assembly = PipelineFactory.Build(config, new RunOverrides(Workers: 1) { Alerts = hub }))
        {
            Assert.NotNull(assembly.Monitors?.Schema);
            var result = await assembly.Definition.RunAsync();
            Assert.Equal(4000, result.RecordsIn);
        }

        var alert = Assert.Single(feed.Recent());
        Assert.Equal("schema-drift", alert.Source);
        Assert.EndsWith(".firmware", alert.Key, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunReport_PostsTheMonteCarloJobExecutionShapeWithHeaders()
    {
        await using var server = await RecordingServer.StartAsync();
        var id = "PLATFORM_OPS_MC_ID_" + Guid.NewGuid().ToString("N");
        var token = "PLATFORM_OPS_MC_TOKEN_" + Guid.NewGuid().ToString("N");
        Environment.SetEnvironmentVariable(id, "mc-id-1");
        Environment.SetEnvironmentVariable(token, "mc-token-2");
        try
        {
            var config = PipelineConfigLoader.Parse(Core + $"""
                run-report:
                  url: {server.BaseUrl}graphql
                  id: env:{id}
                  token: env:{token}
                  organization: org-7
                  namespace: iot

                """, "ops.yaml").Config!;
            var totals = new RunTotals("ops", 990, 10, 120, 0, null, 123_456, 2.5, 396, 0, null);
            var start = new DateTimeOffset(2026, 11, 28, 12, 0, 0, TimeSpan.Zero);
            var report = RunReporter.Build(config, totals, start, start.AddSeconds(2.5), RunStatus.Success, "generator");
            using var http = new HttpClient();

            Assert.Null(await RunReporter.PostAsync(config.RunReport!, report, http));

            var request = Assert.Single(server.Requests);
            Assert.Equal("/graphql", request.Path);
            Assert.Equal("application/json", request.Headers["Content-Type"]);
            Assert.Equal("mc-id-1", request.Headers["x-mc-id"]);
            Assert.Equal("mc-token-2", request.Headers["x-mc-token"]);
            Assert.Equal("org-7", request.Headers["x-mc-organization-id"]);
            using var body = JsonDocument.Parse(request.Body);
            Assert.StartsWith("mutation CreateJobExecution($jobExecution: JobExecutionInput!)", body.RootElement.GetProperty("query").GetString(), StringComparison.Ordinal);
            var job = body.RootElement.GetProperty("variables").GetProperty("jobExecution");
            Assert.Equal(["id", "name", "namespace", "status", "startTime", "endTime", "duration", "triggeredBy", "metadata", "inputs", "outputs"],
                job.EnumerateObject().Select(p => p.Name).ToArray());
            Assert.Equal("ops", job.GetProperty("name").GetString());
            Assert.Equal("iot", job.GetProperty("namespace").GetString());
            Assert.Equal("SUCCESS", job.GetProperty("status").GetString());
            Assert.Equal("2026-11-28T12:00:00.000Z", job.GetProperty("startTime").GetString());
            Assert.Equal(2500, job.GetProperty("duration").GetInt64());
            var input = job.GetProperty("inputs")[0];
            Assert.Equal("DATASET", input.GetProperty("type").GetString());
            Assert.Equal(1000, input.GetProperty("properties").GetProperty("numRecords").GetInt64());
            Assert.Equal(123_456, input.GetProperty("properties").GetProperty("bytes").GetInt64());
            var outputs = job.GetProperty("outputs");
            Assert.Equal(120, outputs[0].GetProperty("properties").GetProperty("numRecords").GetInt64());
            Assert.Equal(10, outputs[1].GetProperty("properties").GetProperty("numRecords").GetInt64());
        }
        finally
        {
            Environment.SetEnvironmentVariable(id, null);
            Environment.SetEnvironmentVariable(token, null);
        }
    }
}
