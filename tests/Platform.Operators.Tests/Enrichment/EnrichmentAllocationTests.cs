using System.Text;
using Platform.Engine.Batching;
using Platform.Engine.Records;
using Platform.Engine.Symbols;
using Platform.Host.Running;
using Platform.Operators.Enrichment;
using Platform.Operators.Geo;
using Platform.Sinks.Alerts;

namespace Platform.Operators.Tests.Enrichment;

/// <summary>The enrich step's per-record work allocates nothing once warm (the hot-path rule; speed is in bench/).</summary>
public sealed class EnrichmentAllocationTests
{
    private const int Devices = 10_000;

    private sealed class Discard : IBatchOutput<Telemetry>
    {
        public long Count;

        public void Emit(in Telemetry record) => Count++;
    }

    private static (SymbolTable Symbols, RegistryHandle Registry, Telemetry[] Batch) Setup()
    {
        var symbols = new SymbolTable();
        var csv = new StringBuilder("device,owner,site,model,threshold_low,threshold_high\n");
        for (var d = 0; d < Devices; d++) csv.Append("dev-").Append(d).Append(",acme,north,TX,-100,100\n");
        var registry = new RegistryHandle(() => DeviceRegistry.ParseCsv(csv.ToString(), symbols));
        var temperature = symbols.Intern("temperature");
        var batch = new Telemetry[1024];
        for (var i = 0; i < batch.Length; i++)
        {
            batch[i] = new Telemetry { Device = symbols.Intern("dev-" + (i * 7919 % Devices)), Sensor = temperature, Value = 20 + i % 5, Timestamp = i };
        }
        return (symbols, registry, batch);
    }

    [Fact]
    public async Task KeyedSide_LookupsAndLimitChecks_AllocateNothingPerRecord()
    {
        var (symbols, registry, batch) = Setup();
        using var _ = registry;
        await using var alerts = new AlertHub(new AlertFeed());
        var sides = new DeviceSides(new DeviceSideSettings(registry, MissingKeyPolicy.PassThrough, default, Symbol.None,
            null, new GeofenceOptions(), Symbol.None, null, null, Symbol.None, symbols), alerts);
        // Warm-up past tiered compilation (its call counting allocates once on the calling thread).
        for (var round = 0; round < 200; round++) sides.OnRecords(batch);

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var round = 0; round < 100; round++) sides.OnRecords(batch);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(0, allocated);
        Assert.Equal(0, alerts.Published); // every value is inside its device's limits
    }

    [Fact]
    public void DeadLetterFilter_KnownDevices_PassesAllAndAllocatesNothing()
    {
        var (symbols, registry, batch) = Setup();
        using var _ = registry;
        var filter = new UnknownDeviceFilter(registry, new Platform.Engine.DeadLetters.CountingDeadLetterSink(), symbols);
        var output = new Discard();
        // Warm-up past tiered compilation (its call counting allocates once on the calling thread).
        for (var round = 0; round < 200; round++) filter.Process(batch, output);

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var round = 0; round < 100; round++) filter.Process(batch, output);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(0, allocated);
        Assert.Equal(300 * batch.Length, output.Count);
        Assert.Equal(0, filter.Dropped);
    }
}
