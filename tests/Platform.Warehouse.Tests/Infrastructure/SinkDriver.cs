using Platform.Engine.Batching;
using Platform.Engine.Contracts;

namespace Platform.Warehouse.Tests.Infrastructure;

/// <summary>Feeds records to a sink the way the runtime does: pooled batches, returned after each write.</summary>
internal static class SinkDriver
{
    public static async Task WriteAsync<T>(ISink<T> sink, IEnumerable<T> records, int batchSize = 2048)
    {
        var pool = new BatchPool<T>(batchSize);
        var batch = pool.Rent();
        foreach (var r in records)
        {
            batch.Add(r);
            if (batch.Count == batchSize)
            {
                await sink.WriteAsync(batch, CancellationToken.None);
                batch.Dispose();
                batch = pool.Rent();
            }
        }
        if (batch.Count > 0) await sink.WriteAsync(batch, CancellationToken.None);
        batch.Dispose();
        Assert.Equal(0, pool.Outstanding);
    }
}
