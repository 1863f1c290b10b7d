using System.Diagnostics.Metrics;
using Platform.Engine.Batching;
using Platform.Engine.Records;
using Platform.Engine.Symbols;
using Platform.Sinks.Console;

namespace Platform.Connectors.Tests.Sinks;

public class SinkMetricsTests
{
    [Fact]
    public async Task WriteAsync_GivenMeter_RecordsRowsBatchesAndLatencyTaggedWithSinkName()
    {
        using var meter = new Meter("test.sinks." + Guid.NewGuid().ToString("N"));
        var measured = new Dictionary<string, double>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) => { if (instrument.Meter == meter) l.EnableMeasurementEvents(instrument); };
        listener.SetMeasurementEventCallback<long>((i, v, tags, _) => Add(i.Name, v, tags));
        listener.SetMeasurementEventCallback<double>((i, v, tags, _) => Add(i.Name, 1, tags));
        listener.Start();
        void Add(string name, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            Assert.Contains(tags.ToArray(), t => t.Key == "sink" && (string?)t.Value == "dbg");
            measured[name] = measured.GetValueOrDefault(name) + value;
        }

        var symbols = new SymbolTable();
        await using var sink = new ConsoleWindowSink(TextWriter.Null, symbols, new ConsoleSinkOptions { Name = "dbg" }, meter);
        var pool = new BatchPool<WindowResult>(16);
        for (var b = 0; b < 3; b++)
        {
            var batch = pool.Rent();
            for (var i = 0; i < 5; i++) batch.Add(new WindowResult { Key = new SensorKey(symbols.Intern("d"), symbols.Intern("s")).Packed, Count = 1 });
            await sink.WriteAsync(batch, TestContext.Current.CancellationToken);
            batch.Dispose();
        }
        Assert.Equal(15, measured["sink.records"]);
        Assert.Equal(3, measured["sink.batches"]);
        Assert.Equal(3, measured["sink.write.duration"]);
    }

    [Fact]
    public async Task WriteAsync_MaxRows_PrintsThatManyAndSummarisesTheRest()
    {
        var symbols = new SymbolTable();
        var output = new StringWriter();
        var sink = new ConsoleWindowSink(output, symbols, new ConsoleSinkOptions { MaxRows = 2 });
        var batch = new BatchPool<WindowResult>(8).Rent();
        for (var i = 0; i < 5; i++) batch.Add(new WindowResult { Key = new SensorKey(symbols.Intern($"dev-{i}"), symbols.Intern("s")).Packed, Count = i });
        await sink.WriteAsync(batch, TestContext.Current.CancellationToken);
        batch.Dispose();
        await sink.DisposeAsync();
        var lines = output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(3, lines.Length);
        Assert.Contains("dev-1 s count=1", lines[1], StringComparison.Ordinal);
        Assert.Contains("3 more rows", lines[2], StringComparison.Ordinal);
        Assert.Equal(3, sink.RowsSuppressed);
    }
}
