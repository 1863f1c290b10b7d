using System.Text;
using System.Threading.Channels;
using BenchmarkDotNet.Attributes;
using Platform.Engine.Aggregates;
using Platform.Engine.Batching;
using Platform.Engine.Records;
using Platform.Engine.Symbols;
using Platform.Engine.Windows;
using Platform.Bench.Workloads;

namespace Platform.Bench.Micro;

/// <summary>Symbol table: interning device ids that are already present (the steady state) and first-time interning.</summary>
[MemoryDiagnoser]
public class SymbolTableBenchmarks
{
    private const int Ids = 100_000;
    private byte[][] _utf8 = [];
    private SymbolTable _table = null!;

    [GlobalSetup]
    public void Setup()
    {
        _utf8 = [.. Enumerable.Range(0, Ids).Select(i => Encoding.UTF8.GetBytes($"dev-{i:D6}"))];
        _table = new SymbolTable();
        foreach (var b in _utf8) _table.Intern(b);
    }

    /// <summary>Hit: the id is interned already (per op = 100k lookups).</summary>
    [Benchmark(OperationsPerInvoke = Ids)]
    public int InternExisting()
    {
        var sum = 0;
        foreach (var b in _utf8) sum += _table.Intern(b).Id;
        return sum;
    }

    /// <summary>Miss then insert into a fresh table (per op = 100k inserts; includes growth).</summary>
    [Benchmark(OperationsPerInvoke = Ids)]
    public int InternNew()
    {
        var table = new SymbolTable();
        var sum = 0;
        foreach (var b in _utf8) sum += table.Intern(b).Id;
        return sum;
    }
}

/// <summary>The window operator alone over parsed records: 10 s tumbling windows, per op = 65,536 records + firing.</summary>
[MemoryDiagnoser]
public class WindowAggregationBenchmarks
{
    private const int Records = 65_536;
    private Telemetry[] _records = [];
    private long _t0;

    /// <summary>Distinct keys (device × sensor).</summary>
    [Params(1_000, 100_000)]
    public int Keys { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(1);
        _t0 = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero).ToUnixTimeMilliseconds();
        _records = new Telemetry[Records];
        for (var i = 0; i < Records; i++)
        {
            var k = random.Next(Keys);
            _records[i] = new Telemetry { Device = new Symbol(k / 4 + 1), Sensor = new Symbol(k % 4 + 1), Timestamp = _t0 + i / 10, Value = 20 + random.NextDouble() };
        }
    }

    [Benchmark(OperationsPerInvoke = Records)]
    public long TumblingStats()
    {
        var op = new WindowStatsOperator<Telemetry, TelemetrySensorKey, TelemetryEventTime, TelemetryValue>(
            new WindowOperatorOptions { Spec = WindowSpec.Tumbling(10_000) });
        var output = new CountingOutput<WindowResult>();
        for (var i = 0; i < Records; i += 2048) op.OnRecords(_records.AsSpan(i, 2048), output);
        op.OnWatermark(long.MaxValue, output);
        return output.Count;
    }
}

/// <summary>The quantile sketch (DDSketch, 1% relative accuracy): adds and the three quantiles a window emits.</summary>
[MemoryDiagnoser]
public class SketchBenchmarks
{
    private const int Values = 4096;
    private static readonly double[] Qs = [0.5, 0.95, 0.99];
    private readonly double[] _values = new double[Values];
    private readonly double[] _results = new double[3];
    private SketchArena _arena = null!;

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(2);
        for (var i = 0; i < Values; i++) _values[i] = 20 + random.NextDouble() * 10;
        _arena = new SketchArena();
    }

    /// <summary>Per op = one add (4,096 adds to one sketch, then quantiles, then clear).</summary>
    [Benchmark(OperationsPerInvoke = Values)]
    public double AddThenQuantiles()
    {
        var sketch = default(QuantileSketch);
        foreach (var v in _values) sketch.Add(_arena, v);
        sketch.Quantiles(_arena, Qs, _results);
        sketch.Clear(_arena);
        return _results[2];
    }
}

/// <summary>Hand-off of pooled batches between two threads over a bounded channel (the runtime's exchange), per record.</summary>
[MemoryDiagnoser]
public class ChannelHandoffBenchmarks
{
    private const int Total = 1 << 20;

    /// <summary>Records per batch.</summary>
    [Params(256, 2048)]
    public int BatchSize { get; set; }

    [Benchmark(OperationsPerInvoke = Total)]
    public async Task<long> SpscBoundedChannel()
    {
        var pool = new BatchPool<Telemetry>(BatchSize);
        var channel = Channel.CreateBounded<Batch<Telemetry>>(new BoundedChannelOptions(16) { SingleReader = true, SingleWriter = true, FullMode = BoundedChannelFullMode.Wait });
        var consumer = Task.Run(async () =>
        {
            long n = 0;
            await foreach (var b in channel.Reader.ReadAllAsync())
            {
                n += b.Count;
                b.Dispose();
            }
            return n;
        });
        var record = new Telemetry { Value = 1 };
        for (var sent = 0; sent < Total; sent += BatchSize)
        {
            var batch = pool.Rent();
            for (var i = 0; i < BatchSize; i++) batch.Add(record);
            await channel.Writer.WriteAsync(batch);
        }
        channel.Writer.Complete();
        return await consumer;
    }
}
