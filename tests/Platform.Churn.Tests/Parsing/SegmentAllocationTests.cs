using Platform.Connectors.Generator.Customers;
using Platform.Engine.Batching;
using Platform.Engine.DeadLetters;
using Platform.Engine.Symbols;
using Platform.Formats.Segment;

namespace Platform.Churn.Tests.Parsing;

/// <summary>The parser allocates nothing per event once ids and names are interned (the bench measures the same with BenchmarkDotNet).</summary>
public sealed class SegmentAllocationTests
{
    [Fact]
    public void Parsing_known_customers_again_allocates_nothing()
    {
        byte[] data;
        using (var generator = new CustomerGenerator(new CustomerGeneratorOptions { Users = 300, Seed = 3, BatchShare = 0.1 }))
        {
            var buffer = new byte[4 << 20];
            data = buffer.AsSpan(0, generator.Fill(buffer)).ToArray();
        }
        var parser = new SegmentNdjsonParser<CdpProjection>(new SymbolTable());
        var batch = new BatchPool<CustomerEvent>(1 << 16).Rent();
        var dead = new CountingDeadLetterSink();
        parser.Parse(data, "t", 0, 0, batch, dead);
        var events = batch.Count;
        Assert.True(events > 5000, $"{events} events");
        batch.Clear();

        var before = GC.GetAllocatedBytesForCurrentThread();
        parser.Parse(data, "t", 0, 0, batch, dead);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(events, batch.Count);
        Assert.Equal(0, dead.Count);
        Assert.Equal(0, allocated);
    }
}
