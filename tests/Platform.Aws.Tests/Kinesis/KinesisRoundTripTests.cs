using System.Text;
using Platform.Aws.Tests.Infrastructure;
using Platform.Connectors.Aws.Kinesis;
using Platform.Engine.Batching;
using Platform.Engine.DeadLetters;
using Platform.Sinks.Kinesis;

namespace Platform.Aws.Tests.Kinesis;

/// <summary>
/// Sink → kinesis-local → source. The four-shard round trip moves the issue's 20 000 records (about
/// 40 s here: kinesis-local is the bottleneck); the split and resume cases use fewer.
/// </summary>
public sealed class KinesisRoundTripTests
{
    private const int Keys = 97;

    internal static async Task WriteAsync(Platform.Engine.Contracts.ISink<KinesisEntry> sink, int from, int count, CancellationToken ct)
    {
        var pool = new BatchPool<KinesisEntry>(1000);
        for (var start = from; start < from + count; start += 500)
        {
            var batch = pool.Rent();
            for (var i = start; i < Math.Min(from + count, start + 500); i++)
            {
                batch.Add(new KinesisEntry("key-" + (i % Keys), Encoding.UTF8.GetBytes($"{{\"key\":\"key-{i % Keys}\",\"n\":{i}}}")));
            }
            await sink.WriteAsync(batch, ct);
            batch.Dispose();
        }
    }

    internal static async Task<List<(string Key, int N)>> ReadAsync(KinesisSource source, int expected, TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        var seen = new List<(string, int)>(expected);
        while (seen.Count < expected)
        {
            Platform.Engine.Contracts.Chunk? chunk;
            try
            {
                chunk = await source.ReadAsync(cts.Token);
            }
            catch (OperationCanceledException)
            {
                Assert.Fail($"Read {seen.Count} of {expected} records before the timeout.");
                throw;
            }
            if (chunk is null) break;
            using (chunk)
            {
                foreach (var line in Encoding.UTF8.GetString(chunk.Span).Split('\n', StringSplitOptions.RemoveEmptyEntries))
                {
                    var k = line.IndexOf("\"key\":\"", StringComparison.Ordinal) + 7;
                    var key = line[k..line.IndexOf('"', k)];
                    var n = int.Parse(line[(line.IndexOf("\"n\":", StringComparison.Ordinal) + 4)..line.IndexOf('}')], System.Globalization.CultureInfo.InvariantCulture);
                    seen.Add((key, n));
                }
            }
        }
        return seen;
    }

    internal static void AssertExactlyOnceInKeyOrder(List<(string Key, int N)> seen, int expected, RetryLog? retries = null)
    {
        var duplicates = seen.Count - seen.Select(s => s.N).Distinct().Count();
        Assert.True(duplicates == 0 && seen.Count == expected, $"{seen.Count} records read for {expected} written, {duplicates} duplicates; {retries?.ToString() ?? "retries not logged"}");
        Assert.Equal(Enumerable.Range(0, expected), seen.Select(s => s.N).Order());
        foreach (var group in seen.GroupBy(s => s.Key))
        {
            var ns = group.Select(g => g.N).ToList();
            Assert.True(ns.SequenceEqual(ns.Order()), $"key {group.Key} out of order: {string.Join(',', ns.Take(20))}");
        }
    }

    internal static KinesisSourceOptions SourceOptions(string stream) => new()
    {
        StreamName = stream,
        Client = KinesisLocal.Client(),
        IdlePollInterval = TimeSpan.FromMilliseconds(200),
        ShardDiscoveryInterval = TimeSpan.FromMilliseconds(300),
        Partitions = 8,
    };

    [Fact]
    public async Task SinkThenSource_FourShards_AllRecordsOnceInKeyOrder()
    {
        var ct = TestContext.Current.CancellationToken;
        using var admin = KinesisClient.Create(KinesisLocal.Client());
        var stream = await KinesisLocal.CreateStreamAsync(admin, 4, ct);
        var dlq = new CountingDeadLetterSink();
        const int n = 20_000;
        using var retries = new RetryLog();
        await using (var sink = new KinesisSinkOptions { StreamName = stream, Client = retries.With(KinesisLocal.Client()), Concurrency = 4 }
            .CreateSink<KinesisEntry, KinesisEntryEncoder>(default, dlq))
        {
            await WriteAsync(sink, 0, n, ct);
            await sink.FlushAsync(ct);
        }
        Assert.Equal(0, dlq.Count);
        await using var source = (SourceOptions(stream) with { Client = retries.With(KinesisLocal.Client()) }).CreateSource();
        var seen = await ReadAsync(source, n, TimeSpan.FromSeconds(180));
        AssertExactlyOnceInKeyOrder(seen, n, retries);
        var positions = source.GetPositions();
        Assert.Equal(4, positions.Count);
        Assert.All(positions, p => Assert.NotNull(p.SequenceNumber));
        await admin.DeleteStreamAsync(stream, ct);
    }

    [Fact]
    public Task SplitShard_MidRun_NothingLostAndChildAfterParent() =>
        ReshardMidRunAsync(2, 4, async (admin, stream, ct) =>
        {
            var shard = (await admin.ListShardsAsync(stream, ct))[0];
            await admin.SplitShardAsync(stream, shard.ShardId, KinesisLocal.MidHashKey(shard), ct);
        });

    [Fact]
    public Task UpdateShardCount_MergeMidRun_NothingLostAndChildAfterBothParents() =>
        ReshardMidRunAsync(2, 3, (admin, stream, ct) => admin.UpdateShardCountAsync(stream, 1, ct));

    /// <summary>
    /// Writes half the records, reshards, writes the rest, while one source reads throughout. Per-key
    /// order across parent and child holds only if a child is read after its parents are drained.
    /// </summary>
    private static async Task ReshardMidRunAsync(int shards, int shardsAfter, Func<KinesisClient, string, CancellationToken, Task> reshard)
    {
        var ct = TestContext.Current.CancellationToken;
        using var admin = KinesisClient.Create(KinesisLocal.Client());
        var stream = await KinesisLocal.CreateStreamAsync(admin, shards, ct);
        var dlq = new CountingDeadLetterSink();
        const int n = 3000;
        await using var source = SourceOptions(stream).CreateSource();
        var reading = ReadAsync(source, n, TimeSpan.FromSeconds(180));
        await using (var sink = new KinesisSinkOptions { StreamName = stream, Client = KinesisLocal.Client() }
            .CreateSink<KinesisEntry, KinesisEntryEncoder>(default, dlq))
        {
            await WriteAsync(sink, 0, n / 2, ct);
            await sink.FlushAsync(ct);
            await reshard(admin, stream, ct);
            await admin.WaitForActiveAsync(stream, TimeSpan.FromSeconds(60), ct);
            await WriteAsync(sink, n / 2, n / 2, ct);
            await sink.FlushAsync(ct);
        }
        var seen = await reading;
        AssertExactlyOnceInKeyOrder(seen, n);
        Assert.Equal(shardsAfter, (await admin.ListShardsAsync(stream, ct)).Count);
        Assert.Contains(source.GetPositions(), p => p.Finished);
        await admin.DeleteStreamAsync(stream, ct);
    }
}
