using Platform.Connectors.Generator;
using Platform.Connectors.Tests.Infrastructure;
using Platform.Engine.Batching;
using Platform.Engine.DeadLetters;
using Platform.Engine.Records;
using Platform.Engine.Symbols;
using Platform.Formats;

namespace Platform.Connectors.Tests.Generator;

/// <summary>The generator and the engine's telemetry parser agree on what is a record and what it says.</summary>
public class GeneratorParserAgreementTests
{
    [Fact]
    public void Parse_GeneratedTelemetry_AcceptsExactlyTheValidRecordsWithTheirValues()
    {
        var options = new TelemetryGeneratorOptions { Events = 50_000, Seed = 17, MalformedShare = 0.02, MaxOutOfOrder = TimeSpan.FromSeconds(2), LateShare = 0.01 };
        var data = TelemetryGenerator.GenerateNdjson(options, out var generator);
        var symbols = new SymbolTable();
        var parser = new TelemetryNdjsonParser(symbols);
        var batch = new BatchPool<Telemetry>(1 << 16).Rent();
        var deadLetters = new CountingDeadLetterSink();
        var rejected = parser.Parse(data, "generator", 0, 0, batch, deadLetters);
        Assert.Equal(generator.MalformedLines, rejected);
        Assert.Equal(generator.MalformedLines, deadLetters.Count);
        Assert.Equal(generator.ValidRecords, batch.Count);

        var expected = TelemetryLine.Split(data).Select(l => TelemetryLine.TryParse(l.Span, out _)).OfType<TelemetryLine>().ToList();
        for (var i = 0; i < expected.Count; i++)
        {
            var e = expected[i];
            var r = batch.Items[i];
            Assert.Equal(e.DeviceId, symbols.NameOf(r.Device));
            Assert.Equal(e.SensorType, symbols.NameOf(r.Sensor));
            Assert.Equal(e.Unit, symbols.NameOf(r.Unit));
            Assert.Equal(e.Timestamp, r.Timestamp);
            if (e.Vector is { } v) Assert.Equal((v[0], v[1], v[2]), (r.X, r.Y, r.Z));
            else Assert.Equal(e.Value, r.Value);
        }
        batch.Dispose();
    }
}
