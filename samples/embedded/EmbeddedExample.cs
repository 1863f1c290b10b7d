using Platform.Connectors.Generator;
using Platform.Engine.Records;
using Platform.Engine.Runtime;
using Platform.Engine.Symbols;
using Platform.Engine.Windows;
using Platform.Formats;
using Platform.Sinks.DuckDb;
using Platform.Sinks.Warehouse;

namespace Platform.Samples.Embedded;

/// <summary>
/// Platform as a library inside another .NET service: no daemon, no YAML. Generated telemetry is
/// parsed, keyed by device × sensor, aggregated in 10 s event-time windows and written to DuckDB.
/// (The integration tests compile and run this file, so it stays true.)
/// </summary>
public static class EmbeddedExample
{
    public static async Task<PipelineResult> RunAsync(string duckDbPath, long events, CancellationToken stop = default)
    {
        var symbols = new SymbolTable();
        await using var source = new TelemetryGeneratorSource(new TelemetryGeneratorOptions { Events = events, Devices = 1_000, Seed = 7 });
        await using var sink = new DuckDbUpsertSink<WindowResult, WindowStatsMapping>(
            new DuckDbTableSinkOptions { Path = duckDbPath, Mode = DuckDbWriteMode.Replace }, new WindowStatsMapping(symbols));

        return await Pipeline.Create("embedded", new PipelineOptions { Workers = 2 })
            .From(source)
            .Parse(new TelemetryNdjsonParser(symbols))
            .KeyBy(new TelemetrySensorKey())
            .Window(WindowSpec.Tumbling(TimeSpan.FromSeconds(10)))
            .Aggregate(new TelemetryValue())
            .To(sink)
            .RunAsync(stop);
    }
}
