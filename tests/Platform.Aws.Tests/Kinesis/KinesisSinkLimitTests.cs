using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using Platform.Aws.Tests.Infrastructure;
using Platform.Connectors.Aws;
using Platform.Engine.Batching;
using Platform.Engine.DeadLetters;
using Platform.Sinks.Kinesis;

namespace Platform.Aws.Tests.Kinesis;

/// <summary>The sink against a loopback endpoint that accepts everything and records each PutRecords call.</summary>
public sealed class KinesisSinkLimitTests
{
    private sealed class Recorder : IAsyncDisposable
    {
        public readonly ConcurrentQueue<(int Records, long Bytes, List<string> Keys)> Calls = new();
        public readonly List<(string Key, string Data)> Arrivals = [];
        public readonly ConcurrentQueue<(string Key, string? HashKey)> HashKeys = new();
        public readonly LoopbackHttpServer Server;

        public Recorder() => Server = new LoopbackHttpServer(async (context, body) =>
        {
            using var doc = JsonDocument.Parse(body);
            var records = doc.RootElement.GetProperty("Records").EnumerateArray().ToList();
            long bytes = 0;
            var keys = new List<string>();
            foreach (var r in records)
            {
                var key = r.GetProperty("PartitionKey").GetString()!;
                keys.Add(key);
                HashKeys.Enqueue((key, r.TryGetProperty("ExplicitHashKey", out var h) ? h.GetString() : null));
                var data = r.GetProperty("Data").GetBytesFromBase64();
                bytes += data.Length + Encoding.UTF8.GetByteCount(key);
                if (data.Length < 16) lock (Arrivals) Arrivals.Add((key, Encoding.UTF8.GetString(data)));
            }
            Calls.Enqueue((records.Count, bytes, keys));
            var results = string.Join(',', records.Select((_, i) => $"{{\"SequenceNumber\":\"{i}\",\"ShardId\":\"shardId-000000000000\"}}"));
            await LoopbackHttpServer.RespondAsync(context, 200, $"{{\"FailedRecordCount\":0,\"Records\":[{results}]}}");
        });

        public ValueTask DisposeAsync() => Server.DisposeAsync();
    }

    private static KinesisSinkOptions Options(Uri endpoint, int concurrency = 1) => new()
    {
        StreamName = "limits",
        Concurrency = concurrency,
        Client = new AwsClientOptions { Endpoint = endpoint, Credentials = new AwsCredentials("AKIDLIMITS", "secret") },
    };

    [Fact]
    public async Task WriteAsync_ManySmallRecords_CallsHoldAtMost500()
    {
        await using var rec = new Recorder();
        var dlq = new CountingDeadLetterSink();
        await using var sink = Options(rec.Server.Uri).CreateSink<KinesisEntry, KinesisEntryEncoder>(default, dlq);
        var batch = new BatchPool<KinesisEntry>(2048).Rent();
        for (var i = 0; i < 1700; i++) batch.Add(new KinesisEntry("k" + (i % 10), new byte[] { (byte)'x' }));
        await sink.WriteAsync(batch, TestContext.Current.CancellationToken);
        await sink.FlushAsync(TestContext.Current.CancellationToken);
        Assert.Equal(1700, rec.Calls.Sum(c => c.Records));
        Assert.All(rec.Calls, c => Assert.InRange(c.Records, 1, 500));
        Assert.Contains(rec.Calls, c => c.Records == 500);
    }

    [Fact]
    public async Task WriteAsync_LargeRecords_CallsStayWithin5MiBAndOversizedGoToDlq()
    {
        await using var rec = new Recorder();
        var dlq = new CountingDeadLetterSink();
        await using var sink = Options(rec.Server.Uri).CreateSink<KinesisEntry, KinesisEntryEncoder>(default, dlq);
        var batch = new BatchPool<KinesisEntry>(32).Rent();
        for (var i = 0; i < 12; i++) batch.Add(new KinesisEntry("big-" + i, new byte[900 * 1024]));
        batch.Add(new KinesisEntry("too-big", new byte[1024 * 1024]));
        batch.Add(new KinesisEntry(new string('k', 257), new byte[10]));
        await sink.WriteAsync(batch, TestContext.Current.CancellationToken);
        await sink.FlushAsync(TestContext.Current.CancellationToken);
        Assert.Equal(12, rec.Calls.Sum(c => c.Records));
        Assert.All(rec.Calls, c => Assert.True(c.Bytes <= 5 * 1024 * 1024, $"{c.Bytes} bytes in one call"));
        Assert.Equal(2, dlq.Count);
        Assert.Contains("257 characters", dlq.LastReason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WriteAsync_FourLanes_EachKeyArrivesInWriteOrder()
    {
        await using var rec = new Recorder();
        var dlq = new CountingDeadLetterSink();
        await using var sink = Options(rec.Server.Uri, concurrency: 4).CreateSink<KinesisEntry, KinesisEntryEncoder>(default, dlq);
        var pool = new BatchPool<KinesisEntry>(256);
        for (var b = 0; b < 20; b++)
        {
            var batch = pool.Rent();
            for (var i = 0; i < 200; i++) batch.Add(new KinesisEntry("key-" + (i % 23), Encoding.UTF8.GetBytes((b * 200 + i).ToString(System.Globalization.CultureInfo.InvariantCulture))));
            await sink.WriteAsync(batch, TestContext.Current.CancellationToken);
            batch.Dispose();
        }
        await sink.FlushAsync(TestContext.Current.CancellationToken);
        Assert.Equal(4000, rec.Calls.Sum(c => c.Records));
        // A lane has one call in flight, so the endpoint receives each key's records in the order written.
        var byKey = rec.Arrivals.GroupBy(a => a.Key).ToList();
        Assert.Equal(23, byKey.Count);
        foreach (var g in byKey)
        {
            var ns = g.Select(a => int.Parse(a.Data, System.Globalization.CultureInfo.InvariantCulture)).ToList();
            Assert.Equal(ns.Order(), ns);
        }
        Assert.True(rec.Calls.Count >= 8, $"{rec.Calls.Count} calls");
    }

    [Fact]
    public async Task WriteAsync_ExplicitHashKeys_SentWhenValidAndDeadLetteredWhenNot()
    {
        await using var rec = new Recorder();
        var dlq = new CountingDeadLetterSink();
        await using var sink = Options(rec.Server.Uri).CreateSink<KinesisEntry, KinesisEntryEncoder>(default, dlq);
        var batch = new BatchPool<KinesisEntry>(8).Rent();
        batch.Add(new KinesisEntry("plain", new byte[] { 1 }));
        batch.Add(new KinesisEntry("routed", new byte[] { 2 }, "170141183460469231731687303715884105728"));
        batch.Add(new KinesisEntry("top", new byte[] { 3 }, "340282366920938463463374607431768211455"));
        batch.Add(new KinesisEntry("over", new byte[] { 4 }, "340282366920938463463374607431768211456"));
        batch.Add(new KinesisEntry("hex", new byte[] { 5 }, "0x1F"));
        await sink.WriteAsync(batch, TestContext.Current.CancellationToken);
        await sink.FlushAsync(TestContext.Current.CancellationToken);

        Assert.Equal(
            new (string, string?)[] { ("plain", null), ("routed", "170141183460469231731687303715884105728"), ("top", "340282366920938463463374607431768211455") },
            rec.HashKeys.ToArray());
        Assert.Equal(2, dlq.Count);
        Assert.Contains("not a decimal number", dlq.LastReason, StringComparison.Ordinal);
    }
}
