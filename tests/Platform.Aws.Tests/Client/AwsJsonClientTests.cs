using System.Diagnostics.Metrics;
using System.Text;
using Platform.Aws.Tests.Infrastructure;
using Platform.Connectors.Aws;
using Polly.CircuitBreaker;

namespace Platform.Aws.Tests.Client;

/// <summary>The JSON-protocol client against scripted loopback answers: per-call metrics, retries and the circuit breaker.</summary>
public sealed class AwsJsonClientTests
{
    private const string Target = "Kinesis_20131202.ListShards";
    private static readonly byte[] Body = Encoding.UTF8.GetBytes("{\"StreamName\":\"s\"}");

    private static AwsClientOptions Options(Uri endpoint, Meter meter) => new()
    {
        Endpoint = endpoint,
        Credentials = new AwsCredentials("AKIDCLIENTTEST", "client-test-secret"),
        Meter = meter,
        BaseDelay = TimeSpan.FromMilliseconds(1),
        MaxDelay = TimeSpan.FromMilliseconds(5),
    };

    /// <summary>Sums each instrument's measurements by "name/tag=value" (and by name alone).</summary>
    private sealed class Recorder : IDisposable
    {
        private readonly MeterListener _listener = new();
        private readonly Dictionary<string, double> _sums = [];

        public Recorder(Meter meter)
        {
            _listener.InstrumentPublished = (i, l) =>
            {
                if (ReferenceEquals(i.Meter, meter)) l.EnableMeasurementEvents(i);
            };
            _listener.SetMeasurementEventCallback<long>((i, v, tags, _) => Add(i.Name, v, tags));
            _listener.SetMeasurementEventCallback<double>((i, _, tags, _) => Add(i.Name + ".count", 1, tags));
            _listener.Start();
        }

        private void Add(string name, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            lock (_sums)
            {
                _sums[name] = _sums.GetValueOrDefault(name) + value;
                foreach (var t in tags) _sums[$"{name}/{t.Key}={t.Value}"] = _sums.GetValueOrDefault($"{name}/{t.Key}={t.Value}") + value;
            }
        }

        public double this[string key] { get { lock (_sums) return _sums.GetValueOrDefault(key); } }

        public void Dispose() => _listener.Dispose();
    }

    [Fact]
    public async Task SendAsync_ThrottledThenOk_RecordsLatencyCallsThrottleRetryAndBytes()
    {
        const string throttle = "{\"__type\":\"ThrottlingException\",\"message\":\"slow down\"}";
        const string ok = "{\"Shards\":[]}";
        var calls = 0;
        await using var server = new LoopbackHttpServer((context, _) => Interlocked.Increment(ref calls) == 1
            ? LoopbackHttpServer.RespondAsync(context, 400, throttle)
            : LoopbackHttpServer.RespondAsync(context, 200, ok));
        using var meter = new Meter("test.aws.client." + Guid.NewGuid().ToString("N"));
        using var metrics = new Recorder(meter);
        using var client = Options(server.Uri, meter).CreateClient("kinesis");

        using (var response = await client.SendAsync(Target, Body, TestContext.Current.CancellationToken))
        {
            Assert.Equal(ok, Encoding.UTF8.GetString(response.WrittenSpan));
        }

        Assert.Equal(2, calls);
        Assert.Equal(1, metrics["calls/outcome=throttled"]);
        Assert.Equal(1, metrics["calls/outcome=ok"]);
        Assert.Equal(2, metrics["calls/operation=ListShards"]);
        Assert.Equal(2, metrics["call.duration.count/operation=ListShards"]);
        Assert.Equal(1, metrics["throttles/operation=ListShards"]);
        Assert.Equal(1, metrics["retries/error_type=ThrottlingException"]);
        Assert.Equal(2 * Body.Length, metrics["bytes.sent"]);
        Assert.Equal(throttle.Length + ok.Length, metrics["bytes.received"]);
    }

    [Fact]
    public async Task SendAsync_EndpointKeepsFailing_BreakerOpensAndStopsCallingIt()
    {
        var calls = 0;
        await using var server = new LoopbackHttpServer((context, _) =>
        {
            Interlocked.Increment(ref calls);
            return LoopbackHttpServer.RespondAsync(context, 500, "{\"__type\":\"InternalFailure\",\"message\":\"down\"}");
        });
        using var meter = new Meter("test.aws.breaker." + Guid.NewGuid().ToString("N"));
        using var client = (Options(server.Uri, meter) with
        {
            MaxRetryAttempts = 0,
            BreakerMinimumThroughput = 4,
            BreakerFailureRatio = 0.5,
            BreakDuration = TimeSpan.FromMinutes(5),
        }).CreateClient("kinesis");
        var ct = TestContext.Current.CancellationToken;

        for (var i = 0; i < 4; i++)
        {
            var e = await Assert.ThrowsAsync<AwsServiceException>(async () => (await client.SendAsync(Target, Body, ct)).Dispose());
            Assert.Equal("InternalFailure", e.ErrorType);
            Assert.True(e.IsRetryable);
        }
        await Assert.ThrowsAsync<BrokenCircuitException>(async () => (await client.SendAsync(Target, Body, ct)).Dispose());
        await Assert.ThrowsAsync<BrokenCircuitException>(async () => (await client.SendAsync(Target, Body, ct)).Dispose());
        Assert.Equal(4, calls);
        Assert.True(AwsJsonClient.IsTransient(new BrokenCircuitException()), "an open breaker is retried later by the sinks, not dead-lettered");
    }

    [Fact]
    public async Task SendAsync_OnlyThrottled_BreakerStaysClosed()
    {
        var calls = 0;
        await using var server = new LoopbackHttpServer((context, _) =>
        {
            Interlocked.Increment(ref calls);
            return LoopbackHttpServer.RespondAsync(context, 400, "{\"__type\":\"ProvisionedThroughputExceededException\",\"message\":\"slow\"}");
        });
        using var meter = new Meter("test.aws.throttle." + Guid.NewGuid().ToString("N"));
        using var client = (Options(server.Uri, meter) with { MaxRetryAttempts = 0, BreakerMinimumThroughput = 4 }).CreateClient("kinesis");
        var ct = TestContext.Current.CancellationToken;

        for (var i = 0; i < 10; i++)
        {
            var e = await Assert.ThrowsAsync<AwsServiceException>(async () => (await client.SendAsync(Target, Body, ct)).Dispose());
            Assert.True(e.IsThrottle);
        }
        Assert.Equal(10, calls);
    }
}
