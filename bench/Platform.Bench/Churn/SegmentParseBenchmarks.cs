using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using Platform.Connectors.Generator.Customers;
using Platform.Engine.Batching;
using Platform.Engine.DeadLetters;
using Platform.Engine.Symbols;
using Platform.Formats.Segment;

namespace Platform.Bench.Churn;

/// <summary>
/// Segment NDJSON from the customers generator (3 000 users, 5% of sessions as batch lines) parsed by
/// <see cref="SegmentNdjsonParser{TProjection}"/> with the CDP projection, in 128 KB chunks into a recycled batch,
/// against System.Text.Json's source-generated deserializer into a DTO (baseline). The memory diagnoser's
/// allocations per pass, divided by the events in it, give the B/event column: 0 in the steady state.
/// <c>dotnet run -c Release --project bench/Platform.Bench -- micro --filter '*SegmentParseBenchmarks*'</c>.
/// </summary>
[MemoryDiagnoser]
[Config(typeof(SegmentParseConfig))]
[BenchmarkCategory("parse")]
public class SegmentParseBenchmarks
{
    private const int ChunkBytes = 128 * 1024;
    private (int Start, int Length)[] _chunks = [];
    private SegmentNdjsonParser<CdpProjection> _parser = null!;
    private Batch<CustomerEvent> _batch = null!;
    private CountingDeadLetterSink _deadLetters = null!;

    [GlobalSetup]
    public void Setup()
    {
        var data = SegmentWorkload.Standard.Bytes;
        var chunks = new List<(int, int)>();
        for (var start = 0; start < data.Length;)
        {
            var end = Math.Min(data.Length, start + ChunkBytes);
            if (end < data.Length) end = start + data.AsSpan(start, end - start).LastIndexOf((byte)'\n') + 1;
            chunks.Add((start, end - start));
            start = end;
        }
        _chunks = [.. chunks];
        _parser = new SegmentNdjsonParser<CdpProjection>(new SymbolTable());
        _batch = new BatchPool<CustomerEvent>(8192).Rent();
        _deadLetters = new CountingDeadLetterSink();
        Parser(); // interns every id and name: the measured passes are the steady state
    }

    [Benchmark(Description = "SegmentNdjsonParser")]
    public int Parser()
    {
        var data = SegmentWorkload.Standard.Bytes;
        var events = 0;
        foreach (var (start, length) in _chunks)
        {
            _batch.Clear();
            _parser.Parse(data.AsSpan(start, length), "bench", 0, start, _batch, _deadLetters);
            events += _batch.Count;
        }
        return events;
    }

    [Benchmark(Baseline = true, Description = "System.Text.Json source-gen")]
    public int SystemTextJson()
    {
        ReadOnlySpan<byte> rest = SegmentWorkload.Standard.Bytes;
        var events = 0;
        while (!rest.IsEmpty)
        {
            var n = rest.IndexOf((byte)'\n');
            var line = n < 0 ? rest : rest[..n];
            rest = n < 0 ? default : rest[(n + 1)..];
            if (line.IsEmpty) continue;
            var dto = JsonSerializer.Deserialize(line, SegmentJsonContext.Default.SegmentLineDto);
            if (dto?.Batch is { } batch) events += batch.Count;
            else if (dto?.Type is not null) events++;
        }
        return events;
    }
}

/// <summary>A Segment message or batch request as a DTO (the peer's model).</summary>
public sealed class SegmentLineDto
{
    [JsonPropertyName("type")] public string? Type { get; set; }
    [JsonPropertyName("userId")] public string? UserId { get; set; }
    [JsonPropertyName("anonymousId")] public string? AnonymousId { get; set; }
    [JsonPropertyName("event")] public string? Event { get; set; }
    [JsonPropertyName("name")] public string? Name { get; set; }
    [JsonPropertyName("previousId")] public string? PreviousId { get; set; }
    [JsonPropertyName("groupId")] public string? GroupId { get; set; }
    [JsonPropertyName("messageId")] public string? MessageId { get; set; }
    [JsonPropertyName("timestamp")] public DateTimeOffset? Timestamp { get; set; }
    [JsonPropertyName("properties")] public Dictionary<string, JsonElement>? Properties { get; set; }
    [JsonPropertyName("traits")] public Dictionary<string, JsonElement>? Traits { get; set; }
    [JsonPropertyName("batch")] public List<SegmentLineDto>? Batch { get; set; }
}

[JsonSerializable(typeof(SegmentLineDto))]
internal sealed partial class SegmentJsonContext : JsonSerializerContext;

/// <summary>The Segment workload, generated once per process.</summary>
public sealed class SegmentWorkload
{
    private static readonly Lazy<SegmentWorkload> StandardWorkload = new(() => new SegmentWorkload(new CustomerGeneratorOptions
    {
        Users = 3_000,
        Seed = 42,
        BatchShare = 0.05,
    }));

    private SegmentWorkload(CustomerGeneratorOptions options)
    {
        using var generator = new CustomerGenerator(options);
        using var stream = new MemoryStream();
        generator.WriteToAsync(stream, CancellationToken.None).GetAwaiter().GetResult();
        Bytes = stream.ToArray();
        Events = generator.Messages;
    }

    /// <summary>About 150 k events (about 27 MB).</summary>
    public static SegmentWorkload Standard => StandardWorkload.Value;

    /// <summary>The NDJSON bytes.</summary>
    public byte[] Bytes { get; }

    /// <summary>Segment messages in <see cref="Bytes"/>.</summary>
    public long Events { get; }
}

/// <summary>MB/s, M events/s and bytes allocated per event.</summary>
public sealed class SegmentParseConfig : ManualConfig
{
    public SegmentParseConfig()
    {
        AddColumn(new SegmentColumn(0));
        AddColumn(new SegmentColumn(1));
        AddColumn(new SegmentColumn(2));
        AddDiagnoser(MemoryDiagnoser.Default);
    }

    private sealed class SegmentColumn(int kind) : IColumn
    {
        public string Id => "Segment." + kind;
        public string ColumnName => kind switch { 0 => "MB/s", 1 => "M events/s", _ => "B/event" };
        public bool AlwaysShow => true;
        public ColumnCategory Category => ColumnCategory.Custom;
        public int PriorityInCategory => kind;
        public bool IsNumeric => true;
        public UnitType UnitType => UnitType.Dimensionless;
        public string Legend => kind switch { 0 => "Input MB (10^6 B) per second, one thread", 1 => "Segment messages per second, millions", _ => "Managed bytes allocated per message" };
        public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, SummaryStyle.Default);

        public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
        {
            var report = summary[benchmarkCase];
            if (report?.ResultStatistics is not { } stats) return "-";
            var w = SegmentWorkload.Standard;
            var seconds = stats.Mean / 1e9;
            return kind switch
            {
                0 => (w.Bytes.Length / 1e6 / seconds).ToString("N0", CultureInfo.InvariantCulture),
                1 => (w.Events / 1e6 / seconds).ToString("N2", CultureInfo.InvariantCulture),
                _ => report.GcStats.GetBytesAllocatedPerOperation(benchmarkCase) is { } bytes ? (bytes / (double)w.Events).ToString("N3", CultureInfo.InvariantCulture) : "-",
            };
        }

        public bool IsAvailable(Summary summary) => true;
        public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;
    }
}
