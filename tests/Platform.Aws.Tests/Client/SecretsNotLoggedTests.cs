using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Platform.Aws.Tests.EventBridge;
using Platform.Aws.Tests.Infrastructure;
using Platform.Connectors.Aws;
using Platform.Engine.Batching;
using Platform.Engine.DeadLetters;
using Platform.Engine.Records;
using Platform.Sinks.EventBridge;
using Platform.Sinks.Kinesis;

namespace Platform.Aws.Tests.Client;

/// <summary>
/// Runs the sinks through partial failures, whole-call failures, dead letters and a rejected
/// signature with a logger that keeps every line and exception, then looks for the secret key and
/// the session token in all of it.
/// </summary>
public sealed class SecretsNotLoggedTests
{
    private const string SecretKey = "SECRETwJalrXUtnFEMIK7MDENGbPxRfiCY";
    private const string SessionToken = "TOKENAQoDYXdzEPT9iZ2luX2VjEN3UPM";

    private sealed class KeepingLogger : ILogger
    {
        public readonly List<string> Lines = [];

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var text = new StringBuilder(formatter(state, exception));
            if (state is IEnumerable<KeyValuePair<string, object?>> fields)
            {
                foreach (var f in fields) text.Append(' ').Append(f.Key).Append('=').Append(f.Value);
            }
            if (exception is not null) text.Append(' ').Append(exception);
            lock (Lines) Lines.Add(text.ToString());
        }
    }

    private static AwsCredentials Credentials(string secret = SecretKey) => new("AKIDSECRETSTEST", secret, SessionToken);

    private static void AssertClean(IEnumerable<string> texts)
    {
        foreach (var t in texts)
        {
            Assert.DoesNotContain(SecretKey, t, StringComparison.Ordinal);
            Assert.DoesNotContain(SessionToken, t, StringComparison.Ordinal);
            Assert.DoesNotContain(SecretKey[..12], t, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task KinesisSink_RetriesAndDeadLetters_LogNoSecretOrToken()
    {
        var call = 0;
        await using var server = new LoopbackHttpServer(async (context, body) =>
        {
            var n = Interlocked.Increment(ref call);
            if (n % 3 == 1)
            {
                await LoopbackHttpServer.RespondAsync(context, 503, "{\"__type\":\"ServiceUnavailable\",\"message\":\"injected\"}");
                return;
            }
            using var doc = JsonDocument.Parse(body);
            var count = doc.RootElement.GetProperty("Records").GetArrayLength();
            // First entry throttled, second rejected for good, the rest stored.
            var results = Enumerable.Range(0, count).Select(i => i switch
            {
                0 => "{\"ErrorCode\":\"ProvisionedThroughputExceededException\",\"ErrorMessage\":\"Rate exceeded\"}",
                1 => "{\"ErrorCode\":\"KMSAccessDeniedException\",\"ErrorMessage\":\"denied\"}",
                _ => "{\"SequenceNumber\":\"1\",\"ShardId\":\"shardId-000000000000\"}",
            });
            await LoopbackHttpServer.RespondAsync(context, 200, $"{{\"FailedRecordCount\":{Math.Min(2, count)},\"Records\":[{string.Join(',', results)}]}}");
        });
        var logger = new KeepingLogger();
        var dlq = new CountingDeadLetterSink();
        var options = new KinesisSinkOptions
        {
            StreamName = "secrets",
            Concurrency = 1, // one lane, so the scripted answers reach the calls in order
            MaxAttempts = 3,
            RetryBaseDelay = TimeSpan.FromMilliseconds(1),
            RetryMaxDelay = TimeSpan.FromMilliseconds(5),
            Client = new AwsClientOptions { Endpoint = server.Uri, Credentials = Credentials(), MaxRetryAttempts = 0 },
        };
        await using (var sink = options.CreateSink<KinesisEntry, KinesisEntryEncoder>(default, dlq, logger))
        {
            var batch = new BatchPool<KinesisEntry>(16).Rent();
            for (var i = 0; i < 5; i++) batch.Add(new KinesisEntry("k" + i, Encoding.UTF8.GetBytes("{\"n\":" + i + "}")));
            await sink.WriteAsync(batch, TestContext.Current.CancellationToken);
            await sink.FlushAsync(TestContext.Current.CancellationToken);
            AssertClean([sink.ToString()!]);
        }

        Assert.True(dlq.Count >= 1);
        Assert.Contains(logger.Lines, l => l.Contains("failed as a whole", StringComparison.Ordinal));
        Assert.Contains(logger.Lines, l => l.Contains("dead-lettered", StringComparison.Ordinal));
        AssertClean(logger.Lines);
        using var client = options.Client.CreateClient("kinesis");
        AssertClean([dlq.LastReason ?? string.Empty, options.ToString(), options.Client.ToString(), client.ToString()]);
    }

    [Fact]
    public async Task EventBridgeSink_RejectedSignatureAndDeadLetters_LogAndThrowNoSecretOrToken()
    {
        var logger = new KeepingLogger();
        await using var fake = new FakeEventBridge { FailEntry = d => d.GetProperty("key").GetInt64() == 1 ? "MalformedDetail" : null };
        var dlq = new CountingDeadLetterSink();
        var good = new EventBridgeSinkOptions
        {
            Source = "platform.iot",
            DetailType = "Telemetry Window Closed",
            Client = new AwsClientOptions { Endpoint = fake.Uri, Credentials = Credentials(FakeEventBridge.Secret), MaxRetryAttempts = 0 },
        };
        await using (var sink = good.CreateSink<WindowResult, WindowResultDetailWriter>(default, dlq, logger))
        {
            var batch = new BatchPool<WindowResult>(4).Rent();
            for (var i = 0; i < 3; i++) batch.Add(new WindowResult { Key = i, WindowEnd = 1_700_000_000_000 });
            await sink.WriteAsync(batch, TestContext.Current.CancellationToken);
            await sink.FlushAsync(TestContext.Current.CancellationToken);
        }
        Assert.Equal(1, dlq.Count);
        Assert.Contains(logger.Lines, l => l.Contains("dead-lettered", StringComparison.Ordinal));

        var wrong = good with { Client = good.Client with { Credentials = Credentials() } };
        await using var rejected = wrong.CreateSink<WindowResult, WindowResultDetailWriter>(default, dlq, logger);
        var one = new BatchPool<WindowResult>(4).Rent();
        one.Add(new WindowResult { Key = 5 });
        await rejected.WriteAsync(one, TestContext.Current.CancellationToken);
        var e = await Assert.ThrowsAsync<AwsServiceException>(async () => await rejected.FlushAsync(TestContext.Current.CancellationToken));

        AssertClean([.. logger.Lines, e.ToString(), wrong.ToString(), wrong.Client.ToString()]);
    }
}
