using System.CommandLine;
using Platform.Connectors.Aws.Kinesis;
using Platform.Host.Cli;
using Platform.Host.Config;
using Platform.Host.Config.Sinks;
using Platform.Host.Config.Sources;

namespace Platform.Host.Tests.Config;

/// <summary><c>source: kinesis</c>, <c>sink: kinesis</c>, <c>sink: eventbridge</c>: binding, round trip, and the errors <c>platform validate</c> reports.</summary>
public sealed class AwsConfigTests
{
    private const string Valid = """
        name: aws
        source:
          type: kinesis
          stream: iot-telemetry
          region: eu-west-1
          endpoint: http://127.0.0.1:4567
          access-key-id: AKIDCONFIG
          secret-access-key-env: PLATFORM_TEST_AWS_SECRET
          initial-position: latest
          records-per-call: 500
          poll-interval: 250ms
          partitions: 8
        steps:
          - op: key-by
            fields: [deviceId, sensorType]
          - op: window
            kind: tumbling
            size: 10s
          - op: aggregate
        sinks:
          - type: kinesis
            stream: window-stats
            region: eu-west-1
            concurrency: 8
          - type: eventbridge
            bus: platform-events
            source: platform.iot
            detail-type: telemetry.window_closed
            resources: [arn:aws:iot:eu-west-1:123456789012:thing/dev-1]
            profile: prod
            max-retries: 2
        """;

    private static ConfigLoadResult Parse(string yaml) => PipelineConfigLoader.Parse(yaml, "aws.yaml", Path.GetTempPath());

    [Fact]
    public void Parse_KinesisSourceKinesisAndEventBridgeSinks_BindsEveryField()
    {
        var result = Parse(Valid);

        Assert.Empty(result.Errors);
        var config = result.Config!;
        var source = Assert.IsType<KinesisSourceConfig>(config.Source);
        Assert.Equal(("iot-telemetry", "eu-west-1", "http://127.0.0.1:4567", KinesisStartPosition.Latest, 500, 8),
            (source.Stream, source.Aws.Region, source.Aws.Endpoint, source.InitialPosition, source.RecordsPerCall, source.Partitions));
        Assert.Equal(TimeSpan.FromMilliseconds(250), source.PollInterval);
        var kinesis = Assert.IsType<KinesisSinkConfig>(config.Sinks[0]);
        Assert.Equal(("window-stats", 8, 10), (kinesis.Stream, kinesis.Concurrency, kinesis.MaxAttempts));
        var events = Assert.IsType<EventBridgeSinkConfig>(config.Sinks[1]);
        Assert.Equal(("platform-events", "platform.iot", "Telemetry Window Closed", "prod", 2),
            (events.Bus, events.EventSource, events.EventDetailType, events.Aws.Profile, events.Aws.MaxRetries));
        Assert.Equal(new[] { "arn:aws:iot:eu-west-1:123456789012:thing/dev-1" }, events.Resources);
    }

    [Fact]
    public void ToYaml_AwsConfig_LoadsBackEqual()
    {
        var config = Parse(Valid).Config!;

        var again = Parse(PipelineConfigWriter.ToYaml(config));

        Assert.Empty(again.Errors);
        Assert.Equal(config, again.Config);
    }

    [Fact]
    public void Parse_BadAwsValues_ReportsEachWithItsLine()
    {
        const string yaml = """
            name: bad-aws
            source:
              type: kinesis
              stream: "iot telemetry"
              region: Europe
              endpoint: ftp://example.com
              access-key-id: AKIDONLY
              records-per-call: 20000
              poll-interval: 100ms
              initial-position: at-sequence-number
            sinks:
              - type: kinesis
              - type: eventbridge
                source: aws.ec2
                detail-type: " .. "
                resources: [not-an-arn]
                include-time: sometimes
            """;

        var result = Parse(yaml);

        Assert.Null(result.Config);
        var errors = result.Errors.Select(e => (e.Line, e.Message)).ToList();
        Assert.Contains((4, "'stream' must be 1–128 letters, digits, '_', '-' or '.', got 'iot telemetry'"), errors);
        Assert.Contains((5, "'region' must be an AWS region such as us-east-1, got 'Europe'"), errors);
        Assert.Contains((6, "'endpoint' must be an absolute http(s) URL, got 'ftp://example.com'"), errors);
        Assert.Contains((7, "'access-key-id' and 'secret-access-key-env' go together"), errors);
        Assert.Contains(errors, e => e.Line == 8 && e.Message.Contains("records-per-call", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Line == 9 && e.Message.Contains("poll-interval", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Line == 10 && e.Message.StartsWith("'initial-position' must be one of trim-horizon, latest", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Line == 12 && e.Message.EndsWith("is missing required field 'stream'", StringComparison.Ordinal));
        Assert.Contains((14, "'source' must not start with 'aws.' (reserved for AWS services), got 'aws.ec2'"), errors);
        Assert.Contains(errors, e => e.Line == 15 && e.Message.StartsWith("'detail-type' has no words", StringComparison.Ordinal));
        Assert.Contains((16, "each item of 'resources' must be an ARN, got 'not-an-arn'"), errors);
        Assert.Contains((17, "'include-time' must be true or false, got 'sometimes'"), errors);
        Assert.Equal(12, result.Errors.Count);
    }

    [Fact]
    public async Task Validate_SecretInYaml_IsUnknownKeyAndNeverEchoed()
    {
        using var temp = new TempDirectory();
        var path = temp.Write("secret.yaml", """
            source:
              type: kinesis
              stream: s
              access-key-id: AKIDX
              secret-access-key: wJalrXUtnFEMIK7MDENGbPxRfiCYEXAMPLEKEY
            sinks:
              - type: null
            """);
        using var output = new StringWriter();

        var exit = await ValidateCommand.Create().Parse([path]).InvokeAsync(
            new InvocationConfiguration { Output = output, Error = output }, TestContext.Current.CancellationToken);

        Assert.Equal(2, exit);
        Assert.Contains("unknown key 'secret-access-key'", output.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("wJalrXUtnFEMI", output.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void ToOptions_SecretFromNamedVariable_UsedButNeverShown()
    {
        var aws = Assert.IsType<KinesisSourceConfig>(Parse(Valid).Config!.Source).Aws;
        var env = new Dictionary<string, string?> { ["PLATFORM_TEST_AWS_SECRET"] = "s3cr3t-from-env" };

        var options = aws.ToOptions(k => env.GetValueOrDefault(k));

        Assert.Equal("s3cr3t-from-env", options.Credentials!.SecretAccessKey);
        Assert.DoesNotContain("s3cr3t", options.ToString(), StringComparison.Ordinal);
        var e = Assert.Throws<InvalidOperationException>(() => aws.ToOptions(_ => null));
        Assert.Contains("PLATFORM_TEST_AWS_SECRET", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ToOptions_KinesisSource_MapsToConnectorOptions()
    {
        var source = Assert.IsType<KinesisSourceConfig>(Parse(Valid).Config!.Source) with
        {
            Aws = new AwsConnectionConfig("eu-west-1", null, null, null, null, null, 3, TimeSpan.FromMilliseconds(50), TimeSpan.FromSeconds(2)),
        };

        var options = source.ToOptions();

        options.Validate();
        Assert.Equal(ShardIteratorType.Latest, options.InitialPosition);
        Assert.Equal((500, 8, 3), (options.RecordsPerCall, options.Partitions, options.Client.MaxRetryAttempts));
        Assert.Null(options.Client.Credentials);
    }
}
