using System.Diagnostics;
using System.Text;
using OpenTelemetry;
using OpenTelemetry.Trace;
using Platform.Connectors.Memory;
using Platform.Engine.Records;
using Platform.Engine.Runtime;
using Platform.Engine.Symbols;
using Platform.Engine.Tracing;
using Platform.Engine.Windows;
using Platform.Formats;
using Platform.Host.Config;
using Platform.Host.Running;
using Platform.Sinks.Null;

namespace Platform.Ops.Tests;

public class TracingTests
{
    [Fact]
    public async Task Spans_WithInMemoryExporter_CoverParseKeyedAndSinkWithCorrelationIds_AndNothingWhenOff()
    {
        // Off by default: no listener, so no span is even created and nothing is allocated.
        Assert.False(EngineTracing.Enabled);
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 1000; i++) Assert.Null(EngineTracing.StartBatch("parse", "p", "parse"));
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);

        var exported = new List<Activity>();
        List<string> firstIds;
        PipelineResult result;
        using (var provider = Sdk.CreateTracerProviderBuilder().AddSource(EngineTracing.SourceName).AddInMemoryExporter(exported).Build())
        {
            Assert.True(EngineTracing.Enabled);
            (var blocks, firstIds) = Blocks(chunks: 6, linesPerChunk: 200);
            result = await Pipeline.Create("traced", new PipelineOptions { Workers = 2 })
                .From(new MemoryChunkSource(blocks))
                .Parse(new TelemetryNdjsonParser(new SymbolTable()))
                .KeyBy(default(TelemetrySensorKey))
                .Window(WindowSpec.Tumbling(TimeSpan.FromSeconds(10)))
                .Aggregate(default(TelemetryValue))
                .To(new NullSink<WindowResult>())
                .RunAsync();
            Assert.Equal(1200, result.RecordsIn);
        }

        // The listener is process-wide: keep only this pipeline's spans (other tests run pipelines at the same time).
        exported = exported.Where(a => (string?)a.GetTagItem("platform.pipeline") == "traced").ToList();
        var parse = exported.Where(a => a.DisplayName == "parse").ToList();
        Assert.Equal(6, parse.Count);
        Assert.Equal(firstIds.Order(), parse.Select(a => (string)a.GetTagItem(EngineTracing.CorrelationIdAttribute)!).Order());
        Assert.All(parse, a => Assert.Equal(200, (int)a.GetTagItem("platform.records")!));
        var keyed = exported.Where(a => a.DisplayName == "keyed").ToList();
        Assert.Equal(1200, keyed.Sum(a => (int)a.GetTagItem("platform.records")!));
        Assert.All(keyed, a => Assert.NotNull(a.GetTagItem(EngineTracing.CorrelationIdAttribute)));
        // A keyed span of a worker's own records is a child of its parse span: the batch's trace goes through the stages.
        Assert.Contains(keyed, k => parse.Any(p => p.SpanId == k.ParentSpanId && p.TraceId == k.TraceId));
        var sink = exported.Where(a => a.DisplayName == "sink").ToList();
        Assert.NotEmpty(sink);
        Assert.Equal(result.RecordsOut, sink.Sum(a => (int)a.GetTagItem("platform.records")!));
        Assert.All(sink, a => Assert.Equal(ActivityKind.Client, a.Kind));
    }

    [Fact]
    public async Task TracingSetup_OtlpHttp_ExportsEngineSpansToTheConfiguredEndpoint()
    {
        Assert.Null(TracingSetup.Start(null));
        await using var collector = await RecordingServer.StartAsync();
        var config = new TracingConfig(new Uri(collector.BaseUrl, "/v1/traces").ToString(), OtlpProtocolName.HttpProtobuf, "platform-test", 1);
        using (TracingSetup.Start(config))
        {
            var (blocks, _) = Blocks(chunks: 2, linesPerChunk: 10);
            await Pipeline.Create("otlp", new PipelineOptions { Workers = 1 })
                .From(new MemoryChunkSource(blocks))
                .Parse(new TelemetryNdjsonParser(new SymbolTable()))
                .KeyBy(default(TelemetrySensorKey))
                .Window(WindowSpec.Tumbling(TimeSpan.FromSeconds(10)))
                .Aggregate(default(TelemetryValue))
                .To(new NullSink<WindowResult>())
                .RunAsync();
        } // disposing flushes the exporter

        var exports = collector.Requests.Where(r => r.Path == "/v1/traces").ToList();
        Assert.NotEmpty(exports);
        var request = exports[0];
        Assert.Equal("POST", request.Method);
        Assert.Equal("application/x-protobuf", request.Headers["Content-Type"]);
        var all = string.Concat(exports.Select(r => Encoding.UTF8.GetString(r.Body)));
        Assert.Contains("platform-test", all, StringComparison.Ordinal);
        Assert.Contains(EngineTracing.CorrelationIdAttribute, all, StringComparison.Ordinal);
    }

    [Fact]
    public void FormatUuid_GivesBackTheCanonicalFormTheParserRead()
    {
        var symbols = new SymbolTable();
        var parser = new TelemetryNdjsonParser(symbols);
        const string id = "3f2504e0-4f89-41d3-9a0c-0305e82c3301";
        Assert.True(parser.TryParseLine(Encoding.UTF8.GetBytes(Line(0, id)), out var record, out _));
        Assert.Equal(id, EngineTracing.FormatUuid(record.CorrelationId));
    }

    private static (List<byte[]> Blocks, List<string> FirstIds) Blocks(int chunks, int linesPerChunk)
    {
        var blocks = new List<byte[]>();
        var ids = new List<string>();
        var n = 0;
        for (var c = 0; c < chunks; c++)
        {
            var sb = new StringBuilder();
            for (var i = 0; i < linesPerChunk; i++, n++)
            {
                var id = Guid.NewGuid().ToString();
                if (i == 0) ids.Add(id);
                sb.Append(Line(n, id)).Append('\n');
            }
            blocks.Add(Encoding.UTF8.GetBytes(sb.ToString()));
        }
        return (blocks, ids);
    }

    private static string Line(int i, string correlationId) => FormattableString.Invariant(
        $"{{\"deviceId\":\"device-{i % 7}\",\"timestamp\":{1_767_000_000_000L + i * 10L},\"sensorType\":\"temperature\",\"payload\":{{\"value\":{i % 11},\"unit\":\"C\"}},\"correlationId\":\"{correlationId}\"}}");
}
