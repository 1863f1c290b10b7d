using System.Diagnostics.Metrics;
using Platform.Connectors.Aws.Kinesis;
using Platform.Engine.DeadLetters;
using Platform.Sinks.Kinesis;

namespace Platform.Aws.Tests.Kinesis;

public sealed class KinesisMetricsTests
{
    [Fact]
    public async Task Source_ReadingABacklog_PublishesMillisBehindLatestThenZeroAtTheTip()
    {
        var ct = TestContext.Current.CancellationToken;
        using var admin = KinesisClient.Create(KinesisLocal.Client());
        var stream = await KinesisLocal.CreateStreamAsync(admin, 1, ct);
        await using (var sink = new KinesisSinkOptions { StreamName = stream, Client = KinesisLocal.Client() }.CreateSink<KinesisEntry, KinesisEntryEncoder>(default, new CountingDeadLetterSink()))
        {
            // Two bursts 600 ms apart: a reader of the first burst is at least that far behind the tip.
            await KinesisRoundTripTests.WriteAsync(sink, 0, 150, ct);
            await sink.FlushAsync(ct);
            await Task.Delay(600, ct);
            await KinesisRoundTripTests.WriteAsync(sink, 150, 150, ct);
            await sink.FlushAsync(ct);
        }

        using var meter = new Meter("test.kinesis.source." + Guid.NewGuid().ToString("N"));
        var behind = new List<long>();
        var getRecordsCalls = 0L;
        var bytesReceived = 0L;
        using var listener = new MeterListener();
        listener.InstrumentPublished = (i, l) =>
        {
            if (ReferenceEquals(i.Meter, meter)) l.EnableMeasurementEvents(i);
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            var operation = Tag(tags, "operation");
            switch (instrument.Name)
            {
                case "kinesis.millis_behind_latest":
                    Assert.Equal(stream, Tag(tags, "stream"));
                    lock (behind) behind.Add(value);
                    break;
                case "calls" when operation == "GetRecords":
                    Interlocked.Add(ref getRecordsCalls, value);
                    break;
                case "bytes.received" when operation == "GetRecords":
                    Interlocked.Add(ref bytesReceived, value);
                    break;
            }
        });
        listener.Start();

        var options = KinesisRoundTripTests.SourceOptions(stream) with { RecordsPerCall = 50, Client = KinesisLocal.Client() with { Meter = meter } };
        await using var source = options.CreateSource();
        var seen = await KinesisRoundTripTests.ReadAsync(source, 300, TimeSpan.FromSeconds(60));
        Assert.Equal(300, seen.Count);
        using var tip = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (source.MillisBehindLatest > 0 || Volatile.Read(ref getRecordsCalls) <= 6) await Task.Delay(100, tip.Token);

        long[] values;
        lock (behind) values = [.. behind];
        Assert.True(values.Length >= 6, $"{values.Length} MillisBehindLatest measurements");
        Assert.True(values[0] >= 500, $"first read of the backlog is {values[0]} ms behind");
        Assert.Equal(0, values[^1]);
        Assert.True(Interlocked.Read(ref bytesReceived) > 300 * 20, $"{bytesReceived} bytes received by GetRecords");
        await admin.DeleteStreamAsync(stream, ct);
    }

    private static string? Tag(ReadOnlySpan<KeyValuePair<string, object?>> tags, string name)
    {
        foreach (var t in tags)
        {
            if (t.Key == name) return t.Value as string;
        }
        return null;
    }
}
