using System.Diagnostics.Metrics;
using Platform.Connectors.Aws;
using Platform.Connectors.Aws.Kinesis;
using Platform.Engine.DeadLetters;
using Platform.Sinks.Kinesis;

namespace Platform.Aws.Tests.Kinesis;

public sealed class KinesisFaultTests
{
    [Fact]
    public async Task PutRecords_ThroughFaultProxy_EveryRecordOnceAndRetriesCounted()
    {
        var ct = TestContext.Current.CancellationToken;
        using var admin = KinesisClient.Create(KinesisLocal.Client());
        var stream = await KinesisLocal.CreateStreamAsync(admin, 3, ct);
        await using var proxy = new FaultInjectingKinesisProxy(admin.Json.Endpoint);
        using var meter = new Meter("Platform.Aws");
        long wholeCallRetries = 0;
        using var listener = new MeterListener();
        listener.InstrumentPublished = (i, l) =>
        {
            if (ReferenceEquals(i.Meter, meter) && i.Name == "retries") l.EnableMeasurementEvents(i);
        };
        listener.SetMeasurementEventCallback<long>((_, v, _, _) => Interlocked.Add(ref wholeCallRetries, v));
        listener.Start();

        var dlq = new CountingDeadLetterSink();
        const int n = 2000;
        var options = new KinesisSinkOptions
        {
            StreamName = stream,
            Concurrency = 3,
            RetryBaseDelay = TimeSpan.FromMilliseconds(5),
            RetryMaxDelay = TimeSpan.FromMilliseconds(50),
            Client = KinesisLocal.Client() with { Endpoint = proxy.Uri, Meter = meter, MaxRetryAttempts = 6 },
        };
        var sink = options.CreateSink<KinesisEntry, KinesisEntryEncoder>(default, dlq);
        await KinesisRoundTripTests.WriteAsync(sink, 0, n, ct);
        await sink.FlushAsync(ct);
        var retriedEntries = ((KinesisSink<KinesisEntry, KinesisEntryEncoder>)sink).RetriedEntries;
        await sink.DisposeAsync();

        Assert.Equal(0, dlq.Count);
        Assert.True(proxy.WholeCallFaults > 0 && proxy.EntryFaults > 0, $"faults injected: {proxy.WholeCallFaults} calls, {proxy.EntryFaults} entries");
        Assert.Equal(proxy.EntryFaults, retriedEntries);
        Assert.Equal(proxy.WholeCallFaults, Interlocked.Read(ref wholeCallRetries));

        await using var source = KinesisRoundTripTests.SourceOptions(stream).CreateSource();
        var seen = await KinesisRoundTripTests.ReadAsync(source, n, TimeSpan.FromSeconds(60));
        Assert.Equal(n, seen.Count);
        Assert.Equal(Enumerable.Range(0, n), seen.Select(s => s.N).Order());
        await admin.DeleteStreamAsync(stream, ct);
    }
}
