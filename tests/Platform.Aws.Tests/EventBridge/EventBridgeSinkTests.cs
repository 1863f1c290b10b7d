using System.Text.Json;
using Platform.Connectors.Aws;
using Platform.Engine.Batching;
using Platform.Engine.Contracts;
using Platform.Engine.DeadLetters;
using Platform.Engine.Records;
using Platform.Sinks.EventBridge;

namespace Platform.Aws.Tests.EventBridge;

public sealed class EventBridgeSinkTests
{
    private static EventBridgeSinkOptions Options(FakeEventBridge fake, string secret = FakeEventBridge.Secret) => new()
    {
        Source = "platform.iot",
        DetailType = EventBridgeSinkOptions.DetailTypeFrom("telemetry.window_closed"),
        EventBusName = "platform-test",
        Resources = ["arn:aws:iot:us-east-1:123456789012:thing/dev-1"],
        RetryBaseDelay = TimeSpan.FromMilliseconds(5),
        RetryMaxDelay = TimeSpan.FromMilliseconds(50),
        Client = new AwsClientOptions
        {
            Endpoint = fake.Uri,
            Credentials = new AwsCredentials("AKIDEVENTBRIDGE", secret),
            MaxRetryAttempts = 0,
        },
    };

    private static async Task WriteWindowsAsync<TWriter>(ISink<WindowResult> sink, int count) where TWriter : struct
    {
        var pool = new BatchPool<WindowResult>(64);
        for (var start = 0; start < count; start += 37)
        {
            var batch = pool.Rent();
            for (var i = start; i < Math.Min(count, start + 37); i++) batch.Add(new WindowResult { Key = i, WindowStart = 1_700_000_000_000 + i, WindowEnd = 1_700_000_010_000 + i, Count = 3, Mean = 1.5 });
            await sink.WriteAsync(batch, TestContext.Current.CancellationToken);
            batch.Dispose();
        }
    }

    [Fact]
    public async Task PutEvents_PartialFailures_RetriesOnlyFailedEntriesAndDeliversEachOnce()
    {
        await using var fake = new FakeEventBridge();
        var firstSight = new System.Collections.Concurrent.ConcurrentDictionary<long, bool>();
        fake.FailEntry = d => d.GetProperty("key").GetInt64() % 4 == 0 && firstSight.TryAdd(d.GetProperty("key").GetInt64(), true) ? "ThrottlingException" : null;
        var dlq = new CountingDeadLetterSink();
        var sink = Options(fake).CreateSink<WindowResult, WindowResultDetailWriter>(default, dlq);
        await WriteWindowsAsync<WindowResultDetailWriter>(sink, 95);
        await sink.FlushAsync(TestContext.Current.CancellationToken);
        var retried = ((EventBridgeSink<WindowResult, WindowResultDetailWriter>)sink).RetriedEntries;
        await sink.DisposeAsync();

        Assert.Empty(fake.Violations);
        Assert.Equal(0, dlq.Count);
        Assert.Equal(Enumerable.Range(0, 95).Select(i => (long)i), fake.Accepted.Select(d => d.GetProperty("key").GetInt64()).Order());
        Assert.Equal(24, fake.InjectedFailures);
        Assert.Equal(24, retried);
        Assert.Equal(10, fake.MaxEntriesSeen);
    }

    [Fact]
    public async Task PutEvents_NonRetryableEntryError_GoesToDeadLettersWithReason()
    {
        await using var fake = new FakeEventBridge { FailEntry = d => d.GetProperty("key").GetInt64() == 7 ? "MalformedDetail" : null };
        var dlq = new CountingDeadLetterSink();
        await using var sink = Options(fake).CreateSink<WindowResult, WindowResultDetailWriter>(default, dlq);
        await WriteWindowsAsync<WindowResultDetailWriter>(sink, 20);
        await sink.FlushAsync(TestContext.Current.CancellationToken);
        Assert.Equal(1, dlq.Count);
        Assert.Contains("MalformedDetail", dlq.LastReason, StringComparison.Ordinal);
        Assert.Equal(19, fake.Accepted.Count);
        Assert.Equal(1, fake.InjectedFailures);
    }

    private readonly struct BigDetailWriter : IEventDetailWriter<WindowResult>
    {
        public void WriteDetail(in WindowResult record, Utf8JsonWriter writer)
        {
            writer.WriteStartObject();
            writer.WriteNumber("key", record.Key);
            writer.WriteString("pad", new string('x', (int)record.Count));
            writer.WriteEndObject();
        }

        public long? TimeOf(in WindowResult record) => record.WindowEnd;
    }

    [Fact]
    public async Task PutEvents_LargeEntries_SplitBySizeAndOversizedDeadLettered()
    {
        await using var fake = new FakeEventBridge();
        var dlq = new CountingDeadLetterSink();
        await using var sink = Options(fake).CreateSink<WindowResult, BigDetailWriter>(default, dlq);
        var batch = new BatchPool<WindowResult>(16).Rent();
        for (var i = 0; i < 6; i++) batch.Add(new WindowResult { Key = i, Count = 100_000, WindowEnd = 1_700_000_000_000 });
        batch.Add(new WindowResult { Key = 99, Count = 270_000, WindowEnd = 1_700_000_000_000 });
        await sink.WriteAsync(batch, TestContext.Current.CancellationToken);
        await sink.FlushAsync(TestContext.Current.CancellationToken);
        Assert.Empty(fake.Violations);
        Assert.Equal(6, fake.Accepted.Count);
        Assert.True(fake.Requests >= 3, $"{fake.Requests} requests for six 100 KB entries");
        Assert.InRange(fake.MaxSizeSeen, 200_000, PutEventsEntrySize.MaxRequestBytes);
        Assert.Equal(1, dlq.Count);
        Assert.Contains("PutEvents allows 262144", dlq.LastReason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PutEvents_WrongSecret_EndpointRejectsSignatureAndFlushThrows()
    {
        await using var fake = new FakeEventBridge();
        var dlq = new CountingDeadLetterSink();
        await using var sink = Options(fake, secret: "not-the-secret").CreateSink<WindowResult, WindowResultDetailWriter>(default, dlq);
        await WriteWindowsAsync<WindowResultDetailWriter>(sink, 3);
        var e = await Assert.ThrowsAsync<AwsServiceException>(async () => await sink.FlushAsync(TestContext.Current.CancellationToken));
        Assert.Equal("InvalidSignatureException", e.ErrorType);
        Assert.False(e.IsRetryable);
        Assert.Contains("signature mismatch", fake.Violations);
        Assert.Empty(fake.Accepted);
    }

    [Theory]
    [InlineData("telemetry.window_closed", "Telemetry Window Closed")]
    [InlineData("anomaly detected", "Anomaly Detected")]
    [InlineData("churn-score_changed", "Churn Score Changed")]
    public void DetailTypeFrom_ConfigWords_TitleCasedWithSpaces(string words, string expected) =>
        Assert.Equal(expected, EventBridgeSinkOptions.DetailTypeFrom(words));

    [Fact]
    public void EntrySize_AsAwsDocuments_CountsTimeSourceDetailTypeResourcesAndDetail()
    {
        var fixedPart = PutEventsEntrySize.Fixed(true, "platform.iot", "Telemetry Window Closed", ["arn:a", "arn:bb"]);
        Assert.Equal(14 + 12 + 23 + 5 + 6, fixedPart);
        Assert.Equal(fixedPart + 100, PutEventsEntrySize.Of(fixedPart, 100));
    }
}
